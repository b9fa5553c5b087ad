import { MigrationInterface, QueryRunner } from 'typeorm';
import { dataKeys, SealedColumn, sealPlainValues } from '@mash/at-rest';

/**
 * A migration that seals the plain values already in a service's sealed columns, with the
 * process's keyring (docs/architecture.md, "Encryption at rest"). `name` ends in its timestamp,
 * as typeorm requires. Not reversible: the plain values are not kept.
 */
export function sealColumnsMigration(name: string, columns: SealedColumn[]): new () => MigrationInterface {
  const cls = class implements MigrationInterface {
    name = name;
    async up(q: QueryRunner): Promise<void> {
      for (const c of columns) await sealPlainValues(q, dataKeys(), c);
    }
    async down(): Promise<void> {
      throw new Error(`${name} cannot be undone: the plain values are not kept (restore from a backup taken before it)`);
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}
