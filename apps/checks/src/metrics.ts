import { Counter, Histogram } from 'prom-client';

/** What operators watch on the checks service; registered once per process in the default registry. */
export const checksMetrics = {
  malformedReplies: new Counter({
    name: 'mash_checks_malformed_replies_total',
    help: 'Replies parked in the dead-letter topic (contract broken or not matching their request), by agency and whether their case was found.',
    labelNames: ['agency', 'case'],
  }),
  replies: new Counter({
    name: 'mash_checks_replies_total',
    help: 'Replies accepted, by agency and timeliness (on-time, late, after-ready).',
    labelNames: ['agency', 'timeliness'],
  }),
  timersFired: new Counter({
    name: 'mash_checks_timers_fired_total',
    help: 'Timers fired, by kind (reminder, escalation, case-deadline).',
    labelNames: ['kind'],
  }),
  timerLateness: new Histogram({
    name: 'mash_checks_timer_lateness_seconds',
    help: 'How long after its due instant a timer fired.',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 30, 300],
  }),
  casesReady: new Counter({
    name: 'mash_checks_cases_ready_total',
    help: 'Cases declared ready for decision, by reason.',
    labelNames: ['reason'],
  }),
};
