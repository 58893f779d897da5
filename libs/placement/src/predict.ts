// Latency and cost model of one candidate. Pure and allocation-free.
//
// Service time for a batch of b: from the candidate's measured service_times samples
// ({batch_size, ms}, any order):
//   - exact sample -> its ms;
//   - between two samples -> linear interpolation;
//   - below the smallest sample -> the smallest sample's ms (a smaller batch is not assumed faster);
//   - above the largest -> linear extrapolation from the two largest samples (never below the largest
//     sample's ms); with one sample, proportional: ms * b / batch_size;
//   - no samples (cold) -> DEFAULT_SERVICE_MS: 5 ms on a GPU, 10 ms on a CPU (or a GPU executor
//     running on its CPU fallback).
//
// Predicted completion (fluid M/D/1-style estimate, dynamic batching of up to B = max(1, max_batch_size)):
//   load    = queue_depth + max(in_flight, live in-flight of this caller)
//   wait    = load / B * service(B)          (the work ahead, drained in full batches)
//   batch b = min(B, load + 1)               (the batch this request is likely to join)
//   predicted = wait + service(b)
// The table's in_flight lags (heartbeats); the caller's own live count is a fresher lower bound,
// hence the max.
//
// Cost model: an executor costs cost_per_hour whether busy or not; a request is charged for the
// executor time it occupies. In a batch of b that is service(b) / b ms, so
//   costPerRequest = cost_per_hour * (executor ms per request / 1000) / 3600.
// (costPerRequestOf takes the executor ms per request; executorMsPerRequest computes it.)
import type { Candidate, PlacementContext } from './types.ts';

export const DEFAULT_SERVICE_MS = { gpu: 5, cpu: 10 } as const;

function defaultServiceMs(cand: Candidate): number {
  return cand.pool === 'POOL_GPU' && !cand.cpu_fallback ? DEFAULT_SERVICE_MS.gpu : DEFAULT_SERVICE_MS.cpu;
}

/** Service time (ms) for a batch of `batch` on this candidate, from its samples (see the module comment). */
export function serviceTimeMs(cand: Candidate, batch: number): number {
  const st = cand.service_times;
  const n = st === undefined ? 0 : st.length;
  if (n === 0) return defaultServiceMs(cand);
  // One pass: the bracketing samples, the smallest and the two largest.
  let loB = -1, loMs = 0; // largest batch_size <= batch
  let hiB = Infinity, hiMs = 0; // smallest batch_size >= batch
  let minB = Infinity, minMs = 0;
  let maxB = -1, maxMs = 0, max2B = -1, max2Ms = 0;
  for (let i = 0; i < n; i++) {
    const s = st[i]!;
    const b = s.batch_size, ms = s.ms;
    if (!(b > 0) || !(ms >= 0)) continue; // ignore junk samples
    if (b === batch) return ms;
    if (b < batch && b > loB) { loB = b; loMs = ms; }
    if (b > batch && b < hiB) { hiB = b; hiMs = ms; }
    if (b < minB) { minB = b; minMs = ms; }
    if (b > maxB) { max2B = maxB; max2Ms = maxMs; maxB = b; maxMs = ms; }
    else if (b > max2B && b !== maxB) { max2B = b; max2Ms = ms; }
  }
  if (maxB < 0) return defaultServiceMs(cand);
  if (loB >= 0 && hiB !== Infinity) return loMs + ((hiMs - loMs) * (batch - loB)) / (hiB - loB);
  if (loB < 0) return minMs; // below every sample
  // above every sample
  if (max2B < 0) return (maxMs * batch) / maxB;
  const slope = (maxMs - max2Ms) / (maxB - max2B);
  const ext = maxMs + slope * (batch - maxB);
  return ext > maxMs ? ext : maxMs;
}

function loadOf(cand: Candidate, ctx: PlacementContext | undefined): number {
  let inFlight = cand.in_flight;
  const live = ctx?.live;
  if (live !== undefined) {
    const l = live.inFlight(cand.executor_id);
    if (l > inFlight) inFlight = l;
  }
  return cand.queue_depth + inFlight;
}

function maxBatchOf(cand: Candidate): number {
  const b = cand.max_batch_size;
  return b >= 1 ? b : 1;
}

/** The batch size this request is likely to join: min(B, load + 1). */
export function likelyBatchSize(cand: Candidate, ctx?: PlacementContext): number {
  const B = maxBatchOf(cand);
  const b = loadOf(cand, ctx) + 1;
  return b < B ? b : B;
}

/** Expected wait before this request's batch starts: load / B * service(B). */
export function queueWaitMs(cand: Candidate, ctx?: PlacementContext): number {
  const load = loadOf(cand, ctx);
  if (load <= 0) return 0;
  const B = maxBatchOf(cand);
  return (load / B) * serviceTimeMs(cand, B);
}

// ---- service-time curve cache (the hot path) ----
// serviceTimeMs scans the samples; decide() needs service(b) and service(B) for every candidate on
// every request, so each candidate's curve service(0..min(B, CURVE_CAP)) is tabulated once and kept
// on the candidate object under a private, non-enumerable Symbol (invisible to JSON, spread,
// Object.keys and deepEqual; a WeakMap is the fallback for frozen objects, and was ~2x slower).
// Candidates are treated as immutable snapshots (a table
// is decoded afresh on every publish); the entry is rebuilt if service_times (identity or length),
// max_batch_size, pool or cpu_fallback change, but not if a sample's ms is edited in place.
const CURVE_CAP = 64;
interface Curve {
  st: Candidate['service_times'];
  n: number;
  B: number;
  pool: Candidate['pool'];
  fb: boolean;
  t: Float64Array;
}
const curves = new WeakMap<Candidate, Curve>();
const CURVE = Symbol('switchyard.placement.curve');
type WithCurve = Candidate & { [CURVE]?: Curve };

function buildCurve(cand: Candidate): Curve {
  const B = maxBatchOf(cand);
  const top = B < CURVE_CAP ? B : CURVE_CAP;
  const t = new Float64Array(top + 1);
  for (let b = 1; b <= top; b++) t[b] = serviceTimeMs(cand, b);
  t[0] = t[1]!;
  return { st: cand.service_times, n: cand.service_times.length, B: cand.max_batch_size, pool: cand.pool, fb: cand.cpu_fallback, t };
}

function curveOf(cand: Candidate): Curve {
  const e = (cand as WithCurve)[CURVE] ?? curves.get(cand);
  if (e !== undefined && e.st === cand.service_times && e.n === cand.service_times.length && e.B === cand.max_batch_size && e.pool === cand.pool && e.fb === cand.cpu_fallback) return e;
  const fresh = buildCurve(cand);
  if (Object.isExtensible(cand) || Object.hasOwn(cand, CURVE)) {
    try {
      Object.defineProperty(cand, CURVE, { value: fresh, writable: true, configurable: true, enumerable: false });
      return fresh;
    } catch { /* sealed/frozen: fall through */ }
  }
  curves.set(cand, fresh);
  return fresh;
}

/** Tabulate a candidate's service-time curve ahead of the first decision (indexTable does this). */
export function warmCandidate(cand: Candidate): void {
  curveOf(cand);
}

function serviceAt(cand: Candidate, t: Float64Array, b: number): number {
  return b < t.length ? t[b]! : serviceTimeMs(cand, b);
}

/** Queue-wait estimate + service time for the likely batch size (ms). */
export function predictCompletionMs(cand: Candidate, ctx?: PlacementContext): number {
  const load = loadOf(cand, ctx);
  const B = maxBatchOf(cand);
  const t = curveOf(cand).t;
  const b = load + 1 < B ? load + 1 : B;
  const wait = load > 0 ? (load / B) * serviceAt(cand, t, B) : 0;
  return wait + serviceAt(cand, t, b);
}

/** Executor time attributed to one request: service(b) / b for the likely batch size b (ms). */
export function executorMsPerRequest(cand: Candidate, ctx?: PlacementContext): number {
  const b = likelyBatchSize(cand, ctx);
  return serviceTimeMs(cand, b) / b;
}

/** cost_per_hour * seconds of executor time / 3600, where `predictedServiceMs` is the executor ms charged to the request. */
export function costPerRequestOf(cand: Candidate, predictedServiceMs: number): number {
  const rate = cand.cost_per_hour > 0 ? cand.cost_per_hour : 0;
  return (rate * (predictedServiceMs / 1000)) / 3600;
}

/** Cost per request on this candidate under the model above. */
export function predictCostPerRequest(cand: Candidate, ctx?: PlacementContext): number {
  return costPerRequestOf(cand, executorMsPerRequest(cand, ctx));
}

/** Internal fast path: predicted completion; leaves the executor ms per request in `scratch.execMsPerRequest`. */
export const scratch = { execMsPerRequest: 0 };
export function estimate(cand: Candidate, ctx: PlacementContext | undefined): number {
  const load = loadOf(cand, ctx);
  const B = maxBatchOf(cand);
  const t = curveOf(cand).t;
  const b = load + 1 < B ? load + 1 : B;
  const sb = serviceAt(cand, t, b);
  scratch.execMsPerRequest = sb / b;
  return (load > 0 ? (load / B) * (b === B ? sb : serviceAt(cand, t, B)) : 0) + sb;
}
