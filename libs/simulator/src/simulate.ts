// Discrete-event simulation of a GPU pool and a CPU pool serving one model, with the REAL
// placement core (Placer from @switchyard/placement) choosing pool and executor per request and
// the REAL scaling policies (@switchyard/autoscaler) sizing both pools.
//
// Events: arrivals (the sorted input array, merged in order), batch completions and replica
// start-ups (a binary heap in typed arrays), and policy ticks every syncS. Same-time order:
// completions/start-ups, then the tick, then the arrival.
//
// Executors: FIFO queue per executor; greedy dynamic batching (an idle executor starts at once
// with whatever is queued, up to max batch B; batch of b takes service(b) from the pool's measured
// service-time samples, interpolated exactly as placement's predict.ts does). The queue is bounded
// by the Placer's queue-bound filter (queue_depth < 8·B).
//
// Placement per request: the Placer sees, per pool, a random sample of K ready executors (default
// 8; all of them when the pool has <= K), as Candidates carrying their TRUE queue_depth and
// in_flight (no heartbeat lag). Why this is faithful: the Placer's rule is "cheapest feasible pool,
// then power of two choices inside it": pool cost is a per-executor property that only depends
// on the load through the likely batch size, and P2C only ever compares two random feasible
// executors, so a random K-sample of a pool reproduces both with high probability while keeping
// each decision O(K) instead of O(pool) (1,000 executors x 1M requests). The deadline filter
// gets the request's SLO as its budget: a pool whose sampled executors are all predicted to miss
// it is skipped (GPU busy -> spill to CPU). If nothing meets the deadline, the request is placed
// again without a deadline (cheapest pool with queue room); if every sampled queue is full it is
// rejected (counted as an SLO miss).
//
// Scaling: every syncS the policy of each pool gets the observed rate, a per-replica service-rate
// estimate (mean batch size b of the last period: b / service(b)), the forecaster (GPU pool only;
// fed every forecastStepS with the total arrival rate) and the pool state. The GPU pool sees the
// total demand (it is the cheap-per-request primary); the CPU pool's observed rate is its own
// arrivals, raised to the GPU policy's spillRate when that is larger. Scale-up re-activates
// draining replicas first, then starts new ones (ready after startupS, billed from the start);
// scale-down cancels starting replicas first, then drains the least-loaded ready ones (no new
// work; billed until their queue is empty). Replica-hours are integrated over
// [first arrival, last arrival].
import type { Forecaster } from '@switchyard/forecasting';
import { Ensemble, Holt, HoltWinters } from '@switchyard/forecasting';
import { Placer, serviceTimeMs, type Candidate, type PlacementContext, type PlacementRequest } from '@switchyard/placement';
import type { ScalingPolicy } from '@switchyard/autoscaler';
import { EventHeap } from './heap.ts';
import { seededRandom } from './trace.ts';

export interface PoolSpec {
  /** Measured service times for batch sizes (as in the Candidate contract). */
  serviceTimes: Array<{ batch_size: number; ms: number }>;
  /** Max batch size (1 = no batching). */
  maxBatch: number;
  costPerHour: number;
  /** Replica start time (s). */
  startupS: number;
  /** Executors available to the pool (scaling upper bound). */
  maxReplicas: number;
  /** Ready at the start. */
  initialReplicas: number;
}

export type PoolKey = 'gpu' | 'cpu';

export interface SimConfig {
  /** Arrival times in ms, non-decreasing. */
  arrivals: Float64Array | readonly number[];
  gpu: PoolSpec;
  cpu: PoolSpec;
  /** Latency SLO (ms): the per-request deadline and the attainment threshold. */
  sloMs: number;
  policies: { gpu: ScalingPolicy; cpu: ScalingPolicy };
  /** Policy period (default 15 s). */
  syncS?: number;
  /** Forecaster feed step (default 60 s). */
  forecastStepS?: number;
  /** Default: defaultForecaster(forecastStepS). null = none. */
  forecaster?: Forecaster | null;
  /** Ready executors per pool shown to the Placer per request (default 8). */
  candidatesPerPool?: number;
  seed?: number;
  /** Called every 65,536 arrivals and at the end. */
  onProgress?: (done: number, total: number) => void;
  /** Keep at most this many scaling events in the result (default 10,000; the count is always exact). */
  maxEventsKept?: number;
}

export interface ScalingEvent {
  tMs: number;
  pool: PoolKey;
  from: number;
  to: number;
  reason: string;
}

export interface PoolReport {
  replicaHours: number;
  cost: number;
  requests: number;
  scalingEvents: number;
  maxReplicas: number;
}

export interface SimResult {
  requests: number;
  sloMs: number;
  /** Share of requests with latency <= sloMs (rejected requests count as misses). */
  sloAttainment: number;
  p50Ms: number;
  p99Ms: number;
  rejected: number;
  /** Requests served by the CPU pool. */
  spills: number;
  pools: Record<PoolKey, PoolReport>;
  totalCost: number;
  scalingEventCount: number;
  scalingEvents: ScalingEvent[];
  /** One entry per simulated minute (from the first arrival). Replicas: mean billed count at the ticks. */
  series: { startMs: number; arrivals: number[]; gpuReplicas: number[]; cpuReplicas: number[]; p99Ms: number[] };
  simulatedSeconds: number;
  wallMs: number;
}

/** The forecaster the simulator uses by default: Holt + Holt-Winters (daily season) ensemble, floored at 0. */
export function defaultForecaster(stepS = 60): Forecaster {
  const perDay = Math.round(86_400 / stepS);
  return new Ensemble([
    { name: 'holt', forecaster: new Holt({ floor: 0 }) },
    { name: 'holt-winters', forecaster: new HoltWinters({ seasonLengths: [perDay], floor: 0 }) },
  ], { floor: 0 });
}

/** Example pools: a GPU pool (fast, batching, costlier per hour) and a CPU pool (slow, cheap per hour). */
export function defaultPools(maxGpu = 64, maxCpu = 64): { gpu: PoolSpec; cpu: PoolSpec } {
  return {
    gpu: { serviceTimes: [{ batch_size: 1, ms: 200 }, { batch_size: 8, ms: 600 }], maxBatch: 8, costPerHour: 1.2, startupS: 120, maxReplicas: maxGpu, initialReplicas: Math.min(2, maxGpu) },
    cpu: { serviceTimes: [{ batch_size: 1, ms: 400 }], maxBatch: 1, costPerHour: 0.65, startupS: 30, maxReplicas: maxCpu, initialReplicas: Math.min(1, maxCpu) },
  };
}

const OFF = 0, STARTING = 1, READY = 2, DRAINING = 3;
const GPU = 0, CPU = 1;
const KEYS: readonly PoolKey[] = ['gpu', 'cpu'];

function checkPool(k: PoolKey, p: PoolSpec): void {
  if (!Number.isInteger(p.maxBatch) || p.maxBatch < 1) throw new RangeError(`simulate: ${k}.maxBatch must be a whole number >= 1`);
  if (!Number.isInteger(p.maxReplicas) || p.maxReplicas < 0) throw new RangeError(`simulate: ${k}.maxReplicas must be a whole number >= 0`);
  if (!Number.isInteger(p.initialReplicas) || p.initialReplicas < 0 || p.initialReplicas > p.maxReplicas) throw new RangeError(`simulate: ${k}.initialReplicas must be in [0, maxReplicas]`);
  if (!(p.startupS >= 0) || !(p.costPerHour >= 0)) throw new RangeError(`simulate: ${k}.startupS and costPerHour must be >= 0`);
  if (!p.serviceTimes.length) throw new RangeError(`simulate: ${k}.serviceTimes must not be empty`);
}

export function simulate(cfg: SimConfig): SimResult {
  const wall0 = performance.now();
  const arr = cfg.arrivals;
  const n = arr.length;
  const slo = cfg.sloMs;
  if (!(slo > 0)) throw new RangeError('simulate: sloMs must be > 0');
  checkPool('gpu', cfg.gpu);
  checkPool('cpu', cfg.cpu);
  if (cfg.gpu.maxReplicas + cfg.cpu.maxReplicas < 1) throw new RangeError('simulate: no executors');
  for (let i = 1; i < n; i++) if (!(arr[i]! >= arr[i - 1]!)) throw new RangeError(`simulate: arrivals must be non-decreasing (index ${i})`);
  const syncMs = (cfg.syncS ?? 15) * 1000;
  const stepMs = (cfg.forecastStepS ?? 60) * 1000;
  const K = Math.max(1, cfg.candidatesPerPool ?? 8);
  const random = seededRandom(cfg.seed ?? 1);
  const forecaster = cfg.forecaster === null ? undefined : (cfg.forecaster ?? defaultForecaster(stepMs / 1000));
  const keepEvents = cfg.maxEventsKept ?? 10_000;
  const specs = [cfg.gpu, cfg.cpu];

  // ---- executors (GPU first, then CPU) ----
  const nG = cfg.gpu.maxReplicas, nE = nG + cfg.cpu.maxReplicas;
  const poolOf = new Uint8Array(nE);
  for (let e = nG; e < nE; e++) poolOf[e] = CPU;
  const lo = [0, nG], hi = [nG, nE];
  const state = new Uint8Array(nE);
  const readyAt = new Float64Array(nE);
  const qOff = new Int32Array(nE), qCap = new Int32Array(nE), qHead = new Int32Array(nE), qLen = new Int32Array(nE);
  const bOff = new Int32Array(nE), bLen = new Int32Array(nE);
  let qTotal = 0, bTotal = 0;
  for (let e = 0; e < nE; e++) {
    const B = specs[poolOf[e]!]!.maxBatch;
    qOff[e] = qTotal; qCap[e] = 8 * B + 1; qTotal += 8 * B + 1;
    bOff[e] = bTotal; bTotal += B;
  }
  const queue = new Int32Array(qTotal);
  const batch = new Int32Array(bTotal);
  // service time tables per pool: svc[p][b], b = 0..B (from the placement model)
  const cands: Candidate[] = [];
  const candIndex = new Map<Candidate, number>();
  const svc: Float64Array[] = [];
  for (let p = 0; p < 2; p++) {
    const s = specs[p]!;
    const proto = makeCand(-1, p, s);
    const t = new Float64Array(s.maxBatch + 1);
    for (let b = 1; b <= s.maxBatch; b++) t[b] = serviceTimeMs(proto, b);
    t[0] = t[1]!;
    svc.push(t);
  }
  for (let e = 0; e < nE; e++) {
    const c = makeCand(e, poolOf[e]!, specs[poolOf[e]!]!);
    cands.push(c);
    candIndex.set(c, e);
  }
  // ready lists per pool (swap-remove with positions)
  const readyList = [new Int32Array(Math.max(1, nG)), new Int32Array(Math.max(1, nE - nG))];
  const readyN = [0, 0];
  const readyPos = new Int32Array(nE).fill(-1);
  const addReady = (e: number) => { const p = poolOf[e]!; readyPos[e] = readyN[p]!; readyList[p]![readyN[p]!++] = e; };
  const removeReady = (e: number) => {
    const p = poolOf[e]!, i = readyPos[e]!, L = readyList[p]!;
    const last = L[--readyN[p]!]!;
    L[i] = last; readyPos[last] = i; readyPos[e] = -1;
  };

  // ---- accounting ----
  const t0 = n > 0 ? arr[0]! : 0;
  const tEnd = n > 0 ? arr[n - 1]! : 0;
  let lastT = t0;
  const busyCount = [0, 0], billed = [0, 0], target = [0, 0];
  const busyArea = [0, 0], readyArea = [0, 0], billedArea = [0, 0];
  const winArrivals = [0, 0], winBatchSum = [0, 0], winBatches = [0, 0];
  const served = [0, 0], events = [0, 0], peak = [0, 0];
  const advance = (t: number) => {
    const tt = t < tEnd ? t : tEnd;
    const dt = tt - lastT;
    if (dt <= 0) return;
    busyArea[0] = busyArea[0]! + busyCount[0]! * dt; busyArea[1] = busyArea[1]! + busyCount[1]! * dt;
    readyArea[0] = readyArea[0]! + readyN[0]! * dt; readyArea[1] = readyArea[1]! + readyN[1]! * dt;
    billedArea[0] = billedArea[0]! + billed[0]! * dt; billedArea[1] = billedArea[1]! + billed[1]! * dt;
    lastT = tt;
  };
  const latency = new Float32Array(n);
  let rejected = 0;
  const heap = new EventHeap(2 * nE + 16);

  const startBatch = (e: number, t: number) => {
    const p = poolOf[e]!;
    const B = specs[p]!.maxBatch;
    const len = qLen[e]!;
    const b = len < B ? len : B;
    const off = qOff[e]!, cap = qCap[e]!, bo = bOff[e]!;
    let h = qHead[e]!;
    for (let k = 0; k < b; k++) { batch[bo + k] = queue[off + h]!; h++; if (h === cap) h = 0; }
    qHead[e] = h; qLen[e] = len - b; bLen[e] = b;
    busyCount[p]!++;
    winBatchSum[p] = winBatchSum[p]! + b; winBatches[p]!++;
    heap.push(t + svc[p]![b]!, e * 2);
  };

  const powerOn = (e: number, t: number) => {
    const p = poolOf[e]!;
    const su = specs[p]!.startupS * 1000;
    billed[p]!++;
    if (su <= 0) { state[e] = READY; addReady(e); return; }
    state[e] = STARTING; readyAt[e] = t + su;
    heap.push(t + su, e * 2 + 1);
  };

  for (let p = 0; p < 2; p++) {
    for (let e = lo[p]!; e < lo[p]! + specs[p]!.initialReplicas; e++) { billed[p]!++; state[e] = READY; addReady(e); }
    target[p] = specs[p]!.initialReplicas;
    peak[p] = target[p]!;
  }

  const scaleEvents: ScalingEvent[] = [];
  const scaleTo = (p: number, desired: number, t: number, reason: string) => {
    const cur = target[p]!;
    if (desired === cur) return;
    events[p]!++;
    if (scaleEvents.length < keepEvents) scaleEvents.push({ tMs: t, pool: KEYS[p]!, from: cur, to: desired, reason });
    if (desired > cur) {
      let need = desired - cur;
      for (let e = lo[p]!; e < hi[p]! && need > 0; e++) if (state[e] === DRAINING) { state[e] = READY; addReady(e); need--; }
      for (let e = lo[p]!; e < hi[p]! && need > 0; e++) if (state[e] === OFF) { powerOn(e, t); need--; }
      target[p] = desired - need;
    } else {
      let drop = cur - desired;
      for (let e = hi[p]! - 1; e >= lo[p]! && drop > 0; e--) if (state[e] === STARTING) { state[e] = OFF; billed[p]!--; drop--; }
      while (drop > 0 && readyN[p]! > 0) {
        // least-loaded ready replica
        const L = readyList[p]!;
        let best = L[0]!, bl = Infinity;
        for (let i = 0; i < readyN[p]!; i++) {
          const e = L[i]!;
          const l = qLen[e]! + bLen[e]!;
          if (l < bl) { bl = l; best = e; if (l === 0) break; }
        }
        removeReady(best);
        if (bLen[best] === 0 && qLen[best] === 0) { state[best] = OFF; billed[p]!--; }
        else state[best] = DRAINING;
        drop--;
      }
      target[p] = desired + drop;
    }
    if (target[p]! > peak[p]!) peak[p] = target[p]!;
  };

  // ---- series ----
  const minutes = n > 0 ? Math.floor((tEnd - t0) / 60_000) + 1 : 0;
  const repSum = [new Float64Array(minutes), new Float64Array(minutes)];
  const repCnt = new Float64Array(minutes);

  // ---- placement ----
  const placer = new Placer();
  const ctx: PlacementContext = { nowMs: 0, random };
  const req: PlacementRequest = { model: 'm', version: '1', poolPreference: 'auto', priority: 0, exclude: new Set(), deadlineMs: slo };
  const reqNoDeadline: PlacementRequest = { ...req, deadlineMs: undefined };
  const candArrs: Candidate[][] = [];
  for (let k = 0; k <= 2 * K; k++) candArrs.push(new Array<Candidate>(k));
  const fill = (out: Candidate[], at: number, p: number, take: number): number => {
    const L = readyList[p]!, m = readyN[p]!;
    for (let k = 0; k < take; k++) {
      // partial Fisher-Yates over the ready list (keeps readyPos consistent)
      const j = k + Math.floor(random() * (m - k));
      const a = L[k]!, b = L[j]!;
      L[k] = b; L[j] = a; readyPos[b] = k; readyPos[a] = j;
      const c = cands[b]!;
      c.queue_depth = qLen[b]!;
      c.in_flight = bLen[b]!;
      out[at + k] = c;
    }
    return at + take;
  };

  let stepArrivals = 0;
  let nextTick = t0 + syncMs;
  let nextFeed = t0 + stepMs;
  const tick = (t: number) => {
    advance(t);
    const m = Math.floor((t - t0) / 60_000);
    if (m < minutes) { repSum[0]![m] = repSum[0]![m]! + billed[0]!; repSum[1]![m] = repSum[1]![m]! + billed[1]!; repCnt[m] = repCnt[m]! + 1; }
    if (forecaster !== undefined && t >= nextFeed) {
      forecaster.update(stepArrivals / (stepMs / 1000));
      stepArrivals = 0;
      nextFeed += stepMs;
    }
    const syncSec = syncMs / 1000;
    const mu = [0, 0];
    const sms = [0, 0];
    const util = [0, 0];
    for (let p = 0; p < 2; p++) {
      const bbar = winBatches[p]! > 0 ? winBatchSum[p]! / winBatches[p]! : 1;
      const b = Math.max(1, Math.min(specs[p]!.maxBatch, bbar));
      const bl = Math.floor(b), frac = b - bl;
      const s = frac > 0 ? svc[p]![bl]! + frac * (svc[p]![bl + 1]! - svc[p]![bl]!) : svc[p]![bl]!;
      mu[p] = (1000 * b) / s;
      sms[p] = s;
      util[p] = readyArea[p]! > 0 ? Math.min(1, busyArea[p]! / readyArea[p]!) : (winArrivals[p]! > 0 ? 1 : 0);
    }
    const total = (winArrivals[0]! + winArrivals[1]! + winRejected) / syncSec;
    const g = cfg.policies.gpu.step(t, total, mu[0]!, forecaster, { current: target[0]!, ready: readyN[0]!, utilization: util[0]!, serviceMs: sms[0]! });
    const cpuRate = Math.max(winArrivals[1]! / syncSec, g.spillRate);
    const c = cfg.policies.cpu.step(t, cpuRate, mu[1]!, undefined, { current: target[1]!, ready: readyN[1]!, utilization: util[1]!, serviceMs: sms[1]! });
    scaleTo(GPU, Math.min(g.desired, specs[0]!.maxReplicas), t, g.reason);
    scaleTo(CPU, Math.min(c.desired, specs[1]!.maxReplicas), t, c.reason);
    for (let p = 0; p < 2; p++) { busyArea[p] = 0; readyArea[p] = 0; winArrivals[p] = 0; winBatchSum[p] = 0; winBatches[p] = 0; }
    winRejected = 0;
  };
  let winRejected = 0;

  const PROGRESS = 65_536;
  let i = 0;
  for (;;) {
    const ta = i < n ? arr[i]! : Infinity;
    const th = heap.topTime;
    const tt = i < n ? nextTick : Infinity;
    if (th === Infinity && ta === Infinity) break;
    if (th <= ta && th <= tt) {
      const id = heap.topId;
      heap.pop();
      advance(th);
      const e = id >> 1;
      if ((id & 1) === 0) {
        // batch completion
        const p = poolOf[e]!;
        const bo = bOff[e]!, b = bLen[e]!;
        for (let k = 0; k < b; k++) { const r = batch[bo + k]!; latency[r] = th - arr[r]!; }
        bLen[e] = 0;
        busyCount[p]!--;
        if (qLen[e]! > 0) startBatch(e, th);
        else if (state[e] === DRAINING) { state[e] = OFF; billed[p]!--; }
      } else if (state[e] === STARTING && readyAt[e] === th) {
        state[e] = READY;
        addReady(e);
      }
    } else if (tt <= ta) {
      tick(tt);
      nextTick += syncMs;
    } else {
      // arrival
      advance(ta);
      ctx.nowMs = ta;
      stepArrivals++;
      const tg = readyN[0]! < K ? readyN[0]! : K, tc = readyN[1]! < K ? readyN[1]! : K;
      const list = candArrs[tg + tc]!;
      fill(list, fill(list, 0, GPU, tg), CPU, tc);
      let d = placer.decide(req, list, ctx);
      if (!d.placed && list.length > 0) d = placer.decide(reqNoDeadline, list, ctx);
      if (d.placed) {
        const e = candIndex.get(d.candidate!)!;
        const p = poolOf[e]!;
        const cap = qCap[e]!;
        let pos = qHead[e]! + qLen[e]!;
        if (pos >= cap) pos -= cap;
        queue[qOff[e]! + pos] = i;
        qLen[e]!++;
        winArrivals[p]!++;
        served[p]!++;
        if (bLen[e] === 0) startBatch(e, ta);
      } else {
        latency[i] = Infinity;
        rejected++;
        winRejected++;
      }
      i++;
      if (cfg.onProgress !== undefined && (i & (PROGRESS - 1)) === 0) cfg.onProgress(i, n);
    }
  }
  advance(tEnd);
  cfg.onProgress?.(n, n);

  // ---- report ----
  let ok = 0;
  for (let r = 0; r < n; r++) if (latency[r]! <= slo) ok++;
  const sorted = latency.slice().sort();
  const pct = (a: Float32Array, q: number) => (a.length === 0 ? 0 : a[Math.min(a.length - 1, Math.max(0, Math.ceil(q * a.length) - 1))]!);
  const arrivalsPerMin = new Array<number>(minutes).fill(0);
  const p99 = new Array<number>(minutes).fill(0);
  let start = 0;
  for (let m = 0; m < minutes; m++) {
    const until = t0 + (m + 1) * 60_000;
    let end = start;
    while (end < n && arr[end]! < until) end++;
    if (m === minutes - 1) end = n;
    arrivalsPerMin[m] = end - start;
    p99[m] = end > start ? round3(pct(latency.slice(start, end).sort(), 0.99)) : 0;
    start = end;
  }
  const pools = {} as Record<PoolKey, PoolReport>;
  let totalCost = 0;
  for (let p = 0; p < 2; p++) {
    const rh = billedArea[p]! / 3_600_000;
    const cost = rh * specs[p]!.costPerHour;
    totalCost += cost;
    pools[KEYS[p]!] = { replicaHours: rh, cost, requests: served[p]!, scalingEvents: events[p]!, maxReplicas: peak[p]! };
  }
  return {
    requests: n, sloMs: slo, sloAttainment: n > 0 ? ok / n : 1, p50Ms: round3(pct(sorted, 0.5)), p99Ms: round3(pct(sorted, 0.99)),
    rejected, spills: served[CPU]!, pools, totalCost, scalingEventCount: events[0]! + events[1]!, scalingEvents: scaleEvents,
    series: {
      startMs: t0, arrivals: arrivalsPerMin,
      gpuReplicas: Array.from(repSum[0]!, (s, m) => (repCnt[m]! > 0 ? s / repCnt[m]! : 0)),
      cpuReplicas: Array.from(repSum[1]!, (s, m) => (repCnt[m]! > 0 ? s / repCnt[m]! : 0)),
      p99Ms: p99,
    },
    simulatedSeconds: (tEnd - t0) / 1000,
    wallMs: performance.now() - wall0,
  };
}

function round3(v: number): number {
  return Number.isFinite(v) ? Math.round(v * 1000) / 1000 : v;
}

function makeCand(e: number, p: number, s: PoolSpec): Candidate {
  const gpu = p === GPU;
  return {
    executor_id: `${gpu ? 'gpu' : 'cpu'}-${e}`, address: '', pool: gpu ? 'POOL_GPU' : 'POOL_CPU', region: 'sim', spiffe_id: '',
    queue_depth: 0, in_flight: 0, service_times: s.serviceTimes.map((x) => ({ batch_size: x.batch_size, ms: x.ms })),
    cost_per_hour: s.costPerHour, healthy: true, cpu_fallback: false, max_batch_size: s.maxBatch,
  };
}
