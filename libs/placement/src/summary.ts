// A compact, per-candidate summary of one decision, cheap enough to take on every request (the
// gateway stores it as the request's decision record, so `switchyard explain <request-id>`
// recomputes nothing). Unlike Placer.explain it runs no score plugins and never re-decides: it
// replays each filter's `filter()` (first rejection wins) and the latency/cost model once per
// candidate, bounded by `limit` candidates (the chosen one is always included). A feasible
// candidate passed over for being at the request's slot limit (slotsPerExecutor) while another
// had a free slot says so.
import type { Candidate, PlacementContext, PlacementRequest, FilterPlugin } from './types.ts';
import { predictCompletionMs, predictCostPerRequest } from './predict.ts';

export interface CandidateSummary {
  executorId: string;
  pool: Candidate['pool'];
  cpuFallback: boolean;
  predictedMs: number;
  costPerRequest: number;
  costPerHour: number;
  feasible: boolean;
  chosen: boolean;
  /** 'chosen', 'feasible', 'slots: ...' (feasible, passed over at the slot limit), or '<filter>: <reason>' of the first filter that rejected it. */
  verdict: string;
  /** The caller's live in-flight count towards the executor (ctx.live), 0 without one. */
  liveInFlight: number;
  /** The table's queue_depth + in_flight. */
  tableLoad: number;
}

export const DEFAULT_SUMMARY_LIMIT = 32;

export function summarizeCandidates(
  filters: readonly FilterPlugin[],
  req: PlacementRequest,
  candidates: readonly Candidate[],
  ctx: PlacementContext,
  chosenId: string | undefined,
  limit = DEFAULT_SUMMARY_LIMIT,
): CandidateSummary[] {
  const out: CandidateSummary[] = [];
  const n = candidates.length;
  for (let i = 0; i < n; i++) {
    const c = candidates[i]!;
    const chosen = c.executor_id === chosenId;
    // keep room for the chosen candidate when the list is cut
    if (!chosen && out.length >= limit - (chosenId !== undefined && !out.some((s) => s.chosen) ? 1 : 0)) continue;
    let verdict = '';
    if (c.pool !== 'POOL_GPU' && c.pool !== 'POOL_CPU') verdict = `pool: unknown pool ${c.pool}`;
    else {
      for (const f of filters) {
        const r = f.filter(req, c, ctx);
        if (!r.ok) { verdict = `${f.name}: ${r.reason}`; break; }
      }
    }
    const feasible = verdict === '';
    out.push({
      executorId: c.executor_id,
      pool: c.pool,
      cpuFallback: c.cpu_fallback,
      predictedMs: predictCompletionMs(c, ctx),
      costPerRequest: predictCostPerRequest(c, ctx),
      costPerHour: c.cost_per_hour,
      feasible,
      chosen,
      verdict: chosen ? 'chosen' : feasible ? 'feasible' : verdict,
      liveInFlight: ctx.live?.inFlight(c.executor_id) ?? 0,
      tableLoad: c.queue_depth + c.in_flight,
    });
  }
  // The slot limit (Placer.decide): full executors were passed over only if a feasible one had room.
  const slots = req.slotsPerExecutor;
  const modelLive = ctx.live?.modelInFlight?.bind(ctx.live);
  if (slots !== undefined && slots > 0 && modelLive !== undefined) {
    const full = (s: CandidateSummary) => modelLive(s.executorId) >= slots;
    if (out.some((s) => s.feasible && !full(s))) {
      for (const s of out) {
        if (s.feasible && !s.chosen && full(s)) s.verdict = `slots: ${modelLive(s.executorId)} in flight for ${req.model} >= ${slots} per executor; passed over for an executor with a free slot`;
      }
    }
  }
  return out;
}
