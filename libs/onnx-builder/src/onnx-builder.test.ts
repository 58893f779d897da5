import { test } from 'node:test';
import assert from 'node:assert/strict';
import ort from 'onnxruntime-node';
import { buildMlp, mlpReference, buildIdentity, buildAdd, buildHeavy, type OnnxType } from './index.ts';

const MLP = { inputDim: 8, hidden: 16, outputDim: 4, seed: 42 };

function input(batch: number, dim: number): Float32Array {
  return Float32Array.from({ length: batch * dim }, (_, i) => Math.sin(i * 0.37) * 2);
}

test('fp32 MLP computes the JS reference, with a dynamic batch dimension', async () => {
  const s = await ort.InferenceSession.create(buildMlp(MLP));
  assert.deepEqual(s.inputNames, ['input']);
  assert.deepEqual(s.outputNames, ['output']);
  for (const batch of [1, 5]) {
    const x = input(batch, MLP.inputDim);
    const out = await s.run({ input: new ort.Tensor('float32', x, [batch, MLP.inputDim]) });
    const y = out.output!;
    assert.deepEqual(y.dims, [batch, MLP.outputDim]);
    const ref = mlpReference(MLP, x, batch);
    for (let i = 0; i < ref.length; i++) assert.ok(Math.abs((y.data as Float32Array)[i]! - ref[i]!) < 1e-4, `elem ${i}: ${(y.data as Float32Array)[i]} vs ${ref[i]}`);
  }
  await s.release();
});

test('the same seed gives the same model; another seed another', () => {
  assert.deepEqual(buildMlp(MLP), buildMlp(MLP));
  assert.notDeepEqual(buildMlp(MLP), buildMlp({ ...MLP, seed: 43 }));
});

test('int8 MLP (DynamicQuantizeLinear + MatMulInteger) approximates the fp32 reference', async () => {
  const bytes = buildMlp({ ...MLP, int8: true });
  const s = await ort.InferenceSession.create(bytes);
  const x = input(3, MLP.inputDim);
  const y = (await s.run({ input: new ort.Tensor('float32', x, [3, MLP.inputDim]) })).output!;
  const ref = mlpReference(MLP, x, 3);
  let maxErr = 0;
  let maxRef = 0;
  for (let i = 0; i < ref.length; i++) {
    maxErr = Math.max(maxErr, Math.abs((y.data as Float32Array)[i]! - ref[i]!));
    maxRef = Math.max(maxRef, Math.abs(ref[i]!));
  }
  assert.ok(maxErr < 0.05 * maxRef + 0.05, `int8 error ${maxErr} too large (max |ref| ${maxRef})`);
  assert.ok(maxErr > 0, 'int8 output should differ from fp32 (quantized)');
});

const ORT_TYPE: Record<OnnxType, ort.Tensor.Type> = {
  FLOAT: 'float32', DOUBLE: 'float64', FLOAT16: 'float16', INT8: 'int8', INT16: 'int16', INT32: 'int32', INT64: 'int64',
  UINT8: 'uint8', UINT16: 'uint16', UINT32: 'uint32', UINT64: 'uint64', BOOL: 'bool', STRING: 'string',
};

function sample(t: OnnxType, n: number): ort.Tensor.DataType {
  switch (t) {
    case 'FLOAT': return Float32Array.from({ length: n }, (_, i) => i * 1.5 - 2);
    case 'DOUBLE': return Float64Array.from({ length: n }, (_, i) => i * 1e10 + 0.25);
    case 'FLOAT16': return new Float16Array(Array.from({ length: n }, (_, i) => i * 0.5)) as unknown as ort.Tensor.DataType;
    case 'INT8': return Int8Array.from({ length: n }, (_, i) => -i * 3);
    case 'INT16': return Int16Array.from({ length: n }, (_, i) => -i * 300);
    case 'INT32': return Int32Array.from({ length: n }, (_, i) => -i * 100000);
    case 'INT64': return BigInt64Array.from({ length: n }, (_, i) => -BigInt(i) * 10000000000n);
    case 'UINT8': return Uint8Array.from({ length: n }, (_, i) => 250 - i);
    case 'UINT16': return Uint16Array.from({ length: n }, (_, i) => 65000 - i);
    case 'UINT32': return Uint32Array.from({ length: n }, (_, i) => 4000000000 - i);
    case 'UINT64': return BigUint64Array.from({ length: n }, (_, i) => 18000000000000000000n - BigInt(i));
    case 'BOOL': return Uint8Array.from({ length: n }, (_, i) => i % 2);
    case 'STRING': return Array.from({ length: n }, (_, i) => `s${i}-é`);
  }
}

for (const t of ['FLOAT', 'DOUBLE', 'FLOAT16', 'INT8', 'INT16', 'INT32', 'INT64', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'BOOL', 'STRING'] as const) {
  test(`identity over ${t} returns its input`, async () => {
    const s = await ort.InferenceSession.create(buildIdentity(t));
    const data = sample(t, 6);
    const x = new ort.Tensor(ORT_TYPE[t], data, [2, 3]);
    // onnxruntime-node's native side does not read Float16Array (Node 24 has it, N-API does not):
    // hand it the same bytes as a Uint16Array.
    if (t === 'FLOAT16') (x as unknown as { cpuData: unknown }).cpuData = new Uint16Array((data as unknown as Float16Array).buffer);
    const y = (await s.run({ input: x })).output!;
    assert.equal(y.type, ORT_TYPE[t]);
    assert.deepEqual(y.dims, [2, 3]);
    assert.deepEqual(Array.from(y.data as ArrayLike<unknown>), Array.from(data as ArrayLike<unknown>));
  });
}

for (const t of ['FLOAT', 'DOUBLE', 'INT32', 'INT64'] as const) {
  test(`add over ${t} sums`, async () => {
    const s = await ort.InferenceSession.create(buildAdd(t));
    const a = sample(t, 4);
    const b = sample(t, 4);
    const out = await s.run({ a: new ort.Tensor(ORT_TYPE[t], a, [1, 4]), b: new ort.Tensor(ORT_TYPE[t], b, [1, 4]) });
    const sum = Array.from(out.sum!.data as ArrayLike<number | bigint>);
    const exp = Array.from(a as ArrayLike<number | bigint>).map((v) => (typeof v === 'bigint' ? v * 2n : v * 2));
    assert.deepEqual(sum, exp);
    assert.deepEqual(Array.from(out.a_out!.data as ArrayLike<unknown>), Array.from(a as ArrayLike<unknown>));
  });
}

test('heavy model runs and keeps its shape', async () => {
  const s = await ort.InferenceSession.create(buildHeavy({ dim: 16, repeat: 3 }));
  const y = (await s.run({ input: new ort.Tensor('float32', new Float32Array(32).fill(1), [2, 16]) })).output!;
  assert.deepEqual(y.dims, [2, 16]);
});
