import { CHECK_AGENCIES, commonSchema, DECISION_OUTCOMES } from '@mash/contracts';

const RATINGS = commonSchema.definitions.rating.enum;
const CATEGORIES = commonSchema.definitions.dataCategory.enum;

// The outcomes a locality may offer are the contracts' list; re-exported for older imports.
export { DECISION_OUTCOMES };

/** CIN census factor codes and the London template's own categories, as the contact schema allows. */
const ISSUE_CODE = { type: 'string', pattern: '^([0-9]{1,2}[A-F]?|ASB|ARREST|HOMELESS-16-17)$' } as const;

const agencyId = { type: 'string', enum: [...CHECK_AGENCIES] } as const;
const category = { type: 'string', enum: [...CATEGORIES] } as const;
const rating = { type: 'string', enum: [...RATINGS] } as const;
const uniqueStrings = (items: object, minItems = 0) => ({ type: 'array', uniqueItems: true, minItems, items });
// The locality's week and an agency's own week are written the same way.
const workingDays = uniqueStrings({ type: 'string', enum: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] }, 1);
const workingHours = {
  type: 'object',
  additionalProperties: false,
  required: ['start', 'end'],
  properties: {
    start: { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' },
    end: { type: 'string', pattern: '^([01][0-9]|2[0-4]):[0-5][0-9]$' },
  },
} as const;

const agencyGrant = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(CHECK_AGENCIES.map((a) => [a, uniqueStrings(category, 1)])),
};

const ratingPolicy = {
  type: 'object',
  additionalProperties: false,
  required: ['definition', 'timescale', 'clockRunsOutOfHours'],
  properties: {
    definition: { type: 'string', minLength: 1 },
    continuumOfNeedLevel: { type: 'integer', minimum: 1, maximum: 4 },
    timescale: {
      type: 'object',
      additionalProperties: false,
      required: ['amount', 'unit'],
      properties: {
        amount: { type: 'number', exclusiveMinimum: 0 },
        unit: { type: 'string', enum: ['hours', 'working-hours', 'working-days'] },
      },
    },
    clockRunsOutOfHours: { type: 'boolean' },
  },
};

const TRUE = { const: true };

// An ONS GSS code of a local authority (E06/E07/E08/E09 in England, W06 in Wales).
const laCode = { type: 'string', pattern: '^[EW][0-9]{8}$' } as const;
// A postcode district ("B70", "SW1A") or sector ("B70 9"), upper case, one space before a sector digit.
const postcodeArea = { type: 'string', pattern: '^[A-Z]{1,2}[0-9][A-Z0-9]?( [0-9])?$' } as const;
const hubId = { type: 'string', pattern: '^[a-z][a-z0-9-]{1,62}$' } as const;
// Where a hub is, the same for this locality's own hub (`area`) and for each of its `neighbours`.
const hubPlace = {
  name: { type: 'string', minLength: 1 },
  localAuthorityCode: laCode,
  postcodeDistricts: uniqueStrings(postcodeArea, 1),
} as const;

const conditions = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    issuesAny: uniqueStrings(ISSUE_CODE, 1),
    issuesAll: uniqueStrings(ISSUE_CODE, 1),
    dashLevelAny: uniqueStrings({ type: 'string', enum: ['standard', 'medium', 'high'] }, 1),
    childrenPresent: TRUE,
    infant: TRUE,
    unborn: TRUE,
    disabledChild: TRUE,
    knownHousehold: TRUE,
    openToSocialCare: TRUE,
    repeatTriggerFires: TRUE,
    urgencyAny: uniqueStrings({ type: 'string', enum: ['immediate', 'same-day', 'routine'] }, 1),
    informationOnly: TRUE,
    minRiskFactors: { type: 'integer', minimum: 1 },
  },
};

const byRating = {
  type: 'object',
  additionalProperties: false,
  required: [...RATINGS],
  properties: Object.fromEntries(RATINGS.map((r) => [r, uniqueStrings(agencyId)])),
};

export const policySchema = {
  $id: 'triage-policy',
  type: 'object',
  additionalProperties: false,
  required: [
    'locality',
    'version',
    'effectiveFrom',
    'owner',
    'agencies',
    'ratings',
    'calendar',
    'thresholds',
    'repeatTrigger',
    'consultation',
    'consentLimits',
    'redAlert',
    'decisionOutcomes',
    'retention',
    'sources',
  ],
  properties: {
    locality: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' },
    version: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$', maxLength: 60 },
    effectiveFrom: { type: 'string', format: 'date' },
    owner: { type: 'string', minLength: 1 },
    agencies: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'participation', 'categories'],
        properties: {
          id: agencyId,
          participation: { type: 'string', enum: ['core', 'virtual'] },
          categories: uniqueStrings(category, 1),
          replyFraction: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
          workingTime: {
            type: 'object',
            additionalProperties: false,
            required: ['workingDays', 'workingHours'],
            description:
              "The agency's own days and hours where they differ from the locality's (Lancashire police: 7 days, 8-5; docs/sources.md L3781).",
            properties: {
              workingDays,
              workingHours,
            },
          },
        },
      },
    },
    ratings: {
      type: 'object',
      additionalProperties: false,
      required: [...RATINGS],
      properties: Object.fromEntries(RATINGS.map((r) => [r, ratingPolicy])),
    },
    calendar: {
      type: 'object',
      additionalProperties: false,
      required: ['timezone', 'workingDays', 'workingHours', 'bankHolidays'],
      properties: {
        timezone: { type: 'string', minLength: 1 },
        workingDays,
        workingHours,
        bankHolidays: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['date', 'name'],
            properties: { date: { type: 'string', format: 'date' }, name: { type: 'string', minLength: 1 } },
          },
        },
      },
    },
    thresholds: {
      type: 'object',
      additionalProperties: false,
      required: ['defaultRating', 'infantMonths', 'rules'],
      properties: {
        defaultRating: rating,
        infantMonths: { type: 'integer', minimum: 1, maximum: 60 },
        rules: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['id', 'rating', 'reason', 'when'],
            properties: {
              id: { type: 'string', pattern: '^[A-Z][A-Z0-9-]*$' },
              rating,
              reason: { type: 'string', minLength: 1 },
              when: conditions,
              source: { type: 'string' },
            },
          },
        },
      },
    },
    repeatTrigger: {
      type: 'object',
      additionalProperties: false,
      required: ['count', 'windowMonths'],
      properties: {
        count: { type: 'integer', minimum: 2 },
        windowMonths: { type: 'integer', minimum: 1, maximum: 120 },
      },
    },
    consultation: {
      type: 'object',
      additionalProperties: false,
      required: ['byRating', 'byIssue', 'issueRulesApplyTo', 'replyFraction'],
      properties: {
        byRating,
        byIssue: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['issues', 'agencies', 'reason'],
            properties: {
              issues: uniqueStrings(ISSUE_CODE, 1),
              agencies: uniqueStrings(agencyId, 1),
              reason: { type: 'string', minLength: 1 },
            },
          },
        },
        issueRulesApplyTo: uniqueStrings(rating),
        replyFraction: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
      },
    },
    consentLimits: {
      type: 'object',
      additionalProperties: false,
      required: ['refused', 'notSought'],
      properties: { refused: agencyGrant, notSought: agencyGrant },
    },
    redAlert: {
      type: 'object',
      additionalProperties: false,
      required: ['teams'],
      properties: { teams: uniqueStrings({ type: 'string', minLength: 1 }, 1) },
    },
    decisionOutcomes: uniqueStrings({ type: 'string', enum: [...DECISION_OUTCOMES] }, 1),
    rerating: {
      type: 'object',
      additionalProperties: false,
      description: 'How the rating moves on the fuller picture at the end of checks (optional; defaults in code).',
      properties: {
        harmCategories: uniqueStrings(category, 1),
        severalAgenciesCurrent: { type: 'integer', minimum: 2, maximum: 10 },
        lowerAmberWhenNothingCurrent: { type: 'boolean' },
        note: { type: 'string' },
      },
    },
    // Fractional months let an end-to-end test see retention act in seconds; policies state whole months.
    retention: {
      type: 'object',
      additionalProperties: false,
      required: ['mashRecordMonths'],
      properties: { mashRecordMonths: { type: 'number', exclusiveMinimum: 0, maximum: 240 }, note: { type: 'string' } },
    },
    area: {
      type: 'object',
      additionalProperties: false,
      required: ['hubId', 'name', 'localAuthorityCode', 'postcodeDistricts'],
      properties: {
        hubId: hubId,
        ...hubPlace,
      },
    },
    neighbours: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name', 'localAuthorityCode', 'postcodeDistricts'],
        properties: {
          id: hubId,
          ...hubPlace,
          endpoint: { type: 'string', pattern: '^https?://[^\\s/]+(/[^\\s]*)?$' },
          publicKeyJwk: {
            type: 'object',
            additionalProperties: false,
            required: ['kty', 'crv', 'x'],
            properties: {
              kty: { const: 'OKP' },
              crv: { const: 'Ed25519' },
              x: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' },
              kid: { type: 'string' },
            },
          },
        },
      },
    },
    sources: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['path', 'lines'],
        properties: {
          path: { type: 'string', pattern: '^/' },
          lines: { type: 'string', pattern: '^L[0-9]+(-[0-9]+)?(, ?L[0-9]+(-[0-9]+)?)*$' },
          note: { type: 'string' },
        },
      },
    },
  },
} as const;
