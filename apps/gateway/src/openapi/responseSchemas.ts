/**
 * What the gateway answers, as OpenAPI 3.1 schemas: what a generated client types its results
 * with. The end-to-end contract test validates the real gateway's answers against these, so a
 * change in a controller that is not made here fails there.
 */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const nullable = (schema: Record<string, unknown>) => ({ ...schema, type: [schema.type as string, 'null'] });
const dateTime = { type: 'string', format: 'date-time' };
const rating = { type: 'string', enum: ['RED', 'AMBER', 'GREEN', 'BLUE'] };
const counts = { type: 'object', additionalProperties: { type: 'integer' } };
const share = { type: ['number', 'null'], minimum: 0, maximum: 1 };

export const responseSchemas: Record<string, unknown> = {
  Acceptance: {
    type: 'object',
    required: ['contactId', 'receivedAt', 'status', 'statusUrl', 'nextSteps', 'timescales'],
    properties: {
      contactId: { type: 'string' },
      receivedAt: dateTime,
      status: { type: 'string', enum: ['accepted', 'already-received'] },
      statusUrl: { type: 'string', description: 'Where the sending adapter follows this contact.' },
      nextSteps: { type: 'string' },
      timescales: {
        type: 'object',
        additionalProperties: { type: 'string' },
        description: "The locality policy's timescale for each rating the contact may receive.",
      },
      policyVersion: { type: 'string' },
    },
  },
  ContactStatus: {
    type: 'object',
    description: "A contact's journey: ids, stages and times only, never case content.",
    required: ['contactId', 'agencyReference', 'receivedAt', 'stage', 'history'],
    properties: {
      contactId: { type: 'string' },
      agencyReference: { type: 'string' },
      receivedAt: dateTime,
      stage: { type: 'string', examples: ['received', 'checks-in-progress', 'decided', 'referrer-informed'] },
      caseId: nullable({ type: 'string' }),
      rating: nullable({ type: 'string' }),
      deadline: nullable(dateTime),
      readyAt: nullable(dateTime),
      complete: nullable({ type: 'boolean' }),
      missingAgencies: { type: ['array', 'null'], items: { type: 'string' } },
      decidedAt: nullable(dateTime),
      outcomes: { type: ['array', 'null'], items: { type: 'string' } },
      referrerInformedAt: nullable(dateTime),
      noticeStatus: nullable({ type: 'string' }),
      history: {
        type: 'array',
        items: { type: 'object', required: ['stage', 'at'], properties: { stage: { type: 'string' }, at: { type: 'string' } } },
      },
    },
  },
  CasePicture: {
    type: 'object',
    description: 'The full picture for the decision maker; reading it is audited.',
    required: ['caseId', 'contactId', 'rating', 'policyVersion', 'deadline', 'ready', 'replied', 'missing', 'chronology'],
    properties: {
      caseId: { type: 'string' },
      contactId: { type: 'string' },
      rating,
      policyVersion: { type: 'string' },
      deadline: dateTime,
      ready: { type: 'boolean' },
      replied: { type: 'array', items: { type: 'string' } },
      missing: { type: 'array', items: { type: 'string' } },
      chronology: {
        type: 'array',
        items: { type: 'object' },
        description: 'Entries from the agencies that replied (see ChronologyEntry in /asyncapi.json).',
      },
      decisionId: nullable({ type: 'string' }),
      outOfArea: {
        type: ['object', 'null'],
        description:
          'The child lives outside the area the locality policy covers: the postcode district and, if the policy lists one, the neighbouring MASH that should hold the case.',
        properties: {
          postcodeDistrict: { type: 'string' },
          hub: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, localAuthorityCode: { type: 'string' } } },
        },
      },
      transfers: { type: 'array', items: ref('TransferState') },
    },
  },
  TransferState: {
    type: 'object',
    description: 'A hand-over of the case to a neighbouring MASH (docs/hub-to-hub.md).',
    required: ['transferId', 'toHub', 'status', 'attempts'],
    properties: {
      transferId: { type: 'string' },
      toHub: { type: 'string' },
      status: { type: 'string', enum: ['pending', 'acknowledged', 'refused'] },
      attempts: { type: 'integer' },
      lastError: nullable({ type: 'string' }),
      acknowledgedAt: nullable(dateTime),
      receipt: {
        type: ['object', 'null'],
        description: "The neighbour's verified receipt: its contact id and when it received the contact.",
        properties: {
          transferId: { type: 'string' },
          hub: { type: 'string' },
          contactId: { type: 'string' },
          receivedAt: dateTime,
          status: { type: 'string', enum: ['accepted', 'already-received'] },
        },
      },
    },
  },
  TransferAcceptance: {
    type: 'object',
    description:
      "The receiving hub's answer: what it made of the transfer, and the same signed by its key (compact JWS, typ mash-transfer-receipt+jws).",
    required: ['transferId', 'hub', 'contactId', 'receivedAt', 'status', 'receipt'],
    properties: {
      transferId: { type: 'string' },
      hub: { type: 'string' },
      contactId: { type: 'string' },
      receivedAt: dateTime,
      status: { type: 'string', enum: ['accepted', 'already-received'] },
      receipt: {
        type: 'string',
        description: 'Compact JWS (EdDSA, Ed25519) over {transferId, hub, contactId, receivedAt, status}, kid the receiving hub.',
      },
    },
  },
  DecisionReceipt: {
    type: 'object',
    required: ['decisionId', 'caseId', 'decidedAt'],
    properties: {
      decisionId: { type: 'string' },
      caseId: { type: 'string' },
      decidedAt: dateTime,
      transferTo: { type: 'string', description: "With the outcome 'transfer': the neighbouring MASH it is handed to." },
    },
  },
  ConsentOverrideReceipt: {
    type: 'object',
    required: ['overrideId', 'caseId', 'recordedAt'],
    properties: { overrideId: { type: 'string' }, caseId: { type: 'string' }, recordedAt: dateTime },
  },
  LegalHoldReceipt: {
    type: 'object',
    required: ['holdId', 'caseId', 'held', 'recordedAt'],
    properties: {
      holdId: { type: 'string' },
      caseId: { type: 'string' },
      held: { type: 'boolean', description: 'true: set, no service purges the case; false: lifted.' },
      recordedAt: { ...dateTime, description: 'When the hold was applied: of two holds on a case, the later is the one in force.' },
    },
  },
  Indicators: {
    type: 'object',
    description:
      "The partnership's figures for a period: counts, shares (0 to 1, null with nothing to divide by) and medians; no case content.",
    required: ['period', 'contacts', 'ratings', 'timeInMash', 'outcomes', 'partnerReplies', 'referrersWithoutChannel', 'notices'],
    properties: {
      period: {
        type: 'object',
        required: ['from', 'to'],
        description: 'The instants counted: from included, to excluded (midnight after the last day asked for).',
        properties: { from: dateTime, to: dateTime },
      },
      contacts: {
        type: 'object',
        required: ['total', 'bySource', 'byPresentingIssue', 'repeatWithin12Months', 'repeatShare'],
        properties: {
          total: { type: 'integer' },
          bySource: counts,
          byPresentingIssue: counts,
          repeatWithin12Months: { type: 'integer' },
          repeatShare: share,
        },
      },
      ratings: {
        type: 'object',
        required: ['atStart', 'atEnd', 'changeMatrix', 'undecided'],
        properties: {
          atStart: counts,
          atEnd: counts,
          changeMatrix: {
            type: 'object',
            additionalProperties: counts,
            description: 'Rating at the start, then at the end: how many cases.',
          },
          undecided: { type: 'integer' },
        },
      },
      timeInMash: {
        type: 'object',
        description: 'By rating.',
        additionalProperties: {
          type: 'object',
          required: ['decided', 'withinTarget', 'shareWithinTarget', 'medianHours'],
          properties: {
            decided: { type: 'integer' },
            withinTarget: { type: 'integer' },
            shareWithinTarget: share,
            medianHours: { type: ['number', 'null'] },
          },
        },
      },
      outcomes: {
        type: 'object',
        required: ['decisions', 'byOutcome', 'byGroup'],
        properties: { decisions: { type: 'integer' }, byOutcome: counts, byGroup: counts },
      },
      partnerReplies: {
        type: 'object',
        description: 'By agency asked.',
        additionalProperties: {
          type: 'object',
          required: ['requested', 'onTime', 'late', 'noReply', 'shareOnTime'],
          properties: {
            requested: { type: 'integer' },
            onTime: { type: 'integer' },
            late: { type: 'integer' },
            noReply: { type: 'integer' },
            shareOnTime: share,
          },
        },
      },
      referrersWithoutChannel: {
        type: 'object',
        required: ['total', 'byReason'],
        properties: { total: { type: 'integer' }, byReason: counts },
      },
      notices: {
        type: 'object',
        required: ['delivered', 'failed', 'noChannel'],
        properties: { delivered: { type: 'integer' }, failed: { type: 'integer' }, noChannel: { type: 'integer' } },
      },
    },
  },
  QuarantineEntry: {
    type: 'object',
    description: 'A refused input without its body.',
    required: ['id', 'received_at', 'sender', 'channel', 'status', 'reason', 'errors', 'raw_bytes', 'truncated'],
    properties: {
      id: { type: ['string', 'integer'], description: 'The quarantineId of the problem document that refused it.' },
      received_at: dateTime,
      sender: { type: 'string', description: 'The principal, or unauthenticated:<agency> / unverified:<agency> / unknown.' },
      channel: { type: 'string' },
      status: { type: 'integer' },
      reason: { type: 'string' },
      errors: { type: 'array', items: ref('FieldError') },
      raw_bytes: { type: 'integer' },
      truncated: { type: 'boolean' },
    },
  },
  QuarantineList: { type: 'array', items: ref('QuarantineEntry') },
  QuarantinedInput: {
    allOf: [
      ref('QuarantineEntry'),
      {
        type: 'object',
        required: ['raw'],
        properties: {
          raw: {
            type: 'string',
            description: 'The input as it came (the first 256 KiB; the first 4 KiB when the caller presented no valid credential).',
          },
          raw_sha256: {
            type: ['string', 'null'],
            description: 'SHA-256 (hex) of the whole input as received; null for rows kept before it was recorded.',
          },
        },
      },
    ],
  },
  PartitionLag: {
    type: 'object',
    required: ['topic', 'partition', 'committed', 'end', 'lag', 'lagSeconds', 'status', 'rule', 'samples'],
    properties: {
      topic: { type: 'string' },
      partition: { type: 'integer' },
      committed: { type: 'integer' },
      end: { type: 'integer' },
      lag: { type: 'integer' },
      lagSeconds: { type: 'number' },
      status: { type: 'string', enum: ['ok', 'warning', 'stalled', 'stopped', 'rewind'] },
      rule: { type: 'string' },
      samples: { type: 'integer' },
    },
  },
  GroupLag: {
    type: 'object',
    required: ['group', 'status', 'sampledAt', 'totalLag', 'maxLagSeconds', 'partitions'],
    properties: {
      group: { type: 'string' },
      status: { type: 'string', enum: ['ok', 'warning', 'error', 'stalled'] },
      consumersActive: { type: 'boolean' },
      sampledAt: dateTime,
      totalLag: { type: 'integer' },
      maxLagSeconds: { type: 'number' },
      partitions: { type: 'array', items: ref('PartitionLag') },
    },
  },
  LagSnapshot: {
    type: 'object',
    required: ['intervalSeconds', 'windowSamples', 'groups', 'absentGroups'],
    properties: {
      sampledAt: dateTime,
      intervalSeconds: { type: 'number' },
      windowSamples: { type: 'integer' },
      groups: { type: 'array', items: ref('GroupLag') },
      absentGroups: { type: 'array', items: { type: 'string' } },
      lastError: { type: 'string' },
      sampler: {
        type: 'string',
        enum: ['this replica', 'another replica'],
        description: 'One gateway replica samples at a time (a Postgres advisory lock); the others serve its last sample.',
      },
    },
  },
  BoardAgency: {
    type: 'object',
    required: ['agency', 'status', 'dueAt', 'repliedAt', 'reminders'],
    properties: {
      agency: { type: 'string' },
      status: { type: 'string', enum: ['requested', 'reminded', 'escalated', 'missing', 'replied', 'late'] },
      dueAt: nullable(dateTime),
      repliedAt: nullable(dateTime),
      reminders: { type: 'integer' },
    },
  },
  BoardCase: {
    type: 'object',
    required: ['caseId', 'rating', 'deadline', 'secondsLeft', 'readyForDecision', 'agencies'],
    properties: {
      caseId: { type: 'string' },
      rating,
      deadline: dateTime,
      secondsLeft: { type: 'number', description: 'Negative once the deadline has passed.' },
      readyForDecision: { type: 'boolean' },
      agencies: { type: 'array', items: ref('BoardAgency') },
    },
  },
  Board: {
    type: 'object',
    description: 'Ids, ratings, times and agencies only: no names, no case content.',
    required: ['generatedAt', 'counts', 'shown', 'cases'],
    properties: {
      generatedAt: dateTime,
      counts: {
        type: 'object',
        required: ['open', 'readyForDecision', 'overdue', 'byRating', 'byReplyStatus'],
        properties: {
          open: { type: 'integer' },
          readyForDecision: { type: 'integer' },
          overdue: { type: 'integer' },
          byRating: { type: 'object', additionalProperties: { type: 'integer' } },
          byReplyStatus: { type: 'object', additionalProperties: { type: 'integer' } },
        },
      },
      shown: { type: 'integer' },
      cases: { type: 'array', items: ref('BoardCase') },
    },
  },
  ProblemType: {
    type: 'object',
    required: ['type', 'title', 'status', 'description'],
    properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, description: { type: 'string' } },
  },
  Health: {
    type: 'object',
    required: ['status'],
    properties: {
      status: { type: 'string', enum: ['ok', 'ready'] },
      checks: { type: 'object', additionalProperties: { type: 'string' }, description: 'Each dependency: ok or down.' },
      warnings: {
        type: 'array',
        items: { type: 'string' },
        description: 'What an operator must act on although the service is ready (a calendar running out).',
      },
    },
  },
};
