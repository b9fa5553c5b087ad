import { Writable } from 'node:stream';
import { context } from '@opentelemetry/api';
import { makeLogger } from './log';
import { contextFromTraceparent, startTracing, stopTracing, withRequestId } from './tracing';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { lines, logger: makeLogger(stream as never) };
}

describe('logs through pino', () => {
  // The process's tracing as every deployable starts it: the context manager and the W3C propagator.
  beforeAll(() => startTracing('log-spec', {}));
  afterAll(() => stopTracing());

  it('redacts fields that could carry personal data, at the top level and one level down, and keeps ids', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        caseId: 'CS-1',
        name: 'Jo Bloggs',
        dateOfBirth: '2016-01-01',
        child: { givenName: 'Jo', postcode: 'ST1 1AA', role: 'subject' },
        authorization: 'Bearer x',
      },
      'case read',
    );
    expect(lines[0]).toMatchObject({
      level: 'info',
      msg: 'case read',
      caseId: 'CS-1',
      name: '[redacted]',
      dateOfBirth: '[redacted]',
      authorization: '[redacted]',
      child: { givenName: '[redacted]', postcode: '[redacted]', role: 'subject' },
    });
    expect(JSON.stringify(lines[0])).not.toMatch(/Bloggs|2016-01-01|ST1 1AA/);
  });

  it('carries the active trace id, span id and request id, and none outside a request or span', () => {
    const { lines, logger } = capture();
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    context.with(withRequestId(contextFromTraceparent(traceparent), 'req-42'), () => logger.info('inside'));
    logger.info('outside');
    expect(lines[0]).toMatchObject({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', requestId: 'req-42' });
    expect(lines[1]).not.toHaveProperty('traceId');
    expect(lines[1]).not.toHaveProperty('requestId');
    expect(typeof lines[0]!.t).toBe('string');
  });
});
