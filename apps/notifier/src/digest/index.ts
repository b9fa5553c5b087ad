export { dailyDigest, dailyDigests } from './dailyDigest';
export type { Digest } from './dailyDigest';
