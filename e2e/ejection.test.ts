// End to end, real processes: anomaly-driven ejection. Three CPU executors; cpu-2 is slowed on
// purpose (fault injection: SY_FAULT_FILE holds an extra delay per batch, re-read every second).
// Under traffic through the gateway, the scheduler's outlier detection (pool median × factor, which
// works with 3 hosts) ejects cpu-2 from the placement tables (ClusterStatus shows it, the table
// keeps it with healthy=false), its traffic moves to its peers, and after the fault is turned off
// and the ejection time is over it returns (probation) and is not ejected again.
// Second test, same mesh: canary rollback. mlp has two READY versions; version 2 is slowed on every
// executor (fault file entry mlp@2=40): the scheduler marks it unhealthy, unloads it everywhere and
// unversioned requests are served by version 1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startMesh, type Mesh } from '@switchyard/launcher';
import { createClient, unary, spiffeIdOf } from '@switchyard/mesh';
import { Bus } from '@switchyard/bus';
import { createLogger } from '@switchyard/log';
import { codec, schedulerV1 } from '@switchyard/proto';
import type { ModelInferResponse__Output, ModelMetadataResponse__Output, PlacementSchedulerClient, PlacementTable__Output } from '@switchyard/proto';
import { connectGateway, makeRequest, type GatewayConn } from '../tools/cli/client.ts';

let dir: string;
let mesh: Mesh;
let gw: GatewayConn;
let scheduler: PlacementSchedulerClient;
let bus: Bus;
let faultFile: string;
let faultFiles: string[];
const events: Array<{ executor_id: string; action: string; reason: string }> = [];
const canaryEvents: Array<{ model_name: string; canary_version: string; executor_ids: string[] }> = [];
const FAST_BEAT = { SY_HEARTBEAT_MS: '250' };

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sy-e2e-ejection-'));
  faultFiles = [1, 2, 3].map((i) => path.join(dir, `fault-cpu-${i}`));
  faultFile = faultFiles[1]!;
  writeFileSync(faultFile, '200\n');
  writeFileSync(faultFiles[0]!, '');
  writeFileSync(faultFiles[2]!, '');
  mesh = await startMesh({
    stateDir: dir,
    cpuExecutors: 3,
    gpuExecutors: 0,
    env: {
      'placement-scheduler': {
        SY_EJECTION_INTERVAL_MS: '1000', SY_EJECTION_BASE_MS: '6000', SY_EJECTION_WINDOW_MS: '5000', SY_EJECTION_MIN_REQUESTS: '3',
        SY_AUTOSCALE_POOLS: '', SY_CANARY: 'true', SY_CANARY_INTERVAL_MS: '500', SY_CANARY_MIN_REQUESTS: '10',
      },
      'cpu-executor-1': { ...FAST_BEAT, SY_FAULT_FILE: faultFiles[0]! },
      'cpu-executor-2': { ...FAST_BEAT, SY_FAULT_FILE: faultFile },
      'cpu-executor-3': { ...FAST_BEAT, SY_FAULT_FILE: faultFiles[2]! },
    },
  });
  gw = connectGateway(mesh.endpoints);
  scheduler = createClient<PlacementSchedulerClient>(schedulerV1.PlacementScheduler, mesh.endpoints.scheduler, mesh.client, { serverSpiffeId: spiffeIdOf('placement-scheduler') });
  bus = await Bus.connect({ url: mesh.endpoints.nats, name: 'e2e-ejection', log: createLogger({ service: 'e2e-ejection', level: 'warn' }) });
  bus.subscribe('sy.v1.scheduler.canary.*', codec<Record<string, unknown>, { model_name: string; canary_version: string; executor_ids: string[] }>('switchyard.scheduler.v1.CanaryRollback'), (e) => { canaryEvents.push(e); });
  bus.subscribe('sy.v1.scheduler.ejection.*', codec<Record<string, unknown>, { executor_id: string; action: string; reason: string }>('switchyard.scheduler.v1.EjectionEvent'), (e) => { events.push(e); });
});

after(async () => {
  gw?.close();
  scheduler?.close();
  await bus?.close();
  await mesh?.stop();
  if (!process.env.SY_E2E_KEEP) rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ejectedIds = async () => (await mesh.clusterStatus()).ejections.map((e) => e.executor_id);
async function healthyInTable(id: string): Promise<boolean | undefined> {
  const t = await unary<PlacementTable__Output>(scheduler, 'GetTable', {}, { deadlineMs: 3000 });
  return t.routes.find((r) => r.model_name === 'ocr_cls')?.candidates.find((c) => c.executor_id === id)?.healthy;
}

test('a slowed executor is ejected within 10 s, its traffic moves to its peers, and it returns after it recovers', async () => {
  const md = await gw.call<ModelMetadataResponse__Output>('ModelMetadata', { name: 'ocr_cls' });
  const req = makeRequest(md, { parameters: { pool: { string_param: 'cpu' } } });
  const served: Array<{ at: number; executor: string }> = [];
  const failures: string[] = [];
  let stop = false;
  const loops = Array.from({ length: 4 }, async () => {
    while (!stop) {
      try {
        const r = await gw.call<ModelInferResponse__Output>('ModelInfer', req, 30_000);
        served.push({ at: Date.now(), executor: r.parameters.switchyard_executor!.string_param! });
      } catch (e) {
        failures.push((e as Error).message);
      }
    }
  });
  try {
    // 1. Ejected within 10 s of the traffic's start (ClusterStatus), with the latency reason.
    const t0 = Date.now();
    let ejected: string[] = [];
    while (Date.now() - t0 < 10_000) {
      ejected = await ejectedIds();
      if (ejected.includes('cpu-2')) break;
      await sleep(200);
    }
    assert.deepEqual(ejected, ['cpu-2'], `ejections after ${Date.now() - t0} ms; served so far: ${JSON.stringify(count(served))}`);
    const st = await mesh.clusterStatus();
    const rec = st.ejections[0]!;
    assert.match(rec.reason, /^latency p99 \d+(\.\d+)? ms > \d+(\.\d+)? ms \(median .* × 3\)/);
    assert.equal(rec.pool, 'POOL_CPU');
    assert.ok(rec.until_ms > rec.ejected_at_ms);
    assert.equal(await healthyInTable('cpu-2'), false, 'kept in the table, marked unhealthy');
    assert.equal(await healthyInTable('cpu-1'), true);

    // 2. Its traffic moves to its peers (after the table reached the gateway and in-flight work finished).
    await sleep(1000);
    const from = Date.now();
    await sleep(2000);
    const after = count(served.filter((s) => s.at >= from));
    assert.equal(after['cpu-2'] ?? 0, 0, `no new work on the ejected executor: ${JSON.stringify(after)}`);
    assert.ok((after['cpu-1'] ?? 0) > 0 && (after['cpu-3'] ?? 0) > 0, JSON.stringify(after));
    assert.ok(((await ejectedIds()).includes('cpu-2')), 'still ejected (6 s ejection time)');

    // 3. Recovery: the fault is turned off; after the ejection time it returns and is not re-ejected.
    writeFileSync(faultFile, '0\n');
    const t1 = Date.now();
    while (Date.now() - t1 < 20_000 && (await ejectedIds()).includes('cpu-2')) await sleep(200);
    assert.ok(!(await ejectedIds()).includes('cpu-2'), 'restored after the ejection time');
    await sleep(300);
    assert.equal(await healthyInTable('cpu-2'), true, 'back in placement');
    await sleep(3000);
    assert.ok(!(await ejectedIds()).includes('cpu-2'), 'not ejected again while it recovers');
  } finally {
    stop = true;
    await Promise.all(loops);
  }
  assert.deepEqual(failures, [], 'no request failed');
  // Events on NATS: the ejection, then the restore.
  const mine = events.filter((e) => e.executor_id === 'cpu-2').map((e) => e.action);
  assert.deepEqual(mine.slice(0, 2), ['EJECT', 'RESTORE'], JSON.stringify(events));
  assert.match(events.find((e) => e.action === 'EJECT')!.reason, /latency/);
});

test('canary rollback: a slower newer version is taken out of placement and unloaded; the stable version serves', async () => {
  for (const f of faultFiles) writeFileSync(f, 'mlp@2=40\n');
  await sleep(1200); // executors re-read their fault files every second
  const before = await mesh.clusterStatus();
  const holders = before.executors.filter((e) => e.heartbeat!.models.some((m) => m.name === 'mlp' && m.version === '2' && m.state === 'READY')).map((e) => e.heartbeat!.executor_id);
  assert.deepEqual(holders, ['cpu-1', 'cpu-2', 'cpu-3']);
  const md = await gw.call<ModelMetadataResponse__Output>('ModelMetadata', { name: 'mlp' });
  const base = makeRequest(md);
  for (let i = 0; i < 12; i++) assert.equal((await gw.call<ModelInferResponse__Output>('ModelInfer', { ...base, model_version: '1' }, 10_000)).model_version, '1');
  let v2ok = 0;
  for (let i = 0; i < 14; i++) {
    try {
      await gw.call<ModelInferResponse__Output>('ModelInfer', { ...base, model_version: '2' }, 10_000);
      v2ok++;
    } catch { /* rolled back meanwhile */ }
  }
  assert.ok(v2ok >= 10, `the canary served ${v2ok} requests`);
  const t0 = Date.now();
  let st = await mesh.clusterStatus();
  while (st.rollbacks.length === 0 && Date.now() - t0 < 10_000) { await sleep(250); st = await mesh.clusterStatus(); }
  const rb = st.rollbacks[0];
  assert.ok(rb, 'a rollback is recorded in ClusterStatus');
  assert.equal(rb.model_name, 'mlp');
  assert.equal(rb.canary_version, '2');
  assert.equal(rb.stable_version, '1');
  assert.match(rb.reason, /^latency \d+(\.\d+)? ms > stable \d+(\.\d+)? ms × 2$/);
  assert.deepEqual([...rb.executor_ids].sort(), ['cpu-1', 'cpu-2', 'cpu-3'], 'unloaded everywhere');
  // The executors no longer report mlp@2; the table's latest mlp is 1; an unversioned request runs on 1.
  while (Date.now() - t0 < 15_000) {
    st = await mesh.clusterStatus();
    if (!st.executors.some((e) => e.heartbeat!.models.some((m) => m.name === 'mlp' && m.version === '2'))) break;
    await sleep(250);
  }
  assert.ok(!st.executors.some((e) => e.heartbeat!.models.some((m) => m.name === 'mlp' && m.version === '2')), 'mlp@2 unloaded');
  // The scheduler republishes its table 20 ms after a heartbeat changes what an executor holds.
  let table = await unary<PlacementTable__Output>(scheduler, 'GetTable', {}, { deadlineMs: 3000 });
  for (let i = 0; i < 20 && table.routes.some((r) => r.model_name === 'mlp' && r.model_version === '2'); i++) {
    await sleep(50);
    table = await unary<PlacementTable__Output>(scheduler, 'GetTable', {}, { deadlineMs: 3000 });
  }
  assert.equal(table.latest_versions.mlp, '1');
  assert.ok(!table.routes.some((r) => r.model_name === 'mlp' && r.model_version === '2'));
  await sleep(500);
  assert.equal((await gw.call<ModelInferResponse__Output>('ModelInfer', base, 10_000)).model_version, '1');
  assert.ok(canaryEvents.some((e) => e.model_name === 'mlp' && e.canary_version === '2'), 'CanaryRollback event on NATS');
});

function count(xs: Array<{ executor: string }>): Record<string, number> {
  const c: Record<string, number> = {};
  for (const x of xs) c[x.executor] = (c[x.executor] ?? 0) + 1;
  return c;
}
