// Pure core of the telemetry service's time series, SLOs and cost (no I/O, clock passed in).
//
// Series: per (model, pool), slots of slotMs (default 10 s) holding arrivals, errors, "bad"
// requests (error, or slower than the model's latency objective) and a latency histogram (p99).
// Slots older than the retention (default 6 h, the longest burn-rate window) are dropped.
//
// SLO: a request is good when its status is OK and its latency is at most the model's latency
// objective (default 500 ms); the target is the fraction of good requests (default 0.99).
// Burn rate over a window = (bad / total) / (1 - target). Multi-window alerts (Google SRE
// workbook): fast = 1 h and 5 min both above 14.4; slow = 6 h and 30 min both above 6.
//
// Cost: Outcome.cost summed per (tenant, model, pool) per UTC day; month to date is the sum over
// the current UTC month. Month-end forecast: "holt" — Holt (@switchyard/forecasting) on the
// month's complete daily totals when there are at least 3, projecting the remaining days and
// today's remainder; otherwise "linear" — month-to-date × (month length / time elapsed).
import { Holt } from '@switchyard/forecasting';
import { LatencyHistogram, isError, modelKey, poolKey, type OutcomeLike } from './aggregate.ts';

export type CostOutcome = OutcomeLike & { tenant?: string; cost?: number; placement_reason?: string };

export interface SloObjective {
  /** Latency objective, ms (a request slower than this is bad). */
  latencyMs: number;
  /** Target fraction of good requests, (0, 1). */
  target: number;
}

export const DEFAULT_SLO: SloObjective = { latencyMs: 500, target: 0.99 };

export interface BurnWindowSpec {
  name: string;
  longMs: number;
  shortMs: number;
  threshold: number;
}

/** Google SRE workbook multi-window, multi-burn-rate pairs (for a 30-day SLO). */
export const BURN_WINDOWS: BurnWindowSpec[] = [
  { name: 'fast', longMs: 3_600_000, shortMs: 300_000, threshold: 14.4 },
  { name: 'slow', longMs: 21_600_000, shortMs: 1_800_000, threshold: 6 },
];

/** The burn-rate windows exported as metrics, seconds → label. */
export const BURN_METRIC_WINDOWS: Array<{ label: string; ms: number }> = [
  { label: '5m', ms: 300_000 },
  { label: '30m', ms: 1_800_000 },
  { label: '1h', ms: 3_600_000 },
  { label: '6h', ms: 21_600_000 },
];

/**
 * Spill: a request that ran on the CPU pool because the GPU pool could not take it. The
 * placement core (libs/placement) says `cheapest pool meeting deadline: cpu (...; the only
 * feasible pool)` when the request had a deadline and no GPU executor passed the filters
 * (deadline, queue bound, health) — that is our spill. Every gRPC call has a deadline, so in
 * practice the wording is always "meeting deadline". Limitation: a request pinned to the CPU
 * pool with `pool=cpu` reads the same unless the gateway marks it (a reason mentioning
 * "pool preference" or "pinned" is never a spill; docs/observability.md has the change).
 */
export function isSpill(o: Pick<CostOutcome, 'pool' | 'placement_reason' | 'status'>): boolean {
  if (poolKey(o.pool) !== 'cpu') return false;
  const r = o.placement_reason ?? '';
  if (/pool preference|pinned/i.test(r)) return false;
  return /cheapest pool meeting deadline: cpu\b/.test(r) && /the only feasible pool/.test(r);
}

/** A short, low-cardinality reason label from Outcome.placement_reason. */
export function reasonLabel(o: Pick<CostOutcome, 'placement_reason' | 'status' | 'executor_id'>): string {
  const r = o.placement_reason ?? '';
  if (isSpill({ pool: 'POOL_CPU', placement_reason: r, status: o.status })) return 'only_feasible_deadline';
  // The caller chose the pool (parameter pool=gpu|cpu): the gateway marks such decisions.
  if (/pinned by pool preference/.test(r)) return 'pinned';
  if (/^(scheduler Place: )?cheapest pool meeting deadline/.test(r)) return /the only feasible pool/.test(r) ? 'only_feasible_deadline' : 'cheapest_meeting_deadline';
  if (/^(scheduler Place: )?cheapest pool:/.test(r)) return /the only feasible pool/.test(r) ? 'only_feasible' : /pools cost the same/.test(r) ? 'same_cost_faster' : 'cheapest';
  if (/shed/i.test(r)) return 'shed';
  if (!o.executor_id) return r ? 'not_placed' : 'none';
  return r ? 'other' : 'none';
}

// ---- series ----------------------------------------------------------------------------------

export interface SlotData {
  arrivals: number;
  errors: number;
  bad: number;
  latency: LatencyHistogram;
}

export interface SlotJSON {
  a: number;
  e: number;
  b: number;
  /** histogram buckets [index, count][], min, max */
  h: Array<[number, number]>;
  mn: number;
  mx: number;
}

function newSlot(): SlotData {
  return { arrivals: 0, errors: 0, bad: 0, latency: new LatencyHistogram() };
}

export function slotToJSON(s: SlotData): SlotJSON {
  return { a: s.arrivals, e: s.errors, b: s.bad, h: [...s.latency.buckets], mn: s.latency.count ? s.latency.min : 0, mx: s.latency.count ? s.latency.max : 0 };
}

export function slotFromJSON(j: SlotJSON): SlotData {
  const s = newSlot();
  s.arrivals = j.a;
  s.errors = j.e;
  s.bad = j.b;
  for (const [i, c] of j.h) {
    s.latency.buckets.set(i, c);
    s.latency.count += c;
  }
  if (s.latency.count) {
    s.latency.min = j.mn;
    s.latency.max = j.mx;
  }
  return s;
}

export interface SeriesOptions {
  now?: () => number;
  slotMs?: number;
  retentionMs?: number;
  /** SLO per model name (or "name:version"); others use defaultSlo. */
  slos?: Record<string, Partial<SloObjective>>;
  defaultSlo?: SloObjective;
}

export interface SeriesPointOut {
  start_ms: number;
  arrivals: number;
  errors: number;
  bad: number;
  p99_ms: number;
  rate_per_s: number;
}

export class SeriesStore {
  readonly slotMs: number;
  readonly retentionMs: number;
  private readonly now: () => number;
  private readonly slos: Record<string, Partial<SloObjective>>;
  private readonly defaultSlo: SloObjective;
  /** "model\u0000pool" -> slot index -> data */
  private readonly series = new Map<string, Map<number, SlotData>>();
  /** slots changed since the last takeDirty() ("key\u0000idx"). */
  private readonly dirty = new Set<string>();

  constructor(opts: SeriesOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.slotMs = opts.slotMs ?? 10_000;
    this.retentionMs = opts.retentionMs ?? 21_600_000;
    this.slos = opts.slos ?? {};
    this.defaultSlo = opts.defaultSlo ?? DEFAULT_SLO;
    if (!(this.slotMs > 0) || !(this.retentionMs >= this.slotMs)) throw new RangeError('need slotMs > 0 and retentionMs >= slotMs');
  }

  sloFor(model: string): SloObjective {
    const name = model.split(':')[0]!;
    const o = this.slos[model] ?? this.slos[name] ?? {};
    return { latencyMs: o.latencyMs ?? this.defaultSlo.latencyMs, target: o.target ?? this.defaultSlo.target };
  }

  record(o: CostOutcome): void {
    const now = this.now();
    const ts = o.finished_at_ms > 0 ? Math.min(o.finished_at_ms, now) : now;
    if (ts < now - this.retentionMs) return;
    const model = modelKey(o);
    const key = `${model}\u0000${poolKey(o.pool)}`;
    const idx = Math.floor(ts / this.slotMs);
    let m = this.series.get(key);
    if (!m) this.series.set(key, (m = new Map()));
    let s = m.get(idx);
    if (!s) m.set(idx, (s = newSlot()));
    const err = isError(o);
    s.arrivals++;
    if (err) s.errors++;
    if (err || !(o.latency_ms <= this.sloFor(model).latencyMs)) s.bad++;
    s.latency.add(o.latency_ms);
    this.dirty.add(`${key}\u0000${idx}`);
  }

  /** Replace one slot (restore from Redis). */
  restore(model: string, pool: string, idx: number, s: SlotData): void {
    if ((idx + 1) * this.slotMs < this.now() - this.retentionMs) return;
    const key = `${model}\u0000${pool}`;
    let m = this.series.get(key);
    if (!m) this.series.set(key, (m = new Map()));
    m.set(idx, s);
  }

  /** Slots changed since the last call, for persistence. */
  takeDirty(): Array<{ model: string; pool: string; idx: number; slot: SlotData }> {
    const out: Array<{ model: string; pool: string; idx: number; slot: SlotData }> = [];
    for (const d of this.dirty) {
      const [model, pool, i] = d.split('\u0000') as [string, string, string];
      const slot = this.series.get(`${model}\u0000${pool}`)?.get(Number(i));
      if (slot) out.push({ model, pool, idx: Number(i), slot });
    }
    this.dirty.clear();
    return out;
  }

  prune(): void {
    const oldest = Math.floor((this.now() - this.retentionMs) / this.slotMs);
    for (const [k, m] of this.series) {
      for (const idx of m.keys()) if (idx < oldest) m.delete(idx);
      if (m.size === 0) this.series.delete(k);
    }
  }

  keys(): Array<{ model: string; pool: string }> {
    return [...this.series.keys()].map((k) => {
      const [model, pool] = k.split('\u0000') as [string, string];
      return { model, pool };
    });
  }

  private matches(model: string, want: string): boolean {
    return !want || model === want || model.split(':')[0] === want;
  }

  /** Dense series (empty slots filled with zeros) of the last `slots` slots, ending at the current one. */
  get(filter: { model?: string; pool?: string; slots?: number } = {}): Array<{ model: string; pool: string; points: SeriesPointOut[] }> {
    this.prune();
    const cur = Math.floor(this.now() / this.slotMs);
    const maxSlots = Math.ceil(this.retentionMs / this.slotMs);
    const n = Math.min(filter.slots && filter.slots > 0 ? filter.slots : maxSlots, maxSlots);
    const out: Array<{ model: string; pool: string; points: SeriesPointOut[] }> = [];
    for (const { model, pool } of this.keys()) {
      if (!this.matches(model, filter.model ?? '') || (filter.pool && filter.pool !== pool)) continue;
      const m = this.series.get(`${model}\u0000${pool}`)!;
      const first = Math.max(cur - n + 1, Math.min(...m.keys()));
      const points: SeriesPointOut[] = [];
      for (let i = first; i <= cur; i++) {
        const s = m.get(i);
        points.push({
          start_ms: i * this.slotMs,
          arrivals: s?.arrivals ?? 0,
          errors: s?.errors ?? 0,
          bad: s?.bad ?? 0,
          p99_ms: s ? s.latency.quantile(0.99) : 0,
          rate_per_s: (s?.arrivals ?? 0) / (this.slotMs / 1000),
        });
      }
      out.push({ model, pool, points });
    }
    return out.sort((a, b) => a.model.localeCompare(b.model) || a.pool.localeCompare(b.pool));
  }

  /** Arrivals per slot summed over pools (and models unless one is named), dense, oldest first. */
  arrivals(model = '', slots = 0): Array<{ start_ms: number; arrivals: number; gpu: number; cpu: number }> {
    const all = this.get({ model, slots });
    const byStart = new Map<number, { start_ms: number; arrivals: number; gpu: number; cpu: number }>();
    for (const s of all) {
      for (const p of s.points) {
        let r = byStart.get(p.start_ms);
        if (!r) byStart.set(p.start_ms, (r = { start_ms: p.start_ms, arrivals: 0, gpu: 0, cpu: 0 }));
        r.arrivals += p.arrivals;
        if (s.pool === 'gpu') r.gpu += p.arrivals;
        else if (s.pool === 'cpu') r.cpu += p.arrivals;
      }
    }
    return [...byStart.values()].sort((a, b) => a.start_ms - b.start_ms);
  }

  /** good/bad totals of one model over the last windowMs (all pools). */
  window(model: string, windowMs: number): { total: number; bad: number; latency: LatencyHistogram } {
    const from = Math.floor((this.now() - windowMs) / this.slotMs);
    let total = 0;
    let bad = 0;
    const latency = new LatencyHistogram();
    for (const [k, m] of this.series) {
      if (k.split('\u0000')[0] !== model) continue;
      for (const [idx, s] of m) {
        if (idx <= from) continue;
        total += s.arrivals;
        bad += s.bad;
        latency.merge(s.latency);
      }
    }
    return { total, bad, latency };
  }

  models(): string[] {
    return [...new Set(this.keys().map((k) => k.model))].sort();
  }

  burnRate(model: string, windowMs: number): number {
    const w = this.window(model, windowMs);
    if (w.total === 0) return 0;
    return w.bad / w.total / (1 - this.sloFor(model).target);
  }

  slo(model = ''): Array<SloStatusOut> {
    return this.models()
      .filter((m) => this.matches(m, model))
      .map((m) => {
        const obj = this.sloFor(m);
        const w = this.window(m, this.retentionMs);
        const good = w.total - w.bad;
        const badFrac = w.total ? w.bad / w.total : 0;
        return {
          model: m,
          latency_objective_ms: obj.latencyMs,
          target: obj.target,
          attainment: w.total ? good / w.total : 1,
          good,
          total: w.total,
          error_budget_remaining: 1 - badFrac / (1 - obj.target),
          burn_rates: BURN_WINDOWS.map((b) => {
            const long = this.burnRate(m, b.longMs);
            const short = this.burnRate(m, b.shortMs);
            return {
              name: b.name,
              long_window_seconds: b.longMs / 1000,
              short_window_seconds: b.shortMs / 1000,
              long_burn: long,
              short_burn: short,
              threshold: b.threshold,
              firing: long > b.threshold && short > b.threshold,
            };
          }),
        };
      });
  }
}

export interface SloStatusOut {
  model: string;
  latency_objective_ms: number;
  target: number;
  attainment: number;
  good: number;
  total: number;
  error_budget_remaining: number;
  burn_rates: Array<{ name: string; long_window_seconds: number; short_window_seconds: number; long_burn: number; short_burn: number; threshold: number; firing: boolean }>;
}

// ---- cost ------------------------------------------------------------------------------------

const DAY_MS = 86_400_000;

export function monthOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

function monthBounds(ms: number): { start: number; end: number } {
  const d = new Date(ms);
  const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const end = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  return { start, end };
}

export interface CostLineOut {
  tenant: string;
  model: string;
  pool: string;
  month_to_date: number;
  forecast_month_end: number;
  requests: number;
}

export interface CostReportOut {
  month: string;
  lines: CostLineOut[];
  total_month_to_date: number;
  total_forecast_month_end: number;
  forecast_method: 'linear' | 'holt';
}

/** Per (tenant, model, pool, UTC day) cost and request counts. */
export class CostLedger {
  private readonly now: () => number;
  /** "tenant\u0000model\u0000pool" -> day index (ms / DAY) -> {cost, requests} */
  readonly cells = new Map<string, Map<number, { cost: number; requests: number }>>();
  private readonly dirty = new Set<string>();
  /** Time the ledger started observing (bounds the linear run rate). */
  readonly startedAtMs: number;

  constructor(opts: { now?: () => number; startedAtMs?: number } = {}) {
    this.now = opts.now ?? Date.now;
    this.startedAtMs = opts.startedAtMs ?? this.now();
  }

  record(o: CostOutcome): void {
    const cost = o.cost ?? 0;
    if (!(cost >= 0) || !Number.isFinite(cost)) return;
    const now = this.now();
    const ts = o.finished_at_ms > 0 ? Math.min(o.finished_at_ms, now) : now;
    this.add(o.tenant || 'unknown', modelKey(o), poolKey(o.pool), Math.floor(ts / DAY_MS), cost, 1);
  }

  add(tenant: string, model: string, pool: string, day: number, cost: number, requests: number): void {
    const key = `${tenant}\u0000${model}\u0000${pool}`;
    let m = this.cells.get(key);
    if (!m) this.cells.set(key, (m = new Map()));
    const c = m.get(day) ?? { cost: 0, requests: 0 };
    c.cost += cost;
    c.requests += requests;
    m.set(day, c);
    this.dirty.add(`${key}\u0000${day}`);
  }

  /** Replace one cell (restore from Redis). */
  restore(tenant: string, model: string, pool: string, day: number, cost: number, requests: number): void {
    const key = `${tenant}\u0000${model}\u0000${pool}`;
    let m = this.cells.get(key);
    if (!m) this.cells.set(key, (m = new Map()));
    m.set(day, { cost, requests });
  }

  takeDirty(): Array<{ tenant: string; model: string; pool: string; day: number; cost: number; requests: number }> {
    const out = [];
    for (const d of this.dirty) {
      const [tenant, model, pool, day] = d.split('\u0000') as [string, string, string, string];
      const c = this.cells.get(`${tenant}\u0000${model}\u0000${pool}`)?.get(Number(day));
      if (c) out.push({ tenant, model, pool, day: Number(day), cost: c.cost, requests: c.requests });
    }
    this.dirty.clear();
    return out;
  }

  report(): CostReportOut {
    const now = this.now();
    const { start, end } = monthBounds(now);
    const firstDay = Math.floor(start / DAY_MS);
    const today = Math.floor(now / DAY_MS);
    const lastDay = Math.floor((end - 1) / DAY_MS);
    // The month's observed span: from the later of month start and first data.
    let firstSeen = Infinity;
    for (const m of this.cells.values()) for (const d of m.keys()) if (d >= firstDay && d <= today) firstSeen = Math.min(firstSeen, d);
    // Data restored from before this process started counts from the start of its first day.
    const observedFrom = Math.max(start, firstSeen < Math.floor(this.startedAtMs / DAY_MS) ? firstSeen * DAY_MS : this.startedAtMs);
    // Only whole observed days feed Holt (a partly observed first day would read as a trend).
    const firstFullDay = Math.max(firstDay, Math.ceil(observedFrom / DAY_MS));
    const completeDays = today - firstFullDay;
    const method: 'linear' | 'holt' = completeDays >= 3 ? 'holt' : 'linear';
    const lines: CostLineOut[] = [];
    for (const [key, m] of this.cells) {
      const [tenant, model, pool] = key.split('\u0000') as [string, string, string];
      let mtd = 0;
      let requests = 0;
      for (const [d, c] of m) if (d >= firstDay && d <= today) { mtd += c.cost; requests += c.requests; }
      if (requests === 0) continue;
      let forecast: number;
      if (method === 'holt') {
        const h = new Holt({ floor: 0 });
        for (let d = firstFullDay; d < today; d++) h.update(m.get(d)?.cost ?? 0);
        const dayFrac = (now - today * DAY_MS) / DAY_MS;
        // Today: what has been spent plus the remainder of the forecast day.
        let rest = Math.max(0, h.mean(1) * (1 - dayFrac));
        for (let k = 1; k <= lastDay - today; k++) rest += Math.max(0, h.mean(k + 1));
        forecast = mtd + rest;
      } else {
        const elapsed = Math.max(now - observedFrom, 60_000);
        forecast = mtd + (mtd / elapsed) * (end - now);
      }
      lines.push({ tenant, model, pool, month_to_date: mtd, forecast_month_end: forecast, requests });
    }
    lines.sort((a, b) => b.month_to_date - a.month_to_date || a.tenant.localeCompare(b.tenant) || a.model.localeCompare(b.model) || a.pool.localeCompare(b.pool));
    return {
      month: monthOf(now),
      lines,
      total_month_to_date: lines.reduce((s, l) => s + l.month_to_date, 0),
      total_forecast_month_end: lines.reduce((s, l) => s + l.forecast_month_end, 0),
      forecast_method: method,
    };
  }

  /** Drop days before last month (memory bound). */
  prune(): void {
    const { start } = monthBounds(this.now());
    const keep = Math.floor(start / DAY_MS) - 31;
    for (const [k, m] of this.cells) {
      for (const d of m.keys()) if (d < keep) m.delete(d);
      if (m.size === 0) this.cells.delete(k);
    }
  }
}
