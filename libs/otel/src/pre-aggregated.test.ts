import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AggregationTemporality, DataPointType, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { testMeter } from './testing.ts';
import { startTelemetry } from './index.ts';
import { PreAggregatedMetrics } from './pre-aggregated.ts';

const BOUNDS = [0.001, 0.01, 0.1, 1];
const VALUES = [0, 0.001, 0.0010001, 0.005, 0.01, 0.5, 1, 1.5, 100, -3, Number.NaN, 0.1];

test('a pre-aggregated histogram exports exactly what the SDK histogram would for the same values', async () => {
  const tm = testMeter('equiv');
  const sdk = tm.meter.createHistogram('sy.test.sdk', { description: 'd', unit: 's', advice: { explicitBucketBoundaries: BOUNDS } });
  const pre = tm.histograms.histogram('sy.test.pre', { description: 'd', unit: 's', boundaries: BOUNDS });
  const a = { model: 'm', version: '1', pool: 'cpu' };
  const b = { pool: 'gpu', model: 'm', version: '2' };
  for (const v of VALUES) {
    sdk.record(v, a);
    pre.series(a).record(v);
  }
  sdk.record(7, b);
  pre.series(b).record(7);
  // The same attribute set in another key order is the same series.
  assert.equal(pre.series(b), pre.series({ model: 'm', version: '2', pool: 'gpu' }));
  const text = await tm.scrape();
  const lines = (name: string) => text.split('\n').filter((l) => l.startsWith(name) || l.includes(` ${name}`)).map((l) => l.replace(name, 'X')).sort();
  const sdkLines = lines('sy_test_sdk');
  assert.ok(sdkLines.length > 10, text);
  assert.deepEqual(lines('sy_test_pre'), sdkLines);
  await tm.shutdown();
});

test('OTLP readers get them as cumulative histograms with min and max, next to the SDK instruments', async () => {
  const histograms = new PreAggregatedMetrics({ scope: 'svc', version: '1.2.3', now: () => 1_700_000_000_000 });
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000, metricProducers: [histograms] });
  const provider = new MeterProvider({ readers: [reader] });
  provider.getMeter('svc').createCounter('sy.test.counter').add(1);
  histograms.histogram('sy.test.empty', { description: '', unit: 's', boundaries: [1] });
  const h = histograms.histogram('sy.test.latency', { description: 'latency', unit: 's', boundaries: [1, 2] });
  for (const v of [0.5, 1.5, 3]) h.series({ model: 'm' }).record(v);
  await reader.forceFlush();
  const rm = exporter.getMetrics().at(-1)!;
  const names = rm.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name));
  assert.deepEqual(names.sort(), ['sy.test.counter', 'sy.test.latency'], 'a histogram without series is left out');
  const scope = rm.scopeMetrics.find((s) => s.metrics.some((m) => m.descriptor.name === 'sy.test.latency'))!.scope;
  assert.deepEqual(scope, { name: 'svc', version: '1.2.3' });
  const m = rm.scopeMetrics.flatMap((s) => s.metrics).find((x) => x.descriptor.name === 'sy.test.latency') as HistogramMetricData;
  assert.equal(m.dataPointType, DataPointType.HISTOGRAM);
  assert.equal(m.aggregationTemporality, AggregationTemporality.CUMULATIVE);
  assert.deepEqual(m.dataPoints.map((p) => [p.attributes, p.value]), [[{ model: 'm' }, { buckets: { boundaries: [1, 2], counts: [1, 1, 1] }, sum: 5, count: 3, min: 0.5, max: 3 }]]);
  assert.deepEqual(m.dataPoints[0]!.startTime, [1_700_000_000, 0]);
  await provider.shutdown();
});

test("startTelemetry's Prometheus endpoint serves them; boundaries must ascend", async () => {
  const tel = await startTelemetry({ serviceName: 'pre-agg-test', metricsPort: 0, metricsHost: '127.0.0.1' });
  try {
    tel.histograms.histogram('sy.test.wait', { description: 'w', unit: 's', boundaries: [0.1] }).series({ model: 'x' }).record(0.05);
    const text = await (await fetch(`http://127.0.0.1:${tel.metricsPort}/metrics`)).text();
    assert.match(text, /^sy_test_wait_bucket\{model="x",le="0\.1"\} 1$/m);
    assert.match(text, /^sy_test_wait_count\{model="x"\} 1$/m);
  } finally {
    await tel.shutdown();
  }
  assert.throws(() => new PreAggregatedMetrics().histogram('bad', { description: '', unit: '', boundaries: [2, 1] }), /boundaries must ascend/);
});
