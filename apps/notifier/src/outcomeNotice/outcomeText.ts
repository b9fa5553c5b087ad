import type { DecisionOutcome } from '@mash/contracts';

/**
 * What each outcome means, in words a referrer can act on. Order is by weight of intervention, so
 * when several outcomes apply (they often do) the most significant one is read first.
 */
export const OUTCOME_ORDER: readonly DecisionOutcome[] = [
  'strategy-discussion',
  'social-care-assessment',
  'marac-referral',
  'transfer',
  'early-help',
  'signposting',
  'advice',
  'information-provided',
  'nfa',
];

export const OUTCOME_LABEL: Record<DecisionOutcome, string> = {
  'strategy-discussion': 'Strategy discussion: possible child protection enquiry (section 47)',
  'social-care-assessment': "Stepped up to children's social care for an assessment",
  'marac-referral': 'Referred to MARAC',
  transfer: "Transferred to another area's MASH",
  'early-help': 'Stepped across to early help',
  signposting: 'Signposted to universal or community services',
  advice: 'Advice and information given',
  'information-provided': 'Information provided',
  nfa: "No further action by children's social care",
};

/** What the outcome means and what happens next, for a professional (or the family itself). */
export const OUTCOME_MEANING: Record<DecisionOutcome, string> = {
  'strategy-discussion':
    "Children's social care, the police and other relevant agencies will hold a strategy discussion to decide " +
    'whether to start a child protection enquiry under section 47 of the Children Act 1989. You may be asked to ' +
    'take part or to provide information.',
  'social-care-assessment':
    "A social worker will assess the child's needs under section 17 of the Children Act 1989; statutory guidance " +
    'allows up to 45 working days for the assessment. The social worker may contact you for your contribution.',
  'marac-referral':
    'The case has been referred to the local MARAC, the multi-agency meeting that plans the safety of adult victims ' +
    'of high-risk domestic abuse. An independent domestic violence adviser (IDVA) may contact the adult victim.',
  transfer:
    "The child lives in another local authority area. The case has been passed to that area's MASH, which will " +
    'decide what happens next; the responsible team named below can tell you who to contact there.',
  'early-help':
    'The family will be offered early help, for example an early help assessment and a Team Around the Family. ' +
    'Early help is voluntary: the family can decline it. You may be asked to be part of the Team Around the Family.',
  signposting: 'The family will be told about services that may help them. They are under no obligation to use them.',
  advice: "Advice and information have been given. No involvement from children's social care is planned.",
  'information-provided':
    'The MASH has provided the information it can lawfully share in answer to the request. No further action by ' + 'the MASH is planned.',
  nfa:
    "The information did not meet the threshold for children's social care involvement at this time. The contact " +
    'is recorded and will be taken into account if there are further concerns. Support can still be offered ' +
    'through early help and the Team Around the Child, and through universal services such as the school, GP, ' +
    "health visitor or children's centre.",
};

export function orderedOutcomes(outcomes: readonly DecisionOutcome[]): DecisionOutcome[] {
  const present = new Set(outcomes);
  return OUTCOME_ORDER.filter((o) => present.has(o));
}
