export * from './connector';
export * from './behaviour';
export * from './fixtures';
export * from './testing';
export * from './people';
export * from './serve';
