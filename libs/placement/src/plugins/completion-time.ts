// Score `completion-time`: predicted completion in ms (queue wait + service); lower is better.
import type { ScorePlugin } from '../types.ts';
import { predictCompletionMs } from '../predict.ts';
import { fmtMs } from './deadline.ts';

export function completionTimeScore(weight = 1): ScorePlugin {
  return {
    name: 'completion-time',
    weight,
    normalize: 'min-is-best',
    score(_req, cand, ctx) {
      const p = predictCompletionMs(cand, ctx);
      return { value: p, detail: `predicted ${fmtMs(p)} ms` };
    },
  };
}
