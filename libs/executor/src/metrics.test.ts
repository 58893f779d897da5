// The executor's batch metrics: what the engine reports per batch, and how it is exported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { buildMlp } from '@switchyard/onnx-builder';
import { testMeter, sampleValue } from '@switchyard/otel/testing';
import { ExecutorEngine, executorMetrics, type BatchRecord } from './index.ts';
import { tmpDir, request, writeModel, f32bytes } from './test-helpers.ts';

test('every batch that ran is reported: rows, requests, queue waits; exported as batch size, queue and compute histograms', async () => {
  const dir = tmpDir('metrics');
  writeModel(dir, 'mlp', 1, buildMlp({ inputDim: 8, hidden: 16, outputDim: 3, seed: 3 }), 'max_batch_size: 16\ndynamic_batching:\n  max_queue_delay_ms: 50\n  preferred_batch_sizes: [8]\n');
  const tm = testMeter('cpu-executor');
  const record = executorMetrics(tm.histograms, 'cpu');
  const heard: BatchRecord[] = [];
  const engine = await ExecutorEngine.create({ repoDir: dir, pool: 'cpu', executorId: 'cpu-m', onBatch: (b) => { heard.push(b); record(b); } });
  await engine.loadAll();
  try {
    // 8 concurrent requests of 1 or 2 rows (12 rows): the batcher merges them.
    const inputs = Array.from({ length: 8 }, (_, r) => Array.from({ length: ((r % 2) + 1) * 8 }, (_, i) => Math.cos(r + i)));
    await Promise.all(inputs.map((x) => engine.infer(request('mlp', [{ name: 'input', datatype: 'FP32', shape: [x.length / 8, 8] }], { raw: [f32bytes(x)] }))));
    const executions = Number(engine.statistics('mlp').model_stats![0]!.execution_count);
    assert.equal(heard.length, executions, 'one record per batch run');
    assert.equal(heard.reduce((a, b) => a + b.rows, 0), 12, 'rows of all batches = rows sent');
    assert.equal(heard.reduce((a, b) => a + b.requests, 0), 8, 'requests of all batches = requests sent');
    assert.ok(heard.some((b) => b.requests > 1), 'at least one merged batch');
    for (const b of heard) {
      assert.equal(b.model, 'mlp');
      assert.equal(b.version, '1');
      assert.equal(b.queueMs.length, b.requests);
      assert.ok(b.queueMs.every((q) => q >= 0) && b.computeMs >= 0);
    }

    const text = await tm.scrape();
    const labels = { model: 'mlp', version: '1', pool: 'cpu', cpu_priority: 'normal' };
    assert.match(text, /# TYPE switchyard_executor_batch_size histogram/);
    assert.match(text, /# UNIT switchyard_executor_batch_size \{row\}/);
    assert.equal(sampleValue(text, 'switchyard_executor_batch_size_count', labels), executions);
    assert.equal(sampleValue(text, 'switchyard_executor_batch_size_sum', labels), 12);
    // Cumulative buckets: everything is at most 16 rows (max_batch_size).
    assert.equal(sampleValue(text, 'switchyard_executor_batch_size_bucket', { ...labels, le: '16' }), executions);
    const merged = heard.filter((b) => b.rows > 1).length;
    assert.equal(sampleValue(text, 'switchyard_executor_batch_size_bucket', { ...labels, le: '1' }), executions - merged);
    assert.match(text, /# TYPE switchyard_executor_queue_duration histogram/);
    assert.equal(sampleValue(text, 'switchyard_executor_queue_duration_count', labels), 8, 'one queue wait per request');
    assert.match(text, /# TYPE switchyard_executor_compute_duration histogram/);
    assert.equal(sampleValue(text, 'switchyard_executor_compute_duration_count', labels), executions, 'one compute time per batch');
    assert.match(text, /# UNIT switchyard_executor_compute_duration s/);

    // Background requests (a tenant over its fair share) batch among themselves, run in the
    // lower-priority session worker and are counted under cpu_priority="background".
    await Promise.all([...inputs.slice(0, 3), ...inputs.slice(0, 3)].map((x, i) => engine.infer(request('mlp', [{ name: 'input', datatype: 'FP32', shape: [x.length / 8, 8] }], { raw: [f32bytes(x)] }), { background: i < 3 })));
    const later = heard.slice(executions);
    assert.ok(later.every((b) => b.lane === 'background' || b.lane === 'foreground'));
    assert.equal(later.filter((b) => b.lane === 'background').reduce((a, b) => a + b.requests, 0), 3, 'the 3 background requests ran in background batches only');
    assert.equal(later.filter((b) => b.lane === 'foreground').reduce((a, b) => a + b.requests, 0), 3);
    const bgBatches = later.filter((b) => b.lane === 'background').length;
    assert.equal(engine.cpuLanes().runs.background, bgBatches, 'each background batch ran on a background worker');
    const after = await tm.scrape();
    assert.equal(sampleValue(after, 'switchyard_executor_queue_duration_count', { ...labels, cpu_priority: 'background' }), 3);
    assert.equal(sampleValue(after, 'switchyard_executor_compute_duration_count', { ...labels, cpu_priority: 'background' }), bgBatches);
    assert.equal(sampleValue(after, 'switchyard_executor_queue_duration_count', labels), 8 + 3);
  } finally {
    await engine.close();
    await tm.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a failing onBatch hook never fails the request', async () => {
  const dir = tmpDir('metrics-throw');
  writeModel(dir, 'mlp', 1, buildMlp({ inputDim: 8, hidden: 16, outputDim: 3, seed: 3 }), 'max_batch_size: 4\n');
  const engine = await ExecutorEngine.create({ repoDir: dir, pool: 'cpu', executorId: 'cpu-t', onBatch: () => { throw new Error('metrics broke'); } });
  await engine.loadAll();
  try {
    const res = await engine.infer(request('mlp', [{ name: 'input', datatype: 'FP32', shape: [1, 8] }], { raw: [f32bytes(Array(8).fill(0.5))] }));
    assert.deepEqual(res.outputs![0]!.shape, [1, 3]);
  } finally {
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
