// Filter `pool-preference`: 'gpu' keeps the GPU pool, 'cpu' the CPU pool, 'auto' both. Executors of
// an unknown pool never pass. A GPU executor in explicit CPU fallback is still a member of the GPU
// pool (deployed, costed and scaled as one): it passes 'gpu', and the fallback never hides — its
// measured service times are CPU speed, and the decision, the response and the metrics say
// `cpu_fallback`.
import type { Candidate, FilterPlugin, PlacementRequest } from '../types.ts';
import { OK } from './healthy.ts';
import { BUILTIN, builtin, KIND_POOL } from './builtin.ts';

export function poolOk(req: PlacementRequest, cand: Candidate): boolean {
  const pool = cand.pool;
  switch (req.poolPreference) {
    case 'gpu': return pool === 'POOL_GPU';
    case 'cpu': return pool === 'POOL_CPU';
    default: return pool === 'POOL_GPU' || pool === 'POOL_CPU';
  }
}

export function poolPreferenceFilter(): FilterPlugin {
  const check = poolOk;
  return builtin({
    [BUILTIN]: { kind: KIND_POOL, param: 0 },
    name: 'pool-preference',
    failCode: 'FAILED_PRECONDITION',
    check,
    passesAll: (req) => req.poolPreference !== 'gpu' && req.poolPreference !== 'cpu',
    filter(req, cand) {
      if (check(req, cand)) return OK;
      if (cand.pool !== 'POOL_GPU' && cand.pool !== 'POOL_CPU') return { ok: false, reason: `executor ${cand.executor_id} is in no known pool (${cand.pool})` };
      return { ok: false, reason: `pool ${cand.pool} does not match pool preference ${req.poolPreference}` };
    },
    explainFailure(req) {
      return `no executor for ${req.model}:${req.version} in the preferred pool (${req.poolPreference})`;
    },
  });
}
