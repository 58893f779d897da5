// Synthetic arrival traces: a Poisson process with a time-varying rate, and a seeded PRNG.
//
// rate(t) = baseRate · (1 + trendPerDay · t/day)
//                    · (1 + dailyAmplitude · sin(2π (t/day - 0.25)))     (trough at 00:00, peak at 12:00)
//                    · (1 + weeklyAmplitude · sin(2π t/week))
//                    · burst(t)                                         (multiplier inside a burst, else 1)
// The rate is held constant over each 1-second slice, and arrivals inside a slice are exponential
// gaps (memoryless, so restarting at a slice boundary is exact for the piecewise-constant rate).
// Bursts start at uniformly random seconds (seeded), each lasting durationS.

/** mulberry32: deterministic PRNG in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface TraceSpec {
  days: number;
  /** Mean arrival rate (req/s) at t = 0 before seasonality. */
  baseRate: number;
  /** Relative daily swing, [0, 1). */
  dailyAmplitude?: number;
  weeklyAmplitude?: number;
  /** Relative growth per day (0.1 = +10 % of the base per day). */
  trendPerDay?: number;
  bursts?: { count: number; multiplier: number; durationS: number };
  seed?: number;
  /** Epoch ms of t = 0 (default 0). */
  startMs?: number;
}

const DAY_S = 86_400;

export interface Burst { startS: number; durationS: number; multiplier: number }

/** The bursts a spec produces (same seed, same bursts as generateTrace). */
export function burstsOf(spec: TraceSpec): Burst[] {
  const b = spec.bursts;
  if (!b || b.count <= 0) return [];
  const rnd = seededRandom(((spec.seed ?? 1) ^ 0x9e3779b9) >>> 0);
  const span = spec.days * DAY_S;
  const out: Burst[] = [];
  for (let i = 0; i < b.count; i++) out.push({ startS: Math.floor(rnd() * Math.max(1, span - b.durationS)), durationS: b.durationS, multiplier: b.multiplier });
  return out.sort((x, y) => x.startS - y.startS);
}

/** The rate (req/s) at second t of the trace. */
export function rateAt(spec: TraceSpec, tS: number, bursts: readonly Burst[] = burstsOf(spec)): number {
  const d = tS / DAY_S;
  let r = spec.baseRate * (1 + (spec.trendPerDay ?? 0) * d);
  r *= 1 + (spec.dailyAmplitude ?? 0) * Math.sin(2 * Math.PI * (d - 0.25));
  r *= 1 + (spec.weeklyAmplitude ?? 0) * Math.sin((2 * Math.PI * d) / 7);
  for (const b of bursts) if (tS >= b.startS && tS < b.startS + b.durationS) r *= b.multiplier;
  return r > 0 ? r : 0;
}

function checkSpec(s: TraceSpec): void {
  if (!(s.days > 0) || !Number.isFinite(s.days)) throw new RangeError(`generateTrace: days must be > 0, got ${String(s.days)}`);
  if (!(s.baseRate >= 0) || !Number.isFinite(s.baseRate)) throw new RangeError(`generateTrace: baseRate must be >= 0, got ${String(s.baseRate)}`);
  for (const k of ['dailyAmplitude', 'weeklyAmplitude'] as const) {
    const v = s[k] ?? 0;
    if (!(v >= 0 && v < 1)) throw new RangeError(`generateTrace: ${k} must be in [0, 1), got ${String(v)}`);
  }
  if (s.bursts && (!(s.bursts.count >= 0) || !(s.bursts.multiplier > 0) || !(s.bursts.durationS > 0))) throw new RangeError('generateTrace: bursts need count >= 0, multiplier > 0, durationS > 0');
}

/** Arrival timestamps (epoch ms, increasing) of the Poisson process above. */
export function generateTrace(spec: TraceSpec): Float64Array {
  checkSpec(spec);
  const rnd = seededRandom(spec.seed ?? 1);
  const bursts = burstsOf(spec);
  const span = Math.ceil(spec.days * DAY_S);
  const t0 = spec.startMs ?? 0;
  let out = new Float64Array(Math.max(1024, Math.ceil(spec.baseRate * span * 1.2)));
  let n = 0;
  for (let s = 0; s < span; s++) {
    const r = rateAt(spec, s, bursts);
    if (r <= 0) continue;
    let t = s - Math.log(1 - rnd()) / r;
    while (t < s + 1) {
      if (n === out.length) { const g = new Float64Array(out.length * 2); g.set(out); out = g; }
      out[n++] = t0 + t * 1000;
      t -= Math.log(1 - rnd()) / r;
    }
  }
  return out.slice(0, n);
}

/** Expand per-interval counts (timestamp, count) to arrival timestamps spread uniformly (seeded) inside each interval. */
export function arrivalsFromCounts(rows: ReadonlyArray<{ t: number; value: number }>, stepMs: number, random: () => number): Float64Array {
  let total = 0;
  for (const r of rows) total += Math.round(r.value);
  const out = new Float64Array(total);
  let n = 0;
  for (const r of rows) {
    const k = Math.round(r.value);
    const start = n;
    for (let i = 0; i < k; i++) out[n++] = r.t + random() * stepMs;
    out.subarray(start, n).sort();
  }
  return out;
}
