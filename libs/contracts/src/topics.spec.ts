import { TOPIC_DEFINITIONS, TOPICS, topicsUnderRetention } from './topics';

const DAY = 24 * 3600 * 1000;

describe('topic retention under a policy', () => {
  it('keeps case content at most the shortest span of the policy months, counting one segment roll', () => {
    const defs = topicsUnderRetention(6);
    for (const d of defs.filter((x) => x.caseContent)) expect(d.retentionMs + d.segmentMs!).toBeLessThanOrEqual(6 * 28 * DAY);
    expect(defs.find((d) => d.name === TOPICS.caseRated)!.retentionMs).toBe(6 * 28 * DAY - DAY);
  });

  it('never lengthens a topic already shorter, and leaves topics without case content alone', () => {
    const defs = topicsUnderRetention(6);
    expect(defs.find((d) => d.name === TOPICS.deadLetter)!.retentionMs).toBe(14 * DAY);
    expect(defs.find((d) => d.name === TOPICS.auditHead)).toEqual(TOPIC_DEFINITIONS.find((d) => d.name === TOPICS.auditHead));
    expect(defs.find((d) => d.name === TOPICS.legalHold)!.retentionMs).toBe(-1);
  });

  it('refuses a period that is not a positive number of months', () => {
    expect(() => topicsUnderRetention(0)).toThrow(/positive number of months/);
    expect(() => topicsUnderRetention(Number.NaN)).toThrow(/positive number of months/);
  });
});
