/**
 * Baseline for decision-to-notice latency: how many notices the notifier composes per second on
 * one core, with no I/O. Anything the end-to-end measurement adds on top is delivery and Kafka.
 *
 *   npx tsc -p tsconfig.build.json && TS_NODE_BASEURL=./dist node -r tsconfig-paths/register dist/bench/notifierCompose.js
 *
 * BENCH_SECONDS (default 2) per measurement. Prints one JSON line per measurement.
 */
import type { DecisionOutcome, NoticeIssued } from '@mash/contracts';
import { dailyDigest } from '../apps/notifier/src/digest';
import { acknowledgementNotice, closingNotice, OUTCOME_ORDER, outcomeNotice } from '../apps/notifier/src/outcomeNotice';
import { contactReceivedFixture, decisionFixture, GP, NEIGHBOUR, noticeContactFixture } from '../apps/notifier/src/outcomeNotice/fixtures';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const NOW = new Date('2026-11-21T10:31:00Z');

// Varied inputs, so the figure is not one cached path: every outcome, singly and in pairs, to
// professional and public referrers, with distinct decision ids (the id is a hash per notice).
const outcomeSets: DecisionOutcome[][] = [
  ...OUTCOME_ORDER.map((o) => [o]),
  ['nfa', 'signposting'],
  ['early-help', 'advice'],
  ['strategy-discussion', 'marac-referral'],
];
const contacts = [noticeContactFixture(), noticeContactFixture(GP), noticeContactFixture(NEIGHBOUR)];
const decisions = Array.from({ length: 1000 }, (_, i) =>
  decisionFixture({
    decisionId: `DEC-${i}`,
    outcomes: outcomeSets[i % outcomeSets.length]!,
    nextSteps: 'A social worker will visit this week.',
    signposting: 'Family Hub, 020 7946 0123',
  }),
);
const received = [contactReceivedFixture(), contactReceivedFixture(GP), contactReceivedFixture(NEIGHBOUR)];

function measure(name: string, op: (i: number) => unknown): void {
  for (let i = 0; i < 2000; i++) op(i); // warm the JIT before the clock starts
  let n = 0;
  let sink = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(SECONDS * 1e9));
  let now = start;
  while (now < end) {
    for (let k = 0; k < 100; k++, n++) sink += (op(n) as { text?: string }).text?.length ?? 0;
    now = process.hrtime.bigint();
  }
  const secs = Number(now - start) / 1e9;
  console.log(
    JSON.stringify({
      bench: name,
      ops: n,
      seconds: +secs.toFixed(3),
      perSecond: Math.round(n / secs),
      microsPerOp: +((secs * 1e6) / n).toFixed(2),
      checksum: sink % 997,
    }),
  );
}

measure('outcomeNotice', (i) => outcomeNotice(decisions[i % decisions.length]!, contacts[i % contacts.length]!, NOW));
measure('acknowledgementNotice', (i) => acknowledgementNotice(received[i % received.length]!, 'a decision within 1 working day.', NOW));
measure('closingNotice', (i) => closingNotice(decisions[i % decisions.length]!, 'health', NOW));

const dayNotices: NoticeIssued[] = decisions.slice(0, 200).map((d) => outcomeNotice(d, contacts[1]!, NOW));
measure('dailyDigest(200 notices)', () => dailyDigest('Exampleton Medical Practice', dayNotices, '2026-11-21'));
