import { DeadLetter, TOPICS } from '@mash/contracts';
import { KafkaPort, messagingConfigFromEnv, openRaw, readTopicToEnd } from '@mash/messaging';

/**
 * Replays parked messages: reads mash.deadletter.v1 from the start, picks the letters that match
 * the filters, and puts each original value back on its original topic. Safe to repeat: every
 * consumer remembers the message ids it handled, so only those that parked it act on it again.
 *
 *   npm run replay:deadletters -- [--topic T] [--consumer GROUP] [--key CASE] [--since ISO] [--dry-run]
 */
function args(argv: string[]) {
  const out: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument '${a}'`);
    const name = a.slice(2);
    if (name === 'dry-run') out[name] = true;
    else if (['topic', 'consumer', 'key', 'since'].includes(name) && argv[i + 1]) out[name] = argv[++i];
    else throw new Error(`unknown or incomplete option '${a}'`);
  }
  return out;
}

export async function replayDeadLetters(
  port: KafkaPort,
  filter: { topic?: string; consumer?: string; key?: string; since?: string; dryRun?: boolean },
) {
  const letters = (await readTopicToEnd(port, TOPICS.deadLetter)).map((m) => ({
    letter: m.envelope.data as DeadLetter,
    key: m.envelope.key,
  }));
  const chosen = letters.filter(
    ({ letter }) =>
      (!filter.topic || letter.originalTopic === filter.topic) &&
      (!filter.consumer || letter.consumer === filter.consumer) &&
      (!filter.key || letter.key === filter.key) &&
      (!filter.since || letter.failedAt >= filter.since),
  );
  const replayable = chosen.map(({ letter }) => ({ letter, raw: openRaw(letter) })).filter(({ raw }) => raw.encoding === 'utf8');
  if (!filter.dryRun) {
    await port.sendRaw(
      replayable.map(({ letter, raw }) => ({ topic: letter.originalTopic, key: letter.key ?? letter.originalTopic, value: raw.value })),
    );
  }
  return {
    read: letters.length,
    matched: chosen.length,
    replayed: filter.dryRun ? 0 : replayable.length,
    notText: chosen.length - replayable.length,
  };
}

async function main() {
  const a = args(process.argv.slice(2));
  const port = new KafkaPort(messagingConfigFromEnv('ops-replay'));
  try {
    const r = await replayDeadLetters(port, {
      topic: a.topic as string,
      consumer: a.consumer as string,
      key: a.key as string,
      since: a.since as string,
      dryRun: !!a['dry-run'],
    });
    process.stdout.write(
      `dead letters read: ${r.read}, matching: ${r.matched}, replayed: ${r.replayed}${r.notText ? `, binary (not replayed): ${r.notText}` : ''}\n`,
    );
  } finally {
    await port.close();
  }
}

if (require.main === module || process.argv[1]?.endsWith('launch.js')) {
  main().then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`replay failed: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
