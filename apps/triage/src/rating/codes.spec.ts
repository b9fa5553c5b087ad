import { loadCodeMap, shippedPolicy, teamsToAlert } from '@mash/policy';
import { rate } from './rate';
import { contactWith, inputWith } from './testContacts';

const london = shippedPolicy('london');
const codes = loadCodeMap();
const SNOMED = 'http://snomed.info/sct';
const baby = { dateOfBirth: '2026-06-01' }; // under one on the test clock

/** A concern sent with the sender's own code only, as 20 (other): the rating must read the code. */
const coded = (system: string, code: string, display?: string) => ({
  presentingIssues: [{ code: '20', label: display ?? code, coding: { system, code, display } }],
});

describe('rating counts mapped codes as the hub own factors', () => {
  it('SNOMED CT bruising in a baby under one: Red on the infant-injury rule, teams alerted', () => {
    const r = rate(inputWith(contactWith(coded(SNOMED, '125667009', 'Contusion (disorder)'), baby)), london, codes);
    expect(r.rating).toBe('RED');
    expect(r.ruleIds[0]).toBe('R-INFANT-INJURY');
    expect(r.riskFactors).toContain('issue:18C');
    expect(r.riskFactors).not.toContain('issue:20');
    expect(teamsToAlert(r.rating, london)).toEqual(london.redAlert.teams);
  });

  it('is rated exactly as the same concern in the hub own code', () => {
    const ownCode = rate(inputWith(contactWith({ presentingIssues: [{ code: '18C' }] }, baby)), london, codes);
    const snomed = rate(inputWith(contactWith(coded(SNOMED, '125667009'), baby)), london, codes);
    expect({ rating: snomed.rating, ruleIds: snomed.ruleIds, riskFactors: snomed.riskFactors }).toEqual({
      rating: ownCode.rating,
      ruleIds: ownCode.ruleIds,
      riskFactors: ownCode.riskFactors,
    });
  });

  // The injury and self-harm SNOMED CT rows, rated about a baby: an injury is Red; self-harm a concern.
  it.each([
    ['125667009', 'RED', 'R-INFANT-INJURY'],
    ['125605004', 'RED', 'R-INFANT-INJURY'],
    ['125666000', 'RED', 'R-INFANT-INJURY'],
    ['82271004', 'RED', 'R-INFANT-INJURY'],
    ['248062006', 'AMBER', 'A-INFANT'],
  ])('SNOMED CT %s about a baby rates %s (%s)', (code, rating, rule) => {
    const r = rate(inputWith(contactWith(coded(SNOMED, code), baby)), london, codes);
    expect(r.rating).toBe(rating);
    expect(r.ruleIds[0]).toBe(rule);
  });

  // The safeguarding rows: each rates exactly as the hub's own code for that concern.
  it.each([
    ['95041000119101', '22A'],
    ['715477006', '22A'],
    ['713201008', '22A'],
    ['902961000000107', '22A'],
    ['418496002', '16A'],
    ['720824009', '16A'],
    ['704658004', '16A'],
    ['879911000000102', '3'],
    ['205171000000107', '3'],
    ['881081000000100', '3'],
    ['713834002', '11A'],
    ['716565009', '11A'],
    ['1086791000000109', '11A'],
    ['919461000000108', '11A'],
    ['1188261000000103', '24A'],
    ['1188271000000105', '24A'],
    ['711181000000101', '10A'],
  ])('SNOMED CT %s rates as the hub own %s', (code, issue) => {
    const ownCode = rate(inputWith(contactWith({ presentingIssues: [{ code: issue }] })), london, codes);
    const snomed = rate(inputWith(contactWith(coded(SNOMED, code))), london, codes);
    expect(snomed.riskFactors).toContain(`issue:${issue}`);
    expect(snomed.riskFactors).not.toContain('issue:20');
    expect(snomed.notes ?? []).toEqual([]);
    expect({ rating: snomed.rating, ruleIds: snomed.ruleIds, riskFactors: snomed.riskFactors }).toEqual({
      rating: ownCode.rating,
      ruleIds: ownCode.ruleIds,
      riskFactors: ownCode.riskFactors,
    });
  });

  it.each([
    ['snomed-ct', '95041000119101', 'R-FGM'],
    ['snomed-ct', '1188261000000103', 'A-EXPLOITATION'],
    ['snomed-ct', '711181000000101', 'A-MISSING'],
    ['police-category', 'FGM', 'R-FGM'],
    ['school-category', 'county lines', 'A-EXPLOITATION'],
    ['police-category', 'MISSING', 'A-MISSING'],
  ])('agency category %s %s counts as its canonical issue (%s)', (system, code, rule) => {
    const r = rate(inputWith(contactWith(coded(codes.systemUri(system), code))), london, codes);
    expect(r.ruleIds[0]).toBe(rule);
  });

  it('an unmapped code is kept, counted as 20 (other) and named in the reasons for the decision maker', () => {
    const r = rate(inputWith(contactWith(coded(SNOMED, '22298006', 'Myocardial infarction'))), london, codes);
    expect(r.riskFactors).toEqual(['issue:20']);
    expect(r.reasons).toHaveLength(r.ruleIds.length);
    expect(r.notes).toEqual([
      `Code 22298006 (Myocardial infarction) from ${SNOMED} has no mapping in code map ${codes.version}: no rule counted it, read it yourself.`,
    ]);
  });
});
