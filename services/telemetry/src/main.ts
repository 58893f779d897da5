// Telemetry service: consumes executor heartbeats and gateway outcome batches from NATS, keeps
// rolling statistics (aggregate.ts), per-(model, pool) series, SLOs and cost (series.ts,
// persisted to Redis by persist.ts when SY_REDIS_URL is set), serves
// switchyard.telemetry.v1.Telemetry over the mTLS mesh as `telemetry`, exports Prometheus
// metrics (metrics.ts) and serves a live dashboard over HTTP (dashboard.ts).
// Run with the OTel preload so gRPC calls are traced:
//   node --import @switchyard/otel/register services/telemetry/src/main.ts
import { SpanKind, TraceFlags, isSpanContextValid, type Link, type SpanContext } from '@opentelemetry/api';
import { loadConfig, boolish, z } from '@switchyard/config';
import { createLogger } from '@switchyard/log';
import { startTelemetry } from '@switchyard/otel';
import { identityFromDir, MeshServer, onShutdown } from '@switchyard/mesh';
import { Bus, SUBJECTS } from '@switchyard/bus';
import { closeRedis, connectRedis, type Redis } from '@switchyard/store';
import { codec, telemetryV1, type EjectionEvent, type EjectionEvent__Output, type Heartbeat, type Heartbeat__Output, type OutcomeBatch, type OutcomeBatch__Output, type Outcome__Output } from '@switchyard/proto';
import { Aggregator } from './aggregate.ts';
import { registerMetrics } from './metrics.ts';
import { telemetryHandlers } from './handlers.ts';
import { CostLedger, SeriesStore, type SloObjective } from './series.ts';
import { Insights } from './insights.ts';
import { flush, load } from './persist.ts';
import { startDashboard, type DashboardServer } from './dashboard.ts';
import { EjectionLog } from './ejections.ts';

const port = z.coerce.number().int().min(0).max(65535);
const log = createLogger({ service: 'telemetry' });

const sloMap = z
  .string()
  .default('{}')
  .transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON, e.g. {"ocr_cls":{"latencyMs":200,"target":0.995}}' });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string(), z.object({ latencyMs: z.number().positive().optional(), target: z.number().gt(0).lt(1).optional() }).strict()));

/** OTel caps links per span at 128 by default (SpanLimits.linkCountLimit). */
const MAX_LINKS = 128;

/** Span context of the gateway request an outcome names (Outcome.trace_id, + span_id when the
 *  gateway sends one; otherwise the parent id is inferred from the trace id). */
function outcomeContext(o: Outcome__Output & { span_id?: string }): SpanContext | undefined {
  const traceId = o.trace_id ?? '';
  if (!/^[0-9a-f]{32}$/.test(traceId) || /^0+$/.test(traceId)) return undefined;
  const spanId = o.span_id && /^[0-9a-f]{16}$/.test(o.span_id) ? o.span_id : traceId.slice(16);
  const sc = { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true };
  return isSpanContextValid(sc) ? sc : undefined;
}

try {
  const cfg = loadConfig({
    pkiDir: z.string().default('.switchyard/pki'),
    host: z.string().default('127.0.0.1'),
    port: port.default(7403),
    natsUrl: z.string().default('nats://127.0.0.1:4222'),
    metricsPort: port.default(9464),
    metricsHost: z.string().default('0.0.0.0'),
    /** How long GetSummary windows reach back, seconds. */
    retentionSeconds: z.coerce.number().int().min(60).max(7 * 24 * 3600).default(3600),
    /** How long the per-(model, pool) series (and so SLO windows) reach back, seconds. */
    seriesRetentionSeconds: z.coerce.number().int().min(60).max(7 * 24 * 3600).default(21_600),
    /** Redis for series and cost persistence across restarts; none: in memory only. */
    redisUrl: z.string().optional(),
    persistIntervalMs: z.coerce.number().int().min(100).max(600_000).default(5000),
    /** Default SLO: latency objective (ms) and target fraction of good requests. */
    sloLatencyMs: z.coerce.number().positive().default(500),
    sloTarget: z.coerce.number().gt(0).lt(1).default(0.99),
    /** Per-model SLOs as JSON: {"<model>":{"latencyMs":200,"target":0.995}}. */
    slos: sloMap,
    /** Live dashboard over HTTP (GET /, GET /api/dashboard). */
    dashboard: boolish.default(true),
    dashboardHost: z.string().default('127.0.0.1'),
    dashboardPort: port.default(7404),
    otlpEndpoint: z.string().url().optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  });
  log.level = cfg.logLevel;

  const tel = await startTelemetry({
    serviceName: 'telemetry',
    serviceVersion: '0.1.0',
    metricsPort: cfg.metricsPort,
    metricsHost: cfg.metricsHost,
    ...(cfg.otlpEndpoint ? { otlpEndpoint: cfg.otlpEndpoint } : {}),
  });
  if (!tel.grpcInstrumented && !tel.disabled) log.warn('gRPC tracing off: start with node --import @switchyard/otel/register');

  const agg = new Aggregator({ retentionMs: cfg.retentionSeconds * 1000 });
  const defaultSlo: SloObjective = { latencyMs: cfg.sloLatencyMs, target: cfg.sloTarget };
  const series = new SeriesStore({ retentionMs: cfg.seriesRetentionSeconds * 1000, defaultSlo, slos: cfg.slos });
  const cost = new CostLedger();
  const insights = new Insights({ slotMs: series.slotMs });
  const metrics = registerMetrics(tel.meter, agg, { histograms: tel.histograms, series, cost });

  let redis: Redis | undefined;
  if (cfg.redisUrl) {
    redis = await connectRedis(cfg.redisUrl, log, 'telemetry');
    const loaded = await load(redis, series, cost, Date.now());
    log.info(loaded, 'restored series and cost from redis');
  }

  const bus = await Bus.connect({ url: cfg.natsUrl, name: 'telemetry', log });
  const heartbeatCodec = codec<Heartbeat, Heartbeat__Output>('switchyard.executor.v1.Heartbeat');
  const outcomeCodec = codec<OutcomeBatch, OutcomeBatch__Output>('switchyard.telemetry.v1.OutcomeBatch');
  bus.subscribe(SUBJECTS.heartbeatAll, heartbeatCodec, (hb) => {
    agg.recordHeartbeat(hb);
    metrics.recordHeartbeat(hb);
  });
  bus.subscribe(SUBJECTS.outcome, outcomeCodec, (batch, meta) => {
    // One CONSUMER span per batch (OTel messaging conventions for batch receive): child of the
    // publisher's context from the NATS headers, linked to the request span of each traced
    // outcome (the batch is flushed on a timer, so the header context is not a request's).
    const outcomes = batch.outcomes as Array<Outcome__Output & { span_id?: string }>;
    const links: Link[] = [];
    if (!tel.disabled) {
      for (const o of outcomes) {
        if (links.length >= MAX_LINKS) break;
        const sc = outcomeContext(o);
        if (sc) links.push({ context: sc, attributes: { 'messaging.message.id': o.request_id, ...(o.span_id ? {} : { 'switchyard.link_span_inferred': true }) } });
      }
    }
    const span = tel.tracer.startSpan(`${meta.subject} process`, {
      kind: SpanKind.CONSUMER,
      attributes: { 'messaging.system': 'nats', 'messaging.destination.name': meta.subject, 'messaging.operation.type': 'process', 'messaging.batch.message_count': outcomes.length },
      links,
    }, meta.context);
    try {
      for (const o of outcomes) {
        agg.recordOutcome(o);
        series.record(o);
        cost.record(o);
        insights.record(o);
      }
      metrics.recordOutcomes(outcomes);
    } finally {
      span.end();
    }
  });
  // The scheduler's outlier ejections and restores, for the dashboard (bounded, newest kept).
  const ejections = new EjectionLog({ max: 50 });
  const ejectionCodec = codec<EjectionEvent, EjectionEvent__Output>('switchyard.scheduler.v1.EjectionEvent');
  bus.subscribe(SUBJECTS.ejectionAll, ejectionCodec, (e) => {
    if (!ejections.record(e)) log.warn({ executor_id: e.executor_id, action: e.action }, 'ignored a malformed ejection event');
  });
  // Make sure the subscriptions are registered on the server before we say ready.
  await bus.nc.flush();

  // Close series slots for the insights (forecast, anomalies) as time passes.
  let lastSlot = Math.floor(Date.now() / series.slotMs);
  const slotTimer = setInterval(() => {
    const cur = Math.floor(Date.now() / series.slotMs);
    for (let i = Math.max(lastSlot, cur - 10); i < cur; i++) insights.closeSlot(i * series.slotMs);
    lastSlot = cur;
    series.prune();
    cost.prune();
  }, 1000);
  slotTimer.unref();

  let persisting: Promise<unknown> = Promise.resolve();
  const persistNow = () => {
    if (!redis) return Promise.resolve();
    const r = redis;
    persisting = persisting.then(() => flush(r, series, cost)).catch((e: Error) => log.warn({ err: e.message }, 'persisting series to redis failed'));
    return persisting;
  };
  const persistTimer = setInterval(() => void persistNow(), cfg.persistIntervalMs);
  persistTimer.unref();

  let dash: DashboardServer | undefined;
  if (cfg.dashboard) dash = await startDashboard({ agg, series, cost, insights, ejections }, { host: cfg.dashboardHost, port: cfg.dashboardPort, log });

  const server = new MeshServer({
    identity: identityFromDir(cfg.pkiDir, 'telemetry'),
    host: cfg.host,
    port: cfg.port,
    log,
    services: [{ definition: telemetryV1.Telemetry.service, implementation: telemetryHandlers(agg, series, cost), healthName: 'switchyard.telemetry.v1.Telemetry' }],
  });
  const grpcPort = await server.start();

  onShutdown(log, [
    { name: 'grpc', run: () => server.shutdown(5000) },
    { name: 'dashboard', run: async () => { await dash?.close(); } },
    { name: 'nats', run: () => bus.close() },
    { name: 'redis', run: async () => {
      clearInterval(persistTimer);
      clearInterval(slotTimer);
      await persistNow();
      if (redis) await closeRedis(redis);
    } },
    { name: 'otel', run: () => tel.shutdown() },
  ]);

  log.info({ port: grpcPort, host: cfg.host, metricsPort: tel.metricsPort, dashboard: dash?.url, nats: cfg.natsUrl, redis: Boolean(redis), retentionSeconds: cfg.retentionSeconds, seriesRetentionSeconds: cfg.seriesRetentionSeconds }, 'ready');
} catch (err) {
  log.fatal({ err: (err as Error).message }, 'telemetry failed to start');
  log.flush();
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100).unref();
}
