import type { EntityManager } from 'typeorm';

/**
 * The manager as a handler sees it, with every statement it sends shown to `onQuery`: what the
 * round-trip specs bound (the transport's own BEGIN, COMMIT and inbox are outside it).
 */
export function countingQueries(m: EntityManager, onQuery: (sql: string) => void): EntityManager {
  return new Proxy(m, {
    get: (target, prop, receiver) =>
      prop === 'query'
        ? (...args: Parameters<EntityManager['query']>) => (onQuery(args[0]), target.query(...args))
        : Reflect.get(target, prop, receiver),
  });
}
