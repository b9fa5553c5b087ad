import { validateData } from '@mash/contracts';
import { behaviourFromEnv, ConnectorFailure, handleCheckRequest, parseBehaviour } from './behaviour';
import { Connector, defineConnector } from './connector';
import { checkRequestFor } from './testing';

const amy = { subjectId: 'c1', kind: 'child' as const, nhsNumber: '9434765919' };
const request = checkRequestFor('health', [amy], ['health']);
const now = () => new Date('2026-11-23T10:00:00.000Z');

function counting(): Connector & { calls: number } {
  const c = {
    calls: 0,
    ...defineConnector({
      agency: 'health',
      lookup: async () => {
        c.calls++;
        return { known: true, entries: [{ subjectId: 'c1', date: '2026-01-01', category: 'health' as const, summary: 'Seen' }] };
      },
    }),
  };
  return c;
}

describe('parseBehaviour', () => {
  it.each([
    [undefined, { mode: 'normal' }],
    ['', { mode: 'normal' }],
    ['normal', { mode: 'normal' }],
    ['slow:2500', { mode: 'slow', delayMs: 2500 }],
    [' silent ', { mode: 'silent' }],
    ['failing', { mode: 'failing' }],
    ['malformed', { mode: 'malformed' }],
  ])('reads %p', (value, expected) => {
    expect(parseBehaviour(value)).toEqual(expected);
  });

  it.each(['slow', 'slow:', 'slow:-5', 'slow:1.5', 'Silent', 'broken'])('refuses %p, naming the variable', (value) => {
    expect(() => parseBehaviour(value)).toThrow(/CONNECTOR_BEHAVIOUR/);
  });

  it('reads CONNECTOR_BEHAVIOUR from the environment', () => {
    expect(behaviourFromEnv({ CONNECTOR_BEHAVIOUR: 'slow:10' })).toEqual({ mode: 'slow', delayMs: 10 });
    expect(behaviourFromEnv({})).toEqual({ mode: 'normal' });
  });
});

describe('handleCheckRequest', () => {
  it('normal: replies through the fire-wall', async () => {
    const out = await handleCheckRequest(counting(), request, { now });
    expect(out).toEqual({
      kind: 'reply',
      reply: expect.objectContaining({ requestId: request.requestId, known: true, repliedAt: '2026-11-23T10:00:00.000Z' }),
    });
  });

  it('slow: waits the configured time before looking up, then replies', async () => {
    const waits: number[] = [];
    const c = counting();
    const out = await handleCheckRequest(c, request, {
      now,
      behaviour: { mode: 'slow', delayMs: 1500 },
      sleep: async (ms) => {
        waits.push(ms);
        expect(c.calls).toBe(0);
      },
    });
    expect(waits).toEqual([1500]);
    expect(out.kind).toBe('reply');
  });

  it('slow: really waits with the default sleep', async () => {
    const started = Date.now();
    await handleCheckRequest(counting(), request, { behaviour: { mode: 'slow', delayMs: 50 } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('silent: publishes nothing and does not search', async () => {
    const c = counting();
    expect(await handleCheckRequest(c, request, { behaviour: { mode: 'silent' } })).toEqual({ kind: 'silent' });
    expect(c.calls).toBe(0);
  });

  it('failing: throws, so the port retries and dead-letters', async () => {
    await expect(handleCheckRequest(counting(), request, { behaviour: { mode: 'failing' } })).rejects.toBeInstanceOf(ConnectorFailure);
  });

  it('malformed: gives a body the reply contract rejects, keeping the ids', async () => {
    const out = await handleCheckRequest(counting(), request, { now, behaviour: { mode: 'malformed' } });
    if (out.kind !== 'malformed') throw new Error(`expected malformed, got ${out.kind}`);
    expect(out.data).toMatchObject({ requestId: request.requestId, caseId: request.caseId, agency: 'health' });
    const result = validateData('checkReplied', out.data);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['/data/known', '/data/repliedAt', '/data/entries/0/date']));
  });

  it('refuses a request addressed to another agency', async () => {
    const c = counting();
    await expect(handleCheckRequest(c, { ...request, agency: 'police' })).rejects.toThrow(/addressed to police, not health/);
    expect(c.calls).toBe(0);
  });
});
