export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/mash';

export function databaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
}

export { createDatabase, dropDatabase, prepareDatabase } from './database.migration';
