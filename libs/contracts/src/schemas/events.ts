/** Schemas of the `data` of each event. The envelope (see envelope.ts) is the same for all. */
const ref = (name: string) => ({ $ref: `common#/definitions/${name}` });
const strictObject = (required: string[], properties: Record<string, unknown>) => ({
  type: 'object',
  additionalProperties: false,
  required,
  properties,
});

/** What checks may send to an agency about one person: only the fields the plan grants. */
const checkSubject = strictObject(['subjectId', 'kind'], {
  subjectId: ref('id'),
  kind: { type: 'string', enum: ['child', 'adult', 'unborn'] },
  givenName: ref('shortText'),
  familyName: ref('shortText'),
  dateOfBirth: ref('date'),
  expectedDate: ref('date'),
  nhsNumber: ref('nhsNumber'),
  upn: ref('upn'),
  policePersonId: ref('id'),
  postcode: { type: 'string', maxLength: 10 },
});

const planItem = strictObject(['agency', 'categories', 'dueAt'], {
  agency: ref('checkAgency'),
  categories: { type: 'array', minItems: 1, uniqueItems: true, items: ref('dataCategory') },
  dueAt: ref('dateTime'),
});

const chronologyEntry = strictObject(['agency', 'date', 'summary'], {
  agency: ref('checkAgency'),
  subjectId: ref('id'),
  date: { anyOf: [ref('date'), ref('dateTime')] },
  category: ref('dataCategory'),
  summary: { type: 'string', minLength: 1, maxLength: 2000 },
  current: { type: 'boolean' },
  late: { type: 'boolean' },
  alsoReportedBy: {
    type: 'array',
    uniqueItems: true,
    items: ref('checkAgency'),
    description: 'Other agencies whose entries about the same event were folded into this one.',
  },
});

export const eventSchemas = {
  contactReceived: {
    $id: 'contactReceived',
    ...strictObject(['contactId', 'receivedAt', 'sourceAgency', 'contact'], {
      contactId: ref('id'),
      receivedAt: ref('dateTime'),
      sourceAgency: ref('agency'),
      contact: { $ref: 'contact' },
    }),
  },
  caseRated: {
    $id: 'caseRated',
    ...strictObject(
      [
        'caseId',
        'contactId',
        'stage',
        'rating',
        'ruleIds',
        'reasons',
        'policyVersion',
        'ratedAt',
        'deadline',
        'checkPlan',
        'subjects',
        'lawfulBasis',
      ],
      {
        caseId: ref('id'),
        contactId: ref('id'),
        stage: { type: 'string', enum: ['start', 'end'], description: 'Rated when checks start, re-rated when they finish.' },
        rating: ref('rating'),
        previousRating: ref('rating'),
        ruleIds: { type: 'array', items: ref('id') },
        reasons: { type: 'array', items: { type: 'string', maxLength: 500 } },
        policyVersion: ref('id'),
        ratedAt: ref('dateTime'),
        deadline: ref('dateTime'),
        checkPlan: { type: 'array', items: planItem },
        subjects: { type: 'array', items: checkSubject },
        lawfulBasis: ref('lawfulBasis'),
        duplicateOf: {
          ...ref('id'),
          description:
            "This contact reports an incident already reported by that contact: it joins that contact's case and asks no agency again.",
        },
        allocatedWorker: ref('shortText'),
        outOfArea: strictObject(['postcodeDistrict'], {
          postcodeDistrict: { type: 'string', pattern: '^[A-Z]{1,2}[0-9][A-Z0-9]?$' },
          hub: strictObject(['id', 'name', 'localAuthorityCode'], {
            id: ref('id'),
            name: ref('shortText'),
            localAuthorityCode: { type: 'string', pattern: '^[EW][0-9]{8}$' },
          }),
        }),
        revision: {
          type: 'integer',
          minimum: 1,
          description:
            'Absent or 1: the first start rating and its plan. 2 and up: a revised start (consent override, escalation): checkPlan lists only the agencies to ask now or to ask again for more categories.',
        },
      },
    ),
  },
  teamsAlerted: {
    $id: 'teamsAlerted',
    ...strictObject(['caseId', 'contactId', 'alertedAt', 'teams', 'ruleIds'], {
      caseId: ref('id'),
      contactId: ref('id'),
      alertedAt: ref('dateTime'),
      teams: { type: 'array', minItems: 1, items: ref('shortText') },
      ruleIds: { type: 'array', items: ref('id') },
    }),
  },
  checkRequested: {
    $id: 'checkRequested',
    ...strictObject(
      ['requestId', 'caseId', 'agency', 'subjects', 'categories', 'lawfulBasis', 'rating', 'dueAt', 'caseDeadline', 'requestedAt'],
      {
        requestId: { ...ref('id'), description: 'Correlation id: a reply names it.' },
        caseId: ref('id'),
        agency: ref('checkAgency'),
        subjects: { type: 'array', minItems: 1, items: checkSubject },
        categories: { type: 'array', minItems: 1, uniqueItems: true, items: ref('dataCategory') },
        lawfulBasis: ref('lawfulBasis'),
        rating: ref('rating'),
        dueAt: ref('dateTime'),
        caseDeadline: ref('dateTime'),
        requestedAt: ref('dateTime'),
      },
    ),
  },
  checkReplied: {
    $id: 'checkReplied',
    ...strictObject(['requestId', 'caseId', 'agency', 'repliedAt', 'known', 'entries'], {
      requestId: ref('id'),
      caseId: ref('id'),
      agency: ref('checkAgency'),
      repliedAt: ref('dateTime'),
      known: { type: 'boolean', description: 'Whether the agency knows any subject.' },
      currentInvolvement: { type: 'boolean' },
      entries: {
        type: 'array',
        maxItems: 500,
        items: strictObject(['date', 'summary'], {
          subjectId: ref('id'),
          date: { anyOf: [ref('date'), ref('dateTime')] },
          category: ref('dataCategory'),
          summary: { type: 'string', minLength: 1, maxLength: 2000 },
          current: { type: 'boolean' },
        }),
      },
    }),
  },
  checkChased: {
    $id: 'checkChased',
    ...strictObject(['caseId', 'requestId', 'agency', 'kind', 'at', 'dueAt'], {
      caseId: ref('id'),
      requestId: ref('id'),
      agency: ref('checkAgency'),
      kind: {
        type: 'string',
        enum: ['reminder', 'escalation', 'malformed-reply'],
        description:
          'reminder: to the agency before due; escalation: to the MASH manager at due; malformed-reply: an alert that the agency replied but the reply could not be accepted, so it still counts as not replied.',
      },
      at: ref('dateTime'),
      dueAt: ref('dateTime'),
      reason: { type: 'string', maxLength: 500, description: 'Why a reply was refused (rule and path, never case content).' },
    }),
  },
  caseReady: {
    $id: 'caseReady',
    ...strictObject(['caseId', 'readyAt', 'complete', 'replied', 'missing', 'chronology'], {
      caseId: ref('id'),
      readyAt: ref('dateTime'),
      complete: { type: 'boolean' },
      reason: { type: 'string', enum: ['all-replied', 'deadline-reached'] },
      replied: { type: 'array', items: ref('checkAgency') },
      missing: {
        type: 'array',
        items: ref('checkAgency'),
        description: 'Agencies with no reply in this picture: at readiness in revision 1, still outstanding in later revisions.',
      },
      late: { type: 'array', items: ref('checkAgency') },
      chronology: { type: 'array', items: chronologyEntry },
      revision: {
        type: 'integer',
        minimum: 1,
        description:
          'Absent or 1: the picture when the case became ready. Each reply accepted after that publishes the next revision with the whole picture.',
      },
      revisedAt: ref('dateTime'),
      repliedAfterReady: {
        type: 'array',
        items: ref('checkAgency'),
        description: 'Agencies whose reply came after the case became ready: missing at readiness, late, now in the chronology.',
      },
    }),
  },
  decisionRecorded: {
    $id: 'decisionRecorded',
    ...strictObject(['decisionId', 'caseId', 'decidedAt', 'decisionMaker', 'outcomes', 'finalRating', 'responsibleTeam'], {
      decisionId: ref('id'),
      caseId: ref('id'),
      contactId: ref('id'),
      decidedAt: ref('dateTime'),
      decisionMaker: ref('person'),
      outcomes: {
        type: 'array',
        minItems: 1,
        uniqueItems: true,
        items: {
          type: 'string',
          enum: [
            'nfa',
            'advice',
            'signposting',
            'early-help',
            'social-care-assessment',
            'strategy-discussion',
            'marac-referral',
            'transfer',
            'information-provided',
          ],
        },
      },
      finalRating: ref('rating'),
      ratingChangeReason: { type: 'string', minLength: 3, maxLength: 2000 },
      responsibleTeam: strictObject(['name', 'inHours'], {
        name: ref('shortText'),
        inHours: ref('shortText'),
        outOfHours: ref('shortText'),
      }),
      nextSteps: { type: 'string', maxLength: 2000 },
      signposting: { type: 'string', maxLength: 2000 },
      dissent: {
        type: 'array',
        items: strictObject(['agency', 'name', 'view'], {
          agency: ref('agency'),
          name: ref('shortText'),
          view: { type: 'string', minLength: 1, maxLength: 2000 },
        }),
      },
      urgentOverride: strictObject(['reason'], { reason: { type: 'string', minLength: 3, maxLength: 2000 } }),
      transferTo: {
        type: 'string',
        pattern: '^[a-z][a-z0-9-]{1,62}$',
        description:
          "With the outcome 'transfer': the neighbouring MASH (its id in the locality policy) the contact is handed to; absent, the hub triage flagged.",
      },
      policyVersion: ref('id'),
    }),
  },
  consentOverride: {
    $id: 'consentOverride',
    ...strictObject(['overrideId', 'caseId', 'recordedAt', 'recordedBy', 'principal', 'basis', 'reason'], {
      overrideId: ref('id'),
      caseId: ref('id'),
      recordedAt: ref('dateTime'),
      recordedBy: ref('person'),
      principal: ref('id'),
      basis: {
        type: 'string',
        enum: ['section-47', 'risk-of-significant-harm'],
        description: 'The lawful basis for sharing without consent.',
      },
      reason: {
        type: 'string',
        minLength: 10,
        maxLength: 2000,
        pattern: '\\S',
        description: 'Why consent is overridden for this case: recorded and audited.',
      },
    }),
  },
  legalHold: {
    $id: 'legalHold',
    ...strictObject(['holdId', 'caseId', 'held', 'recordedAt', 'recordedBy', 'principal', 'reason'], {
      holdId: ref('id'),
      caseId: ref('id'),
      held: {
        type: 'boolean',
        description: 'true: the hold is set and no service purges the case; false: the hold is lifted and retention applies again.',
      },
      recordedAt: ref('dateTime'),
      recordedBy: ref('person'),
      principal: ref('id'),
      reason: {
        type: 'string',
        minLength: 10,
        maxLength: 2000,
        pattern: '\\S',
        description: 'Why the hold is set or lifted (the proceedings or request it serves): recorded and audited.',
      },
    }),
  },
  noticeDelivered: {
    $id: 'noticeDelivered',
    ...strictObject(['noticeId', 'caseId', 'kind', 'recipient', 'channel', 'status', 'attempts', 'at'], {
      noticeId: ref('id'),
      caseId: ref('id'),
      contactId: ref('id'),
      kind: { type: 'string', enum: ['acknowledgement', 'outcome', 'closing'] },
      recipient: ref('shortText'),
      channel: { type: 'string', enum: ['webhook', 'topic', 'email', 'none'] },
      status: { type: 'string', enum: ['delivered', 'failed', 'no-channel'] },
      attempts: { type: 'integer', minimum: 0 },
      at: ref('dateTime'),
      detail: { type: 'string', maxLength: 500 },
    }),
  },
  noticeIssued: {
    $id: 'noticeIssued',
    ...strictObject(['noticeId', 'caseId', 'kind', 'issuedAt', 'recipient', 'text'], {
      noticeId: ref('id'),
      caseId: ref('id'),
      contactId: ref('id'),
      agencyReference: ref('id'),
      kind: { type: 'string', enum: ['acknowledgement', 'outcome', 'closing'] },
      issuedAt: ref('dateTime'),
      recipient: ref('shortText'),
      outcomes: { type: 'array', items: { type: 'string' } },
      decidedBy: ref('person'),
      // The same shape as the decision's: a notice says whom to contact, and nothing else rides along.
      responsibleTeam: strictObject(['name', 'inHours'], {
        name: ref('shortText'),
        inHours: ref('shortText'),
        outOfHours: ref('shortText'),
      }),
      text: { type: 'string', minLength: 1, maxLength: 10000 },
    }),
  },
  contactInbound: {
    $id: 'contactInbound',
    ...strictObject(['agency', 'submission'], {
      agency: ref('agency'),
      submission: { $ref: 'contact' },
    }),
  },
  deadLetter: {
    $id: 'deadLetter',
    ...strictObject(['originalTopic', 'consumer', 'failedAt', 'reason', 'rawValue'], {
      originalTopic: { type: 'string' },
      partition: { type: 'integer' },
      offset: { type: 'string' },
      key: { type: ['string', 'null'] },
      consumer: { type: 'string' },
      failedAt: ref('dateTime'),
      reason: { type: 'string', maxLength: 10000 },
      errors: { type: 'array', items: { type: 'object' } },
      attempts: { type: 'integer' },
      rawValue: {
        type: 'string',
        description:
          'The original message value: sealed (sealed-utf8, sealed-base64: base64 of bytes that were not UTF-8), or plain as parked before sealing.',
      },
      rawEncoding: { type: 'string', enum: ['utf8', 'base64', 'sealed-utf8', 'sealed-base64'] },
    }),
  },
  auditHead: {
    $id: 'auditHead',
    ...strictObject(['service', 'id', 'hash', 'at'], {
      service: { type: 'string', pattern: '^[a-z][a-z0-9_-]{0,62}$', description: 'The schema whose chain this is.' },
      chain: {
        type: 'integer',
        minimum: 0,
        maximum: 32767,
        description: "Which of the schema's chains; absent in heads published before the audit had several, which are chain 0's.",
      },
      id: { type: 'integer', minimum: 1, description: "The head's position in the chain." },
      hash: { type: 'string', pattern: '^[0-9a-f]{64}$', description: "SHA-256 of the head's canonical text, hex." },
      at: ref('dateTime'),
    }),
  },
} as const;
