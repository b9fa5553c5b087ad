import { Injectable } from '@nestjs/common';
import { loadPolicyFromEnv, Policy, RatingPolicy } from '@mash/policy';

/**
 * What the front door tells a sender about timescales: the locality policy's own figures (the file
 * MASH_POLICY names, London's template by default), read once at start-up, so the answer an agency
 * gets and the deadline triage sets come from the same reviewed document.
 */
@Injectable()
export class RatingTimescales {
  private readonly policy: Policy = loadPolicyFromEnv();
  private readonly text: Record<string, string> = Object.fromEntries(
    Object.entries(this.policy.ratings).map(([rating, p]) => [rating, describe(rating, p)]),
  );

  describe(): Record<string, string> {
    return this.text;
  }

  get policyVersion(): string {
    return this.policy.version;
  }

  /** The outcomes this locality's policy lets a decision record, in the policy's order (the workspace's form). */
  outcomes(): string[] {
    return [...this.policy.decisionOutcomes];
  }

  /** Whether the locality's policy lets a decision record this outcome. */
  allows(outcome: string): boolean {
    return (this.policy.decisionOutcomes as string[]).includes(outcome);
  }
}

function describe(rating: string, p: RatingPolicy): string {
  const { amount, unit } = p.timescale;
  const plural = (word: string) => `${amount} ${word}${amount === 1 ? '' : 's'}`;
  const span =
    unit === 'working-days'
      ? plural('working day')
      : unit === 'working-hours'
        ? plural('working hour')
        : p.clockRunsOutOfHours
          ? `${plural('hour')}, day and night`
          : `${plural('hour')} of working days`;
  return rating === 'RED' ? `${span} (relevant teams informed immediately)` : span;
}
