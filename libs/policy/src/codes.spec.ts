import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodeMapError, DEFAULT_CODE_MAP, loadCodeMap, parseCodeMap, repoRoot, verhoeffValid } from '.';

const SNOMED = 'http://snomed.info/sct';
const shipped = () => JSON.parse(readFileSync(join(repoRoot(), DEFAULT_CODE_MAP), 'utf8'));

/**
 * Every shipped row, written out again here by hand: a row changed in the file without this table
 * changing fails, and so does a row dropped or added. [system, code, canonical issues]
 */
const EXPECTED: [string, string, string[]][] = [
  ['police-category', 'DOMESTIC_ABUSE', ['3']],
  ['police-category', 'MISSING', ['10A']],
  ['police-category', 'CSE', ['11A']],
  ['police-category', 'CCE', ['24A']],
  ['police-category', 'TRAFFICKING', ['12A']],
  ['police-category', 'GANGS', ['13A']],
  ['police-category', 'FGM', ['22A']],
  ['police-category', 'NEGLECT', ['16A']],
  ['police-category', 'EMOTIONAL_ABUSE', ['17A']],
  ['police-category', 'PHYSICAL_ABUSE', ['18C']],
  ['police-category', 'SEXUAL_ABUSE', ['19C']],
  ['police-category', 'CHILD_ON_CHILD_PHYSICAL', ['18B']],
  ['police-category', 'CHILD_ON_CHILD_SEXUAL', ['19B']],
  ['police-category', 'CHILD_MENTAL_HEALTH', ['4A']],
  ['police-category', 'SELF_HARM', ['15A']],
  ['police-category', 'PARENTAL_MENTAL_HEALTH', ['4B']],
  ['police-category', 'PARENTAL_ALCOHOL', ['1B']],
  ['police-category', 'PARENTAL_DRUGS', ['2B']],
  ['police-category', 'PARENTAL_SUBSTANCE_MISUSE', ['1B', '2B']],
  ['police-category', 'RADICALISATION', ['20']],
  ['police-category', 'CHILD_AT_RISK', ['20']],
  ['police-category', 'ADULT_AT_RISK', ['20']],
  ['police-category', 'ASB', ['ASB']],
  ['police-category', 'ARREST', ['ARREST']],
  ['police-category', 'HOMELESS_16_17', ['HOMELESS-16-17']],
  ['school-category', 'operation encompass', ['3']],
  ['school-category', 'domestic abuse', ['3']],
  ['school-category', 'domestic violence', ['3']],
  ['school-category', 'neglect', ['16A']],
  ['school-category', 'physical abuse', ['18C']],
  ['school-category', 'child on child abuse', ['18B']],
  ['school-category', 'peer on peer abuse', ['18B']],
  ['school-category', 'child on child sexual abuse', ['19B']],
  ['school-category', 'sexual violence and harassment', ['19B']],
  ['school-category', 'sexual abuse', ['19C']],
  ['school-category', 'emotional abuse', ['17A']],
  ['school-category', 'mental health', ['4A']],
  ['school-category', 'self harm', ['15A']],
  ['school-category', 'missing from home', ['10A']],
  ['school-category', 'cse', ['11A']],
  ['school-category', 'child sexual exploitation', ['11A']],
  ['school-category', 'cce', ['24A']],
  ['school-category', 'child criminal exploitation', ['24A']],
  ['school-category', 'county lines', ['24A']],
  ['school-category', 'gangs', ['13A']],
  ['school-category', 'fgm', ['22A']],
  ['school-category', 'young carer', ['7A']],
  ['school-category', 'parental mental health', ['4B']],
  ['school-category', 'parental substance misuse', ['1B', '2B']],
  ['school-category', 'substance misuse', ['1A', '2A']],
  ['school-category', 'private fostering', ['8B']],
  ['snomed-ct', '125667009', ['18C']],
  ['snomed-ct', '125605004', ['18C']],
  ['snomed-ct', '125666000', ['18C']],
  ['snomed-ct', '82271004', ['18C']],
  ['snomed-ct', '248062006', ['15A']],
  ['snomed-ct', '95041000119101', ['22A']],
  ['snomed-ct', '715477006', ['22A']],
  ['snomed-ct', '713201008', ['22A']],
  ['snomed-ct', '902961000000107', ['22A']],
  ['snomed-ct', '418496002', ['16A']],
  ['snomed-ct', '720824009', ['16A']],
  ['snomed-ct', '704658004', ['16A']],
  ['snomed-ct', '879911000000102', ['3']],
  ['snomed-ct', '205171000000107', ['3']],
  ['snomed-ct', '881081000000100', ['3']],
  ['snomed-ct', '713834002', ['11A']],
  ['snomed-ct', '716565009', ['11A']],
  ['snomed-ct', '1086791000000109', ['11A']],
  ['snomed-ct', '919461000000108', ['11A']],
  ['snomed-ct', '1188261000000103', ['24A']],
  ['snomed-ct', '1188271000000105', ['24A']],
  ['snomed-ct', '711181000000101', ['10A']],
];

/**
 * The SNOMED CT safeguarding rows, with the term the cited code list gives for each id, written out
 * by hand: a row whose name drifts from its source, or whose source stops naming the list, fails.
 */
const SNOMED_TERMS: [string, string, RegExp][] = [
  ['95041000119101', 'Female genital mutilation', /child-safeguarding\.csv/],
  ['715477006', 'History of female genital mutilation', /child-safeguarding\.csv/],
  ['713201008', 'At risk of female genital mutilation', /child-safeguarding\.csv/],
  ['902961000000107', 'Family history of female genital mutilation', /child-safeguarding\.csv/],
  ['418496002', 'Child neglect', /child-safeguarding\.csv/],
  ['720824009', 'Victim of child neglect', /child-safeguarding\.csv/],
  ['704658004', 'Child at risk of neglect', /child-safeguarding\.csv/],
  ['879911000000102', 'Victim of domestic abuse', /domestic-violence-abuse-complexity-factor\.csv/],
  ['205171000000107', 'Victim of domestic violence', /domestic-violence-abuse-complexity-factor\.csv/],
  ['881081000000100', 'Domestic abuse victim in household', /domestic-violence-abuse-complexity-factor\.csv/],
  ['713834002', 'Victim of child sexual exploitation', /child-safeguarding\.csv/],
  ['716565009', 'At risk of child sexual exploitation', /child-safeguarding\.csv/],
  ['1086791000000109', 'Child is cause for concern regarding sexual exploitation', /child-safeguarding\.csv/],
  ['919461000000108', 'At risk of sexual exploitation', /child-safeguarding\.csv/],
  ['1188261000000103', 'At risk of criminal exploitation', /child-safeguarding\.csv/],
  ['1188271000000105', 'Victim of criminal exploitation', /child-safeguarding\.csv/],
  ['711181000000101', 'Notification to safeguarding service of missing child', /child-safeguarding\.csv/],
];

describe('code map: the shipped file', () => {
  const map = loadCodeMap();

  it('has exactly the rows this table lists, each with a source', () => {
    expect(map.file.mappings.map((r) => [r.system, r.code, r.issues])).toEqual(EXPECTED);
    for (const row of map.file.mappings) expect(row.source.length).toBeGreaterThan(20);
  });

  it.each(EXPECTED)('%s %s counts as %j, by short name and by system URI', (system, code, issues) => {
    expect(map.read(system, code)).toMatchObject({ mapped: true, issues });
    expect(map.read(map.systemUri(system), code)).toMatchObject({ mapped: true, issues });
    expect(map.issueCodes({ code: '20', coding: { system: map.systemUri(system), code } }).codes.sort()).toEqual([...issues].sort());
  });

  it('reads school categories on their words, as schools type them', () => {
    expect(map.read('school-category', 'Self-Harm')).toMatchObject({ mapped: true, issues: ['15A'] });
    expect(map.read('police-category', 'self_harm')).toEqual({ mapped: false });
  });

  it('reports a code it does not know as unmapped, keeping the issue it came with', () => {
    const coding = { system: SNOMED, code: '22298006', display: 'Myocardial infarction' };
    expect(map.issueCodes({ code: '20', label: 'x', coding })).toEqual({ codes: ['20'], unmapped: coding });
    expect(map.read('https://unknown.example/cs', '1')).toEqual({ mapped: false });
  });

  it.each(SNOMED_TERMS)('SNOMED CT %s is named %j as its cited code list names it', (code, term, list) => {
    const row = map.file.mappings.find((r) => r.system === 'snomed-ct' && r.code === code);
    expect(row?.display).toBe(term);
    expect(row?.source).toContain(`${code} |${term}|`);
    expect(row?.source).toMatch(list);
    expect(row?.source).toMatch(/opencodelists\.org\/codelist\//);
  });

  it('says which safeguarding concerns still have no SNOMED CT row, and why', () => {
    const said = map.file.notShipped?.join(' ') ?? '';
    expect(said).toMatch(/missing from home or care/);
    expect(said).toMatch(/trafficking, gangs and radicalisation/);
    expect(said).not.toMatch(/could not confirm their concept ids/);
  });
});

describe('code map: a broken file is refused with every mistake named', () => {
  const broken = (change: (f: any) => void) => {
    const f = shipped();
    change(f);
    try {
      parseCodeMap(f, 'test');
    } catch (e) {
      expect(e).toBeInstanceOf(CodeMapError);
      return (e as CodeMapError).errors.map((x) => `${x.path} ${x.rule}`);
    }
    throw new Error('expected a CodeMapError');
  };

  it('a canonical issue code that does not exist', () =>
    expect(broken((f) => (f.mappings[0].issues = ['99Z']))).toContain('/mappings/0/issues/0 enum'));
  it('the same code twice (schools: the same words twice)', () => {
    const next = shipped().mappings.length;
    expect(broken((f) => f.mappings.push({ ...f.mappings.find((r: any) => r.code === 'neglect'), code: 'Neglect!' }))).toEqual([
      `/mappings/${next}/code unique-code`,
    ]);
  });
  it('a system not declared', () => expect(broken((f) => (f.mappings[0].system = 'nope'))).toEqual(['/mappings/0/system known-system']));
  it('a mistyped SNOMED CT id (check digit)', () => {
    const at = shipped().mappings.findIndex((r: any) => r.code === '125667009');
    expect(broken((f) => (f.mappings[at].code = '125667008'))).toEqual([`/mappings/${at}/code snomed-check-digit`]);
  });
  it('a row without its source', () => expect(broken((f) => delete f.mappings[3].source)).toContain('/mappings/3/source required'));
});

describe('Verhoeff check digit (SNOMED CT identifiers)', () => {
  it.each([
    '125667009',
    '125605004',
    '125666000',
    '82271004',
    '248062006',
    '224353004',
    '22298006',
    '95041000119101',
    '1086791000000109',
    '711181000000101',
  ])('accepts %s', (id) => expect(verhoeffValid(id)).toBe(true));
  it.each(['125667008', '82271005', '12345', 'abc123456'])('refuses %s', (id) => expect(verhoeffValid(id)).toBe(false));
});
