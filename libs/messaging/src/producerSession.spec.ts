import { KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
// kafkajs' own table of broker error codes, as its producer raises them.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as {
  createErrorFromCode: (code: number) => Error & { type: string };
};
import { isInfrastructureError } from './errors';
import { kafkaErrorType, producerSessionLost } from './kafkaPort';

/**
 * Which send failures make the port drop its idempotent producer (KafkaPort.sendRaw): the broker
 * refusing the producer's id or sequence, as kafkajs reports it after its retrier gave up, and no
 * other failure.
 */
const asKafkajsReportsIt = (code: number) => {
  const protocol = new KafkaJSProtocolError(createErrorFromCode(code));
  return new (KafkaJSNonRetriableError as unknown as new (e: Error, o: { cause: Error }) => Error)(protocol, { cause: protocol });
};

describe('producer session lost', () => {
  it.each([
    [45, 'OUT_OF_ORDER_SEQUENCE_NUMBER'],
    [59, 'UNKNOWN_PRODUCER_ID'],
    [47, 'INVALID_PRODUCER_EPOCH'],
    [87, 'INVALID_RECORD'],
  ])('broker error %i (%s) behind the retrier drops the producer', (code, type) => {
    const err = asKafkajsReportsIt(code);
    expect(kafkaErrorType(err)).toBe(type);
    expect(producerSessionLost(err)).toBe(true);
  });

  it('a leader moving, a timeout, retries running out on a connection or a plain error keep the producer', () => {
    const notLeader = new KafkaJSProtocolError(createErrorFromCode(6));
    expect(kafkaErrorType(notLeader)).toBe('NOT_LEADER_FOR_PARTITION');
    expect(producerSessionLost(notLeader)).toBe(false);
    expect(
      producerSessionLost(new KafkaJSNumberOfRetriesExceeded(new Error('Connection timeout'), { retryCount: 5, retryTime: 1000 } as never)),
    ).toBe(false);
    expect(producerSessionLost(new Error('OUT_OF_ORDER_SEQUENCE_NUMBER'))).toBe(false);
    expect(producerSessionLost(undefined)).toBe(false);
  });

  it("a lost session is a dependency failure, never the message's: retried, not parked", () => {
    // The broker error under the retrier's wrapper is a kafkajs error: a handler whose dead letter
    // could not be sent is redelivered, and the relay tries again on its next poll (outbox.ts).
    expect(isInfrastructureError(asKafkajsReportsIt(45))).toBe(true);
  });
});
