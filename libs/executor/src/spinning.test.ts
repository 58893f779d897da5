// onnxruntime's worker threads spin-wait between runs unless told not to; the executor turns that
// off by default (intraOpSpinning), so an executor waiting for requests does not keep a core busy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { ExecutorEngine, prepareBundledRepository } from './index.ts';
import { defaultIntraOpThreads, sessionOptionsFor } from './engine.ts';
import { tmpDir, request } from './test-helpers.ts';

test('session options: spinning off unless intraOpSpinning; the other settings pass through', () => {
  const off = sessionOptionsFor({ intraOpThreads: 2 }, ['cpu']);
  assert.deepEqual(off.extra, { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } });
  assert.equal(off.intraOpNumThreads, 2);
  assert.deepEqual(off.executionProviders, ['cpu']);
  assert.deepEqual(sessionOptionsFor({ intraOpSpinning: false }, ['cpu']).extra, off.extra);
  const on = sessionOptionsFor({ intraOpSpinning: true, graphOptimizationLevel: 'all' }, ['cuda', 'cpu']);
  assert.equal(on.extra, undefined);
  assert.equal(on.graphOptimizationLevel, 'all');
});

test('default intra-op threads: the host\'s cores shared among the session workers, at least one each', () => {
  assert.equal(defaultIntraOpThreads(2, 2), 1);
  assert.equal(defaultIntraOpThreads(8, 2), 4);
  assert.equal(defaultIntraOpThreads(16, 3), 5);
  assert.equal(defaultIntraOpThreads(1, 2), 1);
  assert.equal(defaultIntraOpThreads(4, 1), 4);
  assert.equal(defaultIntraOpThreads(4, 0), 4);
});

/** Process CPU time over wall time while serving one request every `gapMs` (sessions run in worker threads of this process). */
async function cpuShare(intraOpSpinning: boolean): Promise<number> {
  const repo = tmpDir('spin');
  prepareBundledRepository(repo);
  const engine = await ExecutorEngine.create({ repoDir: repo, pool: 'cpu', executorId: 'cpu-spin', intraOpThreads: 2, sessionWorkers: 1, intraOpSpinning });
  try {
    await engine.load('ocr_cls');
    const data = Buffer.from(new Float32Array(3 * 48 * 192).fill(0.5).buffer);
    const req = request('ocr_cls', [{ name: 'x', datatype: 'FP32', shape: [1, 3, 48, 192] }], { raw: [data] });
    for (let i = 0; i < 5; i++) await engine.infer(req);
    const t0 = performance.now();
    const u0 = process.cpuUsage();
    for (let i = 0; i < 30; i++) {
      await engine.infer(req);
      await new Promise((r) => setTimeout(r, 15));
    }
    const u = process.cpuUsage(u0);
    return (u.user + u.system) / 1000 / (performance.now() - t0);
  } finally {
    await engine.close();
    fs.rmSync(repo, { recursive: true, force: true });
  }
}

test('an executor between requests does not keep a core busy (spinning off by default)', async () => {
  const off = await cpuShare(false);
  const on = await cpuShare(true);
  // Two intra-op threads serving a ~3 ms run every ~15 ms: without spinning the process uses a
  // fraction of a core; with onnxruntime's default spinning, about a whole one.
  assert.ok(off < on / 2, `CPU per wall-clock second: ${off.toFixed(2)} without spinning vs ${on.toFixed(2)} with`);
});
