// Everything, the Nest transport and the TypeORM outbox, inbox and deferred messages included.
export * from './standalone';
export * from './outbox';
export * from './outbox.repository';
export * from './inbox.repository';
export * from './deferred.repository';
export * from './deferredMessages';
export * from './tables.migration';
export * from './transport';
export * from './rethrow.filter';
