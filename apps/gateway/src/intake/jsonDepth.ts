// The depth guard lives in @mash/platform so the agency adapters hold the same limit as the gateway.
export { checkJsonDepth, MAX_JSON_DEPTH } from '@mash/platform';
export type { DepthCheck } from '@mash/platform';
