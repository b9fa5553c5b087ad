/**
 * The decision `npm run demo:send` records as a demo decision maker who signed in: one outcome for the case's
 * rating, and a responsible team and next steps that belong to that outcome (a strategy discussion
 * is children's social care's, under section 47; early help is the early help hub's), so the notice
 * the referrer reads says one coherent thing.
 */
export interface DemoDecision {
  outcomes: string[];
  finalRating: string;
  responsibleTeam: { name: string; inHours: string; outOfHours?: string };
  nextSteps: string;
}

const OUT_OF_HOURS = 'Emergency Duty Team 01632 960 999';

const BY_RATING: Record<string, Pick<DemoDecision, 'outcomes' | 'responsibleTeam' | 'nextSteps'>> = {
  RED: {
    outcomes: ['strategy-discussion'],
    responsibleTeam: { name: "Children's Social Care Assessment Team (demo)", inHours: '01632 960 100', outOfHours: OUT_OF_HOURS },
    nextSteps:
      "A strategy discussion with police and health is held today to decide whether a section 47 enquiry starts; the child's safety is planned for in the meantime.",
  },
  AMBER: {
    outcomes: ['early-help'],
    responsibleTeam: { name: 'Early Help Hub North (demo)', inHours: '01632 960 000', outOfHours: OUT_OF_HOURS },
    nextSteps: 'The family will be offered early help within five working days.',
  },
  GREEN: {
    outcomes: ['advice'],
    responsibleTeam: { name: 'MASH Advice Line (demo)', inHours: '01632 960 200' },
    nextSteps:
      "No further action by children's social care: the referrer is given advice on supporting the family through universal services.",
  },
  BLUE: {
    outcomes: ['information-provided'],
    responsibleTeam: { name: 'MASH Information Desk (demo)', inHours: '01632 960 300' },
    nextSteps: 'The information requested has been provided; no further action by the MASH.',
  },
};

export function demoDecision(rating: string): DemoDecision {
  const chosen = BY_RATING[rating];
  if (!chosen) throw new Error(`no demo decision for rating '${rating}'`);
  // Who decided is the person signed in (the gateway records them from their token), not a field here.
  return { ...chosen, finalRating: rating };
}
