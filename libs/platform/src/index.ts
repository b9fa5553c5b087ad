export * from './database';
export * from './health.controller';
export * from './run';
export * from './service.module';
export * from './retention';
export * from './ticker';
