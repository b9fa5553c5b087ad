import { userInfo } from 'node:os';
import { Client } from 'pg';
import { databaseUrl } from '@mash/platform';
import { listDeadLettered, replayNotices } from './replay.repository';

/*
 * npm run replay:notices -- --notice <id> [--notice <id>...] | --all-dead | --list  [--by <operator>] [--reason <text>]
 *
 * A command on the notifier's own schema, shipped with the notifier, rather than an HTTP endpoint:
 * the notifier has no credential store (the gateway owns agency and ops credentials, and no app
 * imports another), and an unauthenticated "resend" endpoint would be a way to make the hub send
 * case information again. Whoever may run this already holds the notifier's database credentials,
 * it works while the notifier is down (the worker picks the rows up when it is back), and each
 * replay is written to notifier.replays with who asked and why.
 */
function parse(argv: string[]) {
  const out = { noticeIds: [] as string[], allDead: false, list: false, by: '', reason: undefined as string | undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--notice') out.noticeIds.push(value());
    else if (a === '--all-dead') out.allDead = true;
    else if (a === '--list') out.list = true;
    else if (a === '--by') out.by = value();
    else if (a === '--reason') out.reason = value();
    else throw new Error(`unknown argument ${a}`);
  }
  if (!out.list && !out.allDead && out.noticeIds.length === 0) throw new Error('say which notices: --notice <id>, --all-dead or --list');
  return out;
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(
      `${(err as Error).message}\nusage: npm run replay:notices -- (--notice <id>... | --all-dead | --list) [--by <operator>] [--reason <text>]\n`,
    );
    return 2;
  }
  const db = new Client({ connectionString: databaseUrl(), application_name: 'mash-notifier-replay' });
  await db.connect();
  try {
    if (args.list) {
      for (const n of await listDeadLettered(db)) process.stdout.write(JSON.stringify(n) + '\n');
      return 0;
    }
    const result = await replayNotices(db, {
      noticeIds: args.noticeIds,
      allDead: args.allDead,
      requestedBy: args.by || userInfo().username,
      reason: args.reason,
    });
    process.stdout.write(JSON.stringify({ replayed: result.replayed.length, noticeIds: result.replayed, refused: result.refused }) + '\n');
    return result.refused.length ? 1 : 0;
  } finally {
    await db.end();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`replay failed: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
