// Filter `healthy`: the executor reports healthy and the request has not excluded it (retry elsewhere).
import type { Candidate, FilterPlugin, FilterResult, PlacementRequest } from '../types.ts';
import { BUILTIN, builtin, KIND_HEALTHY } from './builtin.ts';

export const OK: FilterResult = Object.freeze({ ok: true }) as FilterResult;

export function healthyOk(req: PlacementRequest, cand: Candidate): boolean {
  return cand.healthy && (req.exclude.size === 0 || !req.exclude.has(cand.executor_id));
}

export function healthyFilter(): FilterPlugin {
  const check = healthyOk;
  return builtin({
    [BUILTIN]: { kind: KIND_HEALTHY, param: 0 },
    name: 'healthy',
    failCode: 'UNAVAILABLE',
    check,
    filter(req, cand) {
      if (!cand.healthy) return { ok: false, reason: `executor ${cand.executor_id} is not healthy` };
      if (req.exclude.has(cand.executor_id)) return { ok: false, reason: `executor ${cand.executor_id} is excluded by the request (retry elsewhere)` };
      return OK;
    },
    explainFailure(req, rejected) {
      let excluded = 0;
      for (const c of rejected) if (c.healthy && req.exclude.has(c.executor_id)) excluded++;
      return `no healthy executor for ${req.model}:${req.version}: ${rejected.length - excluded} unhealthy, ${excluded} excluded by the request`;
    },
  });
}
