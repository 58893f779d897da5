// The placement decision, shaped like the kube-scheduler framework: filter plugins decide
// feasibility, score plugins rank (shown by explain), and the decision rule of the design guide
// picks the pool and the executor:
//   1. among feasible candidates (the deadline filter keeps only those predicted to meet the
//      deadline), choose the CHEAPEST POOL: pool cost = the lowest cost per request of its feasible
//      executors (predict.ts); equal costs (within 1e-9 relative) -> the faster pool (lowest
//      predicted completion);
//      With `req.slotsPerExecutor` (the gateway's fair-share slots per executor), executors whose
//      live in-flight count for the model (ctx.live.modelInFlight) has reached it are passed over
//      while a feasible executor with a free slot exists: cost decides among executors with room,
//      so a request admitted to a free slot does not queue behind the caller's other requests on a
//      busy executor while another sits idle. When every feasible executor is at its limit (a pool
//      preference, an ejection), the rule applies to all of them;
//   2. inside that pool pick the executor by POWER OF TWO CHOICES on live in-flight counts
//      (ctx.live.inFlight if given, else the table's in_flight + queue_depth), drawing two distinct
//      feasible executors with ctx.random; ties -> lower predicted completion, then the first draw.
// Nothing feasible: the filters are replayed as a funnel in profile order, and the filter that
// removed the last survivors names the code and the reason (region -> FAILED_PRECONDITION,
// healthy -> UNAVAILABLE, queue-bound -> RESOURCE_EXHAUSTED, deadline -> DEADLINE_EXCEEDED with the
// best predicted time); no candidates at all -> NOT_FOUND.
//
// decide() allocates only the Decision (and its reason string): per-candidate state lives in
// scratch typed arrays owned by the Placer (so a Placer is not re-entrant; decide is synchronous,
// which is all a single JS thread needs). Fast path: filters that declare `passesAll(req)` are
// skipped for requests they cannot reject (no region, no deadline, pool 'auto'); the built-in
// filters' predicates are called directly (no megamorphic plugin call); the deadline filter gets
// the prediction computed once per candidate (`checkPredicted`). Explain and the nothing-fits
// diagnosis use each plugin's full `filter()`; tests check that both agree.
import type {
  Candidate, CandidateExplanation, Decision, DecisionCode, Explained, FilterPlugin, PlacementContext,
  PlacementRequest, PoolName, ScorePlugin, Verdict,
} from './types.ts';
import { costPerRequestOf, estimate, scratch, predictCompletionMs } from './predict.ts';
import { defaultProfile } from './profile.ts';
import { fmtMs } from './plugins/deadline.ts';
import { BUILTIN, KIND_HEALTHY, KIND_POOL, KIND_QUEUE, KIND_REGION } from './plugins/builtin.ts';
import type { BuiltinTag } from './plugins/builtin.ts';
import { regionOk } from './plugins/region.ts';
import { poolOk } from './plugins/pool-preference.ts';
import { healthyOk } from './plugins/healthy.ts';
import { queueOk } from './plugins/queue-bound.ts';

type Check = (req: PlacementRequest, cand: Candidate, ctx: PlacementContext) => boolean;
type PredCheck = (req: PlacementRequest, cand: Candidate, predictedMs: number) => boolean;

const NONE = 0, GPU = 1, CPU = 2;

function fmtCost(c: number): string {
  return c === 0 ? '0' : c.toExponential(2);
}

function poolWord(p: PoolName): string {
  return p === 'POOL_GPU' ? 'gpu' : 'cpu';
}

// Per-pool tallies: count, lowest cost per request and lowest predicted completion.
const T_GPU_N = 0, T_CPU_N = 1, T_GPU_COST = 2, T_CPU_COST = 3, T_GPU_PRED = 4, T_CPU_PRED = 5;

/** Counts one feasible executor of pool `code` (GPU or CPU) in the tallies. */
function tally(t: Float64Array, code: number, cost: number, pred: number): void {
  const g = code === GPU;
  t[g ? T_GPU_N : T_CPU_N]!++;
  const ci = g ? T_GPU_COST : T_CPU_COST, pi = g ? T_GPU_PRED : T_CPU_PRED;
  if (cost < t[ci]!) t[ci] = cost;
  if (pred < t[pi]!) t[pi] = pred;
}

export class Placer {
  readonly filters: readonly FilterPlugin[];
  readonly scores: readonly ScorePlugin[];
  #checks: Check[];
  #kinds: number[] = [];
  #params: number[] = [];
  #activeKinds = new Int8Array(16);
  #activeParams = new Float64Array(16);
  #checkSkip: Array<((req: PlacementRequest) => boolean) | undefined>;
  #predChecks: PredCheck[];
  #predSkip: Array<((req: PlacementRequest) => boolean) | undefined>;
  #active: Check[] = [];
  #activePred: PredCheck[] = [];
  #pool = new Uint8Array(64);
  #pred = new Float64Array(64);
  #full = new Uint8Array(64);
  #cost = new Float64Array(64);
  /** Per-pool tallies of the feasible executors (T_* slots), reused by every decision. */
  readonly #tally = new Float64Array(6);

  constructor(profile?: { filters?: FilterPlugin[]; scores?: ScorePlugin[] }) {
    const def = profile?.filters === undefined || profile.scores === undefined ? defaultProfile() : undefined;
    this.filters = [...(profile?.filters ?? def!.filters)];
    this.scores = [...(profile?.scores ?? def!.scores)];
    // Fast-path verdicts: checks that need only the candidate run first (in profile order), then
    // the ones that take the prediction, computed once per candidate that got that far.
    this.#checks = [];
    this.#checkSkip = [];
    this.#predChecks = [];
    this.#predSkip = [];
    for (const f of this.filters) {
      const skip = f.passesAll?.bind(f);
      if (f.checkPredicted !== undefined) { this.#predChecks.push(f.checkPredicted.bind(f)); this.#predSkip.push(skip); }
      else {
        this.#checks.push(f.check !== undefined ? f.check.bind(f) : (r, x, ctx) => f.filter(r, x, ctx).ok);
        this.#checkSkip.push(skip);
        const tag = (f as { [BUILTIN]?: BuiltinTag })[BUILTIN];
        this.#kinds.push(tag?.kind ?? 0);
        this.#params.push(tag?.param ?? 0);
      }
    }
  }

  decide(req: PlacementRequest, candidates: readonly Candidate[], ctx: PlacementContext): Decision {
    const n = candidates.length;
    if (n === 0) {
      return { placed: false, code: 'NOT_FOUND', reason: `no executor serves model '${req.model}' version '${req.version}'` };
    }
    if (this.#pool.length < n) {
      const size = Math.max(n, this.#pool.length * 2);
      this.#pool = new Uint8Array(size);
      this.#pred = new Float64Array(size);
      this.#full = new Uint8Array(size);
      this.#cost = new Float64Array(size);
    }
    const poolArr = this.#pool, predArr = this.#pred, fullArr = this.#full, costArr = this.#cost;
    // Slot limit: executors at the caller's per-executor slot count for this model.
    const slots = req.slotsPerExecutor;
    const live = ctx.live;
    const slotted = slots !== undefined && slots > 0 && live !== undefined && live.modelInFlight !== undefined;
    // Pre-filter: drop the checks that pass everything for this request (no allocation: the
    // active lists are reused).
    const checks = this.#active, predChecks = this.#activePred;
    if (this.#activeKinds.length < this.#checks.length) {
      this.#activeKinds = new Int8Array(this.#checks.length);
      this.#activeParams = new Float64Array(this.#checks.length);
    }
    const kinds = this.#activeKinds, params = this.#activeParams;
    let nf = 0, np = 0;
    for (let k = 0; k < this.#checks.length; k++) {
      const skip = this.#checkSkip[k];
      if (skip === undefined || !skip(req)) {
        kinds[nf] = this.#kinds[k]!;
        params[nf] = this.#params[k]!;
        checks[nf++] = this.#checks[k]!;
      }
    }
    for (let k = 0; k < this.#predChecks.length; k++) {
      const skip = this.#predSkip[k];
      if (skip === undefined || !skip(req)) predChecks[np++] = this.#predChecks[k]!;
    }
    let nFull = 0;
    const t = this.#tally;
    t[T_GPU_N] = 0; t[T_CPU_N] = 0; t[T_GPU_COST] = Infinity; t[T_CPU_COST] = Infinity; t[T_GPU_PRED] = Infinity; t[T_CPU_PRED] = Infinity;
    for (let i = 0; i < n; i++) {
      const c = candidates[i]!;
      poolArr[i] = NONE;
      const pool = c.pool;
      const code = pool === 'POOL_GPU' ? GPU : pool === 'POOL_CPU' ? CPU : NONE;
      if (code === NONE) continue;
      let ok = true;
      for (let k = 0; k < nf; k++) {
        let pass: boolean;
        switch (kinds[k]) {
          case KIND_REGION: pass = regionOk(req, c); break;
          case KIND_POOL: pass = poolOk(req, c); break;
          case KIND_HEALTHY: pass = healthyOk(req, c); break;
          case KIND_QUEUE: pass = queueOk(c, params[k]!); break;
          default: pass = checks[k]!(req, c, ctx);
        }
        if (!pass) { ok = false; break; }
      }
      if (!ok) continue;
      const pred = estimate(c, ctx);
      for (let k = 0; k < np; k++) if (!predChecks[k]!(req, c, pred)) { ok = false; break; }
      if (!ok) continue;
      const cost = costPerRequestOf(c, scratch.execMsPerRequest);
      predArr[i] = pred;
      costArr[i] = cost;
      poolArr[i] = code;
      const full = slotted && live!.modelInFlight!(c.executor_id) >= slots!;
      fullArr[i] = full ? 1 : 0;
      if (full) { nFull++; continue; }
      tally(t, code, cost, pred);
    }
    let slotNote = '';
    if (nFull > 0) {
      if (t[T_GPU_N]! + t[T_CPU_N]! > 0) {
        // Some feasible executor has a free slot: the full ones are passed over.
        const ids: string[] = [];
        for (let i = 0; i < n; i++) {
          if (poolArr[i] !== NONE && fullArr[i] === 1) {
            poolArr[i] = NONE;
            if (ids.length < 3) ids.push(candidates[i]!.executor_id);
          }
        }
        slotNote = `; no free slot on ${ids.join(', ')}${nFull > ids.length ? ` and ${nFull - ids.length} more` : ''} (${slots} per executor)`;
      } else {
        // Every feasible executor is at its limit: choose among all of them as without a limit.
        for (let i = 0; i < n; i++) if (poolArr[i] !== NONE) tally(t, poolArr[i]!, costArr[i]!, predArr[i]!);
      }
    }
    const gpuN = t[T_GPU_N]!, cpuN = t[T_CPU_N]!, gpuCost = t[T_GPU_COST]!, cpuCost = t[T_CPU_COST]!, gpuPred = t[T_GPU_PRED]!, cpuPred = t[T_CPU_PRED]!;
    if (gpuN + cpuN === 0) return this.#diagnose(req, candidates, ctx);

    // 1. the cheapest pool (ties -> faster)
    let chosen: number;
    let why: string;
    const only = slotNote === '' ? '; the only feasible pool' : '; the only pool with a free slot';
    if (gpuN === 0) { chosen = CPU; why = only; }
    else if (cpuN === 0) { chosen = GPU; why = only; }
    else {
      const scale = gpuCost > cpuCost ? gpuCost : cpuCost;
      const diff = gpuCost - cpuCost;
      if (diff > 1e-9 * scale) { chosen = CPU; why = ''; }
      else if (-diff > 1e-9 * scale) { chosen = GPU; why = ''; }
      else { chosen = gpuPred <= cpuPred ? GPU : CPU; why = '; pools cost the same, the faster pool'; }
    }
    const count = chosen === GPU ? gpuN : cpuN;

    // 2. power of two choices inside the pool
    let pick: number;
    if (count === 1) {
      pick = nth(poolArr, n, chosen, 0);
    } else {
      // two distinct draws; a misbehaving random() (NaN, <0, >=1) cannot index outside the pool
      let a = Math.floor(ctx.random() * count);
      if (!(a >= 0 && a < count)) a = 0;
      let b = Math.floor(ctx.random() * (count - 1));
      if (!(b >= 0 && b < count - 1)) b = 0;
      if (b >= a) b++;
      const ia = nth(poolArr, n, chosen, a), ib = nth(poolArr, n, chosen, b);
      const la = this.#liveLoad(candidates[ia]!, ctx), lb = this.#liveLoad(candidates[ib]!, ctx);
      pick = lb < la || (lb === la && predArr[ib]! < predArr[ia]!) ? ib : ia;
    }
    const cand = candidates[pick]!;
    const pool: PoolName = chosen === GPU ? 'POOL_GPU' : 'POOL_CPU';
    const predictedMs = predArr[pick]!;
    estimate(cand, ctx);
    const costPerRequest = costPerRequestOf(cand, scratch.execMsPerRequest);
    const d = req.deadlineMs;
    const reason = d === undefined
      ? `cheapest pool: ${poolWord(pool)} (${fmtCost(costPerRequest)}/request, predicted ${fmtMs(predictedMs)} ms, no deadline${why}${slotNote})`
      : `cheapest pool meeting deadline: ${poolWord(pool)} (predicted ${fmtMs(predictedMs)} ms <= ${fmtMs(d)} ms${why}${slotNote})`;
    return { placed: true, candidate: cand, pool, reason, predictedMs, costPerRequest };
  }

  explain(req: PlacementRequest, candidates: readonly Candidate[], ctx: PlacementContext): Explained {
    const decision = this.decide(req, candidates, ctx);
    const rows: CandidateExplanation[] = [];
    const raw: Array<Array<{ value: number; detail?: string }>> = [];
    for (const c of candidates) {
      const verdicts: Verdict[] = [];
      let feasible = c.pool === 'POOL_GPU' || c.pool === 'POOL_CPU';
      for (const f of this.filters) {
        const r = f.filter(req, c, ctx);
        if (!r.ok) feasible = false;
        verdicts.push({ plugin: f.name, passed: r.ok, score: 0, reason: r.ok ? 'passed' : r.reason });
      }
      rows.push({ executorId: c.executor_id, pool: c.pool, feasible, verdicts, total: 0 });
      raw.push(this.scores.map((s) => s.score(req, c, ctx)));
    }
    const anyFeasible = rows.some((r) => r.feasible);
    this.scores.forEach((s, k) => {
      let min = Infinity, max = -Infinity;
      rows.forEach((r, i) => {
        if (anyFeasible && !r.feasible) return;
        const v = raw[i]![k]!.value;
        if (v < min) min = v;
        if (v > max) max = v;
      });
      const mode = s.normalize ?? 'max-is-best';
      rows.forEach((r, i) => {
        const { value, detail } = raw[i]![k]!;
        let norm: number;
        if (mode === 'none') norm = value;
        else if (!(max > min)) norm = 100;
        else {
          norm = mode === 'min-is-best' ? ((max - value) / (max - min)) * 100 : ((value - min) / (max - min)) * 100;
          norm = norm < 0 ? 0 : norm > 100 ? 100 : norm;
        }
        r.verdicts.push({ plugin: s.name, passed: true, score: norm, reason: detail ?? String(value) });
        if (r.feasible) r.total += s.weight * norm;
      });
    });
    return { ...decision, candidates: rows };
  }

  #liveLoad(c: Candidate, ctx: PlacementContext): number {
    const live = ctx.live;
    return live !== undefined ? live.inFlight(c.executor_id) : c.in_flight + c.queue_depth;
  }

  /** Slow path: nothing is feasible. Replay the filters as a funnel to find the most specific reason. */
  #diagnose(req: PlacementRequest, candidates: readonly Candidate[], ctx: PlacementContext): Decision {
    let survivors: readonly Candidate[] = candidates;
    for (const f of this.filters) {
      const passed: Candidate[] = [];
      const rejected: Candidate[] = [];
      let firstReason = '';
      for (const c of survivors) {
        const r = f.filter(req, c, ctx);
        if (r.ok) passed.push(c);
        else { rejected.push(c); if (firstReason === '') firstReason = r.reason; }
      }
      if (passed.length === 0) {
        const code: DecisionCode = f.failCode ?? 'FAILED_PRECONDITION';
        const reason = f.explainFailure?.(req, rejected, ctx) ?? `no executor for ${req.model}:${req.version} passes filter '${f.name}': ${firstReason}`;
        const out: Decision = { placed: false, code, reason };
        if (code === 'DEADLINE_EXCEEDED') {
          let best = Infinity;
          for (const c of rejected) { const p = predictCompletionMs(c, ctx); if (p < best) best = p; }
          out.predictedMs = best;
        }
        return out;
      }
      survivors = passed;
    }
    return { placed: false, code: 'UNAVAILABLE', reason: `no executor for ${req.model}:${req.version} is in a known pool (GPU or CPU)` };
  }
}

/** Index of the k-th (0-based) entry of `pools` equal to `code`. */
function nth(pools: Uint8Array, n: number, code: number, k: number): number {
  for (let i = 0; i < n; i++) if (pools[i] === code && k-- === 0) return i;
  return -1;
}
