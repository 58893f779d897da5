// Test helper (import from '@switchyard/otel/testing'): a private meter whose metrics render as
// the Prometheus text a service's /metrics endpoint would serve, without the global SDK, a port
// or a process. Lets unit tests assert exported names, labels and values.
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { Meter } from '@opentelemetry/api';
import { PreAggregatedMetrics } from './pre-aggregated.ts';

export interface TestMeter {
  meter: Meter;
  /** Pre-aggregated histograms, scraped with `meter`'s instruments (as startTelemetry's). */
  histograms: PreAggregatedMetrics;
  /** Collects every instrument (observable callbacks run now) and renders Prometheus text. */
  scrape(): Promise<string>;
  shutdown(): Promise<void>;
}

export function testMeter(name = 'test'): TestMeter {
  const histograms = new PreAggregatedMetrics({ scope: name });
  const reader = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true, metricProducers: [histograms] });
  const provider = new MeterProvider({ readers: [reader] });
  const serializer = new PrometheusSerializer('', false, undefined, true, true);
  return {
    meter: provider.getMeter(name),
    histograms,
    scrape: async () => {
      const { resourceMetrics, errors } = await reader.collect();
      if (errors.length) throw new Error(`metric collection failed: ${errors.map(String).join('; ')}`);
      return serializer.serialize(resourceMetrics);
    },
    shutdown: () => provider.shutdown(),
  };
}

/** Each sample line `name{labels} value` of `name` in Prometheus text. */
function* samples(text: string, name: string): Generator<{ labels: Record<string, string>; value: number }> {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1]!, x[2]!]));
    yield { labels, value: Number(m[3]) };
  }
}

/** The value of one sample line `name{labels} value` in Prometheus text (labels in any order). */
export function sampleValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const s of samples(text, name)) {
    if (Object.keys(s.labels).length !== Object.keys(labels).length) continue;
    if (Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value;
  }
  return undefined;
}

/** Sum of every sample of `name` whose labels include `subset` (Prometheus text format). */
export function sumSamples(text: string, name: string, subset: Record<string, string> = {}): number {
  let sum = 0;
  for (const s of samples(text, name)) if (Object.entries(subset).every(([k, v]) => s.labels[k] === v)) sum += s.value;
  return sum;
}
