import { KafkaPort } from './kafkaPort';
import { RequestQueue, RequestQueueInternals, scheduleCheckPendingRequests } from './requestQueueTimer';

/**
 * kafkajs's request queue, as the port runs it: a queue with nothing waiting and no throttle keeps
 * no timer, one with a request waiting or a throttle running checks again when it can do something.
 * On real Kafka, an idle connected client checks its queues only when a request comes or goes.
 */
function queue(over: Partial<RequestQueueInternals> = {}): RequestQueueInternals & { checked: number } {
  const q = {
    pending: [] as unknown[],
    throttledUntil: -1,
    throttleCheckTimeoutId: null as NodeJS.Timeout | null,
    checked: 0,
    checkPendingRequests() {
      q.checked++;
    },
    ...over,
  };
  return q;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the request queue timer', () => {
  it('is the one kafkajs runs', () => {
    expect(RequestQueue.prototype.scheduleCheckPendingRequests).toBe(scheduleCheckPendingRequests);
  });

  it('keeps no timer when nothing waits and nothing is throttled', async () => {
    const q = queue();
    scheduleCheckPendingRequests.call(q);
    expect(q.throttleCheckTimeoutId).toBeNull();
    await sleep(30);
    expect(q.checked).toBe(0);
  });

  it('checks again soon when a request waits, and at the throttle end when throttled', async () => {
    const waiting = queue({ pending: [{}] });
    scheduleCheckPendingRequests.call(waiting);
    expect(waiting.throttleCheckTimeoutId).not.toBeNull();
    await sleep(40);
    expect(waiting.checked).toBe(1);

    const throttled = queue({ throttledUntil: Date.now() + 60 });
    scheduleCheckPendingRequests.call(throttled);
    await sleep(20);
    expect(throttled.checked).toBe(0);
    await sleep(80);
    expect(throttled.checked).toBe(1);
  });

  it('an idle client on real Kafka checks its queues only when a request comes or goes', async () => {
    const port = new KafkaPort({
      brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
      clientId: 'request-queue-spec',
      prefix: `rq${Date.now().toString(36)}.`,
    });
    const checks = jest.spyOn(RequestQueue.prototype, 'checkPendingRequests');
    try {
      await (await port.adminClient()).listTopics();
      await sleep(200);
      checks.mockClear();
      // A second of idle: before, every connection's queue re-armed a 1 ms timer (hundreds of checks).
      await sleep(1000);
      expect(checks.mock.calls.length).toBeLessThan(20);
    } finally {
      checks.mockRestore();
      await port.close();
    }
  });
});
