import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { describeErrors, FieldError, Rating } from '@mash/contracts';
import { policySchema } from './policySchema';
import type { AgencyGrant, Policy } from './types';

/** A policy that must not be used: every broken field with the rule it breaks. */
export class PolicyError extends Error {
  constructor(
    readonly source: string,
    readonly errors: FieldError[],
  ) {
    super(`invalid policy ${source}: ${errors.map((e) => `${e.path} ${e.message} (rule: ${e.rule})`).join('; ')}`);
    this.name = 'PolicyError';
  }
}

let validate: ReturnType<Ajv['compile']> | undefined;

function schemaValidator() {
  if (!validate) {
    // allErrors: whoever edits a policy file wants every mistake in one go.
    const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
    addFormats(ajv);
    validate = ajv.compile(policySchema);
  }
  return validate;
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Rules JSON Schema cannot say: cross-references between parts of the file. */
function crossChecks(p: Policy): FieldError[] {
  const errors: FieldError[] = [];
  const err = (path: string, rule: string, message: string) => errors.push({ path, rule, message });
  const members = new Map(p.agencies.map((a) => [a.id, a]));

  p.agencies.forEach((a, i) => {
    if (p.agencies.findIndex((b) => b.id === a.id) !== i) err(`/agencies/${i}/id`, 'unique-agency', `'${a.id}' is listed twice`);
  });

  const participating = (path: string, agency: string) => {
    if (!members.has(agency as never))
      err(path, 'participating-agency', `'${agency}' does not take part in this locality (not in /agencies)`);
  };
  for (const [r, list] of Object.entries(p.consultation.byRating)) {
    list.forEach((a, i) => participating(`/consultation/byRating/${r}/${i}`, a));
  }
  p.consultation.byIssue.forEach((rule, i) =>
    rule.agencies.forEach((a, j) => participating(`/consultation/byIssue/${i}/agencies/${j}`, a)),
  );

  const grantWithin = (name: string, grant: AgencyGrant) => {
    for (const [agency, cats] of Object.entries(grant)) {
      const member = members.get(agency as never);
      if (!member) {
        participating(`/consentLimits/${name}/${agency}`, agency);
        continue;
      }
      cats?.forEach((c, i) => {
        if (!member.categories.includes(c)) {
          err(`/consentLimits/${name}/${agency}/${i}`, 'agency-categories', `'${c}' is more than ${agency} may ever be asked for`);
        }
      });
    }
  };
  grantWithin('refused', p.consentLimits.refused);
  grantWithin('notSought', p.consentLimits.notSought);

  for (const [r, rp] of Object.entries(p.ratings)) {
    if (rp.clockRunsOutOfHours && rp.timescale.unit !== 'hours') {
      err(
        `/ratings/${r}/clockRunsOutOfHours`,
        'clock-unit',
        `a clock that runs out of hours must count 'hours', not '${rp.timescale.unit}'`,
      );
    }
  }

  const { start, end } = p.calendar.workingHours;
  if (minutes(start) >= minutes(end)) err('/calendar/workingHours', 'start-before-end', `start ${start} must be before end ${end}`);
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: p.calendar.timezone });
  } catch {
    err('/calendar/timezone', 'timezone', `'${p.calendar.timezone}' is not an IANA time zone`);
  }
  const seen = new Set<string>();
  p.calendar.bankHolidays.forEach((h, i) => {
    const d = new Date(`${h.date}T00:00:00Z`);
    if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== h.date)
      err(`/calendar/bankHolidays/${i}/date`, 'real-date', `${h.date} is not a calendar date`);
    if (seen.has(h.date)) err(`/calendar/bankHolidays/${i}/date`, 'unique-date', `${h.date} is listed twice`);
    seen.add(h.date);
  });

  const ids = new Set<string>();
  p.thresholds.rules.forEach((rule, i) => {
    if (ids.has(rule.id)) err(`/thresholds/rules/${i}/id`, 'unique-rule-id', `'${rule.id}' is used by an earlier rule`);
    ids.add(rule.id);
  });

  const hubIds = new Set<string>(p.area ? [p.area.hubId] : []);
  (p.neighbours ?? []).forEach((n, i) => {
    if (hubIds.has(n.id)) err(`/neighbours/${i}/id`, 'unique-hub-id', `'${n.id}' is this hub or an earlier neighbour`);
    hubIds.add(n.id);
    if (!p.area) err(`/neighbours/${i}`, 'area-required', 'neighbours need the area this hub covers (/area)');
    if (n.publicKeyJwk && !n.endpoint)
      err(`/neighbours/${i}/endpoint`, 'endpoint-with-key', 'a neighbour with a key needs the endpoint its transfers go to');
  });

  return errors;
}

/** Checks a parsed policy; throws PolicyError naming every broken field and rule. */
export function parsePolicy(value: unknown, source = 'policy'): Policy {
  const fn = schemaValidator();
  if (!fn(value)) throw new PolicyError(source, describeErrors(fn.errors));
  const policy = value as Policy;
  const errors = crossChecks(policy);
  if (errors.length) throw new PolicyError(source, errors);
  return policy;
}

/** Reads and checks a policy file at start-up; a service must not run on a policy that fails. */
export function loadPolicy(path: string): Policy {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new PolicyError(path, [{ path: '/', rule: 'json', message: `cannot be read as JSON: ${(e as Error).message}` }]);
  }
  return parsePolicy(raw, path);
}

/** The teams told at once when a case is rated Red. */
export function teamsToAlert(rating: Rating, policy: Policy): string[] {
  return rating === 'RED' ? [...policy.redAlert.teams] : [];
}
