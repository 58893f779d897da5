// Histograms for per-request hot paths, aggregated in place and exported through the SDK.
//
// Every `Histogram.record(value, attributes)` of the OpenTelemetry JS SDK finds its time series
// by hashing the attributes (keys sorted and JSON-stringified) and walks four storage layers; the
// API has no bound instruments. In the executor that was the largest telemetry cost per request:
// the telemetry suite went from 0.86-0.89 to 0.91-0.96 of "off" with the executor's histograms
// left out (docs/benchmarks.md). Here the caller looks a series up once per attribute set
// (`series(attributes)`, a Map hit after the first time) and `record` is a binary search and
// four additions. The data reach the SDK's readers through the MetricProducer interface (the
// SDK's extension point for metrics aggregated elsewhere): each collection adds them, as
// cumulative explicit-bucket histograms, next to the SDK's own instruments, so the Prometheus
// endpoint and OTLP export them the same way (names, units, descriptions, buckets, attributes).
import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import { AggregationTemporality, DataPointType, type CollectionResult, type HistogramMetricData, type MetricProducer } from '@opentelemetry/sdk-metrics';

export interface HistogramOptions {
  description: string;
  unit: string;
  /** Inclusive upper bounds of the finite buckets, ascending (as the SDK's explicit buckets). */
  boundaries: number[];
}

/** One time series (one attribute set) of a histogram. */
export interface HistogramSeries {
  record(value: number): void;
}

class Series implements HistogramSeries {
  readonly attributes: Attributes;
  readonly startTime: HrTime;
  readonly counts: number[];
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  private readonly bounds: number[];

  constructor(attributes: Attributes, bounds: number[], startTime: HrTime) {
    this.attributes = attributes;
    this.bounds = bounds;
    this.counts = new Array<number>(bounds.length + 1).fill(0);
    this.startTime = startTime;
  }

  record(value: number): void {
    // As the SDK: NaN is in no bucket and not counted, and a histogram takes no negative value.
    if (!(value >= 0)) return;
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    // The first bucket whose upper bound is >= value (the last one when none is).
    const b = this.bounds;
    let lo = 0, hi = b.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (b[mid]! < value) lo = mid + 1;
      else hi = mid;
    }
    this.counts[lo]!++;
  }
}

export class PreAggregatedHistogram {
  readonly name: string;
  readonly options: HistogramOptions;
  private readonly bySeries = new Map<string, Series>();
  private readonly now: () => number;

  constructor(name: string, options: HistogramOptions, now: () => number) {
    for (let i = 1; i < options.boundaries.length; i++) {
      if (!(options.boundaries[i]! > options.boundaries[i - 1]!)) throw new RangeError(`histogram ${name}: boundaries must ascend`);
    }
    this.name = name;
    this.options = { ...options, boundaries: [...options.boundaries] };
    this.now = now;
  }

  /** The series for this attribute set; keep it and record on it. (Looked up by the attributes'
   *  values in key order, so callers should build them the same way each time.) */
  series(attributes: Attributes): HistogramSeries {
    const key = JSON.stringify(Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    let s = this.bySeries.get(key);
    if (!s) {
      s = new Series({ ...attributes }, this.options.boundaries, millisToHrTime(this.now()));
      this.bySeries.set(key, s);
    }
    return s;
  }

  /** @internal The SDK's view of it. */
  toMetricData(endTime: HrTime): HistogramMetricData {
    return {
      descriptor: { name: this.name, description: this.options.description, unit: this.options.unit, valueType: ValueType.DOUBLE },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints: [...this.bySeries.values()].map((s) => ({
        attributes: s.attributes,
        startTime: s.startTime,
        endTime,
        value: {
          buckets: { boundaries: this.options.boundaries, counts: [...s.counts] },
          sum: s.sum,
          count: s.count,
          ...(s.count > 0 ? { min: s.min, max: s.max } : {}),
        },
      })),
    };
  }
}

/**
 * A set of pre-aggregated histograms, read by metric readers as a MetricProducer (pass it in
 * their `metricProducers`; startTelemetry does for the readers it makes).
 */
export class PreAggregatedMetrics implements MetricProducer {
  private readonly histograms = new Map<string, PreAggregatedHistogram>();
  private readonly scope: { name: string; version?: string };
  private readonly now: () => number;

  constructor(o: { scope?: string; version?: string; now?: () => number } = {}) {
    this.scope = { name: o.scope ?? '@switchyard/otel/pre-aggregated', ...(o.version ? { version: o.version } : {}) };
    this.now = o.now ?? Date.now;
  }

  /** The histogram of this name (made on first use; later options are ignored). */
  histogram(name: string, options: HistogramOptions): PreAggregatedHistogram {
    let h = this.histograms.get(name);
    if (!h) {
      h = new PreAggregatedHistogram(name, options, this.now);
      this.histograms.set(name, h);
    }
    return h;
  }

  collect(): Promise<CollectionResult> {
    const end = millisToHrTime(this.now());
    const metrics = [...this.histograms.values()].map((h) => h.toMetricData(end)).filter((m) => m.dataPoints.length > 0);
    // The reader keeps the SDK's resource and takes only the scope metrics from here.
    return Promise.resolve({ resourceMetrics: { resource: undefined as never, scopeMetrics: metrics.length ? [{ scope: this.scope, metrics }] : [] }, errors: [] });
  }
}
