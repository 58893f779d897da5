import { test } from 'node:test';
import assert from 'node:assert/strict';
import { costPerRequestOf, executorMsPerRequest, likelyBatchSize, predictCompletionMs, queueWaitMs, serviceTimeMs } from './predict.ts';
import { cand, ctxWith } from './fixtures.ts';

const st = [{ batch_size: 8, ms: 30 }, { batch_size: 1, ms: 10 }, { batch_size: 4, ms: 18 }];

test('serviceTimeMs: exact, interpolated, below and above the samples', () => {
  const c = cand({ executor_id: 'a', service_times: st });
  assert.equal(serviceTimeMs(c, 4), 18);
  assert.equal(serviceTimeMs(c, 2), 10 + (8 * 1) / 3); // between 1 and 4
  assert.equal(serviceTimeMs(c, 6), 24); // between 4 and 8
  assert.equal(serviceTimeMs(c, 16), 30 + 3 * 8); // slope of (4,18)-(8,30) = 3 ms/item
  const one = cand({ executor_id: 'b', service_times: [{ batch_size: 2, ms: 8 }] });
  assert.equal(serviceTimeMs(one, 1), 8); // below: not assumed faster
  assert.equal(serviceTimeMs(one, 4), 16); // proportional
});

test('serviceTimeMs: documented defaults without samples (GPU 5 ms, CPU and CPU-fallback 10 ms)', () => {
  assert.equal(serviceTimeMs(cand({ executor_id: 'g', pool: 'POOL_GPU', service_times: [] }), 1), 5);
  assert.equal(serviceTimeMs(cand({ executor_id: 'c', pool: 'POOL_CPU', service_times: [] }), 1), 10);
  assert.equal(serviceTimeMs(cand({ executor_id: 'f', pool: 'POOL_GPU', cpu_fallback: true, service_times: [] }), 1), 10);
});

test('predictCompletionMs: idle = service(1); loaded = load/B x service(B) + service(likely batch)', () => {
  const idle = cand({ executor_id: 'a', service_times: st, max_batch_size: 8 });
  assert.equal(predictCompletionMs(idle), 10);
  assert.equal(queueWaitMs(idle), 0);
  const busy = cand({ executor_id: 'b', service_times: st, max_batch_size: 8, queue_depth: 12, in_flight: 4 });
  // load 16 -> wait 16/8 * 30 = 60; likely batch min(8, 17) = 8 -> 30
  assert.equal(queueWaitMs(busy), 60);
  assert.equal(likelyBatchSize(busy), 8);
  assert.equal(predictCompletionMs(busy), 90);
  const some = cand({ executor_id: 'c', service_times: st, max_batch_size: 8, queue_depth: 3 });
  // load 3 -> wait 3/8*30 = 11.25; batch 4 -> 18
  assert.equal(predictCompletionMs(some), 11.25 + 18);
});

test('predictCompletionMs: the caller\'s live in-flight count raises the load when higher than the table', () => {
  const c = cand({ executor_id: 'a', service_times: st, max_batch_size: 8, in_flight: 0 });
  const ctx = ctxWith([], { live: { inFlight: (id) => (id === 'a' ? 8 : 0) } });
  assert.equal(predictCompletionMs(c, ctx), 30 + 30);
  const lower = ctxWith([], { live: { inFlight: () => 0 } });
  assert.equal(predictCompletionMs(cand({ executor_id: 'a', service_times: st, in_flight: 8 }), lower), 60);
});

test('costPerRequestOf: cost_per_hour x executor seconds / 3600; batching amortises', () => {
  const c = cand({ executor_id: 'a', cost_per_hour: 3.6 });
  assert.equal(costPerRequestOf(c, 1000), 0.001);
  assert.equal(costPerRequestOf(cand({ executor_id: 'z', cost_per_hour: 0 }), 1000), 0);
  const busy = cand({ executor_id: 'b', service_times: st, queue_depth: 7, max_batch_size: 8 });
  assert.equal(executorMsPerRequest(busy), 30 / 8);
});

test('the cached service-time curve is invisible and follows replaced samples / batch size', () => {
  const c = cand({ executor_id: 'a', service_times: [{ batch_size: 1, ms: 10 }], max_batch_size: 4 });
  assert.equal(predictCompletionMs(c), 10);
  assert.deepEqual(Object.keys(c).sort(), ['address', 'cost_per_hour', 'cpu_fallback', 'executor_id', 'healthy', 'in_flight', 'max_batch_size', 'pool', 'queue_depth', 'region', 'service_times', 'spiffe_id']);
  assert.equal(JSON.stringify(c).includes('curve'), false);
  c.service_times = [{ batch_size: 1, ms: 20 }];
  assert.equal(predictCompletionMs(c), 20);
  c.service_times.push({ batch_size: 4, ms: 40 });
  c.queue_depth = 3; // load 3 -> wait 3/4*40 = 30, batch 4 -> 40
  assert.equal(predictCompletionMs(c), 70);
  const frozen = Object.freeze(cand({ executor_id: 'f', service_times: [{ batch_size: 1, ms: 7 }] }));
  assert.equal(predictCompletionMs(frozen), 7);
  assert.equal(predictCompletionMs(frozen), 7);
});

test('large batches beyond the tabulated curve use the sample model directly', () => {
  const c = cand({ executor_id: 'big', max_batch_size: 256, queue_depth: 200, service_times: [{ batch_size: 1, ms: 1 }, { batch_size: 256, ms: 256 }] });
  // load 200 -> wait 200/256 * 256 = 200; batch 201 -> interpolated 201
  assert.equal(predictCompletionMs(c), 401);
});
