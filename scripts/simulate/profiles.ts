import type { IntendedRating } from '../load/generate';

/**
 * Volumes and shapes of a real MASH's intake (docs/simulation.md). Volumes are the source reports'
 * (docs/sources.md): Blackburn 550-950 contacts a month (L561), Cornwall 850-1000 (L5072),
 * Northamptonshire about 1,200 (L5722). The rating mix is Westminster's, the only one the reports
 * give (Green ~56-60%, Amber ~29-35%, Red ~9-11%, L2024), which scripts/load/generate.ts already
 * produces. The weekday and hour-of-day shape is an assumption (the reports give none beyond
 * police working every day): office hours on weekdays carry most contacts, police reports arrive
 * round the clock.
 */
export interface MixProfile {
  name: string;
  contactsPerMonth: [number, number];
  /** Relative weight of each day, Sunday first. */
  weekday: [number, number, number, number, number, number, number];
  /** Relative weight of each local hour 00..23. */
  hour: number[];
  ratingWeights?: Partial<Record<IntendedRating, number>>;
  source: string;
}

const OFFICE_SHAPE = {
  weekday: [0.35, 1, 1, 1, 1, 0.95, 0.4] as MixProfile['weekday'],
  hour: [0.25, 0.2, 0.2, 0.15, 0.15, 0.2, 0.3, 0.5, 0.9, 1.6, 1.7, 1.6, 1.4, 1.5, 1.6, 1.5, 1.3, 1.0, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3],
};

export const PROFILES: Record<string, MixProfile> = {
  blackburn: {
    name: 'blackburn',
    contactsPerMonth: [550, 950],
    ...OFFICE_SHAPE,
    source: 'Blackburn audit L561; rating mix Westminster L2024',
  },
  cornwall: {
    name: 'cornwall',
    contactsPerMonth: [850, 1000],
    ...OFFICE_SHAPE,
    source: 'Cornwall case study L5072; rating mix Westminster L2024',
  },
  northamptonshire: {
    name: 'northamptonshire',
    contactsPerMonth: [1150, 1250],
    ...OFFICE_SHAPE,
    source: 'Northamptonshire case study L5722; rating mix Westminster L2024',
  },
};

export function profileNamed(name: string): MixProfile {
  const p = PROFILES[name];
  if (!p) throw new Error(`--mix: unknown profile '${name}' (known: ${Object.keys(PROFILES).join(', ')})`);
  return p;
}

const LOCAL = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: 'numeric', hourCycle: 'h23', weekday: 'short' });
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function localSlot(ms: number, timeZone: string): { weekday: number; hour: number } {
  const fmt =
    timeZone === 'Europe/London'
      ? LOCAL
      : new Intl.DateTimeFormat('en-GB', { timeZone, hour: 'numeric', hourCycle: 'h23', weekday: 'short' });
  const parts = fmt.formatToParts(new Date(ms));
  return {
    weekday: WEEKDAYS.indexOf(parts.find((p) => p.type === 'weekday')!.value),
    hour: Number(parts.find((p) => p.type === 'hour')!.value),
  };
}

/**
 * When each contact arrives: the month's volume drawn once within the profile's range (scaled to
 * the days simulated), each contact placed in an hour of the period with the probability of that
 * hour's weekday and hour weights, at a uniform minute within it. Sorted; the same for a seed.
 */
export function arrivalTimes(
  profile: MixProfile,
  start: Date,
  days: number,
  rng: () => number,
  timeZone = 'Europe/London',
  count?: number,
): number[] {
  const [lo, hi] = profile.contactsPerMonth;
  const n = count ?? Math.round(((lo + rng() * (hi - lo)) * days) / 30);
  const hours = Math.round(days * 24);
  const cumulative: number[] = [];
  let total = 0;
  for (let h = 0; h < hours; h++) {
    const slot = localSlot(start.getTime() + h * 3_600_000, timeZone);
    total += profile.weekday[slot.weekday]! * profile.hour[slot.hour]!;
    cumulative.push(total);
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = rng() * total;
    let a = 0;
    let b = cumulative.length - 1;
    while (a < b) {
      const m = (a + b) >> 1;
      if (cumulative[m]! < x) a = m + 1;
      else b = m;
    }
    // Whole seconds: the hub's times are compared to the second in the report.
    out.push(start.getTime() + a * 3_600_000 + Math.floor(rng() * 3600) * 1000);
  }
  return out.sort((x, y) => x - y);
}
