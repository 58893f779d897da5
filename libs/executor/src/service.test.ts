// The executor as a real process: NATS, mTLS gRPC, heartbeats, SIGTERM.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { startNats, type NatsHandle } from '@switchyard/devstack';
import { ensureDevPki, createClient, unary, spiffeIdOf } from '@switchyard/mesh';
import { Bus } from '@switchyard/bus';
import { createLogger } from '@switchyard/log';
import { executorV1, codec, CPU_PRIORITY_METADATA, type Heartbeat, type Heartbeat__Output, type ModelInferResponse__Output, type ExecutorClient } from '@switchyard/proto';
import { mlpReference } from '@switchyard/onnx-builder';
import { BUNDLED_MLP, bundledMlpSeed } from './repository.ts';
import { defaultIntraOpThreads } from './engine.ts';
import { tmpDir, f32bytes } from './test-helpers.ts';
import { sampleValue } from '@switchyard/otel/testing';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const NODE = path.join(ROOT, 'node_modules/.bin/node');
const hbCodec = codec<Heartbeat, Heartbeat__Output>('switchyard.executor.v1.Heartbeat');
const log = createLogger({ service: 'executor-test', level: 'warn' });

let dir: string;
let nats: NatsHandle;
let bus: Bus;

before(async () => {
  dir = tmpDir('svc');
  nats = await startNats({ dataDir: path.join(dir, 'nats') });
  await ensureDevPki(path.join(dir, 'pki'));
  bus = await Bus.connect({ url: nats.url, name: 'executor-test', log });
});
after(async () => {
  await bus?.close();
  await nats?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function spawnExecutor(pool: 'cpu' | 'gpu', env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(NODE, [path.join(ROOT, `services/${pool}-executor/src/main.ts`)], {
    cwd: dir,
    env: {
      ...process.env,
      SY_NATS_URL: nats.url,
      SY_PKI_DIR: path.join(dir, 'pki'),
      SY_MODEL_REPO: path.join(dir, 'models'),
      SY_BUNDLED_MODELS: 'true',
      SY_PORT: '0',
      SY_HEARTBEAT_MS: '200',
      SY_INTRA_OP_THREADS: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, output: () => out, exited };
}

async function waitFor(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function nextHeartbeat(executorId: string, pred: (h: Heartbeat__Output) => boolean = () => true, timeoutMs = 60_000): Promise<Heartbeat__Output> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { sub.unsubscribe(); reject(new Error(`no heartbeat from ${executorId}`)); }, timeoutMs);
    const sub = bus.subscribe(`sy.v1.executor.heartbeat.${executorId}`, hbCodec, (h) => {
      if (!pred(h)) return;
      clearTimeout(timer);
      sub.unsubscribe();
      resolve(h);
    });
  });
}

test('cpu executor process: heartbeat on NATS, Infer over mTLS, batch metrics on /metrics, SIGTERM drains and exits 0', { timeout: 150_000 }, async () => {
  const hbP = nextHeartbeat('cpu-t1', (h) => h.models.some((m) => m.name === 'mlp' && m.state === 'READY'));
  const ex = spawnExecutor('cpu', { SY_EXECUTOR_ID: 'cpu-t1', SY_METRICS_PORT: '0', SY_METRICS_HOST: '127.0.0.1' });
  try {
    const hb = await hbP.catch((e: Error) => { throw new Error(`${e.message}; the executor's output:\n${ex.output().slice(-4000)}`); });
    assert.equal(hb.pool, 'POOL_CPU');
    assert.equal(hb.executor_id, 'cpu-t1');
    assert.equal(hb.spiffe_id, spiffeIdOf('cpu-executor'));
    assert.equal(hb.device!.execution_provider, 'cpu');
    assert.equal(hb.draining, false);
    assert.match(hb.address, /^127\.0\.0\.1:\d+$/);
    assert.ok(hb.models.some((m) => m.name === 'ocr_cls' && m.state === 'READY'));
    await waitFor(() => /"msg":"ready"/.test(ex.output()), 'ready log line');
    // Without SY_INTRA_OP_THREADS, sessions get the host's cores shared among the 2 session workers.
    const deviceLine = ex.output().split('\n').find((l) => l.includes('"intra_op_threads"'));
    assert.ok(deviceLine, 'the device log line says the intra-op threads');
    assert.equal((JSON.parse(deviceLine) as { intra_op_threads: number }).intra_op_threads, defaultIntraOpThreads(os.availableParallelism(), 2));

    const ids = await ensureDevPki(path.join(dir, 'pki'));
    const client = createClient<ExecutorClient>(executorV1.Executor, hb.address, ids.client!, { serverSpiffeId: spiffeIdOf('cpu-executor') });
    const x = Array.from({ length: 2 * 16 }, (_, i) => i / 10 - 1);
    const res = await unary<ModelInferResponse__Output>(client, 'Infer', {
      model_name: 'mlp', model_version: '1',
      inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 16] }],
      raw_input_contents: [f32bytes(x)],
    }, { deadlineMs: 5000 });
    const b = res.raw_output_contents[0]!;
    const y = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
    const ref = mlpReference({ ...BUNDLED_MLP, seed: bundledMlpSeed(1) }, x, 2);
    ref.forEach((v, i) => assert.ok(Math.abs(y[i]! - v) < 1e-4));

    // The ready log names the Prometheus endpoint (the launcher lists it in endpoints.json), and
    // the batch that just ran (2 rows) is in the batch-size histogram.
    const ready = ex.output().split('\n').map((l) => { try { return JSON.parse(l) as { msg?: string; metricsPort?: number }; } catch { return {}; } }).find((r) => r.msg === 'ready');
    assert.ok(ready?.metricsPort && ready.metricsPort > 0, 'ready log names metricsPort');
    // A request marked background (metadata, as the gateway sends on unary Infer) runs in the
    // background lane and is counted there.
    const md = new Metadata();
    md.set(CPU_PRIORITY_METADATA, 'background');
    await unary(client, 'Infer', { model_name: 'mlp', model_version: '1', inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 16] }], raw_input_contents: [f32bytes(x.slice(0, 16))] }, { deadlineMs: 5000, metadata: md });
    const metrics = await (await fetch(`http://127.0.0.1:${ready.metricsPort}/metrics`)).text();
    const mlpLabels = { model: 'mlp', version: '1', pool: 'cpu', cpu_priority: 'normal' };
    assert.equal(sampleValue(metrics, 'switchyard_executor_batch_size_count', mlpLabels), 1);
    assert.equal(sampleValue(metrics, 'switchyard_executor_batch_size_sum', mlpLabels), 2);
    assert.equal(sampleValue(metrics, 'switchyard_executor_queue_duration_count', mlpLabels), 1);
    assert.equal(sampleValue(metrics, 'switchyard_executor_batch_size_sum', { ...mlpLabels, cpu_priority: 'background' }), 1);
    assert.match(metrics, /target_info\{[^}]*service_name="cpu-executor"[^}]*switchyard_executor_id="cpu-t1"/);

    await assert.rejects(unary(client, 'Infer', { model_name: 'mlp', model_version: '9', inputs: [] }, { deadlineMs: 5000 }), (e: ServiceError) => {
      assert.equal(e.code, status.NOT_FOUND);
      assert.match(e.details, /model 'mlp' version '9' is not loaded on executor cpu-t1; loaded versions: 1,2/);
      return true;
    });
    const d = await unary<Heartbeat__Output>(client, 'Describe', {}, { deadlineMs: 5000 });
    assert.equal(d.executor_id, 'cpu-t1');
    const idx = await unary<{ models: { name: string; state: string }[] }>(client, 'RepositoryIndex', {}, { deadlineMs: 5000 });
    assert.ok(idx.models.some((m) => m.name === 'ocr_det' && m.state === 'READY'));
    const un = await unary<{ unloaded_versions: string[] }>(client, 'UnloadModel', { name: 'identity_fp32' }, { deadlineMs: 5000 });
    assert.deepEqual(un.unloaded_versions, ['1']);
    assert.equal((await unary<{ ready: boolean }>(client, 'ModelReady', { name: 'identity_fp32' }, { deadlineMs: 5000 })).ready, false);
    const ld = await unary<{ loaded_versions: string[] }>(client, 'LoadModel', { name: 'identity_fp32' }, { deadlineMs: 5000 });
    assert.deepEqual(ld.loaded_versions, ['1']);
    assert.equal((await unary<{ ready: boolean }>(client, 'ModelReady', { name: 'identity_fp32' }, { deadlineMs: 5000 })).ready, true);
    client.close();

    const drainingP = nextHeartbeat('cpu-t1', (h) => h.draining);
    // The executor publishes its draining heartbeat at once on SIGTERM and is gone soon after:
    // make sure NATS has our subscription first (a PING/PONG round trip after the SUB). On a slow
    // machine the signal used to win, and the only draining heartbeat went by unseen.
    await bus.nc.flush();
    ex.child.kill('SIGTERM');
    const draining = await drainingP;
    assert.equal(draining.draining, true);
    assert.equal(await ex.exited, 0);
  } finally {
    if (ex.child.exitCode === null) ex.child.kill('SIGKILL');
  }
});

test('gpu executor process refuses to start without CUDA unless allowCpuFallback; with it, heartbeats say cpu_fallback', { timeout: 150_000 }, async () => {
  const refused = spawnExecutor('gpu', { SY_EXECUTOR_ID: 'gpu-t0' });
  assert.equal(await refused.exited, 1);
  assert.match(refused.output(), /gpu-executor failed to start: gpu executor refuses to start: no CUDA execution provider/);
  assert.match(refused.output(), /SY_ALLOW_CPU_FALLBACK=true/);

  const hbP = nextHeartbeat('gpu-t1');
  const ex = spawnExecutor('gpu', { SY_EXECUTOR_ID: 'gpu-t1', SY_ALLOW_CPU_FALLBACK: 'true' });
  try {
    const hb = await hbP.catch((e: Error) => { throw new Error(`${e.message}; the executor's output:\n${ex.output().slice(-4000)}`); });
    assert.equal(hb.pool, 'POOL_GPU');
    assert.equal(hb.device!.cpu_fallback, true);
    assert.equal(hb.device!.execution_provider, 'cpu');
    assert.match(hb.device!.fallback_reason, /CUDA/);
    assert.equal(hb.spiffe_id, spiffeIdOf('gpu-executor'));
    await waitFor(() => /CPU FALLBACK/.test(ex.output()), 'cpu fallback log line');
    ex.child.kill('SIGTERM');
    assert.equal(await ex.exited, 0);
  } finally {
    if (ex.child.exitCode === null) ex.child.kill('SIGKILL');
  }
});
