import { ratingsMatrix } from './ratingsMatrix';

describe('ratingsMatrix', () => {
  it('counts start -> end pairs and the escalation and de-escalation rates of re-rated cases', () => {
    const m = ratingsMatrix([
      { start: 'GREEN', end: 'AMBER', n: 6 },
      { start: 'AMBER', end: 'GREEN', n: 42 },
      { start: 'AMBER', end: 'AMBER', n: 40 },
      { start: 'RED', end: 'RED', n: 12 },
      { start: 'AMBER', end: null, n: 5 },
    ]);
    expect(m.counts.GREEN.AMBER).toBe(6);
    expect(m.counts.AMBER.GREEN).toBe(42);
    expect(m.counts.BLUE.RED).toBe(0);
    expect(m).toMatchObject({
      reRated: 100,
      escalated: 6,
      deEscalated: 42,
      unchanged: 52,
      escalationRate: 6,
      deEscalationRate: 42,
      awaitingEnd: 5,
    });
  });
  it('is all zeros with nothing re-rated', () => {
    expect(ratingsMatrix([])).toMatchObject({ reRated: 0, escalationRate: 0, deEscalationRate: 0 });
  });
});
