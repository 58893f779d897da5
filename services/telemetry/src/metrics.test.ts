import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MeterProvider, MetricReader, DataPointType, type HistogramMetricData, type SumMetricData } from '@opentelemetry/sdk-metrics';
import { PreAggregatedMetrics } from '@switchyard/otel';
import { Aggregator } from './aggregate.ts';
import { registerMetrics } from './metrics.ts';
import type { CostOutcome } from './series.ts';

class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

function outcome(p: Partial<CostOutcome> = {}): CostOutcome {
  return { model_name: 'mlp', model_version: '1', executor_id: 'cpu-1', pool: 'POOL_CPU', status: 'OK', latency_ms: 10, finished_at_ms: 0, tenant: 'acme', cost: 0.5, placement_reason: 'cheapest pool: cpu (0.001/request, predicted 1 ms, no deadline)', ...p };
}

async function collect(reader: TestReader) {
  const { resourceMetrics } = await reader.collect();
  const all = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
  return (name: string) => all.find((m) => m.descriptor.name === name);
}

test('an outcome batch adds each counter once per attribute set and records every latency', async () => {
  const histograms = new PreAggregatedMetrics();
  const reader = new TestReader({ metricProducers: [histograms] });
  const provider = new MeterProvider({ readers: [reader] });
  const m = registerMetrics(provider.getMeter('t'), new Aggregator(), { histograms });
  m.recordOutcomes([
    outcome(), outcome({ latency_ms: 30 }), outcome({ tenant: 'beta' }),
    outcome({ status: 'DEADLINE_EXCEEDED', latency_ms: 500, cost: 0 }),
    outcome({ pool: 'POOL_GPU', executor_id: 'gpu-1', cost: 2 }),
  ]);
  m.recordOutcomes([outcome()]); // a later batch adds to the same series
  const get = await collect(reader);

  const requests = get('switchyard_requests') as SumMetricData;
  const byKey = new Map(requests.dataPoints.map((d) => [`${d.attributes.tenant}/${d.attributes.pool}/${d.attributes.outcome}`, d.value]));
  assert.deepEqual(Object.fromEntries(byKey), { 'acme/cpu/ok': 3, 'beta/cpu/ok': 1, 'acme/cpu/error': 1, 'acme/gpu/ok': 1 });
  assert.deepEqual(requests.dataPoints.find((d) => d.attributes.tenant === 'beta')!.attributes, { model: 'mlp', version: '1', pool: 'cpu', executor: 'cpu-1', tenant: 'beta', outcome: 'ok' });

  const duration = get('switchyard.request.duration') as HistogramMetricData;
  assert.equal(duration.dataPointType, DataPointType.HISTOGRAM);
  const okCpuAcme = duration.dataPoints.find((d) => d.attributes.tenant === 'acme' && d.attributes.pool === 'cpu' && d.attributes.outcome === 'ok')!;
  assert.equal(okCpuAcme.value.count, 3);
  assert.equal(okCpuAcme.value.sum, 0.05);
  assert.equal(duration.dataPoints.reduce((a, d) => a + d.value.count, 0), 6);

  const decisions = get('switchyard_placement_decisions') as SumMetricData;
  assert.deepEqual(decisions.dataPoints.map((d) => [d.attributes.pool, d.attributes.reason, d.value]).sort(), [['cpu', 'cheapest', 5], ['gpu', 'cheapest', 1]]);

  const cost = get('switchyard_cost') as SumMetricData;
  const costBy = Object.fromEntries(cost.dataPoints.map((d) => [`${d.attributes.tenant}/${d.attributes.pool}`, d.value]));
  assert.deepEqual(costBy, { 'acme/cpu': 1.5, 'beta/cpu': 0.5, 'acme/gpu': 2 });
  await provider.shutdown();
});
