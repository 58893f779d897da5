import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import { buildIdentity, buildAdd, mlpReference, type OnnxType } from '@switchyard/onnx-builder';
import {
  ExecutorEngine, EngineStartError, prepareBundledRepository, BUNDLED_MLP, bundledMlpSeed, readModelConfig,
  toServiceError, type OipDatatype,
} from './index.ts';
import { tmpDir, request, writeModel, f32bytes } from './test-helpers.ts';

let repo: string;
let engine: ExecutorEngine;

const OIP_TO_ONNX: Record<OipDatatype, OnnxType> = {
  BOOL: 'BOOL', UINT8: 'UINT8', UINT16: 'UINT16', UINT32: 'UINT32', UINT64: 'UINT64', INT8: 'INT8', INT16: 'INT16',
  INT32: 'INT32', INT64: 'INT64', FP16: 'FLOAT16', FP32: 'FLOAT', FP64: 'DOUBLE', BYTES: 'STRING',
};
const ALL: OipDatatype[] = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES'];

before(async () => {
  repo = tmpDir('engine');
  prepareBundledRepository(repo);
  for (const dt of ALL) writeModel(repo, `id_${dt.toLowerCase()}`, 1, buildIdentity(OIP_TO_ONNX[dt]), 'max_batch_size: 8\nallowed_pools: [cpu]\n');
  writeModel(repo, 'add_fp32', 1, buildAdd('FLOAT', ['batch', 3]), 'max_batch_size: 4\n');
  writeModel(repo, 'gpu_only', 1, buildIdentity('FLOAT'), 'allowed_pools: [gpu]\n');
  engine = await ExecutorEngine.create({ repoDir: repo, pool: 'cpu', executorId: 'cpu-1', intraOpThreads: 1 });
  const r = await engine.loadAll();
  assert.deepEqual(r.failed, []);
});
after(async () => {
  await engine.close();
  fs.rmSync(repo, { recursive: true, force: true });
});

async function rejects(p: Promise<unknown>, code: status, re: RegExp): Promise<void> {
  await assert.rejects(p, (e: { code: number; details: string }) => {
    assert.equal(e.code, code, `expected ${status[code]}, got ${status[e.code]}: ${e.details}`);
    assert.match(e.details, re);
    return true;
  });
}

const mlpInput = (batch: number) => Array.from({ length: batch * BUNDLED_MLP.inputDim }, (_, i) => Math.cos(i * 0.7) * 1.5);

test('mlp: typed and raw inference give the JS reference, per version; empty version = latest', async () => {
  for (const version of ['1', '2']) {
    const x = mlpInput(3);
    const ref = mlpReference({ ...BUNDLED_MLP, seed: bundledMlpSeed(Number(version)) }, x, 3);
    const typed = await engine.infer(request('mlp', [{ name: 'input', datatype: 'FP32', shape: [3, 16], contents: { fp32_contents: x } }], { version }));
    assert.equal(typed.model_version, version);
    const out = typed.outputs![0]!;
    assert.equal(out.name, 'output');
    assert.equal(out.datatype, 'FP32');
    assert.deepEqual(out.shape, [3, 4]);
    const got = out.contents!.fp32_contents as number[];
    ref.forEach((v, i) => assert.ok(Math.abs(got[i]! - v) < 1e-4, `v${version}[${i}] ${got[i]} vs ${v}`));
    assert.equal(typed.raw_output_contents!.length, 0, 'typed request -> typed response');

    const raw = await engine.infer(request('mlp', [{ name: 'input', datatype: 'FP32', shape: [3, 16] }], { version, raw: [f32bytes(x)] }));
    const buf = raw.raw_output_contents![0] as Buffer;
    assert.equal(buf.length, 3 * 4 * 4);
    const f = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
    ref.forEach((v, i) => assert.ok(Math.abs(f[i]! - v) < 1e-4));
    assert.equal(raw.outputs![0]!.contents, undefined);
  }
  const latest = await engine.infer(request('mlp', [{ name: 'input', datatype: 'FP32', shape: [1, 16], contents: { fp32_contents: mlpInput(1) } }]));
  assert.equal(latest.model_version, '2');
});

for (const dt of ALL) {
  test(`identity round-trips ${dt}, raw${dt === 'FP16' ? '' : ' and typed'}`, async () => {
    const model = `id_${dt.toLowerCase()}`;
    const shape = [2, 3];
    let raw: Buffer;
    let typed: Record<string, unknown[]> | undefined;
    switch (dt) {
      case 'BOOL': raw = Buffer.from([1, 0, 1, 1, 0, 0]); typed = { bool_contents: [true, false, true, true, false, false] }; break;
      case 'UINT8': raw = Buffer.from([0, 1, 127, 128, 200, 255]); typed = { uint_contents: [0, 1, 127, 128, 200, 255] }; break;
      case 'UINT16': raw = Buffer.from(Uint16Array.of(0, 1, 300, 40000, 65000, 65535).buffer); typed = { uint_contents: [0, 1, 300, 40000, 65000, 65535] }; break;
      case 'UINT32': raw = Buffer.from(Uint32Array.of(0, 1, 70000, 3e9, 4e9, 4294967295).buffer); typed = { uint_contents: [0, 1, 70000, 3e9, 4e9, 4294967295] }; break;
      case 'UINT64': raw = Buffer.from(BigUint64Array.of(0n, 1n, 2n ** 40n, 2n ** 63n, 2n ** 64n - 1n, 5n).buffer); typed = { uint64_contents: [0, 1, 2 ** 40, 2 ** 50, 7, 5] }; break;
      case 'INT8': raw = Buffer.from(Int8Array.of(-128, -1, 0, 1, 100, 127).buffer); typed = { int_contents: [-128, -1, 0, 1, 100, 127] }; break;
      case 'INT16': raw = Buffer.from(Int16Array.of(-32768, -1, 0, 1, 1000, 32767).buffer); typed = { int_contents: [-32768, -1, 0, 1, 1000, 32767] }; break;
      case 'INT32': raw = Buffer.from(Int32Array.of(-2147483648, -1, 0, 1, 1e9, 2147483647).buffer); typed = { int_contents: [-2147483648, -1, 0, 1, 1e9, 2147483647] }; break;
      case 'INT64': raw = Buffer.from(BigInt64Array.of(-(2n ** 63n), -1n, 0n, 1n, 2n ** 53n + 1n, 2n ** 63n - 1n).buffer); typed = { int64_contents: [-(2 ** 52), -1, 0, 1, 2 ** 40, 9007199254740991] }; break;
      case 'FP16': raw = Buffer.from(new Uint16Array(new Float16Array([0, 0.5, -1, 1.5, 65504, -0.25]).buffer).buffer); typed = undefined; break;
      case 'FP32': raw = f32bytes([0, 0.5, -1, 1.5, 3.25, -1e10]); typed = { fp32_contents: [0, 0.5, -1, 1.5, 3.25, -1e10] }; break;
      case 'FP64': raw = Buffer.from(Float64Array.of(0, 0.1, -1, 1e300, Math.PI, -5e-300).buffer); typed = { fp64_contents: [0, 0.1, -1, 1e300, Math.PI, -5e-300] }; break;
      case 'BYTES': {
        const items = ['', 'a', 'héllo', 'x'.repeat(300), 'line\nbreak', '✓'];
        raw = Buffer.concat(items.flatMap((s) => { const b = Buffer.from(s); const l = Buffer.alloc(4); l.writeUInt32LE(b.length); return [l, b]; }));
        typed = { bytes_contents: items.map((s) => Buffer.from(s)) };
        break;
      }
    }
    const r = await engine.infer(request(model, [{ name: 'input', datatype: dt, shape }], { raw: [raw] }));
    assert.equal(r.outputs![0]!.datatype, dt);
    assert.deepEqual(r.outputs![0]!.shape, shape);
    assert.ok(Buffer.from(r.raw_output_contents![0] as Uint8Array).equals(raw), `${dt} raw bytes differ`);
    if (typed) {
      const t = await engine.infer(request(model, [{ name: 'input', datatype: dt, shape, contents: typed }]));
      const field = Object.keys(typed)[0]!;
      const got = (t.outputs![0]!.contents as Record<string, unknown[]>)[field]!;
      if (dt === 'BYTES') assert.deepEqual(got.map((b) => Buffer.from(b as Buffer).toString()), (typed[field] as Buffer[]).map((b) => b.toString()));
      else assert.deepEqual(got, typed[field]);
      assert.equal(t.raw_output_contents!.length, 0);
    } else {
      await rejects(engine.infer(request(model, [{ name: 'input', datatype: dt, shape, contents: { fp32_contents: [1, 2, 3, 4, 5, 6] } }])), status.INVALID_ARGUMENT, /FP16 has no typed contents field, send it in raw_input_contents/);
    }
  });
}

test('64-bit outputs beyond 2^53 come back exact (as decimal strings in typed contents)', async () => {
  const big = 2n ** 60n + 3n;
  const r = await engine.infer(request('id_int64', [{ name: 'input', datatype: 'INT64', shape: [1, 1] }], { raw: [Buffer.from(BigInt64Array.of(big).buffer)] }));
  assert.equal(Buffer.from(r.raw_output_contents![0] as Uint8Array).readBigInt64LE(), big);
  // typed: a decimal string in (accepted by protobuf for int64), a decimal string out; small values stay numbers
  const t = await engine.infer(request('id_int64', [{ name: 'input', datatype: 'INT64', shape: [1, 2], contents: { int64_contents: [big.toString(), 7] as unknown as number[] } }]));
  assert.deepEqual(t.outputs![0]!.contents!.int64_contents, [big.toString(), 7]);
});

test('output selection: only the requested outputs, unknown output INVALID_ARGUMENT', async () => {
  const a = [1, 2, 3];
  const b = [10, 20, 30];
  const r = await engine.infer(request('add_fp32', [
    { name: 'a', datatype: 'FP32', shape: [1, 3], contents: { fp32_contents: a } },
    { name: 'b', datatype: 'FP32', shape: [1, 3], contents: { fp32_contents: b } },
  ], { outputs: ['sum'] }));
  assert.deepEqual(r.outputs!.map((o) => o.name), ['sum']);
  assert.deepEqual(r.outputs![0]!.contents!.fp32_contents, [11, 22, 33]);
  const both = await engine.infer(request('add_fp32', [
    { name: 'a', datatype: 'FP32', shape: [1, 3], contents: { fp32_contents: a } },
    { name: 'b', datatype: 'FP32', shape: [1, 3], contents: { fp32_contents: b } },
  ]));
  assert.deepEqual(both.outputs!.map((o) => o.name).sort(), ['a_out', 'sum']);
  await rejects(engine.infer(request('add_fp32', [
    { name: 'a', datatype: 'FP32', shape: [1, 3], contents: { fp32_contents: a } },
    { name: 'b', datatype: 'FP32', shape: [1, 3], contents: { fp32_contents: b } },
  ], { outputs: ['nope'] })), status.INVALID_ARGUMENT, /requested output 'nope' is not an output of model 'add_fp32' \(outputs: sum, a_out\)/);
});

test('each validation failure gets its precise status and message while concurrent good requests succeed', async () => {
  const good = () => engine.infer(request('ocr_cls', [{ name: 'x', datatype: 'FP32', shape: [1, 3, 48, 192] }], { raw: [Buffer.alloc(1 * 3 * 48 * 192 * 4)] }));
  const goodMlp = () => engine.infer(request('mlp', [{ name: 'input', datatype: 'FP32', shape: [2, 16], contents: { fp32_contents: mlpInput(2) } }]));
  const x = (shape: number[], bytes: number) => request('ocr_cls', [{ name: 'x', datatype: 'FP32', shape }], { raw: [Buffer.alloc(bytes)] });
  const bad: [() => Promise<unknown>, status, RegExp][] = [
    [() => engine.infer(request('ocr_cls', [{ name: 'y', datatype: 'FP32', shape: [1, 3, 48, 192] }], { raw: [Buffer.alloc(4)] })), status.INVALID_ARGUMENT, /unknown input 'y' for model 'ocr_cls' \(inputs: x\)/],
    [() => engine.infer(request('add_fp32', [{ name: 'a', datatype: 'FP32', shape: [1, 3], contents: { fp32_contents: [1, 2, 3] } }])), status.INVALID_ARGUMENT, /missing input 'b' \(FP32 \[-1,3\]\) for model 'add_fp32'/],
    [() => engine.infer(request('ocr_cls', [{ name: 'x', datatype: 'FP64', shape: [1, 3, 48, 192] }], { raw: [Buffer.alloc(8)] })), status.INVALID_ARGUMENT, /input 'x': datatype FP64 does not match the model's FP32/],
    [() => engine.infer(x([1, 3, 48], 4)), status.INVALID_ARGUMENT, /input 'x': shape \[1,3,48\] has rank 3, the model expects rank 4 \[-1,3,-1,-1\]/],
    [() => engine.infer(x([1, 4, 48, 192], 4)), status.INVALID_ARGUMENT, /input 'x': dimension 1 is 4, the model expects 3/],
    [() => engine.infer(x([33, 3, 48, 192], 4)), status.INVALID_ARGUMENT, /input 'x': batch size 33 exceeds max_batch_size 32 of model 'ocr_cls'/],
    [() => engine.infer(x([1, 3, 48, 256], 100)), status.INVALID_ARGUMENT, /input 'x': raw content has 100 bytes, expected 147456 for shape \[1,3,48,256\] FP32/],
    [() => engine.infer(request('mlp', [{ name: 'input', datatype: 'FP32', shape: [2, 16], contents: { fp32_contents: [1, 2, 3] } }])), status.INVALID_ARGUMENT, /input 'input': fp32_contents has 3 values, expected 32 for shape \[2,16\] FP32/],
    [() => engine.infer(request('mlp', [{ name: 'input', datatype: 'FP32', shape: [1, 16], contents: { int_contents: Array(16).fill(1) } }])), status.INVALID_ARGUMENT, /fp32_contents has 0 values, expected 16 .*\(data found in int_contents instead\)/],
    [() => engine.infer(request('mlp', [{ name: 'input', datatype: 'FP32', shape: [1, 16], contents: { fp32_contents: Array(16).fill(1) } }], { raw: [Buffer.alloc(64)] })), status.INVALID_ARGUMENT, /request mixes raw_input_contents with typed contents \(input 'input'\)/],
    [() => engine.infer(request('id_int8', [{ name: 'input', datatype: 'INT8', shape: [1, 1], contents: { int_contents: [300] } }])), status.INVALID_ARGUMENT, /input 'input': element 0 \(300\) is out of range for INT8/],
    [() => engine.infer(request('id_bytes', [{ name: 'input', datatype: 'BYTES', shape: [1, 2] }], { raw: [Buffer.from([5, 0, 0, 0, 65])] })), status.INVALID_ARGUMENT, /raw BYTES element 0 claims 5 bytes but only 1 remain/],
    [() => engine.infer(x([32, 3, 4800, 1920], 4)), status.RESOURCE_EXHAUSTED, /request inputs total more than 67108864 bytes \(limit maxRequestBytes\) at input 'x'/],
    [() => engine.infer(request('nope', [])), status.NOT_FOUND, /model 'nope' is not loaded on executor cpu-1; loaded models: .*mlp/],
    [() => engine.infer(request('mlp', [], { version: '3' })), status.NOT_FOUND, /model 'mlp' version '3' is not loaded on executor cpu-1; loaded versions: 1,2/],
  ];
  const goods = Array.from({ length: 12 }, (_, i) => (i % 2 ? good() : goodMlp()));
  const bads = bad.map(([fn, code, re]) => rejects(fn(), code, re));
  const [goodResults] = await Promise.all([Promise.all(goods), Promise.all(bads)]);
  assert.equal(goodResults.length, 12);
  for (const r of goodResults) assert.ok(r.outputs!.length === 1);
});

test('ocr_cls (real PaddleOCR classifier) on [1,3,48,192] returns [1,2] probabilities summing to 1', async () => {
  const data = Float32Array.from({ length: 3 * 48 * 192 }, (_, i) => ((i * 7919) % 255) / 127.5 - 1);
  const r = await engine.infer(request('ocr_cls', [{ name: 'x', datatype: 'FP32', shape: [1, 3, 48, 192] }], { raw: [Buffer.from(data.buffer)] }));
  const out = r.outputs![0]!;
  assert.deepEqual(out.shape, [1, 2]);
  const b = r.raw_output_contents![0] as Buffer;
  const p = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
  assert.ok(p[0]! >= 0 && p[1]! >= 0);
  assert.ok(Math.abs(p[0]! + p[1]! - 1) < 1e-4, `sum ${p[0]! + p[1]!}`);
});

test('metadata, ready, index and statistics describe the loaded models', async () => {
  const m = engine.metadata('ocr_cls');
  assert.deepEqual(m.inputs, [{ name: 'x', datatype: 'FP32', shape: [-1, 3, -1, -1] }]);
  assert.deepEqual(m.outputs!.map((o) => o.shape), [[-1, 2]]);
  assert.deepEqual(engine.metadata('mlp').versions, ['1', '2']);
  assert.equal(engine.ready('mlp', '2'), true);
  assert.equal(engine.ready('mlp', '7'), false);
  const idx = engine.index();
  assert.ok(idx.models!.some((x) => x.name === 'mlp' && x.version === '1' && x.state === 'READY'));
  assert.ok(idx.models!.some((x) => x.name === 'ocr_det' && x.state === 'READY'));
  const gpuOnly = idx.models!.find((x) => x.name === 'gpu_only')!;
  assert.equal(gpuOnly.state, 'UNAVAILABLE', 'a gpu-only model is not loaded on the cpu pool');
  await engine.infer(request('mlp', [{ name: 'input', datatype: 'FP32', shape: [5, 16], contents: { fp32_contents: mlpInput(5) } }], { version: '1' }));
  const s = engine.statistics('mlp', '1').model_stats![0]!;
  assert.ok(Number(s.inference_count) >= 5);
  assert.ok(Number(s.execution_count) >= 1);
  assert.ok(Number(s.inference_stats!.success!.count) >= 1);
  assert.ok(Number(s.inference_stats!.compute_infer!.ns) > 0);
  assert.ok(s.batch_stats!.some((b) => Number(b.batch_size) === 5 && Number(b.compute_infer!.count) >= 1));
  assert.ok(Number(s.last_inference) > Date.now() - 60_000);
  assert.throws(() => engine.statistics('nope'), (e: { code: number }) => e.code === status.NOT_FOUND);
});

test('heartbeat reports pool, device, models with service times and counts', async () => {
  const hb = engine.heartbeat();
  assert.equal(hb.executor_id, 'cpu-1');
  assert.equal(hb.pool, 'POOL_CPU');
  assert.equal(hb.region, 'local');
  assert.equal(hb.device.execution_provider, 'cpu');
  assert.equal(hb.device.cpu_fallback, false);
  assert.equal(hb.cost_per_hour, 0.4);
  const mlp1 = hb.models.find((m) => m.name === 'mlp' && m.version === '1')!;
  assert.equal(mlp1.state, 'READY');
  assert.equal(mlp1.max_batch_size, 64);
  assert.equal(mlp1.variant, 'fp32');
  assert.ok(Number(mlp1.success_count) >= 1);
  assert.ok(mlp1.service_times!.length >= 1 && mlp1.service_times!.every((t) => Number(t.ms) >= 0));
  assert.ok(Number(hb.seq) < Number(engine.heartbeat().seq), 'seq increases');
  assert.ok(hb.utilization >= 0 && hb.utilization <= 1);
});

test('gpu profile without a CUDA provider refuses to start, naming the fallback setting', async () => {
  await assert.rejects(ExecutorEngine.create({ repoDir: repo, pool: 'gpu', executorId: 'gpu-1' }), (e: Error) => {
    assert.ok(e instanceof EngineStartError);
    assert.match(e.message, /no CUDA execution provider/);
    assert.match(e.message, /allowCpuFallback.*SY_ALLOW_CPU_FALLBACK/);
    return true;
  });
});

test('gpu profile with allowCpuFallback runs on the CPU and says so', async () => {
  const dir = tmpDir('gpu');
  writeModel(dir, 'gpu_only', 1, buildIdentity('FLOAT'), 'allowed_pools: [gpu]\nmax_batch_size: 4\n');
  writeModel(dir, 'cpu_only', 1, buildIdentity('FLOAT'), 'allowed_pools: [cpu]\n');
  const g = await ExecutorEngine.create({ repoDir: dir, pool: 'gpu', executorId: 'gpu-1', allowCpuFallback: true });
  await g.loadAll();
  const hb = g.heartbeat();
  assert.equal(hb.pool, 'POOL_GPU');
  assert.equal(hb.device.execution_provider, 'cpu');
  assert.equal(hb.device.cpu_fallback, true);
  assert.match(hb.device.fallback_reason!, /CUDA/);
  assert.equal(hb.cost_per_hour, 2.5);
  assert.deepEqual(hb.models.map((m) => m.name), ['gpu_only']);
  const r = await g.infer(request('gpu_only', [{ name: 'input', datatype: 'FP32', shape: [1, 2], contents: { fp32_contents: [1, 2] } }]));
  assert.deepEqual(r.outputs![0]!.contents!.fp32_contents, [1, 2]);
  await g.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('int8 variant is used on the cpu pool when configured and reported in the heartbeat', async () => {
  const dir = tmpDir('int8');
  prepareBundledRepository(dir);
  const cfg = fs.readFileSync(path.join(dir, 'mlp', 'config.yaml'), 'utf8').replace('variants: { cpu: fp32, gpu: fp32 }', 'variants: { cpu: int8, gpu: fp32 }');
  fs.writeFileSync(path.join(dir, 'mlp', 'config.yaml'), cfg);
  const e = await ExecutorEngine.create({ repoDir: dir, pool: 'cpu', executorId: 'cpu-8' });
  await e.load('mlp');
  assert.deepEqual(e.heartbeat().models.map((m) => m.variant), ['int8', 'int8']);
  const x = mlpInput(2);
  const ref = mlpReference({ ...BUNDLED_MLP, seed: bundledMlpSeed(2) }, x, 2);
  const r = await e.infer(request('mlp', [{ name: 'input', datatype: 'FP32', shape: [2, 16], contents: { fp32_contents: x } }]));
  const got = r.outputs![0]!.contents!.fp32_contents as number[];
  const maxRef = Math.max(...ref.map(Math.abs));
  ref.forEach((v, i) => assert.ok(Math.abs(got[i]! - v) < 0.05 * maxRef + 0.05, `int8[${i}] ${got[i]} vs ${v}`));
  await e.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('config errors name the file and the field; bundled repository is idempotent', () => {
  const dir = tmpDir('cfg');
  fs.mkdirSync(path.join(dir, 'bad'));
  fs.writeFileSync(path.join(dir, 'bad', 'config.yaml'), 'max_batch_size: -1\nversion_policy: { latest: 0 }\nbogus: 1\n');
  assert.throws(() => readModelConfig(dir, 'bad'), (e: Error) => {
    assert.match(e.message, new RegExp(`${path.join(dir, 'bad', 'config.yaml').replace(/[/.]/g, '\\$&')}`));
    assert.match(e.message, /field max_batch_size/);
    assert.match(e.message, /bogus/);
    return true;
  });
  const first = prepareBundledRepository(dir + '/b');
  const mtime = fs.statSync(path.join(dir, 'b', 'mlp', '1', 'model.onnx')).mtimeMs;
  const second = prepareBundledRepository(dir + '/b');
  assert.deepEqual(first, ['identity_fp32', 'mlp', 'ocr_cls', 'ocr_det']);
  assert.deepEqual(second, first);
  assert.equal(fs.statSync(path.join(dir, 'b', 'mlp', '1', 'model.onnx')).mtimeMs, mtime, 'unchanged files are not rewritten');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('toServiceError keeps codes and hides nothing else', () => {
  const e = toServiceError(Object.assign(new Error('x'), { code: status.NOT_FOUND, details: 'model gone' }));
  assert.equal(e.code, status.NOT_FOUND);
  assert.equal(e.details, 'model gone');
  assert.equal(toServiceError(new TypeError('boom')).code, status.INTERNAL);
});

test('a version whose warm-up fails is UNAVAILABLE with the reason, and never READY', async () => {
  const dir = tmpDir('warm');
  writeModel(dir, 'broken', 1, buildIdentity('FLOAT'), 'max_batch_size: 4\nwarmup_shape: [1, 2, 3]\n');
  const e = await ExecutorEngine.create({ repoDir: dir, pool: 'cpu', executorId: 'cpu-w' });
  try {
    await assert.rejects(e.load('broken'), (err: { code: number; details: string }) => {
      assert.equal(err.code, status.UNAVAILABLE);
      assert.match(err.details, /model 'broken' failed to load: version 1: warm-up failed/);
      return true;
    });
    const idx = e.index().models!.find((m) => m.name === 'broken')!;
    assert.equal(idx.state, 'UNAVAILABLE');
    assert.match(idx.reason!, /warm-up failed/);
    assert.equal(e.ready('broken'), false);
    await rejects(e.infer(request('broken', [])), status.UNAVAILABLE, /model 'broken' has no READY version on executor cpu-w \(1=UNAVAILABLE\)/);
  } finally {
    await e.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
