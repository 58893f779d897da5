import { test } from 'node:test';
import assert from 'node:assert/strict';
import ort from 'onnxruntime-node';
import { decodeRequest, concatRows, toTensor, RawInput, type TensorMeta } from './codec.ts';
import { spansWholeBuffer } from './transfer.ts';
import { request } from './test-helpers.ts';

const META: TensorMeta[] = [{ name: 'x', datatype: 'FP32', shape: [-1, 3] }];
const OUT: TensorMeta[] = [{ name: 'y', datatype: 'FP32', shape: [-1, 3] }];
const OPTS = { model: 'm', maxBatchSize: 8, maxRequestBytes: 1 << 20 };

/** FP32 values at byte `offset` of a larger buffer, as a gRPC message's raw contents are. */
function rawAt(values: number[], offset: number): Buffer {
  const message = Buffer.alloc(offset + values.length * 4 + 5, 0xee);
  values.forEach((v, i) => message.writeFloatLE(v, offset + i * 4));
  return message.subarray(offset, offset + values.length * 4);
}

const f32 = (t: ort.Tensor) => [...(t.data as Float32Array)];

test('deferCopy: a raw FP32 input stays a view of the request bytes until the run copies it', () => {
  const raw = rawAt([1, 2, 3], 1);
  const req = request('m', [{ name: 'x', datatype: 'FP32', shape: [1, 3] }], { raw: [raw] });
  const dec = decodeRequest(req, META, OUT, { ...OPTS, deferCopy: true });
  const feed = dec.feeds.x!;
  assert.ok(feed instanceof RawInput);
  assert.equal(feed.bytes.buffer, raw.buffer, 'no copy at decode');
  assert.deepEqual(feed.dims, [1, 3]);
  const t = toTensor(feed);
  assert.deepEqual(f32(t), [1, 2, 3]);
  assert.ok(spansWholeBuffer(t.data as Float32Array), 'its own buffer of exactly its bytes: transferable');
  raw.fill(0);
  assert.deepEqual(f32(t), [1, 2, 3], 'a copy, not a view');

  const eager = decodeRequest(request('m', [{ name: 'x', datatype: 'FP32', shape: [1, 3] }], { raw: [rawAt([4, 5, 6], 3)] }), META, OUT, OPTS);
  assert.ok(eager.feeds.x instanceof ort.Tensor, 'without deferCopy: a tensor');
  assert.deepEqual(f32(eager.feeds.x), [4, 5, 6]);
});

test('concatRows copies raw parts at any offset and tensors once each, into a buffer of the batch bytes', () => {
  const a = new RawInput('float32', 'FP32', [1, 3], rawAt([1, 2, 3], 1));
  const b = new RawInput('float32', 'FP32', [2, 3], rawAt([4, 5, 6, 7, 8, 9], 6));
  const c = new ort.Tensor('float32', Float32Array.from([10, 11, 12]), [1, 3]);
  const t = concatRows([a, c, b]);
  assert.deepEqual(t.dims, [4, 3]);
  assert.deepEqual(f32(t), [1, 2, 3, 10, 11, 12, 4, 5, 6, 7, 8, 9]);
  assert.ok(spansWholeBuffer(t.data as Float32Array));
  assert.throws(() => concatRows([a, new RawInput('float32', 'FP32', [1, 3], rawAt([1, 2], 0))]), /parts hold 20 bytes, the batch needs 24/);
});

test('deferCopy leaves BOOL (normalized on copy) and BYTES inputs as tensors', () => {
  const meta: TensorMeta[] = [{ name: 'b', datatype: 'BOOL', shape: [-1, 2] }];
  const req = request('m', [{ name: 'b', datatype: 'BOOL', shape: [1, 2] }], { raw: [Buffer.from([0, 7])] });
  const dec = decodeRequest(req, meta, OUT, { ...OPTS, deferCopy: true });
  assert.ok(dec.feeds.b instanceof ort.Tensor);
  assert.deepEqual([...(dec.feeds.b.data as Uint8Array)], [0, 1]);
});
