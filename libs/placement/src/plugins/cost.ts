// Score `cost`: cost of the executor time attributed to the request (see predict.ts); lower is better.
import type { ScorePlugin } from '../types.ts';
import { predictCostPerRequest } from '../predict.ts';

export function costScore(weight = 1): ScorePlugin {
  return {
    name: 'cost',
    weight,
    normalize: 'min-is-best',
    score(_req, cand, ctx) {
      const c = predictCostPerRequest(cand, ctx);
      return { value: c, detail: `${c.toExponential(3)} per request at ${cand.cost_per_hour}/h` };
    },
  };
}
