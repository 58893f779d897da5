// Per-slot insights for the dashboard (pure; the caller ticks it once per slot with the slot
// that just closed): forecast vs actual arrivals (Ensemble of Holt and Holt-Winters from
// @switchyard/forecasting, one step = one slot, season 1 h) and latency anomalies per executor
// (AnomalyScorer from @switchyard/anomaly on each executor's mean latency per slot).
import { Ensemble, Holt, HoltWinters } from '@switchyard/forecasting';
import { AnomalyScorer } from '@switchyard/anomaly';
import { executorKey, type OutcomeLike } from './aggregate.ts';

export interface ForecastPointOut {
  start_ms: number;
  /** Arrivals observed in the slot (null for the slot being forecast). */
  actual: number | null;
  /** One-step-ahead forecast made before the slot started (null before the first). */
  forecast: number | null;
  lower: number | null;
  upper: number | null;
}

export interface AnomalyOut {
  executor_id: string;
  start_ms: number;
  mean_ms: number;
  score: number;
  flag: boolean;
  detail: string;
}

export interface InsightsOptions {
  slotMs?: number;
  /** Slots kept for the dashboard (default 180 = 30 min of 10 s slots). */
  keep?: number;
  /** Season length in slots for Holt-Winters (default 360 = 1 h of 10 s slots). */
  seasonSlots?: number;
}

export class Insights {
  readonly slotMs: number;
  private readonly keep: number;
  private readonly forecaster: Ensemble;
  private pending: { mean: number; lower: number; upper: number } | null = null;
  readonly forecastSeries: ForecastPointOut[] = [];
  private readonly scorers = new Map<string, AnomalyScorer>();
  /** current-slot accumulators: executor -> [sum ms, count] */
  private acc = new Map<string, [number, number]>();
  private arrivals = 0;
  readonly latestScores = new Map<string, AnomalyOut>();
  readonly anomalies: AnomalyOut[] = [];

  constructor(opts: InsightsOptions = {}) {
    this.slotMs = opts.slotMs ?? 10_000;
    this.keep = opts.keep ?? 180;
    const season = opts.seasonSlots ?? 360;
    this.forecaster = new Ensemble(
      [
        { name: 'holt', forecaster: new Holt({ floor: 0 }) },
        { name: 'holt-winters', forecaster: new HoltWinters({ seasonLength: season, floor: 0 }) },
      ],
      { floor: 0 },
    );
  }

  record(o: OutcomeLike): void {
    this.arrivals++;
    if (!o.executor_id || !Number.isFinite(o.latency_ms)) return;
    const k = executorKey(o);
    const a = this.acc.get(k) ?? [0, 0];
    a[0] += o.latency_ms;
    a[1]++;
    this.acc.set(k, a);
  }

  /** Close the slot that started at startMs: feed the forecaster and the anomaly scorers. */
  closeSlot(startMs: number): void {
    const actual = this.arrivals;
    this.arrivals = 0;
    this.forecastSeries.push({ start_ms: startMs, actual, forecast: this.pending?.mean ?? null, lower: this.pending?.lower ?? null, upper: this.pending?.upper ?? null });
    this.forecaster.update(actual);
    const [p] = this.forecaster.forecast(1);
    this.pending = p ? { mean: p.mean, lower: p.lower, upper: p.upper } : null;
    while (this.forecastSeries.length > this.keep) this.forecastSeries.shift();

    for (const [ex, [sum, n]] of this.acc) {
      let s = this.scorers.get(ex);
      if (!s) this.scorers.set(ex, (s = new AnomalyScorer()));
      const mean = sum / n;
      const r = s.update(mean);
      const out: AnomalyOut = { executor_id: ex, start_ms: startMs, mean_ms: mean, score: r.score, flag: r.flag, detail: r.detail };
      this.latestScores.set(ex, out);
      if (r.flag) {
        this.anomalies.push(out);
        while (this.anomalies.length > 50) this.anomalies.shift();
      }
    }
    this.acc = new Map();
  }

  /** The series plus the next slot's forecast. */
  forecastView(): ForecastPointOut[] {
    const last = this.forecastSeries[this.forecastSeries.length - 1];
    const next = last && this.pending ? [{ start_ms: last.start_ms + this.slotMs, actual: null, forecast: this.pending.mean, lower: this.pending.lower, upper: this.pending.upper }] : [];
    return [...this.forecastSeries, ...next];
  }
}
