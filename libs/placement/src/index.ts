// @switchyard/placement: the pure placement decision core (kube-scheduler-framework shaped),
// shared by the gateway's per-request fast path and the placement-scheduler's Place/Explain.
export type {
  Candidate, PoolName, PlacementRequest, LiveLoad, PlacementContext, DecisionCode, FilterResult, FilterPlugin,
  ScoreValue, ScorePlugin, Profile, Decision, Verdict, CandidateExplanation, Explained,
} from './types.ts';
export { Placer } from './placer.ts';
export { defaultProfile } from './profile.ts';
export {
  predictCompletionMs, costPerRequestOf, serviceTimeMs, queueWaitMs, likelyBatchSize, executorMsPerRequest,
  predictCostPerRequest, DEFAULT_SERVICE_MS,
} from './predict.ts';
export { indexTable, RouteIndex } from './route-index.ts';
export { regionMatches, regionFilter } from './plugins/region.ts';
export { healthyFilter } from './plugins/healthy.ts';
export { poolPreferenceFilter } from './plugins/pool-preference.ts';
export { queueBoundFilter, queueBoundOf, DEFAULT_QUEUE_FACTOR } from './plugins/queue-bound.ts';
export { deadlineFilter } from './plugins/deadline.ts';
export { completionTimeScore } from './plugins/completion-time.ts';
export { costScore } from './plugins/cost.ts';
export { sloSlackScore } from './plugins/slo-slack.ts';
export { warmScore } from './plugins/warm.ts';
export { summarizeCandidates, DEFAULT_SUMMARY_LIMIT, type CandidateSummary } from './summary.ts';
