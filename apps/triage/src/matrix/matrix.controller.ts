import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Rating } from '@mash/contracts';
import { ratingsMatrix } from './ratingsMatrix';

/**
 * GET /ratings/matrix?from=&to= (contacts received in [from, to)): the start -> end matrix with
 * escalation and de-escalation rates, for the partnership's performance report. Counts only: no
 * case ids, no people, so ops can read it without access to case content.
 */
@Controller('ratings')
export class MatrixController {
  constructor(private readonly ds: DataSource) {}

  @Get('matrix')
  async matrix(@Query('from') from?: string, @Query('to') to?: string) {
    for (const [name, v] of [['from', from], ['to', to]] as const) {
      if (v !== undefined && Number.isNaN(Date.parse(v))) throw new BadRequestException(`${name} must be an ISO date or date-time`);
    }
    const rows: { start: Rating; end: Rating | null; n: number }[] = await this.ds.query(
      `SELECT current_rating AS start, end_rating AS "end", count(*)::int AS n FROM triage.cases
        WHERE ($1::timestamptz IS NULL OR received_at >= $1) AND ($2::timestamptz IS NULL OR received_at < $2)
        GROUP BY 1, 2`,
      [from ?? null, to ?? null],
    );
    return { from: from ?? null, to: to ?? null, ...ratingsMatrix(rows) };
  }
}
