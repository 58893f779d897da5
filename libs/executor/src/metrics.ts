// The executor's own metrics, recorded from every batch that ran (EngineOptions.onBatch) and
// served on its Prometheus endpoint (SY_METRICS_PORT). Heartbeats carry smoothed service times
// and queue depths, not distributions; these histograms are the distributions.
//   switchyard.executor.batch.size        rows per formed batch          {row}
//   switchyard.executor.queue.duration    each request's queue wait      s
//   switchyard.executor.compute.duration  each batch's run time          s
// Attributes: model, version, pool, and cpu_priority (normal, or background: the batch ran in the
// lower-priority session workers, session-pool.ts). The executor's identity (executor id, region) is on the
// resource (target_info) and in the scrape target.
import type { HistogramSeries, PreAggregatedMetrics } from '@switchyard/otel';
import type { BatchRecord, PoolName } from './engine.ts';

/** Batch sizes: powers of two up to 1024 rows (le="1" is exactly the unbatched requests). */
export const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
/** Queue wait and compute time, seconds: 100 µs .. 10 s. */
export const EXECUTOR_DURATION_BUCKETS_S = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Registers the batch histograms; returns the EngineOptions.onBatch hook that feeds them. They
 *  are pre-aggregated (libs/otel pre-aggregated.ts): the queue wait is recorded for every
 *  request, and the SDK's own record path (attributes hashed on each call) was the executor's
 *  largest telemetry cost per request (docs/benchmarks.md). */
export function executorMetrics(histograms: PreAggregatedMetrics, pool: PoolName): (b: BatchRecord) => void {
  const size = histograms.histogram('switchyard.executor.batch.size', {
    description: 'Rows in each batch the dynamic batcher formed and ran (a request of n rows counts n), by model, version and pool',
    unit: '{row}',
    boundaries: BATCH_SIZE_BUCKETS,
  });
  const queue = histograms.histogram('switchyard.executor.queue.duration', {
    description: "Each request's wait in the executor's batch queue, from enqueue to the start of its batch",
    unit: 's',
    boundaries: EXECUTOR_DURATION_BUCKETS_S,
  });
  const compute = histograms.histogram('switchyard.executor.compute.duration', {
    description: 'Time to run one batch on the model session (onnxruntime run)',
    unit: 's',
    boundaries: EXECUTOR_DURATION_BUCKETS_S,
  });
  // The three series of each model version and lane, looked up once.
  const series = new Map<string, { size: HistogramSeries; queue: HistogramSeries; compute: HistogramSeries }>();
  return (b) => {
    const key = `${b.model}\u0000${b.version}\u0000${b.lane}`;
    let s = series.get(key);
    if (!s) {
      const attrs = { model: b.model, version: b.version, pool, cpu_priority: b.lane === 'background' ? 'background' : 'normal' };
      s = { size: size.series(attrs), queue: queue.series(attrs), compute: compute.series(attrs) };
      series.set(key, s);
    }
    s.size.record(b.rows);
    s.compute.record(b.computeMs / 1000);
    for (const q of b.queueMs) s.queue.record(Math.max(0, q) / 1000);
  };
}
