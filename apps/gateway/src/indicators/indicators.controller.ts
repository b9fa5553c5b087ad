import { Controller, Get, HttpException, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { problem } from '@mash/contracts';
import { AccessGuard } from '../access/access.guard';
import { Roles } from '../access/roles.decorator';
import { IndicatorsService, indicatorsCsv } from './indicators.service';
import { readPeriod } from './period';

/**
 * The partnership's indicators for a period, as JSON or CSV (`format=csv`). Counts only, no case
 * content; for the people and machines who report on the MASH (ops, auditors, decision makers).
 */
@Controller('v1/indicators')
@UseGuards(AccessGuard)
export class IndicatorsController {
  constructor(private readonly indicators: IndicatorsService) {}

  @Get()
  @Roles('ops', 'auditor', 'decision-maker')
  async figures(@Query('from') from: unknown, @Query('to') to: unknown, @Query('format') format: unknown, @Res() res: Response) {
    const read = readPeriod(from, to);
    if (!read.ok) throw new HttpException(problem(400, 'the period is not valid', { errors: read.errors }), 400);
    if (format !== undefined && format !== 'json' && format !== 'csv') {
      throw new HttpException(
        problem(400, 'unknown format', { errors: [{ path: '/format', rule: 'enum', message: "format must be 'json' or 'csv'" }] }),
        400,
      );
    }
    const figures = await this.indicators.figures(read.period);
    res.setHeader('Cache-Control', 'no-store');
    if (format === 'csv') {
      res.setHeader('Content-Disposition', `attachment; filename="mash-indicators-${String(from)}-${String(to)}.csv"`);
      res.type('text/csv; charset=utf-8').send(indicatorsCsv(figures));
      return;
    }
    res.json(figures);
  }
}
