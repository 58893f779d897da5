import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { buildIdentity } from '@switchyard/onnx-builder';
import { processThreads } from '@switchyard/mesh';
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

/** nice value of each thread of this process (Linux /proc), by thread id. */
const threadNices = (): Map<number, number> => new Map(processThreads().map((t) => [t.tid, t.nice]));

test('the background lane: its worker thread and the onnxruntime threads of its sessions run at the lower priority; runs go to their lane', { skip: process.platform !== 'linux' ? 'per-thread nice values are read from Linux /proc' : false }, async () => {
  const before = new Set(threadNices().keys());
  const lanes = new SessionPool(1, undefined, { workers: 1, nice: 7 });
  try {
    // Two intra-op threads per session: onnxruntime starts one more thread for each session.
    const meta = await lanes.load('id', file, { intraOpNumThreads: 2 });
    assert.deepEqual(lanes.priorities(), [{ lane: 'foreground', nice: 0 }, { lane: 'background', nice: 7 }]);
    const fresh = [...threadNices()].filter(([t]) => !before.has(t)).map(([, n]) => n);
    // The two worker threads, onnxruntime's pool thread of each session (and any V8/libuv
    // threads the workers brought): the background worker and its session's thread at 7.
    assert.ok(fresh.filter((n) => n === 7).length >= 2, `new threads' nice values: ${fresh.join(',')}`);
    assert.ok(fresh.filter((n) => n === 0).length >= 2, `new threads' nice values: ${fresh.join(',')}`);
    assert.ok(fresh.every((n) => n === 0 || n === 7));
    const input = meta.inputs[0]!.name;
    const x = () => ({ [input]: new ort.Tensor('float32', Float32Array.from([1, 2]), [1, 2]) });
    await lanes.run('id', x(), true, 'background');
    await lanes.run('id', x(), true, 'background');
    await lanes.run('id', x(), true);
    assert.deepEqual(lanes.runs, { foreground: 1, background: 2 });
    assert.equal(lanes.laneFor('background'), 'background');
  } finally {
    await lanes.close();
  }
  // No lane configured: a background run takes a normal worker.
  const plain = new SessionPool(1);
  try {
    const meta = await plain.load('id', file, {});
    await plain.run('id', { [meta.inputs[0]!.name]: new ort.Tensor('float32', Float32Array.from([1]), [1, 1]) }, true, 'background');
    assert.deepEqual(plain.runs, { foreground: 1, background: 0 });
    assert.equal(plain.laneFor('background'), 'foreground');
    assert.deepEqual(plain.priorities(), [{ lane: 'foreground', nice: 0 }]);
  } finally {
    await plain.close();
  }
});
