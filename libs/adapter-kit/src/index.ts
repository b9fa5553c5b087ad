export * from './nativeReader';

export * from './gatewayClient';
export * from './config';
export * from './noticeBoard';
export * from './rejectLog';
export * from './serve';
export * from './translationSamples';
