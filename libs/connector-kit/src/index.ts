export * from './connector';
export * from './behaviour';
export * from './fixtures';
export * from './testing';
export * from './people';
export * from './serve';
// A deployable's main needs only its kit (test/kits/standalone.spec.ts).
export { runMain } from '@mash/platform/standalone';
