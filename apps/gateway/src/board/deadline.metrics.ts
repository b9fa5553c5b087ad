import { Injectable, OnModuleInit } from '@nestjs/common';
import { Gauge, register } from 'prom-client';
import { BoardQuery } from './board.query';
import { nowMs as hubNowMs } from '@mash/platform/clock';

/**
 * Open cases and open cases past their deadline, by rating, read from the board's own tables at
 * scrape time: the figure the deadline-breach alert in infra/prometheus watches. A Red case past
 * its 4 hours is a child waiting, so it must page someone rather than wait for a wall screen.
 */
@Injectable()
export class DeadlineMetrics implements OnModuleInit {
  constructor(private readonly board: BoardQuery) {}

  onModuleInit(): void {
    if (register.getSingleMetric('mash_cases_open')) return;
    const rows = () => this.board.openByRating(hubNowMs());
    new Gauge({
      name: 'mash_cases_open',
      help: 'Cases without a decision, by rating.',
      labelNames: ['rating'],
      async collect() {
        this.reset();
        for (const r of await rows()) this.set({ rating: r.rating }, r.open);
      },
    });
    new Gauge({
      name: 'mash_cases_past_deadline',
      help: 'Cases without a decision whose deadline has passed, by rating.',
      labelNames: ['rating'],
      async collect() {
        this.reset();
        for (const r of await rows()) this.set({ rating: r.rating }, r.overdue);
      },
    });
  }
}
