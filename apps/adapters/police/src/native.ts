/**
 * A police vulnerable-person notification as a force's public-protection system exports it: the
 * fields of PVP/VPRF forms, Public Protection Notices and Met Merlin "coming to notice" reports
 * (docs/formats.md). No national schema exists; this shape is the adapter's, documented so a force can
 * map its own export onto it.
 */
export interface PoliceNotification {
  /** PVP | PPN | MERLIN: which form the force filled in. */
  form: 'PVP' | 'PPN' | 'MERLIN';
  /** The notification's own reference: one occurrence can produce several notifications. */
  notificationId: string;
  /** Occurrence / incident number, as the force writes it (often with slashes). */
  occurrenceNumber: string;
  submittedAt: string;
  force: { code: string; name: string };
  officerInCase: { rank?: string; name: string; collarNumber: string; phone?: string; email?: string; station?: string };
  /** CHILD_AT_RISK, DOMESTIC_ABUSE, MISSING, CSE, ... (see CATEGORY_CODES in translate.ts). */
  categories: string[];
  incident: {
    occurredAt?: string;
    locationType?: string;
    /** What the police share with partners. */
    summary: string;
    /** Full incident detail: police property, never leaves the force through this adapter. */
    detail?: string;
  };
  persons: PolicePerson[];
  address?: { lines?: string[]; town?: string; postcode: string };
  dash?: {
    riskLevel: 'STANDARD' | 'MEDIUM' | 'HIGH';
    yesCount?: number;
    answers?: Record<string, 'Y' | 'N' | 'NK'>;
    maracReferral?: boolean;
  };
  /** PPN grade or Merlin risk. */
  riskGrade?: 'HIGH' | 'MEDIUM' | 'LOW' | 'STANDARD';
  /** Merlin: "information exchange only or a formal referral". */
  referralType: 'INFORMATION_ONLY' | 'REFERRAL';
  strategyDiscussionHeld?: boolean;
  consent?: {
    /** Was the person asked for consent to share with children's services? */
    asked: 'YES' | 'NO';
    outcome?: 'GIVEN' | 'REFUSED';
    /** Why consent was not sought, or why sharing goes ahead although refused. */
    reason?: string;
    lawfulBasis?: 'S47' | 'S17' | 'RISK_OF_SIGNIFICANT_HARM' | 'CRIME_AND_DISORDER_S115' | 'STATUTORY';
  };
}

export interface PolicePerson {
  personId: string;
  role: 'VICTIM' | 'ALLEGED_PERPETRATOR' | 'SUSPECT' | 'CHILD' | 'UNBORN' | 'VULNERABLE_ADULT' | 'HOUSEHOLD_MEMBER' | 'PARENT_CARER';
  pncId?: string;
  forename?: string;
  surname?: string;
  dob?: string;
  /** Unborn: expected date of delivery. */
  dueDate?: string;
  gender?: 'M' | 'F' | 'U' | 'X';
  /** 18+1 self-defined ethnicity code (e.g. W1, A2); officer-perceived IC codes are another list and not sent. */
  ethnicitySelfDefined?: string;
  ethnicityOfficerPerceived?: string;
  presentDuringIncident?: boolean;
  residentAtAddress?: boolean;
  school?: string;
  gp?: string;
  nhsNumber?: string;
  /** "This person is MOTHER of P1": relationships point from this person to another. */
  relationships?: { personId: string; relationship: string }[];
}
