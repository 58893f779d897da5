// End to end, real processes: predictive autoscaling with the scheduler's local supervisor, and
// the KEDA external scaler API. One CPU executor (the floor); the scheduler autoscales the CPU pool
// (min 1, max 2, 1 s sync, short stabilization). Load through the gateway saturates cpu-1: the
// autoscaler asks for 2, the supervisor starts an executor process (cpu-auto-1) that joins and
// serves; KEDA's GetMetrics/IsActive/StreamIsActive follow. The load stops: after the downscale
// stabilization the supervisor stops cpu-auto-1 (SIGTERM, drain) and the count falls back to 1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { startMesh, type Mesh } from '@switchyard/launcher';
import { createClient, unary, spiffeIdOf, identityFromDir } from '@switchyard/mesh';
import { packageDefinition } from '@switchyard/proto';
import type { ClusterStatusResponse__Output, ModelInferResponse__Output, ModelMetadataResponse__Output } from '@switchyard/proto';
import { connectGateway, makeRequest, type GatewayConn } from '../tools/cli/client.ts';

let dir: string;
let mesh: Mesh;
let gw: GatewayConn;
let keda: grpc.Client;
const FAST_BEAT = { SY_HEARTBEAT_MS: '250' };
const ExternalScaler = (grpc.loadPackageDefinition(packageDefinition) as unknown as { externalscaler: { ExternalScaler: grpc.ServiceClientConstructor } }).externalscaler.ExternalScaler;
const REF = { name: 'cpu-executors', namespace: 'switchyard', scalerMetadata: { pool: 'cpu' } };
type Metrics = { metricValues: Array<{ metricName: string; metricValue: number; metricValueFloat: number }> };

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sy-e2e-autoscale-'));
  mesh = await startMesh({
    stateDir: dir,
    cpuExecutors: 1,
    gpuExecutors: 0,
    autoscale: {
      pools: ['cpu'], cpuMaxReplicas: 2, intervalMs: 1000, downscaleStabilizationS: 4, executorEnv: FAST_BEAT,
      env: { SY_AUTOSCALE_STARTUP_S: '2', SY_AUTOSCALE_QUANTILE: '0.5', SY_EJECTION: 'false', SY_CANARY: 'false' },
    },
    env: { 'cpu-executor-1': FAST_BEAT },
  });
  gw = connectGateway(mesh.endpoints);
  keda = createClient<grpc.Client>(ExternalScaler, mesh.endpoints.scheduler, mesh.client, { serverSpiffeId: spiffeIdOf('placement-scheduler') });
});

after(async () => {
  gw?.close();
  keda?.close();
  await mesh?.stop();
  if (!process.env.SY_E2E_KEEP) rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const healthyCpu = (s: ClusterStatusResponse__Output) => s.executors.filter((e) => e.heartbeat?.pool === 'POOL_CPU' && e.state === 'HEALTHY').map((e) => e.heartbeat!.executor_id);
const metric = async () => (await unary<Metrics>(keda, 'GetMetrics', { scaledObjectRef: REF, metricName: 'switchyard-cpu-desired' }, { deadlineMs: 3000 })).metricValues[0]!.metricValueFloat;
const isActive = async () => (await unary<{ result: boolean }>(keda, 'IsActive', REF, { deadlineMs: 3000 })).result;
async function until<T>(what: string, ms: number, fn: () => Promise<T | undefined | false>): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error(`${what}: not after ${ms} ms`);
    await sleep(250);
  }
}

test('KEDA external scaler: metric spec, precise errors, and the client identity only', async () => {
  const spec = await unary<{ metricSpecs: Array<{ metricName: string; targetSize: number; targetSizeFloat: number }> }>(keda, 'GetMetricSpec', REF, { deadlineMs: 3000 });
  assert.deepEqual(spec.metricSpecs, [{ metricName: 'switchyard-cpu-desired', targetSize: 1, targetSizeFloat: 1 }]);
  await assert.rejects(unary(keda, 'GetMetricSpec', { ...REF, scalerMetadata: { pool: 'tpu' } }, { deadlineMs: 3000 }), (e: grpc.ServiceError) => e.code === grpc.status.INVALID_ARGUMENT && /scalerMetadata.pool must be "cpu" or "gpu"/.test(e.details));
  await assert.rejects(unary(keda, 'GetMetrics', { scaledObjectRef: { ...REF, scalerMetadata: { pool: 'gpu' } }, metricName: '' }, { deadlineMs: 3000 }), (e: grpc.ServiceError) => e.code === grpc.status.FAILED_PRECONDITION);
  await assert.rejects(unary(keda, 'GetMetrics', { scaledObjectRef: REF, metricName: 'other' }, { deadlineMs: 3000 }), (e: grpc.ServiceError) => e.code === grpc.status.NOT_FOUND);
  const gwId = identityFromDir(path.join(dir, 'pki'), 'gateway');
  const asGateway = createClient<grpc.Client>(ExternalScaler, mesh.endpoints.scheduler, gwId, { serverSpiffeId: spiffeIdOf('placement-scheduler') });
  try {
    await assert.rejects(unary(asGateway, 'IsActive', REF, { deadlineMs: 3000 }), (e: grpc.ServiceError) => e.code === grpc.status.PERMISSION_DENIED);
  } finally {
    asGateway.close();
  }
});

test('load starts a supervised executor that serves; KEDA metrics follow; without load it is stopped', async () => {
  // Idle: the floor.
  await until('first autoscaler decision', 10_000, async () => (await mesh.clusterStatus()).pools.find((p) => p.decided_at_ms > 0));
  assert.equal(await metric(), 1);
  assert.equal(await isActive(), false);
  const streamed: boolean[] = [];
  const stream = (keda as unknown as { StreamIsActive(req: unknown): grpc.ClientReadableStream<{ result: boolean }> }).StreamIsActive(REF);
  stream.on('data', (m: { result: boolean }) => streamed.push(m.result));
  stream.on('error', () => {});

  const md = await gw.call<ModelMetadataResponse__Output>('ModelMetadata', { name: 'ocr_det' });
  const req = makeRequest(md, { shapes: { [md.inputs[0]!.name]: [1, 3, 320, 320] }, parameters: { pool: { string_param: 'cpu' } } });
  const served: Array<{ at: number; executor: string }> = [];
  const failures: string[] = [];
  let stop = false;
  const loops = Array.from({ length: 4 }, async () => {
    while (!stop) {
      try {
        const r = await gw.call<ModelInferResponse__Output>('ModelInfer', req, 60_000);
        served.push({ at: Date.now(), executor: r.parameters.switchyard_executor!.string_param! });
      } catch (e) {
        failures.push((e as Error).message);
      }
    }
  });
  let scaledUp: ClusterStatusResponse__Output;
  try {
    // The autoscaler asks for 2 and the supervisor starts one.
    const pool = await until('desired 2 with a supervised executor', 30_000, async () => {
      const p = (await mesh.clusterStatus()).pools.find((x) => x.pool === 'POOL_CPU');
      return p && p.desired === 2 && p.supervised.length === 1 ? p : undefined;
    });
    assert.deepEqual(pool.supervised, ['cpu-auto-1']);
    assert.match(pool.reason, /scale up|steady|hold/);
    assert.ok(pool.observed_rate > 0 && pool.service_rate > 0, JSON.stringify(pool));
    // KEDA sees the same decision.
    assert.equal(await metric(), 2);
    assert.equal(await isActive(), true);
    // The new executor joins (ClusterStatus count rises) and serves requests.
    scaledUp = await until('cpu-auto-1 healthy', 45_000, async () => {
      const s = await mesh.clusterStatus();
      return healthyCpu(s).length === 2 ? s : undefined;
    });
    assert.deepEqual(healthyCpu(scaledUp).sort(), ['cpu-1', 'cpu-auto-1']);
    await until('cpu-auto-1 serves', 20_000, async () => served.some((s) => s.executor === 'cpu-auto-1'));
  } finally {
    stop = true;
    await Promise.all(loops);
  }
  assert.deepEqual(failures, [], 'no request failed');
  assert.ok(streamed[0] === false && streamed.includes(true), `StreamIsActive pushed the change: ${JSON.stringify(streamed)}`);

  // No load: after the downscale stabilization the supervised executor is stopped; the floor stays.
  const down = await until('count falls back to 1', 45_000, async () => {
    const s = await mesh.clusterStatus();
    const p = s.pools.find((x) => x.pool === 'POOL_CPU');
    return healthyCpu(s).length === 1 && p?.supervised.length === 0 ? s : undefined;
  });
  assert.deepEqual(healthyCpu(down), ['cpu-1']);
  assert.equal(down.pools.find((x) => x.pool === 'POOL_CPU')!.desired, 1);
  assert.equal(await metric(), 1);
  stream.cancel();
});
