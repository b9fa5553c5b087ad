import { BadRequestException, Controller, Get, Headers, Query, UnauthorizedException } from '@nestjs/common';
import { bearerTokenFromEnv } from '@mash/platform';
import { DataSource } from 'typeorm';
import { ratingCounts } from '../cases/cases.repository';
import { ratingsMatrix } from './ratingsMatrix';

/**
 * GET /ratings/matrix?from=&to= (contacts received in [from, to)): the start -> end matrix with
 * escalation and de-escalation rates, for the partnership's performance report. Counts only: no
 * case ids, no people, so ops can read it without access to case content. It still needs the ops
 * reader's token (MASH_RATINGS_TOKEN; demo default refused in production, docs/trust-boundary.md):
 * the partnership's figures are not for anyone who can reach the port.
 */
/** The local demo's ops reader token for the matrix; production mode refuses it. */
export const DEMO_RATINGS_TOKEN = 'demo-ratings-token';

@Controller('ratings')
export class MatrixController {
  private readonly token = bearerTokenFromEnv('MASH_RATINGS_TOKEN', DEMO_RATINGS_TOKEN);

  constructor(private readonly ds: DataSource) {}

  @Get('matrix')
  async matrix(@Headers('authorization') authorization?: string, @Query('from') from?: string, @Query('to') to?: string) {
    if (!this.token.allows(authorization))
      throw new UnauthorizedException('the ratings matrix needs the ops reader token (Authorization: Bearer, MASH_RATINGS_TOKEN)');
    for (const [name, v] of [
      ['from', from],
      ['to', to],
    ] as const) {
      if (v !== undefined && Number.isNaN(Date.parse(v))) throw new BadRequestException(`${name} must be an ISO date or date-time`);
    }
    const rows = await ratingCounts(this.ds.manager, from, to);
    return { from: from ?? null, to: to ?? null, ...ratingsMatrix(rows) };
  }
}
