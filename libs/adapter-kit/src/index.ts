export * from './nativeReader';

export * from './gatewayClient';
export * from './config';
export * from './noticeBoard';
export * from './rejectLog';
export * from './serve';
export * from './translationSamples';
// A deployable's main needs only its kit (test/kits/standalone.spec.ts).
export { runMain } from '@mash/platform/standalone';
