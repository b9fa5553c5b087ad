import type { FieldError } from '@mash/contracts';

/**
 * The workspace's forms turned into the same JSON the API takes, so the decision and override
 * rules (DecisionsService, ConsentOverridesService) are the only ones. Every field the contract
 * requires is always sent, empty if left empty, so a refusal names the field rather than "required".
 */
export function decisionFromForm(form: URLSearchParams): Record<string, unknown> {
  const text = (name: string) => (form.get(name) ?? '').trim();
  const optional = (name: string) => text(name) || undefined;
  const decision: Record<string, unknown> = {
    outcomes: form.getAll('outcomes'),
    finalRating: text('finalRating'),
    ratingChangeReason: optional('ratingChangeReason'),
    responsibleTeam: { name: text('teamName'), inHours: text('teamInHours'), outOfHours: optional('teamOutOfHours') },
    nextSteps: optional('nextSteps'),
  };
  if (text('dissentAgency') || text('dissentName') || text('dissentView')) {
    decision.dissent = [{ agency: text('dissentAgency'), name: text('dissentName'), view: text('dissentView') }];
  }
  if (form.get('urgent') === 'yes') decision.urgentOverride = { reason: text('urgentReason') };
  return JSON.parse(JSON.stringify(decision)) as Record<string, unknown>;
}

export function overrideFromForm(form: URLSearchParams): Record<string, unknown> {
  return { basis: (form.get('basis') ?? '').trim(), reason: (form.get('reason') ?? '').trim() };
}

/** Which form field a contract path belongs to, so the error message sits beside that field. */
const FIELD_OF_PATH: [RegExp, string][] = [
  [/^\/outcomes/, 'outcomes'],
  [/^\/finalRating/, 'finalRating'],
  [/^\/ratingChangeReason/, 'ratingChangeReason'],
  [/^\/responsibleTeam\/name/, 'teamName'],
  [/^\/responsibleTeam\/inHours/, 'teamInHours'],
  [/^\/responsibleTeam\/outOfHours/, 'teamOutOfHours'],
  [/^\/nextSteps/, 'nextSteps'],
  [/^\/dissent\/0\/agency/, 'dissentAgency'],
  [/^\/dissent\/0\/name/, 'dissentName'],
  [/^\/dissent\/0\/view/, 'dissentView'],
  [/^\/urgentOverride/, 'urgentReason'],
  [/^\/basis/, 'basis'],
  [/^\/reason/, 'reason'],
];

export interface FormError {
  field: string | undefined;
  message: string;
}

/** A refusal's field errors as the form shows them; a refusal with none (409, 422 rating reason) is one message. */
export function formErrors(detail: string, errors: FieldError[] | undefined): FormError[] {
  if (!errors?.length) {
    const field = /ratingChangeReason/.test(detail) ? 'ratingChangeReason' : /urgentOverride/.test(detail) ? 'urgentReason' : undefined;
    return [{ field, message: detail }];
  }
  return errors.map((e) => ({
    field: FIELD_OF_PATH.find(([re]) => re.test(e.path))?.[1],
    message: `${e.path.replace(/^\//, '') || 'form'}: ${e.message ?? e.rule}`,
  }));
}
