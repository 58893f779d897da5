// Test and bench helpers: candidates, requests and contexts with sensible defaults.
import type { Candidate, PlacementContext, PlacementRequest } from './types.ts';

export function cand(over: Partial<Candidate> & { executor_id: string }): Candidate {
  return {
    address: `127.0.0.1:7420`,
    pool: 'POOL_CPU',
    region: 'eu-west',
    spiffe_id: `spiffe://switchyard.local/cpu-executor`,
    queue_depth: 0,
    in_flight: 0,
    service_times: [{ batch_size: 1, ms: 10 }],
    cost_per_hour: 0.1,
    healthy: true,
    cpu_fallback: false,
    max_batch_size: 8,
    ...over,
  };
}

export function request(over: Partial<PlacementRequest> = {}): PlacementRequest {
  return { model: 'm', version: '1', poolPreference: 'auto', priority: 0, exclude: new Set(), ...over };
}

/** A context whose random() replays `values` (then 0). */
export function ctxWith(values: number[] = [], over: Partial<PlacementContext> = {}): PlacementContext {
  let i = 0;
  return { nowMs: 0, random: () => (i < values.length ? values[i++]! : 0), ...over };
}

/** Deterministic PRNG (mulberry32) in [0,1). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
