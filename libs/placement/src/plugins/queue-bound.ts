// Filter `queue-bound`: the executor's queue is below a bound, factor x max(1, max_batch_size)
// (default factor 8): beyond it the executor is saturated and would only grow its queue.
import type { Candidate, FilterPlugin } from '../types.ts';
import { OK } from './healthy.ts';
import { BUILTIN, builtin, KIND_QUEUE } from './builtin.ts';

export const DEFAULT_QUEUE_FACTOR = 8;

export function queueBoundOf(cand: Candidate, factor = DEFAULT_QUEUE_FACTOR): number {
  return factor * (cand.max_batch_size >= 1 ? cand.max_batch_size : 1);
}

export function queueOk(cand: Candidate, factor: number): boolean {
  return cand.queue_depth < factor * (cand.max_batch_size >= 1 ? cand.max_batch_size : 1);
}

export function queueBoundFilter(opts: { factor?: number } = {}): FilterPlugin {
  const factor = opts.factor ?? DEFAULT_QUEUE_FACTOR;
  const check = (_req: unknown, cand: Candidate): boolean => queueOk(cand, factor);
  return builtin({
    [BUILTIN]: { kind: KIND_QUEUE, param: factor },
    name: 'queue-bound',
    failCode: 'RESOURCE_EXHAUSTED',
    check,
    filter(req, cand) {
      if (check(req, cand)) return OK;
      return { ok: false, reason: `queue depth ${cand.queue_depth} >= bound ${queueBoundOf(cand, factor)} (${factor} x max batch ${cand.max_batch_size})` };
    },
    explainFailure(req, rejected) {
      return `every executor for ${req.model}:${req.version} is saturated (${rejected.length} at or over their queue bound of ${factor} x max batch size)`;
    },
  });
}
