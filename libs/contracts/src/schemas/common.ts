import { DATA_CATEGORIES } from '../types';

/** Definitions shared by every message schema, referenced as `common#/definitions/<name>`. */
export const commonSchema = {
  $id: 'common',
  definitions: {
    id: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$' },
    dateTime: { type: 'string', format: 'date-time' },
    date: { type: 'string', format: 'date' },
    shortText: { type: 'string', minLength: 1, maxLength: 200 },
    longText: { type: 'string', maxLength: 20000 },
    agency: {
      type: 'string',
      enum: [
        'police',
        'health',
        'education',
        'probation',
        'housing',
        'adult-social-care',
        'youth-justice',
        'contact-centre',
        'childrens-social-care',
      ],
    },
    checkAgency: {
      type: 'string',
      enum: ['police', 'health', 'education', 'probation', 'housing', 'adult-social-care', 'youth-justice'],
    },
    rating: {
      type: 'string',
      enum: ['RED', 'AMBER', 'GREEN', 'BLUE'],
      description:
        'BRAG: Red immediate/serious harm (CoN 4); Amber risk of harm not imminent (3); Green wellbeing (2); Blue information request.',
    },
    dataCategory: {
      type: 'string',
      enum: [...DATA_CATEGORIES],
      description: 'What an agency may be asked for and may see about a case, granted per agency by the check plan.',
    },
    nhsNumber: { type: 'string', format: 'nhs-number', description: '10 digits with a valid modulus-11 check digit.' },
    upn: { type: 'string', format: 'upn', description: 'Unique Pupil Number: check letter + 12 characters (CBDS P1).' },
    lawfulBasis: {
      type: 'string',
      enum: ['consent', 'section-47', 'section-17', 'risk-of-significant-harm', 'statutory-function', 'crime-prevention'],
    },
    consent: {
      type: 'object',
      additionalProperties: false,
      required: ['status'],
      properties: {
        status: { type: 'string', enum: ['given', 'refused', 'not-sought'] },
        reason: { type: 'string', minLength: 3, maxLength: 2000 },
        lawfulBasis: { $ref: '#/definitions/lawfulBasis' },
      },
      if: { properties: { status: { enum: ['refused', 'not-sought'] } } },
      then: { required: ['reason', 'lawfulBasis'] },
    },
    person: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'role'],
      properties: {
        name: { $ref: '#/definitions/shortText' },
        role: { $ref: '#/definitions/shortText' },
        subject: { $ref: '#/definitions/shortText', description: "The person's subject at the identity provider they signed in with." },
      },
    },
  },
} as const;
