// Types of the placement core. Inputs are the PlacementTable contract's candidates
// (switchyard.scheduler.v1.Candidate, as decoded by @switchyard/proto: keepCase, enums as names).
import type { Candidate__Output } from '@switchyard/proto';

/** One executor that can serve one model version (the generated contract type). */
export type Candidate = Candidate__Output;

export type PoolName = 'POOL_GPU' | 'POOL_CPU';

export interface PlacementRequest {
  model: string;
  version: string;
  /** Required region prefix: 'ae' matches 'ae' and 'ae-*' (never 'aex' or 'eu-*'). Empty/undefined = any. */
  region?: string;
  /** Residency allow-list: each entry matches by the same prefix rule. Empty/undefined = any. */
  allowedRegions?: string[];
  poolPreference: 'auto' | 'gpu' | 'cpu';
  /** Remaining budget in ms; undefined = none. 0 or less = already expired. */
  deadlineMs?: number;
  /** Carried for explain and future queue policies; the default profile does not use it. */
  priority: number;
  /** Executor ids to avoid (retry elsewhere). */
  exclude: ReadonlySet<string>;
  /**
   * The caller's concurrency slots per executor for this model (the gateway's fair-share slots).
   * An executor whose live in-flight count for the model (ctx.live.modelInFlight) has reached it
   * is passed over while another feasible executor has a free slot. Undefined = no limit.
   */
  slotsPerExecutor?: number;
}

export interface LiveLoad {
  /** The caller's own live in-flight count towards this executor. */
  inFlight(executorId: string): number;
  /** The caller's own live in-flight count of the request's model on this executor (for slotsPerExecutor). */
  modelInFlight?(executorId: string): number;
}

export interface PlacementContext {
  nowMs: number;
  /** Uniform in [0,1), injected (tests pass a seeded or scripted generator). */
  random: () => number;
  live?: LiveLoad;
}

export type DecisionCode = 'NOT_FOUND' | 'FAILED_PRECONDITION' | 'RESOURCE_EXHAUSTED' | 'DEADLINE_EXCEEDED' | 'UNAVAILABLE';

export type FilterResult = { ok: true } | { ok: false; reason: string };

export interface FilterPlugin {
  name: string;
  filter(req: PlacementRequest, cand: Candidate, ctx: PlacementContext): FilterResult;
  /**
   * Optional allocation-free fast path with the same verdict as `filter(...).ok`. `decide` uses it
   * when present; reasons are only built on the slow paths (explain, nothing-fits diagnosis).
   */
  check?(req: PlacementRequest, cand: Candidate, ctx: PlacementContext): boolean;
  /**
   * Optional fast path for filters that need the predicted completion (ms, as predictCompletionMs):
   * `decide` computes the prediction once per candidate and passes it. Same verdict as `filter`.
   */
  checkPredicted?(req: PlacementRequest, cand: Candidate, predictedMs: number): boolean;
  /**
   * Optional pre-filter (kube-scheduler PreFilter-like): true when this filter passes every
   * candidate of a known pool (GPU/CPU) for this request, so `decide` can skip it (e.g. no region
   * constraint, no deadline). Must be consistent with `filter`.
   */
  passesAll?(req: PlacementRequest): boolean;
  /** The code reported when this filter is the one that removed the last candidates. Default FAILED_PRECONDITION. */
  failCode?: DecisionCode;
  /** Optional summary of why nothing passed, given the candidates this filter rejected (slow path only). */
  explainFailure?(req: PlacementRequest, rejected: readonly Candidate[], ctx: PlacementContext): string;
}

export interface ScoreValue {
  value: number;
  detail?: string;
}

export interface ScorePlugin {
  name: string;
  weight: number;
  /** Raw score; normalised to 0..100 across the feasible candidates per `normalize`. */
  score(req: PlacementRequest, cand: Candidate, ctx: PlacementContext): ScoreValue;
  /** 'min-is-best' | 'max-is-best' map the feasible range to 100..0 / 0..100; 'none' uses the value as is. Default 'max-is-best'. */
  normalize?: 'min-is-best' | 'max-is-best' | 'none';
}

export interface Profile {
  filters: FilterPlugin[];
  scores: ScorePlugin[];
}

export interface Decision {
  placed: boolean;
  candidate?: Candidate;
  pool?: PoolName;
  /** Human reason: why this pool/executor, or why nothing fits. */
  reason: string;
  code?: DecisionCode;
  /** Predicted completion (queue wait + service) on the chosen executor, or the best seen when the deadline can't be met. */
  predictedMs?: number;
  /** Cost of the executor time attributed to this request (see costPerRequestOf). */
  costPerRequest?: number;
}

export interface Verdict {
  plugin: string;
  passed: boolean;
  /** Filters: 0. Scores: the normalised score (0..100, or the raw value for normalize 'none'). */
  score: number;
  reason: string;
}

export interface CandidateExplanation {
  executorId: string;
  pool: string;
  feasible: boolean;
  verdicts: Verdict[];
  /** Weighted sum of the normalised scores; 0 for infeasible candidates. */
  total: number;
}

export interface Explained extends Decision {
  candidates: CandidateExplanation[];
}
