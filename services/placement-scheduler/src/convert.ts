// Mapping between the scheduler's wire messages and the placement core's types.
import { predictCompletionMs, predictCostPerRequest } from '@switchyard/placement';
import type { Candidate, Decision, Explained, PlacementContext, PlacementRequest, RouteIndex } from '@switchyard/placement';
import type { PlaceRequest__Output, PlaceResponse, Explanation } from '@switchyard/proto';


export function toPlacementRequest(req: PlaceRequest__Output, index: RouteIndex): PlacementRequest {
  const pref = req.pool_preference === 'gpu' || req.pool_preference === 'cpu' ? req.pool_preference : 'auto';
  return {
    model: req.model_name,
    version: req.model_version || index.latestVersion(req.model_name) || '',
    ...(req.region ? { region: req.region } : {}),
    poolPreference: pref,
    ...(req.deadline_us > 0 ? { deadlineMs: req.deadline_us / 1000 } : {}),
    priority: req.priority,
    exclude: new Set(req.exclude_executor_ids),
  };
}

export function toPlaceResponse(d: Decision, tableVersion: number, version: string): PlaceResponse {
  const c = d.candidate;
  return {
    placed: d.placed,
    executor_id: c?.executor_id ?? '',
    address: c?.address ?? '',
    pool: d.pool ?? 'POOL_UNSPECIFIED',
    model_version: d.placed ? version : '',
    reason: d.reason,
    table_version: tableVersion,
    spiffe_id: c?.spiffe_id ?? '',
    predicted_ms: Number.isFinite(d.predictedMs) ? d.predictedMs! : 0,
    cost_per_request: d.costPerRequest ?? 0,
    code: d.placed ? '' : (d.code ?? ''),
  };
}

/** The explanation, with the latency/cost model's numbers per candidate (`candidates` in the order explained). */
export function toExplanation(e: Explained, tableVersion: number, version: string, candidates?: readonly Candidate[], ctx?: PlacementContext): Explanation {
  const byId = new Map((candidates ?? []).map((c) => [c.executor_id, c]));
  return {
    decision: toPlaceResponse(e, tableVersion, version),
    candidates: e.candidates.map((c) => {
      const cand = byId.get(c.executorId);
      return {
        executor_id: c.executorId,
        pool: c.pool as 'POOL_GPU' | 'POOL_CPU',
        verdicts: c.verdicts.map((v) => ({ plugin: v.plugin, passed: v.passed, score: v.score, reason: v.reason })),
        total_score: c.total,
        feasible: c.feasible,
        predicted_ms: cand ? predictCompletionMs(cand, ctx) : 0,
        cost_per_request: cand ? predictCostPerRequest(cand, ctx) : 0,
        chosen: e.placed && e.candidate?.executor_id === c.executorId,
      };
    }),
  };
}
