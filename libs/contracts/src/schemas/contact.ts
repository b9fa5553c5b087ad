/**
 * Characters no person types: C0 controls (tab, newline and carriage return aside), DEL, and UTF-16
 * surrogates that are not part of a pair. Postgres refuses NUL and lone surrogates in text and
 * jsonb, so a contact carrying them could be accepted here and then fail to be stored. One
 * character class with `*` keeps the check linear on the longest input.
 */
const PRINTABLE = '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F\\uD800-\\uDFFF]*$';
/**
 * Names, roles, places and labels are one line: a line break in a name is never a person's name, and
 * these fields end up in notice subjects and headers, where a line break is an injection.
 */
const ONE_LINE = '^[^\\u0000-\\u001F\\u007F\\uD800-\\uDFFF]*$';
/** Short text from the sender: any script (names in Arabic, Chinese, Polish... are valid), one printable line. */
const text = (ref: 'shortText') => ({ $ref: `common#/definitions/${ref}`, type: 'string', pattern: ONE_LINE });

/**
 * The canonical contact (v1): what every adapter translates its agency's native format into, and
 * what the gateway accepts. Field names follow the DfE Children in Need census where one exists.
 */
export const contactSchema = {
  $id: 'contact',
  type: 'object',
  additionalProperties: false,
  required: ['agencyReference', 'referrer', 'subjects', 'presentingIssues', 'narrative', 'consent', 'urgency'],
  properties: {
    agencyReference: {
      $ref: 'common#/definitions/id',
      description: "The sending agency's own reference; the same reference twice is the same contact.",
    },
    referrer: {
      type: 'object',
      additionalProperties: false,
      required: ['source', 'channel'],
      properties: {
        name: text('shortText'),
        role: text('shortText'),
        organisation: text('shortText'),
        odsCode: { type: 'string', pattern: '^[A-Z0-9]{3,10}$' },
        phone: { type: 'string', pattern: '^[0-9 +()-]{6,20}$' },
        source: {
          type: 'string',
          enum: [
            '1A',
            '1B',
            '1C',
            '1D',
            '2A',
            '2B',
            '3A',
            '3B',
            '3C',
            '3D',
            '3E',
            '3F',
            '4',
            '5A',
            '5B',
            '5C',
            '5D',
            '6',
            '7',
            '8',
            '9',
            '10',
          ],
          description: 'CIN census ReferralSource code (6 police, 2A schools, 3A GP, 9 anonymous, 10 unknown, ...).',
        },
        channel: {
          description: 'Where outcome notices go. "none" is explicit: anonymous and unknown referrers are counted, never silently skipped.',
          oneOf: [
            {
              type: 'object',
              additionalProperties: false,
              required: ['kind', 'url'],
              properties: { kind: { const: 'webhook' }, url: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 500 } },
            },
            { type: 'object', additionalProperties: false, required: ['kind'], properties: { kind: { const: 'topic' } } },
            {
              type: 'object',
              additionalProperties: false,
              required: ['kind', 'address'],
              properties: { kind: { const: 'email' }, address: { type: 'string', format: 'email', maxLength: 254 } },
            },
            {
              type: 'object',
              additionalProperties: false,
              required: ['kind', 'reason'],
              properties: { kind: { const: 'none' }, reason: { type: 'string', enum: ['anonymous', 'unknown', 'no-contact-details'] } },
            },
          ],
        },
      },
      // Anonymous means anonymous: no name or phone can ride along, and no notice can go back.
      if: { required: ['source'], properties: { source: { const: '9' } } },
      then: { properties: { name: false, phone: false, channel: { type: 'object', properties: { kind: { const: 'none' } } } } },
    },
    subjects: {
      type: 'array',
      minItems: 1,
      maxItems: 30,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['subjectRef', 'kind'],
        properties: {
          subjectRef: {
            $ref: 'common#/definitions/id',
            description: 'Identifies the person within this contact (household members refer to it).',
          },
          kind: { type: 'string', enum: ['child', 'adult', 'unborn'] },
          role: { type: 'string', enum: ['subject', 'victim', 'alleged-perpetrator', 'parent-carer', 'household-member', 'sibling'] },
          givenName: text('shortText'),
          familyName: text('shortText'),
          dateOfBirth: { $ref: 'common#/definitions/date' },
          expectedDate: { $ref: 'common#/definitions/date', description: 'Unborn: expected date of delivery.' },
          sex: { type: 'string', enum: ['male', 'female', 'unknown', 'indeterminate'] },
          identifiers: {
            type: 'object',
            additionalProperties: false,
            properties: {
              nhsNumber: { $ref: 'common#/definitions/nhsNumber' },
              upn: { $ref: 'common#/definitions/upn' },
              policePersonId: { $ref: 'common#/definitions/id' },
            },
          },
          disability: { type: 'boolean' },
          presentDuringIncident: { type: 'boolean' },
          residentAtAddress: { type: 'boolean' },
          school: text('shortText'),
          yearGroup: { type: 'string', maxLength: 10, pattern: ONE_LINE },
          gpPractice: text('shortText'),
          ethnicity: { type: 'string', maxLength: 10, pattern: ONE_LINE },
        },
        allOf: [{ if: { properties: { kind: { const: 'unborn' } } }, then: { required: ['expectedDate'] } }],
      },
    },
    household: {
      type: 'object',
      additionalProperties: false,
      properties: {
        address: {
          type: 'object',
          additionalProperties: false,
          required: ['postcode'],
          properties: {
            lines: { type: 'array', maxItems: 5, items: text('shortText') },
            town: text('shortText'),
            postcode: { type: 'string', pattern: '^[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}$' },
          },
        },
        relationships: {
          type: 'array',
          maxItems: 100,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['from', 'to', 'type'],
            properties: {
              from: { $ref: 'common#/definitions/id' },
              to: { $ref: 'common#/definitions/id' },
              type: { type: 'string', enum: ['parent', 'step-parent', 'partner', 'sibling', 'grandparent', 'carer', 'other'] },
            },
          },
        },
      },
    },
    presentingIssues: {
      type: 'array',
      minItems: 1,
      maxItems: 20,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['code'],
        properties: {
          code: {
            type: 'string',
            enum: [
              '1',
              '2',
              '3',
              '4',
              '5',
              '6',
              '1A',
              '1B',
              '1C',
              '2A',
              '2B',
              '2C',
              '3A',
              '3B',
              '3C',
              '4A',
              '4B',
              '4C',
              '5A',
              '5B',
              '5C',
              '6A',
              '6B',
              '6C',
              '7A',
              '8B',
              '8C',
              '8D',
              '8E',
              '8F',
              '9A',
              '10A',
              '11A',
              '12A',
              '13A',
              '14A',
              '15A',
              '16A',
              '17A',
              '18A',
              '18B',
              '18C',
              '19A',
              '19B',
              '19C',
              '20',
              '21',
              '22A',
              '23A',
              '24A',
              'ASB',
              'ARREST',
              'HOMELESS-16-17',
            ],
            description:
              'CIN census assessment factor code, or a London MASH template category with no CIN code (ASB, ARREST, HOMELESS-16-17).',
          },
          label: { ...text('shortText'), description: "The source system's own label, kept as sent." },
          coding: {
            type: 'object',
            additionalProperties: false,
            required: ['system', 'code'],
            description:
              "The sender's own code (SNOMED CT, a police or school category), kept as sent: the hub's code mapping counts it as the canonical factor, and an unmapped one is shown and counted, never dropped.",
            properties: {
              system: { type: 'string', format: 'uri', maxLength: 200 },
              code: { type: 'string', minLength: 1, maxLength: 100, pattern: ONE_LINE },
              display: text('shortText'),
            },
          },
        },
      },
    },
    // allOf: two patterns on one string; the second refuses a narrative of blanks, which says nothing.
    narrative: { type: 'string', minLength: 1, maxLength: 20000, allOf: [{ pattern: PRINTABLE }, { pattern: '\\S' }] },
    incident: {
      type: 'object',
      additionalProperties: false,
      properties: {
        occurredAt: { $ref: 'common#/definitions/dateTime' },
        place: text('shortText'),
        reference: { $ref: 'common#/definitions/id' },
      },
    },
    domesticAbuse: {
      type: 'object',
      additionalProperties: false,
      required: ['dashRiskLevel', 'childrenPresent'],
      properties: {
        dashRiskLevel: { type: 'string', enum: ['standard', 'medium', 'high'] },
        childrenPresent: { type: 'boolean' },
        dashYesCount: { type: 'integer', minimum: 0, maximum: 27 },
      },
    },
    consent: { $ref: 'common#/definitions/consent', type: 'object', properties: { reason: { type: 'string', pattern: PRINTABLE } } },
    urgency: {
      type: 'string',
      enum: ['immediate', 'same-day', 'routine'],
      description: "The referrer's view of urgency; the hub's rating may differ.",
    },
    informationOnly: { type: 'boolean', description: 'Police: information exchange only, not a formal referral.' },
  },
} as const;
