// Scaling policies behind one interface: the predictive Autoscaler (forecast + queueing model),
// a Kubernetes-HPA-like ReactivePolicy and a StaticPolicy. Pure: the caller passes the time,
// the measurements and the forecaster; nothing here reads a clock.
import type { Forecaster } from '@switchyard/forecasting';
import { requiredReplicas, type ServiceModel } from './queueing.ts';

/** What the caller knows about the pool right now. */
export interface PoolState {
  /** Replicas asked for so far (ready + starting): the scale target the policy last set. */
  current: number;
  /** Replicas serving now. */
  ready: number;
  /** Busy fraction of the ready replicas over the last sync period, [0, 1] (HPA's metric). */
  utilization: number;
  /** Latency of one service at the likely batch size (ms), for the SLO check; default 1000 / serviceRate. */
  serviceMs?: number;
}

export interface ScalingDecision {
  desired: number;
  reason: string;
  /** The arrival rate (req/s) the decision sized for (the reactive/static policies: the observed rate). */
  forecastRate: number;
  /**
   * Rate (req/s) this pool cannot absorb right now because it is growing and its ready capacity
   * is short: what the spill pool (CPU) must take until the new replicas are up. 0 otherwise.
   */
  spillRate: number;
}

export interface ScalingPolicy {
  readonly name: string;
  /**
   * One evaluation. observedRate: arrivals per second over the last sync period; serviceRate:
   * per-replica service rate estimate (req/s; with batching, at the likely batch size);
   * forecaster: fed by the caller at its own fixed step (ignored by reactive/static).
   */
  step(nowMs: number, observedRate: number, serviceRate: number, forecaster?: Forecaster, state?: PoolState): ScalingDecision;
}

function checkBounds(where: string, min: number, max: number): void {
  if (!Number.isInteger(min) || min < 0) throw new RangeError(`${where}: minReplicas must be a whole number >= 0, got ${String(min)}`);
  if (!Number.isInteger(max) || max < Math.max(1, min)) throw new RangeError(`${where}: maxReplicas must be a whole number >= max(1, minReplicas), got ${String(max)}`);
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/**
 * HPA-style stabilization over a window of recommendations: scale up only to the smallest
 * recommendation of the up window, down only to the largest of the down window.
 */
class Stabilizer {
  #t: number[] = [];
  #r: number[] = [];
  readonly upMs: number;
  readonly downMs: number;
  constructor(upS: number, downS: number) {
    this.upMs = upS * 1000;
    this.downMs = downS * 1000;
  }
  apply(nowMs: number, current: number, rec: number): number {
    this.#t.push(nowMs);
    this.#r.push(rec);
    const keep = Math.max(this.upMs, this.downMs);
    let drop = 0;
    while (drop < this.#t.length && this.#t[drop]! < nowMs - keep) drop++;
    if (drop) { this.#t.splice(0, drop); this.#r.splice(0, drop); }
    let upMin = Infinity, downMax = -Infinity;
    for (let i = 0; i < this.#t.length; i++) {
      const age = nowMs - this.#t[i]!;
      const r = this.#r[i]!;
      if (age <= this.upMs && r < upMin) upMin = r;
      if (age <= this.downMs && r > downMax) downMax = r;
    }
    if (current < upMin) return upMin;
    if (current > downMax) return downMax;
    return current;
  }
}

// ---------------------------------------------------------------------------------------------

export interface AutoscalerConfig {
  minReplicas: number;
  maxReplicas: number;
  /** Quantile of the forecast to size for (default 0.95). */
  targetQuantile?: number;
  sloMs: number;
  /** e.g. 0.99 for p99 (default 0.99). */
  sloPercentile?: number;
  /** Maximum utilisation (default 0.85). */
  utilCap?: number;
  /** Default 'deterministic' (see queueing.ts). */
  serviceModel?: ServiceModel;
  /** Replica start time: the pool is sized for the forecast up to now + startupSeconds (+ one sync period). */
  startupSeconds: number;
  /** Step at which the caller feeds the forecaster (default 60 s). */
  forecastStepS?: number;
  /** How often step() is called (default 15 s); part of the look-ahead. */
  syncPeriodS?: number;
  /** Default 0: scale up at once. */
  upscaleStabilizationS?: number;
  /** Default 300 (as HPA); predictive can afford less. */
  downscaleStabilizationS?: number;
  /** Most replicas added / removed per step (default unlimited). */
  maxStepUp?: number;
  maxStepDown?: number;
}

/**
 * Predictive autoscaler for one (pool, model-or-all). Rate sized for:
 *   λ = max(observedRate, max_{h=1..H} forecaster.quantile(h, targetQuantile)),
 *   H = ceil((startupSeconds + syncPeriodS) / forecastStepS)
 * (replicas started now serve from now + startup; until then the replicas already asked for must
 * cover every step of the window, hence the max over it; the observed rate guards against
 * forecast lag on bursts). desired = requiredReplicas(λ, μ, SLO) then stabilization, step limits
 * and [min, max]. spillRate = max(0, λ - ready·μ·utilCap) while the pool is growing
 * (desired > ready): what the CPU pool must absorb until the new replicas are serving.
 */
export class Autoscaler implements ScalingPolicy {
  readonly name = 'predictive';
  readonly config: Readonly<Required<Omit<AutoscalerConfig, 'maxStepUp' | 'maxStepDown'>> & { maxStepUp: number; maxStepDown: number }>;
  #stab: Stabilizer;
  #last: number;

  constructor(c: AutoscalerConfig) {
    checkBounds('Autoscaler', c.minReplicas, c.maxReplicas);
    const r = {
      minReplicas: c.minReplicas, maxReplicas: c.maxReplicas, targetQuantile: c.targetQuantile ?? 0.95, sloMs: c.sloMs,
      sloPercentile: c.sloPercentile ?? 0.99, utilCap: c.utilCap ?? 0.85, serviceModel: c.serviceModel ?? 'deterministic',
      startupSeconds: c.startupSeconds, forecastStepS: c.forecastStepS ?? 60, syncPeriodS: c.syncPeriodS ?? 15,
      upscaleStabilizationS: c.upscaleStabilizationS ?? 0, downscaleStabilizationS: c.downscaleStabilizationS ?? 300,
      maxStepUp: c.maxStepUp ?? Infinity, maxStepDown: c.maxStepDown ?? Infinity,
    };
    if (!(r.targetQuantile > 0 && r.targetQuantile < 1)) throw new RangeError(`Autoscaler: targetQuantile must be in (0, 1), got ${String(r.targetQuantile)}`);
    if (!(r.sloMs > 0)) throw new RangeError(`Autoscaler: sloMs must be > 0, got ${String(r.sloMs)}`);
    if (!(r.startupSeconds >= 0)) throw new RangeError(`Autoscaler: startupSeconds must be >= 0, got ${String(r.startupSeconds)}`);
    if (!(r.forecastStepS > 0) || !(r.syncPeriodS > 0)) throw new RangeError('Autoscaler: forecastStepS and syncPeriodS must be > 0');
    if (!(r.maxStepUp >= 1) || !(r.maxStepDown >= 1)) throw new RangeError('Autoscaler: maxStepUp/maxStepDown must be >= 1');
    this.config = Object.freeze(r);
    this.#stab = new Stabilizer(r.upscaleStabilizationS, r.downscaleStabilizationS);
    this.#last = r.minReplicas;
  }

  /** Forecast steps looked at: 1..H. */
  get horizonSteps(): number {
    const c = this.config;
    return Math.max(1, Math.ceil((c.startupSeconds + c.syncPeriodS) / c.forecastStepS));
  }

  /** The rate to size for (see the class comment). */
  forecastRate(observedRate: number, forecaster?: Forecaster): number {
    let f = observedRate;
    if (forecaster !== undefined && forecaster.count > 0) {
      const H = this.horizonSteps;
      for (let h = 1; h <= H; h++) {
        const q = forecaster.quantile(h, this.config.targetQuantile);
        if (q > f) f = q;
      }
    }
    return f;
  }

  step(nowMs: number, observedRate: number, serviceRate: number, forecaster?: Forecaster, state?: PoolState): ScalingDecision {
    const c = this.config;
    if (!Number.isFinite(observedRate) || observedRate < 0) throw new RangeError(`Autoscaler.step: observedRate must be a finite number >= 0, got ${String(observedRate)}`);
    if (!Number.isFinite(serviceRate) || serviceRate <= 0) throw new RangeError(`Autoscaler.step: serviceRate must be a finite number > 0, got ${String(serviceRate)}`);
    const current = state?.current ?? this.#last;
    const lambda = this.forecastRate(observedRate, forecaster);
    const sz = requiredReplicas(lambda, serviceRate, {
      sloMs: c.sloMs, sloPercentile: c.sloPercentile, utilCap: c.utilCap, serviceModel: c.serviceModel, maxReplicas: c.maxReplicas, serviceMs: state?.serviceMs,
    });
    const rec = clamp(sz.replicas, c.minReplicas, c.maxReplicas);
    let desired = this.#stab.apply(nowMs, current, rec);
    if (desired > current + c.maxStepUp) desired = current + c.maxStepUp;
    if (desired < current - c.maxStepDown) desired = current - c.maxStepDown;
    desired = clamp(desired, c.minReplicas, c.maxReplicas);
    const ready = state?.ready ?? current;
    const spillRate = desired > ready ? Math.max(0, lambda - ready * serviceRate * c.utilCap) : 0;
    let why: string;
    if (desired > current) why = 'scale up';
    else if (desired < current) why = 'scale down';
    else if (rec < current) why = 'hold (downscale stabilization)';
    else if (rec > current) why = 'hold (upscale stabilization)';
    else why = 'steady';
    const reason = `${why}: sized for ${lambda.toFixed(2)} req/s (observed ${observedRate.toFixed(2)}, q${c.targetQuantile} over ${this.horizonSteps} step(s)) at ${serviceRate.toFixed(2)} req/s/replica -> ${sz.replicas} for p${Math.round(c.sloPercentile * 1000) / 10} <= ${c.sloMs} ms${sz.feasible ? '' : ' (SLO not reachable)'}`;
    this.#last = desired;
    return { desired, reason, forecastRate: lambda, spillRate };
  }
}

// ---------------------------------------------------------------------------------------------

export interface ReactiveConfig {
  minReplicas: number;
  maxReplicas: number;
  /** Target busy fraction (default 0.7). */
  targetUtilization?: number;
  /** No change while |util/target - 1| <= tolerance (default 0.1). */
  tolerance?: number;
  /** Default 15 s: calls closer together than this repeat the last decision. */
  syncPeriodS?: number;
  /** Default 300 s. */
  downscaleStabilizationS?: number;
  /** HPA default scale-up policy: per sync period, at most max(scaleUpPods, scaleUpPercent% of current) more (4, 100). */
  scaleUpPods?: number;
  scaleUpPercent?: number;
}

/**
 * Modelled on the Kubernetes HPA: every sync period, desired = ceil(current × util / target)
 * (skipped within the tolerance; replicas not ready yet count as 0 % busy), scale-up limited to max(4 pods, +100 %) per period, downscale
 * to the largest recommendation of the last 300 s. Uses only the utilization it is given.
 */
export class ReactivePolicy implements ScalingPolicy {
  readonly name = 'reactive';
  readonly config: Readonly<Required<ReactiveConfig>>;
  #stab: Stabilizer;
  #lastAt = -Infinity;
  #last: ScalingDecision | undefined;

  constructor(c: ReactiveConfig) {
    checkBounds('ReactivePolicy', c.minReplicas, c.maxReplicas);
    const r: Required<ReactiveConfig> = {
      minReplicas: c.minReplicas, maxReplicas: c.maxReplicas, targetUtilization: c.targetUtilization ?? 0.7, tolerance: c.tolerance ?? 0.1,
      syncPeriodS: c.syncPeriodS ?? 15, downscaleStabilizationS: c.downscaleStabilizationS ?? 300, scaleUpPods: c.scaleUpPods ?? 4, scaleUpPercent: c.scaleUpPercent ?? 100,
    };
    if (!(r.targetUtilization > 0 && r.targetUtilization <= 1)) throw new RangeError(`ReactivePolicy: targetUtilization must be in (0, 1], got ${String(r.targetUtilization)}`);
    this.config = Object.freeze(r);
    this.#stab = new Stabilizer(0, r.downscaleStabilizationS);
  }

  step(nowMs: number, observedRate: number, _serviceRate: number, _forecaster?: Forecaster, state?: PoolState): ScalingDecision {
    const c = this.config;
    if (this.#last !== undefined && nowMs - this.#lastAt < c.syncPeriodS * 1000) return this.#last;
    const current = state?.current ?? this.#last?.desired ?? c.minReplicas;
    const util = state?.utilization ?? 0;
    // Replicas not ready yet count as 0 % busy (what HPA does for unready pods when scaling up).
    const ready = Math.min(state?.ready ?? current, current);
    const ratio = (ready * util) / (current * c.targetUtilization);
    let rec: number;
    let why: string;
    if (current === 0) { rec = c.minReplicas > 0 ? c.minReplicas : observedRate > 0 ? 1 : 0; why = 'from zero'; }
    else if (Math.abs(ratio - 1) <= c.tolerance) { rec = current; why = `within tolerance (util ${util.toFixed(3)})`; }
    else { rec = Math.ceil(current * ratio - 1e-9); why = `util ${util.toFixed(3)} vs target ${c.targetUtilization}`; }
    rec = clamp(rec, c.minReplicas, c.maxReplicas);
    let desired = this.#stab.apply(nowMs, current, rec);
    const upLimit = current + Math.max(c.scaleUpPods, Math.ceil((current * c.scaleUpPercent) / 100));
    if (desired > upLimit) desired = upLimit;
    desired = clamp(desired, c.minReplicas, c.maxReplicas);
    const d: ScalingDecision = {
      desired, forecastRate: observedRate, spillRate: 0,
      reason: `${desired > current ? 'scale up' : desired < current ? 'scale down' : rec < current ? 'hold (downscale stabilization)' : 'steady'}: ${why} -> ${rec}`,
    };
    this.#last = d;
    this.#lastAt = nowMs;
    return d;
  }
}

/** Fixed replica count: the baseline. */
export class StaticPolicy implements ScalingPolicy {
  readonly name = 'static';
  readonly replicas: number;
  constructor(c: { replicas: number }) {
    if (!Number.isInteger(c.replicas) || c.replicas < 0) throw new RangeError(`StaticPolicy: replicas must be a whole number >= 0, got ${String(c.replicas)}`);
    this.replicas = c.replicas;
  }
  step(_nowMs: number, observedRate: number): ScalingDecision {
    return { desired: this.replicas, reason: `static ${this.replicas}`, forecastRate: observedRate, spillRate: 0 };
  }
}
