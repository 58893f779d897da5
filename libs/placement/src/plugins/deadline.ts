// Filter `deadline`: with a deadline, the predicted completion (queue wait + service, see
// predict.ts) must be <= the remaining budget. No deadline: always passes. An expired budget
// (<= 0) fails everything.
import type { Candidate, FilterPlugin, PlacementContext, PlacementRequest } from '../types.ts';
import { predictCompletionMs } from '../predict.ts';
import { OK } from './healthy.ts';

export function fmtMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

export function deadlineFilter(): FilterPlugin {
  const check = (req: PlacementRequest, cand: Candidate, ctx: PlacementContext): boolean => {
    const d = req.deadlineMs;
    return d === undefined || predictCompletionMs(cand, ctx) <= d;
  };
  return {
    name: 'deadline',
    failCode: 'DEADLINE_EXCEEDED',
    check,
    passesAll: (req) => req.deadlineMs === undefined,
    checkPredicted(req, _cand, predictedMs) {
      const d = req.deadlineMs;
      return d === undefined || predictedMs <= d;
    },
    filter(req, cand, ctx) {
      const d = req.deadlineMs;
      if (d === undefined) return OK;
      const p = predictCompletionMs(cand, ctx);
      if (p <= d) return OK;
      return { ok: false, reason: `predicted ${fmtMs(p)} ms > deadline ${fmtMs(d)} ms` };
    },
    explainFailure(req, rejected, ctx) {
      let best = Infinity;
      let bestC: Candidate | undefined;
      for (const c of rejected) {
        const p = predictCompletionMs(c, ctx);
        if (p < best) { best = p; bestC = c; }
      }
      const d = req.deadlineMs ?? 0;
      if (d <= 0) return `the deadline has already passed (${fmtMs(d)} ms left)`;
      return `no executor can meet the deadline: best predicted ${fmtMs(best)} ms (${bestC?.executor_id}, ${bestC?.pool}) > deadline ${fmtMs(d)} ms`;
    },
  };
}
