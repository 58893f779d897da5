// Ready-made policy pairs (GPU pool, CPU pool) for the three strategies compared in
// docs/autoscaling.md, and a helper to run one scenario.
import { Autoscaler, ReactivePolicy, StaticPolicy, requiredReplicas, type ScalingPolicy } from '@switchyard/autoscaler';
import { serviceTimeMs, type Candidate } from '@switchyard/placement';
import type { PoolSpec } from './simulate.ts';

export type PolicyKind = 'predictive' | 'reactive' | 'static';
export const POLICY_KINDS: readonly PolicyKind[] = ['predictive', 'reactive', 'static'];

export interface PolicyOptions {
  sloMs: number;
  gpu: PoolSpec;
  cpu: PoolSpec;
  /** Predictive: forecast quantile (default 0.95). */
  targetQuantile?: number;
  /** Predictive: downscale stabilization (default 120 s). */
  downscaleStabilizationS?: number;
  /** Predictive: utilisation cap (default 0.85). */
  utilCap?: number;
  /** Reactive: target busy fraction (default 0.7). */
  targetUtilization?: number;
  /** Static: GPU replicas (default: sized by the queueing model for peakRate, best feasible batch size). */
  staticGpu?: number;
  staticCpu?: number;
  /** Peak arrival rate (req/s) of the trace, for the static default. */
  peakRate?: number;
  forecastStepS?: number;
  syncS?: number;
}

export function makePolicies(kind: PolicyKind, o: PolicyOptions): { gpu: ScalingPolicy; cpu: ScalingPolicy } {
  const sync = o.syncS ?? 15;
  if (kind === 'predictive') {
    const common = { sloMs: o.sloMs, sloPercentile: 0.99, targetQuantile: o.targetQuantile ?? 0.95, utilCap: o.utilCap ?? 0.85, syncPeriodS: sync, forecastStepS: o.forecastStepS ?? 60, downscaleStabilizationS: o.downscaleStabilizationS ?? 120 };
    return {
      gpu: new Autoscaler({ ...common, minReplicas: Math.min(1, o.gpu.maxReplicas), maxReplicas: Math.max(1, o.gpu.maxReplicas), startupSeconds: o.gpu.startupS }),
      cpu: new Autoscaler({ ...common, minReplicas: Math.min(1, o.cpu.maxReplicas), maxReplicas: Math.max(1, o.cpu.maxReplicas), startupSeconds: o.cpu.startupS }),
    };
  }
  if (kind === 'reactive') {
    const t = o.targetUtilization ?? 0.7;
    return {
      gpu: new ReactivePolicy({ minReplicas: Math.min(1, o.gpu.maxReplicas), maxReplicas: Math.max(1, o.gpu.maxReplicas), targetUtilization: t, syncPeriodS: sync }),
      cpu: new ReactivePolicy({ minReplicas: Math.min(1, o.cpu.maxReplicas), maxReplicas: Math.max(1, o.cpu.maxReplicas), targetUtilization: t, syncPeriodS: sync }),
    };
  }
  let g = o.staticGpu;
  if (g === undefined) {
    // Size for the peak with the queueing model at the batch size that needs the fewest replicas
    // while its service time still fits the SLO (the most generous fixed fleet that meets it).
    const proto = { pool: 'POOL_GPU', cpu_fallback: false, service_times: o.gpu.serviceTimes, max_batch_size: o.gpu.maxBatch } as unknown as Candidate;
    let best = Math.max(1, o.gpu.maxReplicas);
    for (let b = 1; b <= o.gpu.maxBatch; b++) {
      const ms = serviceTimeMs(proto, b);
      const sz = requiredReplicas(o.peakRate ?? 1, (1000 * b) / ms, { sloMs: o.sloMs, sloPercentile: 0.99, utilCap: 0.85, serviceMs: ms, maxReplicas: Math.max(1, o.gpu.maxReplicas) });
      if (sz.feasible && sz.replicas < best) best = sz.replicas;
    }
    g = best;
  }
  return {
    gpu: new StaticPolicy({ replicas: Math.min(g, o.gpu.maxReplicas) }),
    cpu: new StaticPolicy({ replicas: Math.min(o.staticCpu ?? Math.min(1, o.cpu.maxReplicas), o.cpu.maxReplicas) }),
  };
}

/** Highest arrival rate (req/s) over any window of `windowS` seconds aligned to the window (arrivals in ms, sorted). */
export function peakRate(arrivals: Float64Array | readonly number[], windowS = 60): number {
  if (arrivals.length === 0) return 0;
  const w = windowS * 1000;
  const t0 = arrivals[0]!;
  let best = 0, cur = 0, bucket = 0;
  for (let i = 0; i < arrivals.length; i++) {
    const b = Math.floor((arrivals[i]! - t0) / w);
    if (b !== bucket) { if (cur > best) best = cur; cur = 0; bucket = b; }
    cur++;
  }
  if (cur > best) best = cur;
  return best / windowS;
}
