// Score `slo-slack`: deadline minus predicted completion (ms); more slack is better. Without a
// deadline every candidate scores 0 (no preference).
import type { ScorePlugin } from '../types.ts';
import { predictCompletionMs } from '../predict.ts';
import { fmtMs } from './deadline.ts';

export function sloSlackScore(weight = 1): ScorePlugin {
  return {
    name: 'slo-slack',
    weight,
    normalize: 'max-is-best',
    score(req, cand, ctx) {
      if (req.deadlineMs === undefined) return { value: 0, detail: 'no deadline' };
      const slack = req.deadlineMs - predictCompletionMs(cand, ctx);
      return { value: slack, detail: `slack ${fmtMs(slack)} ms` };
    },
  };
}
