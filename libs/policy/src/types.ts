import type { CheckAgency, DataCategory, DecisionOutcome, Rating } from '@mash/contracts';

/**
 * The shape of a locality policy file (policies/<locality>.json). Everything a safeguarding
 * partnership may set differently lives here, so a change of threshold is a reviewed data change
 * with a new version, not a code release.
 */
export interface Policy {
  locality: string;
  /** Stamped on every rating and plan this policy shaped. */
  version: string;
  effectiveFrom: string;
  /** Who signs the threshold document off (the safeguarding partnership / LSCB). */
  owner: string;
  agencies: AgencyMembership[];
  ratings: Record<Rating, RatingPolicy>;
  calendar: WorkingCalendar;
  thresholds: Thresholds;
  repeatTrigger: RepeatTrigger;
  consultation: Consultation;
  consentLimits: ConsentLimits;
  redAlert: { teams: string[] };
  decisionOutcomes: DecisionOutcome[];
  retention: { mashRecordMonths: number; note?: string };
  rerating?: ReratingRules;
  /** The area this hub covers; absent, no contact is flagged as out of area (docs/hub-to-hub.md). */
  area?: PolicyArea;
  /** The neighbouring MASHs a child resident elsewhere is handed to. */
  neighbours?: NeighbourHub[];
  sources: SourceRef[];
}

/**
 * Where a hub's children live: a local authority (its ONS GSS code) and the postcode districts
 * ("B70") or sectors ("B70 9") that lie in it. A sector narrows a district shared by two areas.
 */
export interface PolicyArea {
  /** This hub's id on the hub-to-hub interface (the `kid` of what it signs). */
  hubId: string;
  name: string;
  localAuthorityCode: string;
  postcodeDistricts: string[];
}

/** A neighbouring authority's MASH: its area, where its front door is and the key it signs with. */
export interface NeighbourHub {
  id: string;
  name: string;
  localAuthorityCode: string;
  postcodeDistricts: string[];
  /** Base URL of its gateway; transfers go to `<endpoint>/v1/hubs/<our hubId>/transfers`. */
  endpoint?: string;
  /** Its Ed25519 public key (JWK, kty OKP): verifies what it sends and its receipts. */
  publicKeyJwk?: { kty: 'OKP'; crv: 'Ed25519'; x: string; kid?: string };
}

export interface AgencyMembership {
  id: CheckAgency;
  participation: 'core' | 'virtual';
  /** The most this agency may ever be asked for; a plan grants a subset. */
  categories: DataCategory[];
  /** Overrides consultation.replyFraction for this agency (e.g. a virtual member needs longer). */
  replyFraction?: number;
  /** The agency's own days and hours where they differ from the locality calendar's. */
  workingTime?: Pick<WorkingCalendar, 'workingDays' | 'workingHours'>;
}

export type TimeUnit = 'hours' | 'working-hours' | 'working-days';

export interface Timescale {
  amount: number;
  unit: TimeUnit;
}

export interface RatingPolicy {
  definition: string;
  continuumOfNeedLevel?: number;
  timescale: Timescale;
  /**
   * true: the clock never stops (Red: nights, weekends, bank holidays). false with unit `hours`:
   * the clock runs only on working days (so "Amber 24 hours" from a Friday lands on Monday).
   */
  clockRunsOutOfHours: boolean;
}

export type Weekday = 'Mon' | 'Tue' | 'Wed' | 'Thu' | 'Fri' | 'Sat' | 'Sun';

export interface WorkingCalendar {
  timezone: string;
  workingDays: Weekday[];
  workingHours: { start: string; end: string };
  bankHolidays: { date: string; name: string }[];
}

export type DashLevel = 'standard' | 'medium' | 'high';

/**
 * All conditions of a rule must hold. Every condition is "more risk makes it true, never false",
 * so adding a risk factor can only make more rules fire and a rating can never drop.
 */
export interface RuleConditions {
  issuesAny?: string[];
  issuesAll?: string[];
  dashLevelAny?: DashLevel[];
  childrenPresent?: true;
  /** A child under thresholds.infantMonths old, or an unborn child. */
  infant?: true;
  unborn?: true;
  disabledChild?: true;
  knownHousehold?: true;
  openToSocialCare?: true;
  repeatTriggerFires?: true;
  urgencyAny?: ('immediate' | 'same-day' | 'routine')[];
  informationOnly?: true;
  /** The "mosaic": at least this many distinct risk factors, each perhaps low on its own. */
  minRiskFactors?: number;
}

export interface ThresholdRule {
  id: string;
  rating: Rating;
  reason: string;
  when: RuleConditions;
  source?: string;
}

export interface Thresholds {
  /** Used only when no rule fires; shown as rule `default`. */
  defaultRating: Rating;
  infantMonths: number;
  rules: ThresholdRule[];
}

export interface RepeatTrigger {
  count: number;
  windowMonths: number;
}

export interface IssueConsultation {
  issues: string[];
  agencies: CheckAgency[];
  reason: string;
}

export interface Consultation {
  byRating: Record<Rating, CheckAgency[]>;
  byIssue: IssueConsultation[];
  /** Ratings whose plans take issue-driven agencies too (Blue normally does not). */
  issueRulesApplyTo: Rating[];
  /** Each agency's reply is due after this fraction of the case's own timescale. */
  replyFraction: number;
}

/** What an agency may be asked for without consent; agencies not listed are not asked at all. */
export type AgencyGrant = Partial<Record<CheckAgency, DataCategory[]>>;

export interface ConsentLimits {
  refused: AgencyGrant;
  notSought: AgencyGrant;
}

export interface SourceRef {
  /** JSON pointer into this file. */
  path: string;
  /** Line numbers in shared/seeds/000_4634e66730d3c67b.txt, e.g. "L4190-4196". */
  lines: string;
  note?: string;
}

/** The board's rules for re-rating at the end of checks; absent fields take the hub's defaults. */
export interface ReratingRules {
  /** Current involvement in these categories is live risk: one step up. */
  harmCategories?: DataCategory[];
  /** This many agencies currently involved: one step up. */
  severalAgenciesCurrent?: number;
  /** Amber may drop to Green when every agency replied and nothing is current. */
  lowerAmberWhenNothingCurrent?: boolean;
  note?: string;
}
