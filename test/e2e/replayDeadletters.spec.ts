import { randomBytes } from 'node:crypto';
import { TOPICS } from '@mash/contracts';
import { validExamples } from '@mash/contracts/examples';
import { KafkaPort, RejectedMessage } from '@mash/messaging';
import { replayDeadLetters } from '../../scripts/replayDeadletters';
import { poll } from '../support/topics';

/** A message parked by a bug is handled after the fix by replaying it from the dead-letter topic. */
describe('dead-letter replay', () => {
  const prefix = `r${Date.now().toString(36)}${randomBytes(2).toString('hex')}.`;
  const port = new KafkaPort({ brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), clientId: 'replay-test', prefix });

  afterAll(async () => {
    const admin = await port.adminClient();
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (mine.length) await admin.deleteTopics({ topics: mine });
    await port.close();
  });

  it('puts the original message back and the fixed consumer handles it', async () => {
    await port.ensureTopics();
    let fixed = false;
    const handled: string[] = [];
    await port.subscribe({
      group: 'fixable',
      topics: [TOPICS.checkChased],
      handle: async (m) => {
        if (!fixed) throw new RejectedMessage('bug: cannot handle reminders yet');
        handled.push(m.envelope.id);
      },
    });
    const [sent] = await port.publish([
      { topic: TOPICS.checkChased, key: 'CS-replay', data: { ...validExamples.checkChased, caseId: 'CS-replay' } },
    ]);

    const dry = await poll(
      async () => {
        const r = await replayDeadLetters(port, { consumer: 'fixable', dryRun: true });
        return r.matched === 1 ? r : undefined;
      },
      30000,
      'the message to be parked',
    );
    expect(dry.replayed).toBe(0);
    expect(handled).toEqual([]);

    fixed = true;
    const r = await replayDeadLetters(port, { consumer: 'fixable' });
    expect(r).toMatchObject({ matched: 1, replayed: 1 });
    await poll(async () => (handled.length ? true : undefined), 30000, 'the replayed message to be handled');
    expect(handled).toEqual([sent.id]);
  }, 90000);
});
