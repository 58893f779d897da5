// The scheduler's per-pool autoscaling loop state: measurements from heartbeats -> the predictive
// Autoscaler (@switchyard/autoscaler) with a Holt forecaster (@switchyard/forecasting) -> desired
// replicas. Pure: the caller passes the time and the executors; actuation (local supervisor,
// KEDA) reads the decision.
import { Autoscaler, type AutoscalerConfig, type ScalingDecision } from '@switchyard/autoscaler';
import { Holt } from '@switchyard/forecasting';
import type { Heartbeat__Output } from '@switchyard/proto';

export type PoolEnum = 'POOL_GPU' | 'POOL_CPU';

export interface PoolScalingState {
  pool: PoolEnum;
  current: number;
  ready: number;
  desired: number;
  observedRate: number;
  forecastRate: number;
  serviceRate: number;
  reason: string;
  minReplicas: number;
  maxReplicas: number;
  decidedAtMs: number;
}

export interface PoolScalerOptions extends AutoscalerConfig {
  pool: PoolEnum;
  /** Batches one executor runs at once (its session workers): per-replica rate = concurrency × 1000 / service ms. */
  concurrency?: number;
  /** Holt level smoothing (default 0.5: an autoscaler must follow a step quickly). */
  forecastAlpha?: number;
}

/** Arrival rate (req/s) and the throughput-weighted service time (ms, smallest batch) of a set of executors. */
export function poolLoad(executors: readonly Heartbeat__Output[]): { rate: number; serviceMs: number } {
  let rate = 0, wsum = 0, msum = 0;
  for (const hb of executors) {
    for (const m of hb.models) {
      rate += m.throughput_rps;
      let ms = NaN, bs = Infinity;
      for (const t of m.service_times) if (t.batch_size < bs && t.ms > 0) { bs = t.batch_size; ms = t.ms; }
      if (Number.isFinite(ms) && m.throughput_rps > 0) { wsum += m.throughput_rps; msum += m.throughput_rps * ms; }
    }
  }
  return { rate, serviceMs: wsum > 0 ? msum / wsum : NaN };
}

export class PoolScaler {
  readonly pool: PoolEnum;
  readonly autoscaler: Autoscaler;
  readonly forecaster: Holt;
  readonly concurrency: number;
  #serviceMs = NaN;
  last: PoolScalingState;

  constructor(o: PoolScalerOptions) {
    const { pool, concurrency, forecastAlpha, ...cfg } = o;
    this.pool = pool;
    this.autoscaler = new Autoscaler(cfg);
    this.forecaster = new Holt({ alpha: forecastAlpha ?? 0.5, beta: 0.05, floor: 0, varianceAlpha: 0.2 });
    // Primed with an idle pool: Holt takes its initial trend from its first two points, and a
    // first load step must not become a trend of the whole step per sync period.
    this.forecaster.update(0);
    this.forecaster.update(0);
    this.concurrency = concurrency ?? 1;
    this.last = {
      pool, current: 0, ready: 0, desired: cfg.minReplicas, observedRate: 0, forecastRate: 0, serviceRate: 0,
      reason: 'no decision yet', minReplicas: cfg.minReplicas, maxReplicas: cfg.maxReplicas, decidedAtMs: 0,
    };
  }

  /**
   * One sync: `ready` = this pool's healthy, non-draining executors (their heartbeats);
   * `current` = replicas asked for (ready + starting).
   */
  step(nowMs: number, ready: readonly Heartbeat__Output[], current: number): ScalingDecision & { state: PoolScalingState } {
    const { rate, serviceMs } = poolLoad(ready);
    if (Number.isFinite(serviceMs)) this.#serviceMs = serviceMs;
    // Without a measured service time yet: assume 100 ms (only matters when there is load).
    const sMs = Number.isFinite(this.#serviceMs) ? this.#serviceMs : 100;
    const mu = (this.concurrency * 1000) / sMs;
    const d = this.autoscaler.step(nowMs, rate, mu, this.forecaster, { current, ready: ready.length, utilization: 0, serviceMs: sMs });
    this.forecaster.update(rate);
    this.last = {
      pool: this.pool, current, ready: ready.length, desired: d.desired, observedRate: rate, forecastRate: d.forecastRate, serviceRate: mu,
      reason: d.reason, minReplicas: this.autoscaler.config.minReplicas, maxReplicas: this.autoscaler.config.maxReplicas, decidedAtMs: nowMs,
    };
    return { ...d, state: this.last };
  }
}
