import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { AuditHead, TOPICS } from '@mash/contracts';
import { KafkaPort, messagingConfigFromEnv, readTopicToEnd } from '@mash/messaging';
import { ChainRow, databaseUrl, PublishedHead, readDisclosures, Verification, verifyChain } from '@mash/platform';
import { auditRows } from './audit.repository';

/**
 * The auditor's two commands over every service's disclosure chain (docs/architecture.md,
 * "Trust boundary and data"):
 *
 *   npm run audit:verify                                   walks each chain, checks every published head
 *   npm run audit:export -- --case ID [--out DIR]          one case's disclosures, JSON and CSV
 *   npm run audit:export -- --from DATE --to DATE [--out DIR]   a period's (to is exclusive)
 *
 * Exit status: 0 when every chain is intact, 1 when one is broken (the record is named), 2 on
 * wrong arguments.
 */

/** Every head each service has published, by service (schema). */
export async function publishedHeads(port: KafkaPort): Promise<Map<string, PublishedHead[]>> {
  const heads = new Map<string, PublishedHead[]>();
  for (const m of await readTopicToEnd(port, TOPICS.auditHead)) {
    const h = m.envelope.data as AuditHead;
    heads.set(h.service, [...(heads.get(h.service) ?? []), { chain: h.chain, id: h.id, hash: h.hash }]);
  }
  return heads;
}

export async function verifyAll(pg: Client, heads: Map<string, PublishedHead[]>): Promise<Verification[]> {
  const out: Verification[] = [];
  for (const schema of await auditRows.chainSchemas(pg)) out.push(await verifyChain(pg, schema, heads.get(schema) ?? []));
  return out;
}

export function describe(v: Verification): string {
  if (v.ok) return `${v.schema}: ${v.rows} records in ${v.chains === 1 ? '1 chain' : `${v.chains} chains`}, intact`;
  const p = v.firstProblem!;
  const why = {
    'hash-mismatch': 'its content does not match its hash (edited)',
    'broken-link': 'it does not follow the record before it (edited, inserted or reordered)',
    gap: `record ${'expectedId' in p ? p.expectedId : ''} of that chain is missing (deleted)`,
    'head-missing': 'a head published earlier is no longer in the chain (the tail was deleted or rewritten)',
  }[p.kind];
  const where = p.chain === null ? `record ${p.id} of a chain` : `chain ${p.chain}, record ${p.id}`;
  return `${v.schema}: BROKEN at ${where}: ${why}`;
}

export interface ExportedDisclosure extends ChainRow {
  service: string;
}

/** One case's or one period's disclosures across every service, in time order. */
export async function exportDisclosures(pg: Client, filter: { caseId?: string; from?: Date; to?: Date }): Promise<ExportedDisclosure[]> {
  const all: ExportedDisclosure[] = [];
  // The contacts that became this case, as the gateway's status projection links them.
  const contactIds = filter.caseId ? await auditRows.contactIdsOfCase(pg, filter.caseId) : [];
  for (const schema of await auditRows.chainSchemas(pg)) {
    for (const r of await readDisclosures(pg, schema, { ...filter, contactIds })) all.push({ service: schema, ...r });
  }
  return all.sort((a, b) => a.at.localeCompare(b.at) || a.service.localeCompare(b.service) || a.chain - b.chain || a.id - b.id);
}

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function toCsv(rows: ExportedDisclosure[]): string {
  const cols: (keyof ExportedDisclosure)[] = [
    'at',
    'service',
    'chain',
    'id',
    'principal',
    'action',
    'caseId',
    'contactId',
    'detail',
    'hash',
  ];
  return [cols.join(','), ...rows.map((r) => cols.map((c) => csvCell(r[c])).join(','))].join('\r\n') + '\r\n';
}

function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '');
    if (!argv[i].startsWith('--') || !['case', 'from', 'to', 'out'].includes(name) || argv[i + 1] === undefined) {
      throw new UsageError(`unknown or incomplete option '${argv[i]}'`);
    }
    out[name] = argv[++i];
  }
  return out;
}

class UsageError extends Error {}

function date(name: string, v: string | undefined): Date | undefined {
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new UsageError(`--${name} must be a date (YYYY-MM-DD or ISO 8601), got '${v}'`);
  return d;
}

async function main(command: string, argv: string[]): Promise<number> {
  const pg = new Client({ connectionString: databaseUrl() });
  await pg.connect();
  try {
    if (command === 'verify') {
      const port = new KafkaPort(messagingConfigFromEnv('ops-audit'));
      let heads: Map<string, PublishedHead[]>;
      try {
        heads = await publishedHeads(port);
      } finally {
        await port.close();
      }
      const results = await verifyAll(pg, heads);
      for (const v of results) process.stdout.write(`${describe(v)}\n`);
      const headCount = [...heads.values()].reduce((n, h) => n + h.length, 0);
      process.stdout.write(`${results.length} chains, ${headCount} published heads checked\n`);
      return results.every((v) => v.ok) ? 0 : 1;
    }
    const a = parseArgs(argv);
    const filter = { caseId: a.case, from: date('from', a.from), to: date('to', a.to) };
    if (!filter.caseId && !(filter.from && filter.to)) throw new UsageError('give --case ID, or --from DATE and --to DATE');
    const rows = await exportDisclosures(pg, filter);
    const dir = resolve(a.out ?? '.');
    mkdirSync(dir, { recursive: true });
    const base = join(
      dir,
      filter.caseId
        ? `disclosures-${filter.caseId.replace(/[^A-Za-z0-9_-]/g, '_')}`
        : `disclosures-${a.from}-${a.to}`.replace(/[^A-Za-z0-9_.-]/g, '_'),
    );
    writeFileSync(
      `${base}.json`,
      JSON.stringify(
        { filter: { case: a.case, from: a.from, to: a.to }, exportedAt: new Date().toISOString(), disclosures: rows },
        null,
        2,
      ),
    );
    writeFileSync(`${base}.csv`, toCsv(rows));
    process.stdout.write(`${rows.length} disclosures written to ${base}.json and ${base}.csv\n`);
    return 0;
  } finally {
    await pg.end();
  }
}

if (require.main === module || process.argv[1]?.endsWith('launch.js')) {
  const [command, ...rest] = process.argv.slice(2);
  if (command !== 'verify' && command !== 'export') {
    process.stderr.write('usage: audit verify | audit export --case ID | --from DATE --to DATE [--out DIR]\n');
    process.exit(2);
  }
  main(command, rest).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`audit ${command} failed: ${(err as Error).message}\n`);
      process.exit(err instanceof UsageError ? 2 : 1);
    },
  );
}
