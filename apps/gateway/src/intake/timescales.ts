import { Injectable } from '@nestjs/common';

/**
 * What the front door tells a sender about timescales. The figures are the locality policy's;
 * until the gateway loads the policy file they come from MASH_TIMESCALES (JSON) or the London
 * template (Red 4 hours, Amber 1 working day, Green 3 working days; seeds L4190-4196).
 */
@Injectable()
export class RatingTimescales {
  private readonly text: Record<string, string> = process.env.MASH_TIMESCALES
    ? JSON.parse(process.env.MASH_TIMESCALES)
    : { RED: '4 hours (relevant teams informed immediately)', AMBER: '1 working day', GREEN: '3 working days' };

  describe(): Record<string, string> {
    return this.text;
  }
}
