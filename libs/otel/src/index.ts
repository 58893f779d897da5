// OpenTelemetry for Switchyard services: one call sets up the Node SDK with the service's
// resource, W3C propagation, a tracer provider (always, so trace ids exist for logs and
// propagation), a Prometheus /metrics endpoint when asked and OTLP/HTTP export when configured.
// gRPC spans additionally need the preload: `node --import @switchyard/otel/register` (see
// README.md and register.ts).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, metrics, propagation, trace, type Meter, type Tracer } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { PeriodicExportingMetricReader, type IMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, NoopSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { enableInstrumentations, instrumentationStatus } from './instrument.ts';

export type { Meter, Tracer } from '@opentelemetry/api';
export { natsTraceHeaders, contextFromHeaders, natsHeaderGetter, natsHeaderSetter } from './nats.ts';
export { instrumentationStatus } from './instrument.ts';
export { traceGrpcManually, startServerSpan, startServerSpanW3C, w3cTraceContext, injectTraceContext, endRpcSpan, spanIds, type MetadataLike, type W3CTraceContext } from './hot-path.ts';
import { PresetIdGenerator, setParentBasedSampling, setRootSampling } from './hot-path.ts';
import { PreAggregatedMetrics } from './pre-aggregated.ts';
export { PreAggregatedMetrics, PreAggregatedHistogram, type HistogramSeries, type HistogramOptions } from './pre-aggregated.ts';

/** Resource attributes every Switchyard process may carry (named switchyard.<key> in the resource). */
export interface TelemetryAttributes {
  pool?: string;
  region?: string;
  executor_id?: string;
}

export interface TelemetryOptions {
  serviceName: string;
  serviceVersion?: string;
  attributes?: TelemetryAttributes;
  /** Prometheus endpoint port (GET /metrics). 0 picks a free port; undefined: no endpoint. */
  metricsPort?: number;
  /** Interface for the metrics endpoint. Default 0.0.0.0 (scrapable in a pod). */
  metricsHost?: string;
  /** OTLP/HTTP (protobuf) base URL, e.g. http://127.0.0.1:4318: traces to /v1/traces,
   *  metrics to /v1/metrics. Undefined: no OTLP export. */
  otlpEndpoint?: string;
  /** OTLP metric export interval (default 15 s). */
  otlpMetricIntervalMs?: number;
  /** Extra span processors (tests, custom exporters). */
  spanProcessors?: SpanProcessor[];
  /** Extra metric readers (tests, custom exporters). */
  metricReaders?: IMetricReader[];
  /** Turn telemetry off: no SDK, no endpoint, no-op meter/tracer (benchmarks: telemetry on vs
   *  off). Default: env SY_OTEL_DISABLED (true/1/yes), else false. */
  disabled?: boolean;
  /** Head sampling of new traces, 0..1 (parent-based: a request keeps its caller's decision, so a
   *  caller's sampled traceparent is always recorded). Default: env SY_OTEL_TRACE_SAMPLE_RATIO,
   *  else DEFAULT_TRACE_SAMPLE_RATIO (0.1) when spans are exported (otlpEndpoint or
   *  spanProcessors), else 0: a process that exports nothing starts no recorded trace (its spans
   *  still have ids, for logs, outcomes and propagation). */
  traceSampleRatio?: number;
}

export interface Telemetry {
  meter: Meter;
  tracer: Tracer;
  /** The bound port of the Prometheus endpoint, when one was asked for. */
  metricsPort?: number;
  /** True when gRPC calls are traced (the register preload ran). */
  grpcInstrumented: boolean;
  /** True when telemetry was turned off (`disabled` / SY_OTEL_DISABLED): everything is a no-op. */
  disabled: boolean;
  /** Share of new traces recorded (see TelemetryOptions.traceSampleRatio); 0 when disabled. */
  traceSampleRatio: number;
  /** Histograms for per-request hot paths (pre-aggregated.ts), exported with `meter`'s
   *  instruments by the readers startTelemetry makes (read by nobody when disabled). */
  histograms: PreAggregatedMetrics;
  /** Flushes exporters, closes the metrics endpoint and unregisters the global providers. */
  shutdown(): Promise<void>;
}

/** Resource attribute names used for TelemetryAttributes. */
export const RESOURCE_ATTRS = {
  pool: 'switchyard.pool',
  region: 'switchyard.region',
  executor_id: 'switchyard.executor_id',
} as const;

/** New traces recorded by default where spans are exported: one in ten. Every span costs CPU to
 *  make and more to export (docs/benchmarks.md, telemetry suite: with every request traced the
 *  mesh served 0.70-0.79 of its throughput without telemetry, with one in ten 0.84-0.93). Every request
 *  still has a trace id (logs, outcomes, decision records) and its decision record
 *  (`switchyard explain`); SY_OTEL_TRACE_SAMPLE_RATIO=1 records every trace. */
export const DEFAULT_TRACE_SAMPLE_RATIO = 0.1;

/** SY_OTEL_DISABLED=true|1|yes turns telemetry off in every service (see `disabled`). */
export function otelDisabledByEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(1|true|yes|on)$/i.test((env.SY_OTEL_DISABLED ?? '').trim());
}

export async function startTelemetry(opts: TelemetryOptions): Promise<Telemetry> {
  if (opts.disabled ?? otelDisabledByEnv()) {
    // No SDK: the global API stays on its no-op providers (meter, tracer, propagation).
    return {
      meter: metrics.getMeter(opts.serviceName, opts.serviceVersion),
      tracer: trace.getTracer(opts.serviceName, opts.serviceVersion),
      grpcInstrumented: false,
      disabled: true,
      traceSampleRatio: 0,
      histograms: new PreAggregatedMetrics(),
      shutdown: async () => {},
    };
  }
  const attrs: Record<string, string> = { [ATTR_SERVICE_NAME]: opts.serviceName };
  if (opts.serviceVersion) attrs[ATTR_SERVICE_VERSION] = opts.serviceVersion;
  for (const [k, name] of Object.entries(RESOURCE_ATTRS)) {
    const v = opts.attributes?.[k as keyof TelemetryAttributes];
    if (v) attrs[name] = v;
  }

  // Always pass explicit readers/processors: left empty, NodeSDK falls back to OTEL_* env and
  // its default there is OTLP to localhost.
  const metricReaders: IMetricReader[] = [...(opts.metricReaders ?? [])];
  // Readers passed in opts.metricReaders read them only if made with it in their metricProducers.
  const histograms = new PreAggregatedMetrics({ scope: opts.serviceName, ...(opts.serviceVersion ? { version: opts.serviceVersion } : {}) });
  const spanProcessors: SpanProcessor[] = [...(opts.spanProcessors ?? [])];

  let prom: PrometheusExporter | undefined;
  if (opts.metricsPort !== undefined) {
    if (!Number.isInteger(opts.metricsPort) || opts.metricsPort < 0 || opts.metricsPort > 65535) {
      throw new RangeError(`metricsPort must be an integer 0..65535, got ${opts.metricsPort}`);
    }
    prom = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true, metricProducers: [histograms] });
    metricReaders.push(prom);
  }
  if (opts.otlpEndpoint) {
    const otlp = await loadOtlp();
    const base = opts.otlpEndpoint.replace(/\/+$/, '');
    spanProcessors.push(new BatchSpanProcessor(new otlp.OTLPTraceExporter({ url: `${base}/v1/traces` })));
    metricReaders.push(
      new PeriodicExportingMetricReader({
        exporter: new otlp.OTLPMetricExporter({ url: `${base}/v1/metrics` }),
        exportIntervalMillis: opts.otlpMetricIntervalMs ?? 15_000,
        metricProducers: [histograms],
      }),
    );
  }
  const exporting = spanProcessors.length > 0;
  const envRatio = process.env.SY_OTEL_TRACE_SAMPLE_RATIO?.trim();
  const ratio = opts.traceSampleRatio ?? (envRatio ? Number(envRatio) : exporting ? DEFAULT_TRACE_SAMPLE_RATIO : 0);
  if (!(ratio >= 0 && ratio <= 1)) throw new RangeError(`traceSampleRatio (SY_OTEL_TRACE_SAMPLE_RATIO) must be in [0, 1], got ${ratio}`);
  // A tracer provider is always registered so spans have real ids (log correlation, propagation).
  if (!exporting) spanProcessors.push(new NoopSpanProcessor());

  // Without the preload this enables require-in-the-middle only (CommonJS); harmless, and the
  // status tells the service to warn.
  enableInstrumentations({ esmHook: false });

  const sampler = ratio < 1 ? new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }) : undefined;
  const ids = new PresetIdGenerator();
  const sdk = new NodeSDK({
    resource: resourceFromAttributes(attrs),
    autoDetectResources: false,
    metricReaders,
    spanProcessors,
    idGenerator: ids,
    ...(sampler ? { sampler } : {}),
    logRecordProcessors: [],
  });
  sdk.start();
  // The hot path starts new traces the sampler does not record without the SDK (hot-path.ts). It
  // tells a new trace by the absence of `traceparent`, so only with W3C propagation (the default).
  const propagators = (process.env.OTEL_PROPAGATORS ?? 'tracecontext,baggage').split(',').map((p) => p.trim()).filter(Boolean);
  const w3c = propagators.every((p) => p === 'tracecontext' || p === 'baggage');
  setRootSampling(sampler && w3c ? { sampler, ids } : undefined);
  // Ours is ParentBased; with none passed the SDK reads OTEL_TRACES_SAMPLER (default parentbased_always_on).
  const envSampler = process.env.OTEL_TRACES_SAMPLER?.trim();
  setParentBasedSampling(ratio < 1 || !envSampler || envSampler.startsWith('parentbased'));

  let server: http.Server | undefined;
  let metricsPort: number | undefined;
  if (prom) {
    const exporter = prom;
    server = http.createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'GET' && path === '/metrics') {
        exporter.getMetricsRequestHandler(req, res);
      } else {
        res.statusCode = 404;
        res.end('not found: try GET /metrics\n');
      }
    });
    try {
      metricsPort = await listen(server, opts.metricsPort ?? 0, opts.metricsHost ?? '0.0.0.0');
    } catch (e) {
      await teardown(sdk);
      throw new Error(`metrics endpoint ${opts.metricsHost ?? '0.0.0.0'}:${opts.metricsPort}: ${(e as Error).message}`, { cause: e });
    }
  }

  let stopped: Promise<void> | undefined;
  const tel: Telemetry = {
    meter: metrics.getMeter(opts.serviceName, opts.serviceVersion),
    tracer: trace.getTracer(opts.serviceName, opts.serviceVersion),
    grpcInstrumented: instrumentationStatus().grpc,
    disabled: false,
    traceSampleRatio: ratio,
    histograms,
    shutdown: () =>
      (stopped ??= (async () => {
        if (server) {
          const s = server;
          s.closeAllConnections();
          await new Promise<void>((resolve) => s.close(() => resolve()));
        }
        await teardown(sdk);
      })()),
  };
  if (metricsPort !== undefined) tel.metricsPort = metricsPort;
  return tel;
}

async function teardown(sdk: NodeSDK): Promise<void> {
  setParentBasedSampling(false);
  setRootSampling(undefined);
  try {
    await sdk.shutdown();
  } finally {
    // Unregister globals so a later startTelemetry in the same process (tests) takes effect.
    metrics.disable();
    trace.disable();
    propagation.disable();
    context.disable();
  }
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

interface OtlpModules {
  OTLPTraceExporter: typeof import('@opentelemetry/exporter-trace-otlp-proto').OTLPTraceExporter;
  OTLPMetricExporter: typeof import('@opentelemetry/exporter-metrics-otlp-proto').OTLPMetricExporter;
}

/** The OTLP/HTTP protobuf exporters are dependencies of @opentelemetry/sdk-node (not declared in
 *  the root package.json): loaded lazily, with a clear error when they are missing. */
async function loadOtlp(): Promise<OtlpModules> {
  try {
    const [t, m] = await Promise.all([
      import('@opentelemetry/exporter-trace-otlp-proto'),
      import('@opentelemetry/exporter-metrics-otlp-proto'),
    ]);
    return { OTLPTraceExporter: t.OTLPTraceExporter, OTLPMetricExporter: m.OTLPMetricExporter };
  } catch (e) {
    throw new Error(
      `otlpEndpoint is set but the OTLP exporters cannot be loaded (${(e as Error).message}); ` +
        'install @opentelemetry/exporter-trace-otlp-proto and @opentelemetry/exporter-metrics-otlp-proto',
      { cause: e },
    );
  }
}
