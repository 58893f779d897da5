// End to end, real processes: placement by deadline and cost, admission, decision records
// (`switchyard explain`), and an executor SIGKILLed under load. One mesh: gpu-1 (a GPU executor in
// CPU fallback, made the CHEAP pool here: 0.02/h) and cpu-1, cpu-2 (0.4/h); later cpu-3 (0.001/h)
// makes the CPU pool the cheaper one. Assertions count outcomes; the only times asserted are the
// deadlines the system itself must meet. Cost per request is cost/h x measured service time. In
// (a) gpu-1 is slowed on purpose (its fault file adds 60 ms to every batch; no CPU is spent on
// it), so that its queue, not the machine's two cores or the transport, is what the background
// load saturates; the GPU's rate stays far enough under the CPU's that it remains the cheaper
// pool per request at its slowed service time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { startMesh, REPO_ROOT, type Mesh } from '@switchyard/launcher';
import { createClient, unary, spiffeIdOf } from '@switchyard/mesh';
import { Bus, SUBJECTS } from '@switchyard/bus';
import { createLogger } from '@switchyard/log';
import { codec, gatewayV1, schedulerV1 } from '@switchyard/proto';
import type { GatewayClient, GatewayStatusResponse__Output, ClusterStatusResponse__Output, Explanation__Output, ModelInferResponse__Output, ModelMetadataResponse__Output, OutcomeBatch, OutcomeBatch__Output, PlacementSchedulerClient } from '@switchyard/proto';
import { connectGateway, makeRequest, type GatewayConn } from '../tools/cli/client.ts';

let dir: string;
let mesh: Mesh;
let gw: GatewayConn;
let scheduler: PlacementSchedulerClient;
let bus: Bus;
const outcomes = new Map<string, OutcomeBatch__Output['outcomes'][number]>();
const FAST_BEAT = { SY_HEARTBEAT_MS: '250' };

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sy-e2e-placement-'));
  mesh = await startMesh({
    stateDir: dir,
    cpuExecutors: 2,
    // gpu-1: one onnxruntime thread, one session worker, and a fault file (test (a) writes a
    // delay into it while it needs a saturated GPU queue; empty = no delay).
    env: { 'gpu-executor-1': { ...FAST_BEAT, SY_COST_PER_HOUR: '0.02', SY_INTRA_OP_THREADS: '1', SY_SESSION_WORKERS: '1', SY_FAULT_FILE: path.join(dir, 'gpu-1.fault') }, 'cpu-executor-1': FAST_BEAT, 'cpu-executor-2': FAST_BEAT },
  });
  gw = connectGateway(mesh.endpoints);
  scheduler = createClient<PlacementSchedulerClient>(schedulerV1.PlacementScheduler, mesh.endpoints.scheduler, mesh.client, { serverSpiffeId: spiffeIdOf('placement-scheduler') });
  bus = await Bus.connect({ url: mesh.endpoints.nats, name: 'e2e-placement', log: createLogger({ service: 'e2e-placement', level: 'warn' }) });
  bus.subscribe(SUBJECTS.outcome, codec<OutcomeBatch, OutcomeBatch__Output>('switchyard.telemetry.v1.OutcomeBatch'), (b) => {
    for (const o of b.outcomes) outcomes.set(o.request_id, o);
  });
});

after(async () => {
  gw?.close();
  scheduler?.close();
  await bus?.close();
  await mesh?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const explainCli = (id: string, json = true) => spawnSync(process.execPath, [path.join(REPO_ROOT, 'tools/cli/switchyard.ts'), 'explain', id, ...(json ? ['--json'] : []), '--endpoints', path.join(dir, 'endpoints.json')], { encoding: 'utf8', timeout: 60_000 });
const schedExplain = (req: Record<string, unknown>) => unary<Explanation__Output>(scheduler, 'Explain', req, { deadlineMs: 5000 });
const param = (r: ModelInferResponse__Output, k: string) => r.parameters[k];
type Result = { ok: true; res: ModelInferResponse__Output; id: string } | { ok: false; code: string; details: string; id: string };
async function infer(md: ModelMetadataResponse__Output, parameters: Record<string, unknown>, opts: { id?: string; deadlineMs?: number; shape?: number[] } = {}): Promise<Result> {
  try {
    const res = await gw.call<ModelInferResponse__Output>('ModelInfer', { ...inputsOf(md, opts.shape), parameters, id: opts.id ?? '' }, opts.deadlineMs ?? 60_000);
    return { ok: true, res, id: param(res, 'switchyard_request_id')!.string_param! };
  } catch (e) {
    const se = e as grpc.ServiceError;
    return { ok: false, code: grpc.status[se.code] ?? String(se.code), details: se.details, id: String(se.metadata?.get('switchyard-request-id')[0] ?? '') };
  }
}
/** Inputs made once per model (making a large input costs the test process CPU time). */
const inputCache = new Map<string, ReturnType<typeof makeRequest>>();
function inputsOf(md: ModelMetadataResponse__Output, shape?: number[]): ReturnType<typeof makeRequest> {
  const key = `${md.name}:${shape?.join('x') ?? ''}`;
  let r = inputCache.get(key);
  if (!r) inputCache.set(key, (r = makeRequest(md, shape ? { shapes: { [md.inputs[0]!.name]: shape } } : {})));
  return r;
}
/** ocr_det at 320x320 (1.2 MB in, ~50 ms per pass here). */
const DET = [1, 3, 320, 320];
/** The tight-deadline probes: smaller detector inputs (a mixed workload), ~1/4 of the work. */
const PROBE = [1, 3, 160, 160];
function serviceMs(s: ClusterStatusResponse__Output, executor: string, model: string): number {
  const m = s.executors.find((e) => e.heartbeat?.executor_id === executor)?.heartbeat?.models.find((x) => x.name === model);
  return m?.service_times.find((t) => t.batch_size === 1)?.ms ?? 0;
}

test('(a) a saturated cheap GPU: tight deadlines spill to the CPU pool and are met; loose ones stay on the GPU; Explain says why', async () => {
  const md = await gw.call<ModelMetadataResponse__Output>('ModelMetadata', { name: 'ocr_det' });
  // Unloaded and without a deadline, the cheaper pool (GPU at 0.02/h) takes it.
  const idle = await infer(md, {}, { shape: DET });
  assert.ok(idle.ok, JSON.stringify(idle));
  assert.equal(param(idle.res, 'switchyard_pool')!.string_param, 'gpu');
  // Slow gpu-1 on purpose: +60 ms per batch (the executor re-reads its fault file every second).
  writeFileSync(path.join(dir, 'gpu-1.fault'), '60\n');
  await sleep(1300);
  // Measure both pools at the probe size (the service-time samples the placement uses).
  for (let i = 0; i < 4; i++) assert.ok((await infer(md, { pool: { string_param: 'gpu' } }, { shape: PROBE })).ok);
  for (let i = 0; i < 6; i++) assert.ok((await infer(md, { pool: { string_param: 'cpu' } }, { shape: PROBE })).ok);
  await sleep(600);
  const st = await mesh.clusterStatus();
  const measured = ['gpu-1', 'cpu-1', 'cpu-2'].map((id) => `${id} ${serviceMs(st, id, 'ocr_det').toFixed(1)} ms`).join(', ');
  const s = Math.max(serviceMs(st, 'gpu-1', 'ocr_det'), 10);

  // Background load pinned to the GPU: 8 requests always in flight (priority 1, never shed).
  let stop = false;
  let background = 0;
  let deadlineMs: number;
  let first: Result | undefined;
  let spilled: Result[];
  const loops = Array.from({ length: 8 }, async () => {
    while (!stop) {
      const r = await infer(md, { pool: { string_param: 'gpu' }, priority: { int64_param: 1 } }, { shape: PROBE });
      assert.ok(r.ok, `background request failed: ${JSON.stringify(r)}`);
      background++;
    }
  });
  try {
    await sleep(300);
    // Deadline: 5 GPU service times. The GPU's prediction with L ahead is (L + min(4, L + 1))
    // service times, over the deadline from L = 3 (the 8 loops keep L near 8); the idle CPU's is
    // one service time of the probe (~12 ms here against ~70 ms on the slowed GPU).
    deadlineMs = Math.ceil(5 * s);
    const probes: Result[] = [];
    for (let i = 0; i < 8; i++) probes.push(await infer(md, { timeout: { int64_param: deadlineMs * 1000 } }, { id: `tight-${i}`, shape: PROBE }));
    const cpuOk = probes.filter((p) => p.ok && param(p.res, 'switchyard_pool')!.string_param === 'cpu');
    for (const p of probes) assert.ok(p.ok || p.code === 'DEADLINE_EXCEEDED', `tight probe: ${JSON.stringify(p)}`);
    const onGpu = probes.find((p) => p.ok && param(p.res, 'switchyard_pool')!.string_param === 'gpu');
    assert.ok(cpuOk.length >= 5, `tight-deadline probes on the CPU: ${cpuOk.length} of 8 (${probes.map((p) => (p.ok ? param(p.res, 'switchyard_pool')!.string_param : `${p.code} [${p.details}]`)).join(' ')}), deadline ${deadlineMs} ms, measured ${measured}; a GPU-placed probe's record: ${onGpu ? explainCli(onGpu.id).stdout : '-'}`);
    // The client's id is echoed and is the decision record's key.
    spilled = cpuOk;
    first = cpuOk[0]!;
    assert.ok(first.ok);
    assert.match(first.id, /^tight-\d$/);
    assert.equal(first.res.id, first.id);

    // Without a deadline the same moment still goes to the cheaper (busy) GPU: it was the deadline that moved them.
    const loose = await infer(md, {}, { shape: PROBE });
    assert.ok(loose.ok);
    const loosePool = param(loose.res, 'switchyard_pool')!.string_param;
    assert.equal(loosePool, 'gpu', `the loose request went to ${loosePool}: ${loosePool === 'gpu' ? '' : explainCli(loose.id).stdout}`);
  } finally {
    stop = true;
    await Promise.all(loops);
    writeFileSync(path.join(dir, 'gpu-1.fault'), '');
  }
  assert.ok(background > 0);
  // Explained after the load stops (records and the model's numbers are kept; nothing is recomputed).
  // The gateway's record of a spilled request: the GPU was rejected by the deadline filter.
  assert.ok(first);
  // Of the spilled probes, take one whose record shows the GPU rejected by the deadline filter
  // (on a loaded machine a probe may also land on the CPU while the GPU's queue momentarily
  // drained; its record then says so, and it is not the case this test explains).
  let rec: { request_id: string; pool: string; status: string; reason: string; predicted_ms: number; candidates: Array<{ executor_id: string; feasible: boolean; verdict: string; live_in_flight: number }> } | undefined;
  const looked: string[] = [];
  for (const p of spilled) {
    const cli = explainCli(p.id);
    assert.equal(cli.status, 0, cli.stderr);
    const r = JSON.parse(cli.stdout);
    assert.equal(r.request_id, p.id);
    assert.equal(r.pool, 'POOL_CPU');
    const gpu = r.candidates.find((c: { executor_id: string }) => c.executor_id === 'gpu-1');
    looked.push(`${p.id}: gpu ${gpu?.verdict}`);
    if (gpu && !gpu.feasible) {
      rec = r;
      first = p;
      break;
    }
  }
  assert.ok(rec, `a spilled probe whose record shows the GPU rejected by its deadline: ${looked.join('; ')}`);
  assert.equal(rec.status, 'OK');
  assert.match(rec.reason, /cheapest pool meeting deadline: cpu/);
  assert.ok(rec.predicted_ms > 0 && rec.predicted_ms <= deadlineMs);
  const g = rec.candidates.find((c) => c.executor_id === 'gpu-1')!;
  assert.equal(g.feasible, false);
  assert.match(g.verdict, /^deadline: predicted \d+(\.\d+)? ms > deadline/);
  assert.ok(g.live_in_flight >= 1, 'the gateway saw its own live load on the GPU');
  const human = explainCli(first.id, false);
  assert.equal(human.status, 0, human.stderr);
  assert.match(human.stdout, /decision: cpu-\d \(cpu\)/);
  assert.match(human.stdout, /gpu-1\s+gpu \(CPU fallback\).*deadline: predicted/);

  // The scheduler's Explain sees the executors only through heartbeats (queue depth, in flight):
  // the gateway's own in-flight count is the fast signal. On a small machine the transport, not
  // the GPU executor's queue, may hold most of the background load, so the scheduler's decision
  // may differ; its explanation must still be consistent: the deadline verdict of each
  // candidate agrees with its predicted time, and the decision names the deadline.
  const e = await schedExplain({ model_name: 'ocr_det', deadline_us: deadlineMs * 1000 });
  assert.match(e.decision!.reason, /cheapest pool meeting deadline: (gpu|cpu)/);
  assert.equal(e.candidates.length, 3);
  for (const c of e.candidates) {
    const v = c.verdicts.find((x) => x.plugin === 'deadline')!;
    assert.equal(v.passed, c.predicted_ms <= deadlineMs, `${c.executor_id}: ${JSON.stringify(v)} predicted ${c.predicted_ms}`);
    if (!v.passed) assert.match(v.reason, /^predicted \d+(\.\d+)? ms > deadline/);
  }
  assert.equal(e.candidates.filter((c) => c.chosen).length, 1);
});

test('admission: a deadline nobody can meet is refused at once with DEADLINE_EXCEEDED and the reason, and explained', async () => {
  const md = await gw.call<ModelMetadataResponse__Output>('ModelMetadata', { name: 'ocr_det' });
  const st = await mesh.clusterStatus();
  const fastest = Math.min(...['gpu-1', 'cpu-1', 'cpu-2'].map((id) => serviceMs(st, id, 'ocr_det')).filter((x) => x > 0));
  const budgetMs = Math.max(1, Math.floor(fastest / 3));
  // A third of the fastest detector pass. (On a loaded machine the budget may be gone before
  // placement even runs — also DEADLINE_EXCEEDED, "already passed on arrival"; try again then.)
  let r: Result = { ok: false, code: '', details: '', id: '' };
  for (let i = 0; i < 5; i++) {
    r = await infer(md, { timeout: { int64_param: budgetMs * 1000 } }, { shape: DET });
    if (r.ok || !/already passed on arrival/.test(r.details)) break;
  }
  assert.equal(r.ok, false, `budget ${budgetMs} ms, fastest ${fastest} ms`);
  assert.ok(!r.ok);
  assert.equal(r.code, 'DEADLINE_EXCEEDED');
  assert.match(r.details, /no executor can meet the deadline: best predicted .* > deadline/);
  assert.ok(r.id, 'the refusal carries switchyard-request-id');
  const cli = explainCli(r.id);
  assert.equal(cli.status, 0, cli.stderr);
  const rec = JSON.parse(cli.stdout);
  assert.equal(rec.placed, false);
  assert.equal(rec.code, 'DEADLINE_EXCEEDED');
  assert.equal(rec.status, 'DEADLINE_EXCEEDED');
  assert.equal(rec.attempts.length, 0, 'no executor was tried');
  assert.ok(rec.candidates.length >= 3);
  for (const c of rec.candidates) assert.match(c.verdict, /^deadline: /);
  // The scheduler's Explain refuses the same way, with every candidate's verdict.
  const e = await schedExplain({ model_name: 'ocr_det', deadline_us: budgetMs * 1000 });
  assert.equal(e.decision!.placed, false);
  assert.equal(e.decision!.code, 'DEADLINE_EXCEEDED');
  assert.match(e.decision!.reason, /no executor can meet the deadline/);
  for (const c of e.candidates) assert.ok(c.verdicts.some((v) => v.plugin === 'deadline' && !v.passed), JSON.stringify(c));
  const missing = explainCli('no-such-request');
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /NOT_FOUND/);
});

test('(b) a cheaper CPU pool: loose deadlines go to the CPU; cost and reason reach telemetry outcomes', async () => {
  await mesh.startService('cpu-executor', 'cpu-executor-3', { SY_POOL: 'cpu', SY_EXECUTOR_ID: 'cpu-3', SY_COST_PER_HOUR: '0.001', ...FAST_BEAT });
  await mesh.waitForExecutors(4);
  // The scheduler's view first, then give the gateway's table a moment to follow.
  let e: Explanation__Output | undefined;
  for (let i = 0; i < 40; i++) {
    e = await schedExplain({ model_name: 'ocr_cls', deadline_us: 10_000_000 });
    if (e.decision?.pool === 'POOL_CPU' && e.candidates.length >= 4) break;
    await sleep(250);
  }
  assert.equal(e!.decision!.pool, 'POOL_CPU', JSON.stringify(e?.decision));
  assert.match(e!.decision!.reason, /cheapest pool meeting deadline: cpu/);
  const eg = e!.candidates.find((c) => c.executor_id === 'gpu-1')!;
  assert.equal(eg.feasible, true, 'the GPU could meet the loose deadline; it is the cost that decides');
  await sleep(1500);

  const md = await gw.call<ModelMetadataResponse__Output>('ModelMetadata', { name: 'ocr_cls' });
  const results: Result[] = [];
  for (let i = 0; i < 10; i++) results.push(await infer(md, { timeout: { int64_param: 10_000_000 } }));
  for (const r of results) assert.ok(r.ok, JSON.stringify(r));
  const pools = results.map((r) => (r.ok ? param(r.res, 'switchyard_pool')!.string_param : '?'));
  assert.deepEqual(pools, Array(10).fill('cpu'));
  const last = results[9]!;
  assert.ok(last.ok);
  assert.match(last.id, /^[0-9a-f-]{36}$/, 'a request without an id gets a generated one');
  assert.equal(last.res.id, '', 'OIP echoes the (empty) client id');
  assert.ok(param(last.res, 'switchyard_cost')!.double_param! > 0);

  const cli = explainCli(last.id);
  assert.equal(cli.status, 0, cli.stderr);
  const rec = JSON.parse(cli.stdout);
  assert.match(rec.reason, /cheapest pool meeting deadline: cpu/);
  const gpu = rec.candidates.find((c: { executor_id: string }) => c.executor_id === 'gpu-1');
  const cpu3 = rec.candidates.find((c: { executor_id: string }) => c.executor_id === 'cpu-3');
  assert.equal(gpu.verdict, 'feasible');
  assert.ok(cpu3.cost_per_request < gpu.cost_per_request, `cpu-3 ${cpu3.cost_per_request} < gpu-1 ${gpu.cost_per_request}`);

  // The outcome event carries the decision's cost, prediction and reason.
  for (let i = 0; i < 40 && !outcomes.has(last.id); i++) await sleep(100);
  const o = outcomes.get(last.id);
  assert.ok(o, 'outcome published');
  assert.equal(o.status, 'OK');
  assert.ok(o.cost > 0 && Math.abs(o.cost - rec.cost_per_request) < 1e-15);
  assert.ok(o.predicted_ms > 0);
  assert.match(o.placement_reason, /cheapest pool meeting deadline: cpu/);
  assert.ok(o.table_version > 0);
});

test('an executor SIGKILLed under load loses no request: each succeeds elsewhere or misses its deadline precisely', async () => {
  const md = await gw.call<ModelMetadataResponse__Output>('ModelMetadata', { name: 'ocr_cls' });
  const counts = new Map<string, number>();
  let retried = 0;
  let stop = false;
  const loops = Array.from({ length: 4 }, async (_, k) => {
    for (let i = 0; !stop; i++) {
      const r = await infer(md, { pool: { string_param: 'cpu' }, timeout: { int64_param: 5_000_000 } }, { id: `kill-${k}-${i}` });
      const key = r.ok ? 'OK' : r.code;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      if (!r.ok && key !== 'DEADLINE_EXCEEDED') counts.set(`${key}: ${r.details}`, 1);
      if (r.ok && Number(param(r.res, 'switchyard_attempts')!.int64_param) === 2) retried++;
    }
  });
  await sleep(800);
  const victim = mesh.services.get('cpu-executor-2')!;
  victim.child.kill('SIGKILL');
  await victim.exited;
  await sleep(3000); // until about the scheduler's stale-after (3 s), when the table drops it
  stop = true;
  await Promise.all(loops);
  const summary = JSON.stringify(Object.fromEntries(counts));
  for (const k of counts.keys()) assert.ok(k === 'OK' || k === 'DEADLINE_EXCEEDED', `unexpected outcome ${k}: ${summary}`);
  assert.ok((counts.get('OK') ?? 0) > 20, summary);
  assert.ok(retried >= 1, `requests retried on another executor: ${retried} (${summary})`);
  const admin = createClient<GatewayClient>(gatewayV1.Gateway, mesh.endpoints.gateway, mesh.client, { serverSpiffeId: spiffeIdOf('gateway') });
  try {
    const status = await unary<GatewayStatusResponse__Output>(admin, 'GatewayStatus', {}, { deadlineMs: 3000 });
    assert.ok(status.executors.some((e) => e.executor_id === 'cpu-2' && Number(e.failed) >= 1), 'the gateway counted the failures on cpu-2');
  } finally {
    admin.close();
  }
});
