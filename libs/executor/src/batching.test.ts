// Phase 2: dynamic batching, queue policy (deadlines, queue size, priorities), versions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import { buildMlp, buildHeavy, mlpReference } from '@switchyard/onnx-builder';
import { ExecutorEngine } from './index.ts';
import { tmpDir, request, writeModel, f32bytes } from './test-helpers.ts';

const MLP = { inputDim: 8, hidden: 16, outputDim: 3 };
const HEAVY_DIM = 256;

function heavyReq(rows: number, parameters: Record<string, unknown> = {}) {
  return request('heavy', [{ name: 'input', datatype: 'FP32', shape: [rows, HEAVY_DIM] }], { raw: [Buffer.alloc(rows * HEAVY_DIM * 4, 1)], parameters });
}

async function heavyEngine(extra: string): Promise<{ engine: ExecutorEngine; dir: string }> {
  const dir = tmpDir('heavy');
  // 600 chained 256x256 MatMuls over 64 rows: tens of milliseconds per batch on one thread.
  writeModel(dir, 'heavy', 1, buildHeavy({ dim: HEAVY_DIM, repeat: 600 }), `max_batch_size: 64\ninstance_count: 1\nwarmup: true\n${extra}`);
  const engine = await ExecutorEngine.create({ repoDir: dir, pool: 'cpu', executorId: 'cpu-b', intraOpThreads: 1, sessionWorkers: 1 });
  await engine.loadAll();
  assert.equal(engine.ready('heavy'), true);
  return { engine, dir };
}

test('concurrent requests with the same shape are merged into one batch and split back by rows', async () => {
  const dir = tmpDir('merge');
  const o = { ...MLP, seed: 5 };
  writeModel(dir, 'mlp', 1, buildMlp(o), 'max_batch_size: 16\ndynamic_batching:\n  max_queue_delay_ms: 50\n  preferred_batch_sizes: [8]\n');
  const engine = await ExecutorEngine.create({ repoDir: dir, pool: 'cpu', executorId: 'cpu-m' });
  await engine.loadAll();
  try {
    const inputs = Array.from({ length: 8 }, (_, r) => Array.from({ length: (r % 2) + 1 }, () => Array.from({ length: 8 }, (_, i) => Math.sin(r * 13 + i))).flat());
    const results = await Promise.all(inputs.map((x) => engine.infer(request('mlp', [{ name: 'input', datatype: 'FP32', shape: [x.length / 8, 8] }], { raw: [f32bytes(x)] }))));
    results.forEach((res, r) => {
      const x = inputs[r]!;
      const rows = x.length / 8;
      assert.deepEqual(res.outputs![0]!.shape, [rows, 3]);
      const b = res.raw_output_contents![0] as Buffer;
      const y = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
      mlpReference(o, x, rows).forEach((v, i) => assert.ok(Math.abs(y[i]! - v) < 1e-4, `request ${r} elem ${i}`));
    });
    const s = engine.statistics('mlp').model_stats![0]!;
    assert.equal(Number(s.inference_count), 12, 'rows counted');
    assert.ok(Number(s.execution_count) < 8, `expected merged batches, got ${s.execution_count} executions for 8 requests`);
    assert.ok(s.batch_stats!.some((b) => Number(b.batch_size) > 2), 'a batch of more than one request ran');
    const hb = engine.heartbeat().models[0]!;
    assert.ok(hb.service_times!.some((t) => Number(t.batch_size) > 2));
  } finally {
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a request with a 5 ms deadline queued behind long batches gets DEADLINE_EXCEEDED before they finish', async (t) => {
  const { engine, dir } = await heavyEngine('dynamic_batching:\n  max_queue_delay_ms: 0\n  max_queue_size: 100\n');
  try {
    const events: string[] = [];
    const long = [0, 1, 2].map((i) => engine.infer(heavyReq(64)).then(() => events.push(`long${i}`)));
    await new Promise((r) => setImmediate(r));
    const t0 = performance.now();
    let lateMs = -1;
    const short = engine.infer(heavyReq(1), { deadlineMs: t0 + 5 }).then(
      () => assert.fail('the short request should have missed its deadline'),
      (e: { code: number; details: string }) => {
        lateMs = performance.now() - (t0 + 5);
        events.push('short');
        assert.equal(e.code, status.DEADLINE_EXCEEDED);
        assert.match(e.details, /model 'heavy' version '1': deadline exceeded while queued/);
      },
    );
    await Promise.all([...long, short]);
    assert.equal(events[0], 'short', `the deadline answer came after a long batch: ${events.join(', ')}`);
    assert.ok(lateMs >= 0);
    const batchMs = engine.heartbeat().models[0]!.service_times!.find((x) => Number(x.batch_size) === 64)?.ms;
    t.diagnostic(`deadline answered ${lateMs.toFixed(1)} ms after it passed; a 64-row batch takes ~${Number(batchMs).toFixed(1)} ms`);
    const s = engine.statistics('heavy').model_stats![0]!;
    assert.equal(Number(s.inference_stats!.fail!.count), 1);
    assert.equal(Number(s.inference_stats!.success!.count), 3);
  } finally {
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('queue full: RESOURCE_EXHAUSTED at once, while the queued requests still succeed', async () => {
  const { engine, dir } = await heavyEngine('dynamic_batching:\n  max_queue_delay_ms: 0\n  max_queue_size: 2\n');
  try {
    const running = engine.infer(heavyReq(64));
    const queued = [engine.infer(heavyReq(64)), engine.infer(heavyReq(64))];
    let settled = false;
    void running.then(() => (settled = true));
    await assert.rejects(engine.infer(heavyReq(64)), (e: { code: number; details: string }) => {
      assert.equal(e.code, status.RESOURCE_EXHAUSTED);
      assert.match(e.details, /model 'heavy' version '1'/);
      return true;
    });
    assert.equal(settled, false, 'rejected before the running batch finished');
    const ok = await Promise.all([running, ...queued]);
    assert.equal(ok.length, 3);
  } finally {
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('priority: a priority-1 request queued after a default one runs first', async () => {
  const { engine, dir } = await heavyEngine('dynamic_batching:\n  max_queue_delay_ms: 0\n  max_queue_size: 10\n  priority_levels: 2\n');
  try {
    const order: string[] = [];
    const running = engine.infer(heavyReq(64)).then(() => order.push('running'));
    const low = engine.infer(heavyReq(64)).then(() => order.push('low'));
    const high = engine.infer(heavyReq(64, { priority: { int64_param: 1, parameter_choice: 'int64_param' } })).then(() => order.push('high'));
    await Promise.all([running, low, high]);
    assert.deepEqual(order, ['running', 'high', 'low']);
  } finally {
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('background: a background request queued before a foreground one (of the lowest priority) runs after it', async () => {
  const { engine, dir } = await heavyEngine('dynamic_batching:\n  max_queue_delay_ms: 0\n  max_queue_size: 10\n');
  try {
    const order: string[] = [];
    const running = engine.infer(heavyReq(64), { background: true }).then(() => order.push('running'));
    const bg = engine.infer(heavyReq(64), { background: true }).then(() => order.push('background'));
    const fg = engine.infer(heavyReq(64)).then(() => order.push('foreground'));
    await Promise.all([running, bg, fg]);
    assert.deepEqual(order, ['running', 'foreground', 'background']);
    assert.equal(engine.cpuLanes().runs.background, 2);
  } finally {
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('loading version N+1 while requests flow fails none; the old version is unloaded after', async () => {
  const dir = tmpDir('versions');
  const o1 = { ...MLP, seed: 101 };
  const o2 = { ...MLP, seed: 102 };
  const cfg = 'max_batch_size: 8\ndynamic_batching:\n  max_queue_delay_ms: 1\nversion_policy: { latest: 1 }\n';
  writeModel(dir, 'mlp', 1, buildMlp(o1), cfg);
  const engine = await ExecutorEngine.create({ repoDir: dir, pool: 'cpu', executorId: 'cpu-v' });
  await engine.loadAll();
  try {
    const x = Array.from({ length: 8 }, (_, i) => i / 4 - 1);
    const refs: Record<string, Float64Array> = { '1': mlpReference(o1, x, 1), '2': mlpReference(o2, x, 1) };
    let stop = false;
    const served: string[] = [];
    const failures: string[] = [];
    const client = async () => {
      while (!stop) {
        try {
          const r = await engine.infer(request('mlp', [{ name: 'input', datatype: 'FP32', shape: [1, 8], contents: { fp32_contents: x } }]));
          const got = r.outputs![0]!.contents!.fp32_contents as number[];
          refs[r.model_version!]!.forEach((v, i) => assert.ok(Math.abs(got[i]! - v) < 1e-4, `version ${r.model_version} output`));
          served.push(r.model_version!);
        } catch (e) {
          failures.push((e as Error).message);
        }
      }
    };
    const clients = [client(), client(), client(), client()];
    await new Promise((r) => setTimeout(r, 50));
    fs.mkdirSync(path.join(dir, 'mlp', '2'));
    fs.writeFileSync(path.join(dir, 'mlp', '2', 'model.onnx'), buildMlp(o2));
    assert.deepEqual(await engine.load('mlp'), ['2']);
    await new Promise((r) => setTimeout(r, 50));
    stop = true;
    await Promise.all(clients);
    assert.deepEqual(failures, []);
    assert.ok(served.includes('1') && served.includes('2'), `served: ${[...new Set(served)].join(',')}`);
    assert.equal(served[served.length - 1], '2');
    // version 1 is gone once its in-flight requests finished
    for (let i = 0; i < 100 && engine.index().models!.some((m) => m.version === '1'); i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(engine.index().models!.map((m) => `${m.name}:${m.version}:${m.state}`), ['mlp:2:READY']);
    await assert.rejects(engine.infer(request('mlp', [], { version: '1' })), (e: { code: number; details: string }) => e.code === status.NOT_FOUND && /loaded versions: 2/.test(e.details));
  } finally {
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('reloading a loaded version swaps it without failing requests; unload waits for in-flight', async () => {
  const { engine, dir } = await heavyEngine('');
  try {
    const inflight = engine.infer(heavyReq(64));
    const reloaded = engine.load('heavy', ['1']);
    const during = engine.infer(heavyReq(1));
    assert.deepEqual(await reloaded, ['1']);
    await Promise.all([inflight, during]);
    const slow = engine.infer(heavyReq(64));
    let done = false;
    void slow.then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    const unloaded = await engine.unload('heavy');
    assert.deepEqual(unloaded, ['1']);
    assert.equal(done, true, 'unload returned only after the in-flight request finished');
    await slow;
    await assert.rejects(engine.infer(heavyReq(1)), (e: { code: number }) => e.code === status.NOT_FOUND);
    assert.deepEqual(await engine.load('heavy'), ['1']);
    assert.equal(engine.ready('heavy', '1'), true);
  } finally {
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('version policy: specific and latest N; explicit versions add to the loaded set', async () => {
  const dir = tmpDir('policy');
  for (const v of [1, 2, 3]) writeModel(dir, 'm', v, buildMlp({ ...MLP, seed: v }), 'max_batch_size: 4\nversion_policy: { specific: [1, 3] }\n');
  const engine = await ExecutorEngine.create({ repoDir: dir, pool: 'cpu', executorId: 'cpu-p' });
  try {
    await engine.loadAll();
    assert.deepEqual(engine.metadata('m').versions, ['1', '3']);
    assert.deepEqual(await engine.load('m', ['2']), ['2']);
    assert.deepEqual(engine.metadata('m').versions, ['1', '2', '3']);
    await assert.rejects(engine.load('m', ['9']), (e: { code: number; details: string }) => e.code === status.NOT_FOUND && /version '9' is not in the repository \(on disk: 1,2,3\)/.test(e.details));
    fs.writeFileSync(path.join(dir, 'm', 'config.yaml'), 'max_batch_size: 4\nversion_policy: { latest: 2 }\n');
    assert.deepEqual(await engine.load('m'), ['2', '3']);
    for (let i = 0; i < 100 && engine.index().models!.length !== 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(engine.index().models!.map((m) => m.version), ['2', '3']);
    assert.deepEqual(await engine.unload('m', ['2']), ['2']);
    assert.deepEqual(engine.metadata('m').versions, ['3']);
    await assert.rejects(engine.load('nope'), (e: { code: number }) => e.code === status.NOT_FOUND);
  } finally {
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
