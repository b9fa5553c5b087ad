import { dataKeys, isSealed, sealedJsonb } from '@mash/at-rest';
import { DataSource } from 'typeorm';
import { createServiceDb, ServiceDb } from '../../../../test/support/serviceDb';
import { IndicatorsRepository } from './indicators.repository';
import { indicatorRows, IndicatorsService, indicatorsCsv } from './indicators.service';
import { readPeriod } from './period';
import { PROJECTION_MIGRATIONS } from '../status/projectionTables.fixtures';

/**
 * The partnership indicators on a fixture with known totals, against real Postgres and the gateway's
 * migrations: October 2026, five contacts in the period, one before it that makes a repeat, one more
 * than 12 months before that does not, and one after the period.
 */
let db: ServiceDb;
let ds: DataSource;

interface Fx {
  id: string;
  at: string;
  source: string;
  issues: string[];
  child: Record<string, unknown>;
  channel: Record<string, unknown>;
  notice?: string;
}

const CONTACTS: Fx[] = [
  {
    id: 'C9',
    at: '2025-01-01T10:00:00Z',
    source: '5A',
    issues: ['3A'],
    child: { identifiers: { nhsNumber: '1111111111' } },
    channel: { kind: 'topic' },
  },
  {
    id: 'C0',
    at: '2026-03-01T10:00:00Z',
    source: '5A',
    issues: ['3A'],
    child: { givenName: 'ann', familyName: 'SMITH', dateOfBirth: '2015-01-01' },
    channel: { kind: 'topic' },
    notice: 'delivered',
  },
  {
    id: 'C1',
    at: '2026-10-02T10:00:00Z',
    source: '5A',
    issues: ['3A', '4A'],
    child: { identifiers: { nhsNumber: '9434765919' } },
    channel: { kind: 'topic' },
    notice: 'delivered',
  },
  {
    id: 'C2',
    at: '2026-10-03T10:00:00Z',
    source: '5A',
    issues: ['3A'],
    child: { givenName: 'Ann', familyName: 'Smith', dateOfBirth: '2015-01-01' },
    channel: { kind: 'none', reason: 'anonymous' },
    notice: 'no-channel',
  },
  {
    id: 'C3',
    at: '2026-10-10T10:00:00Z',
    source: '3A',
    issues: ['16A'],
    child: { identifiers: { nhsNumber: '9434765919' } },
    channel: { kind: 'email', address: 'a@example.org' },
    notice: 'failed',
  },
  {
    id: 'C4',
    at: '2026-10-20T10:00:00Z',
    source: '1A',
    issues: ['3A'],
    child: { givenName: 'Ann', familyName: 'Smith', dateOfBirth: '2015-01-01' },
    channel: { kind: 'none', reason: 'unknown' },
  },
  {
    id: 'C5',
    at: '2026-10-25T10:00:00Z',
    source: '8',
    issues: [],
    child: { identifiers: { nhsNumber: '1111111111' } },
    channel: { kind: 'webhook', url: 'https://x.example' },
  },
  {
    id: 'C6',
    at: '2026-11-05T10:00:00Z',
    source: '5A',
    issues: ['3A'],
    child: { givenName: 'Ann', familyName: 'Smith', dateOfBirth: '2015-01-01' },
    channel: { kind: 'none', reason: 'anonymous' },
  },
];

interface Kx {
  id: string;
  contact: string;
  start: string | null;
  rating: string;
  deadline: string;
  decision?: { at: string; finalRating: string; outcomes: string[] };
  agencies: { agency: string; due: string; replied?: string; late?: boolean; missing?: boolean }[];
}

const CASES: Kx[] = [
  {
    id: 'K0',
    contact: 'C0',
    start: 'RED',
    rating: 'RED',
    deadline: '2026-03-01T14:00:00Z',
    decision: { at: '2026-03-01T12:00:00Z', finalRating: 'RED', outcomes: ['strategy-discussion'] },
    agencies: [{ agency: 'police', due: '2026-03-01T12:00:00Z', replied: '2026-03-01T11:00:00Z' }],
  },
  {
    id: 'K1',
    contact: 'C1',
    start: 'RED',
    rating: 'RED',
    deadline: '2026-10-02T14:00:00Z',
    decision: { at: '2026-10-02T13:00:00Z', finalRating: 'AMBER', outcomes: ['social-care-assessment', 'early-help'] },
    agencies: [
      { agency: 'police', due: '2026-10-02T12:00:00Z', replied: '2026-10-02T11:00:00Z' },
      { agency: 'health', due: '2026-10-02T12:00:00Z', replied: '2026-10-02T13:00:00Z', late: true },
    ],
  },
  // No start stage recorded (an older case): the case's rating is its start.
  {
    id: 'K2',
    contact: 'C2',
    start: null,
    rating: 'AMBER',
    deadline: '2026-10-04T10:00:00Z',
    decision: { at: '2026-10-05T10:00:00Z', finalRating: 'AMBER', outcomes: ['nfa'] },
    agencies: [{ agency: 'police', due: '2026-10-04T08:00:00Z', missing: true }],
  },
  {
    id: 'K3',
    contact: 'C3',
    start: 'GREEN',
    rating: 'GREEN',
    deadline: '2026-10-13T10:00:00Z',
    decision: { at: '2026-10-11T10:00:00Z', finalRating: 'BLUE', outcomes: ['signposting', 'advice'] },
    agencies: [],
  },
  {
    id: 'K4',
    contact: 'C4',
    start: 'RED',
    rating: 'RED',
    deadline: '2026-10-20T14:00:00Z',
    agencies: [{ agency: 'education', due: '2026-10-20T12:00:00Z' }],
  },
];

beforeAll(async () => {
  db = await createServiceDb('mash_indicators', 'gateway', PROJECTION_MIGRATIONS, 4);
  ds = db.ds;
  for (const c of CONTACTS) {
    const body = {
      referrer: { source: c.source, channel: c.channel },
      subjects: [
        { subjectRef: 's1', kind: 'child', ...c.child },
        { subjectRef: 's2', kind: 'adult', givenName: 'Ann', familyName: 'Smith', dateOfBirth: '1990-01-01' },
      ],
      presentingIssues: c.issues.map((code) => ({ code })),
    };
    // Sealed as intake writes it (intake.service.ts): the figures must come from the opened bodies.
    await ds.query(
      `INSERT INTO gateway.contacts (contact_id, source_agency, agency_reference, received_at, body) VALUES ($1, 'police', $1, $2, $3)`,
      [c.id, c.at, sealedJsonb(body)],
    );
    const kase = CASES.find((k) => k.contact === c.id);
    await ds.query(`INSERT INTO gateway.contact_status (contact_id, case_id, stage, notice_status) VALUES ($1, $2, 'rated', $3)`, [
      c.id,
      kase?.id ?? null,
      c.notice ?? null,
    ]);
  }
  for (const k of CASES) {
    const start = k.start ? JSON.stringify({ rating: k.start, ruleIds: [], reasons: [], policyVersion: 'p', ratedAt: k.deadline }) : null;
    await ds.query(
      `INSERT INTO gateway.cases (case_id, contact_id, rating, policy_version, deadline, rating_start) VALUES ($1, $2, $3, 'p', $4, $5)`,
      [k.id, k.contact, k.rating, k.deadline, start],
    );
    if (k.decision) {
      const body = {
        decisionId: `D-${k.id}`,
        caseId: k.id,
        decidedAt: k.decision.at,
        finalRating: k.decision.finalRating,
        outcomes: k.decision.outcomes,
      };
      // Sealed as the decision is recorded (cases.repository.ts).
      await ds.query(`INSERT INTO gateway.decisions (decision_id, case_id, recorded_by, body) VALUES ($1, $2, 'dm', $3)`, [
        `D-${k.id}`,
        k.id,
        sealedJsonb(body),
      ]);
      await ds.query(`UPDATE gateway.cases SET decision_id = $2 WHERE case_id = $1`, [k.id, `D-${k.id}`]);
    }
    for (const a of k.agencies) {
      await ds.query(
        `INSERT INTO gateway.board_agency_status (case_id, agency, due_at, replied_at, late, missing) VALUES ($1, $2, $3, $4, $5, $6)`,
        [k.id, a.agency, a.due, a.replied ?? null, a.late ?? false, a.missing ?? false],
      );
    }
  }
}, 60000);

afterAll(() => db?.drop());

const october = () => {
  const r = readPeriod('2026-10-01', '2026-10-31');
  if (!r.ok) throw new Error('bad period');
  return r.period;
};

describe('partnership indicators on a fixture with known totals', () => {
  it('reads a fixture sealed at rest, as production stores it', async () => {
    const stored: { body: unknown }[] = await ds.query(`SELECT body FROM gateway.contacts UNION ALL SELECT body FROM gateway.decisions`);
    expect(stored).toHaveLength(CONTACTS.length + CASES.filter((k) => k.decision).length);
    for (const r of stored) expect(isSealed(r.body)).toBe(true);
  });

  it('gives every figure of the London template for the period', async () => {
    const figures = await new IndicatorsService(new IndicatorsRepository(ds)).figures(october());
    expect(figures).toEqual({
      period: { from: '2026-10-01T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' },
      contacts: {
        total: 5,
        bySource: { '1A': 1, '3A': 1, '5A': 2, '8': 1 },
        byPresentingIssue: { '16A': 1, '3A': 3, '4A': 1 },
        // C2 (Ann Smith seen in March, names compared without case), C3 (C1's NHS number), C4 (C2); not C5 (its earlier contact is 21 months old).
        repeatWithin12Months: 3,
        repeatShare: 0.6,
      },
      ratings: {
        atStart: { RED: 2, AMBER: 1, GREEN: 1, BLUE: 0 },
        atEnd: { RED: 0, AMBER: 2, GREEN: 0, BLUE: 1 },
        changeMatrix: {
          RED: { RED: 0, AMBER: 1, GREEN: 0, BLUE: 0 },
          AMBER: { RED: 0, AMBER: 1, GREEN: 0, BLUE: 0 },
          GREEN: { RED: 0, AMBER: 0, GREEN: 0, BLUE: 1 },
          BLUE: { RED: 0, AMBER: 0, GREEN: 0, BLUE: 0 },
        },
        undecided: 1,
      },
      timeInMash: {
        RED: { decided: 1, withinTarget: 1, shareWithinTarget: 1, medianHours: 3 },
        AMBER: { decided: 1, withinTarget: 0, shareWithinTarget: 0, medianHours: 48 },
        GREEN: { decided: 1, withinTarget: 1, shareWithinTarget: 1, medianHours: 24 },
        BLUE: { decided: 0, withinTarget: 0, shareWithinTarget: null, medianHours: null },
      },
      outcomes: {
        decisions: 3,
        byOutcome: {
          'social-care-assessment': 1,
          'strategy-discussion': 0,
          'early-help': 1,
          'marac-referral': 0,
          signposting: 1,
          advice: 1,
          'information-provided': 0,
          nfa: 1,
          transfer: 0,
        },
        // K3's signposting and advice are one signposted decision.
        byGroup: { 'stepped-up': 1, 'stepped-across': 1, signposted: 1, 'no-further-action': 1, transfer: 0 },
      },
      partnerReplies: {
        education: { requested: 1, onTime: 0, late: 0, noReply: 1, shareOnTime: 0 },
        health: { requested: 1, onTime: 0, late: 1, noReply: 0, shareOnTime: 0 },
        police: { requested: 2, onTime: 1, late: 0, noReply: 1, shareOnTime: 0.5 },
      },
      referrersWithoutChannel: { total: 2, byReason: { anonymous: 1, unknown: 1 } },
      notices: { delivered: 1, failed: 1, noChannel: 1 },
    });
  });

  it('says the same in CSV as in JSON, figure for figure', async () => {
    const figures = await new IndicatorsService(new IndicatorsRepository(ds)).figures(october());
    const csv = indicatorsCsv(figures);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('from,to,indicator,dimension,value');
    const rows = lines.slice(1).map((l) => l.split(','));
    for (const r of rows) expect(r.slice(0, 2)).toEqual([figures.period.from, figures.period.to]);
    expect(rows.map((r) => r.slice(2))).toEqual(indicatorRows(figures));
    // Spot checks against the JSON, by name.
    const value = (indicator: string, dimension: string) => rows.find((r) => r[2] === indicator && r[3] === dimension)?.[4];
    expect(value('contacts', 'total')).toBe('5');
    expect(value('ratings', 'changeMatrix.GREEN.BLUE')).toBe('1');
    expect(value('partnerReplies', 'police.shareOnTime')).toBe('0.5');
    expect(value('timeInMash', 'BLUE.medianHours')).toBe('');
    expect(rows.length).toBe(indicatorRows(figures).length);
  });

  it('reads contacts in pages without losing or repeating one, and keeps no personal data in the facts', async () => {
    const repo = new IndicatorsRepository(ds);
    const from = new Date('2025-01-01T00:00:00Z');
    const to = new Date('2027-01-01T00:00:00Z');
    const whole = await repo.contactsReceived(from, to);
    // Page size 2 over 8 contacts: four full pages and an empty one, every page boundary crossed.
    const paged = await repo.contactsReceived(from, to, 2);
    expect(paged).toEqual(whole);
    expect(whole.map((c) => c.contactId)).toEqual(CONTACTS.map((c) => c.id));
    expect(whole.find((c) => c.contactId === 'C2')).toEqual({
      contactId: 'C2',
      receivedAt: new Date('2026-10-03T10:00:00Z'),
      source: '5A',
      issues: ['3A'],
      channelKind: 'none',
      noChannelReason: 'anonymous',
      keys: [dataKeys().lookup('indicator-subject', 'name:ann|smith|2015-01-01')],
    });
    expect(JSON.stringify(whole)).not.toMatch(/smith|9434765919|1111111111|2015-01-01/i);
  });

  it('counts nothing outside the period', async () => {
    const r = readPeriod('2026-12-01', '2026-12-31');
    if (!r.ok) throw new Error('bad period');
    const figures = await new IndicatorsService(new IndicatorsRepository(ds)).figures(r.period);
    expect(figures.contacts.total).toBe(0);
    expect(figures.outcomes.decisions).toBe(0);
    expect(figures.partnerReplies).toEqual({});
    expect(figures.notices).toEqual({ delivered: 0, failed: 0, noChannel: 0 });
  });
});

describe('the period of a request', () => {
  it('takes calendar dates, both included', () => {
    expect(october()).toEqual({ from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z') });
  });

  it('names each broken field and its rule', () => {
    expect(readPeriod('2026-02-30', undefined)).toEqual({
      ok: false,
      errors: [expect.objectContaining({ path: '/from', rule: 'date' }), expect.objectContaining({ path: '/to', rule: 'date' })],
    });
    expect(readPeriod('2026-10-31', '2026-10-01')).toEqual({
      ok: false,
      errors: [expect.objectContaining({ path: '/to', rule: 'order' })],
    });
    expect(readPeriod('2010-01-01', '2026-10-01')).toEqual({
      ok: false,
      errors: [expect.objectContaining({ path: '/to', rule: 'maxRange' })],
    });
  });
});
