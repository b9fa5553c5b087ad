import { byPartition, partitionOf, topicMessagesOf, unacknowledged } from './batchAcks';

const msg = (key: string, partition: number) => ({ key, value: `{"key":"${key}"}`, partition });

describe('a batch is done only when every partition it wrote to was acknowledged', () => {
  const sent = byPartition([
    { topic: 'cases', message: msg('CS-1', 0) },
    { topic: 'cases', message: msg('CS-2', 1) },
    { topic: 'cases', message: msg('CS-3', 1) },
    { topic: 'requests', message: msg('CS-1', 2) },
  ]);

  it('groups messages by topic and partition, keeping their order', () => {
    expect([...sent.keys()]).toEqual(['cases/0', 'cases/1', 'requests/2']);
    expect(sent.get('cases/1')!.messages.map((m) => m.key)).toEqual(['CS-2', 'CS-3']);
  });

  it('keeps the partitions the answer leaves out (a leader that moved mid-batch) and those it refused', () => {
    // The answer kafkajs gives when the broker that led cases/1 died and its new leader had
    // already answered for cases/0: cases/1 is simply absent.
    const left = unacknowledged(sent, [
      { topicName: 'cases', partition: 0, errorCode: 0 },
      { topicName: 'requests', partition: 2, errorCode: 6 },
    ]);
    expect([...left.keys()]).toEqual(['cases/1', 'requests/2']);
    expect(topicMessagesOf(left)).toEqual([
      { topic: 'cases', messages: [msg('CS-2', 1), msg('CS-3', 1)] },
      { topic: 'requests', messages: [msg('CS-1', 2)] },
    ]);
  });

  it('is done when every partition is acknowledged', () => {
    const answer = [...sent.values()].map((b) => ({ topicName: b.topic, partition: b.partition, errorCode: 0 }));
    expect(unacknowledged(sent, answer).size).toBe(0);
  });

  it('places a key by its hash alone: every partition used, the topic name plays no part', () => {
    // That it is the very partition kafkajs picks is shown on a real broker (messaging.spec.ts).
    const spread = new Set(Array.from({ length: 200 }, (_, i) => partitionOf('t', `CS-${i}`, 12)));
    expect(spread.size).toBe(12);
    for (const k of ['CS-1', 'CT-abc', '']) expect(partitionOf('t', k, 12)).toBe(partitionOf('other', k, 12));
  });
});
