import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { buildIdentity } from '@switchyard/onnx-builder';
import { SessionPool } from './session-pool.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'session-pool-'));
const file = path.join(dir, 'identity.onnx');
fs.writeFileSync(file, buildIdentity('FLOAT'));
const pool = new SessionPool(1);
after(async () => {
  await pool.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('inputs made for the run move to the worker (the caller\'s buffer is detached); results are right', async () => {
  const meta = await pool.load('id', file, {});
  const input = meta.inputs[0]!.name;
  const data = Float32Array.from([1, 2, 3, 4, 5, 6]);
  const out = await pool.run('id', { [input]: new ort.Tensor('float32', data, [2, 3]) }, true);
  assert.equal(data.buffer.byteLength, 0, 'transferred, not cloned');
  const y = Object.values(out)[0]!;
  assert.deepEqual([...(y.data as Float32Array)], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(y.dims, [2, 3]);
});

test('other inputs are copied to exactly their bytes: a view into a larger buffer stays intact', async () => {
  const meta = await pool.load('id2', file, {});
  const input = meta.inputs[0]!.name;
  // A request's tensor is a view into its message (or into a shared pool slab).
  const message = new ArrayBuffer(4096);
  const view = new Float32Array(message, 64, 4);
  view.set([7, 8, 9, 10]);
  for (const owned of [false, true]) {
    const out = await pool.run('id2', { [input]: new ort.Tensor('float32', view, [1, 4]) }, owned);
    assert.equal(message.byteLength, 4096, `the message buffer is not detached (owned=${owned}: a partial view is copied)`);
    assert.deepEqual([...view], [7, 8, 9, 10]);
    assert.deepEqual([...(Object.values(out)[0]!.data as Float32Array)], [7, 8, 9, 10]);
  }
});
