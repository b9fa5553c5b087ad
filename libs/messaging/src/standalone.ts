/**
 * The messaging pieces without Nest or TypeORM: the Kafka port, envelopes, logs, traces and
 * metrics. What a process that keeps no database needs (the adapter and connector kits) imports
 * this entry (`@mash/messaging/standalone`), so it does not load the Nest transport and the outbox.
 */
export * from './config';
export * from './envelopes';
export * from './errors';
export * from './kafkaPort';
export * from './lagTracker';
export * from './log';
export * from './tracing';
export * from './metrics';
export * from './readToEnd';
export * from './provision';
export * from './principals';
export * from './deadLetterRaw';
export * from './ticker';
