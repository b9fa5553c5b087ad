/**
 * The platform pieces without Nest or TypeORM: the clock, bearer tokens and production secrets,
 * the ops HTTP endpoints, request observation and limits, and runMain. The adapter and connector
 * kits import this entry (`@mash/platform/standalone`), so a kit does not carry the hub's services
 * with it.
 */
export * from './clock';
export * from './bearerToken';
export * from './productionSecrets';
export * from './jsonDepth';
export * from './rateLimit';
export * from './metricsCredential';
export * from './httpObservability';
export * from './opsHttp';
export * from './runMain';
