// placement-scheduler: owns the cluster view (from executor heartbeats) and the placement
// tables it publishes on NATS, periodically and on every change; serves Place, Explain,
// ClusterStatus and GetTable. Logic lives in @switchyard/cluster and @switchyard/placement.
import * as grpc from '@grpc/grpc-js';
import path from 'node:path';
import { loadConfig, z, ConfigError, boolish } from '@switchyard/config';
import { createLogger } from '@switchyard/log';
import { startTelemetry } from '@switchyard/otel';
import { MeshServer, identityFromDir, onShutdown, createClient, unary } from '@switchyard/mesh';
import { Bus, SUBJECTS } from '@switchyard/bus';
import { ClusterView, EjectionTracker, decideCanaries, executorLatencyMs, type CanaryVersionStats } from '@switchyard/cluster';
import { Placer, indexTable } from '@switchyard/placement';
import { codec, schedulerV1, executorV1, packageDefinition } from '@switchyard/proto';
import type { ExecutorClient, Heartbeat, Heartbeat__Output, PlacementTable, PlacementTable__Output, PlaceRequest__Output, PlaceResponse } from '@switchyard/proto';
import { toPlacementRequest, toPlaceResponse, toExplanation } from './convert.ts';
import { PoolScaler, type PoolEnum, type PoolScalingState } from './autoscale.ts';
import { LocalSupervisor } from './supervisor.ts';
import { kedaImplementation } from './keda.ts';
import { registerSchedulerMetrics } from './metrics.ts';

const int = z.coerce.number().int();
const num = z.coerce.number();

const log = createLogger({ service: 'placement-scheduler' });

const cfg = (() => {
  try {
  return loadConfig({
    pkiDir: z.string().min(1),
    natsUrl: z.string().min(1),
    host: z.string().default('127.0.0.1'),
    /** OTLP/HTTP collector base URL for traces; none by default. */
    otlpEndpoint: z.string().url().optional(),
    /** Prometheus endpoint port for the scheduler's own metrics; none by default (0 = any free port). */
    metricsPort: z.coerce.number().int().min(0).max(65535).optional(),
    metricsHost: z.string().default('0.0.0.0'),
    port: z.coerce.number().int().min(0).max(65535).default(7402),
    healthPort: z.coerce.number().int().min(0).max(65535).optional(),
    tableIntervalMs: z.coerce.number().int().min(50).max(60_000).default(1000),
    staleAfterMs: z.coerce.number().int().min(100).default(3000),
    forgetAfterMs: z.coerce.number().int().min(1000).default(30_000),
    // Outlier ejection (docs/autoscaling.md): PeerOutlierDetector per pool.
    ejection: boolish.default(true),
    ejectionIntervalMs: int.min(100).default(10_000),
    ejectionBaseMs: int.min(100).default(30_000),
    ejectionMaxPercent: num.min(0).max(100).default(10),
    ejectionMinHosts: int.min(1).default(3),
    ejectionMinRequests: int.min(1).default(20),
    ejectionLatencyFactor: num.gt(1).default(3),
    ejectionLatencyMinDeltaMs: num.min(0).default(10),
    ejectionConsecutiveErrors: int.min(1).default(5),
    ejectionWindowMs: int.min(500).default(30_000),
    // Autoscaling: the predictive Autoscaler per pool; actuators: the local supervisor, KEDA.
    autoscalePools: z.string().regex(/^(cpu|gpu)?(,(cpu|gpu))*$/, 'comma-separated cpu/gpu').default('cpu,gpu'),
    autoscaleIntervalMs: int.min(200).default(15_000),
    autoscaleSloMs: num.positive().default(500),
    autoscaleStartupS: num.min(0).default(10),
    autoscaleQuantile: num.gt(0).lt(1).default(0.95),
    autoscaleUpStabilizationS: num.min(0).default(0),
    autoscaleDownStabilizationS: num.min(0).default(300),
    autoscaleUtilCap: num.gt(0).max(1).default(0.85),
    autoscaleConcurrency: int.min(1).default(1),
    cpuMinReplicas: int.min(0).default(1),
    cpuMaxReplicas: int.min(1).default(4),
    gpuMinReplicas: int.min(0).default(1),
    gpuMaxReplicas: int.min(1).default(2),
    /** 'local': start/stop executor processes on this machine; 'none': decide only (KEDA reads it). */
    supervisor: z.enum(['none', 'local']).default('none'),
    modelRepo: z.string().optional(),
    region: z.string().default('local'),
    supervisorLogDir: z.string().optional(),
    /** JSON object of extra environment for supervised executors. */
    supervisorEnv: z.string().optional(),
    /**
     * The supervisor acts only once the pool has had minReplicas executors, or after this long:
     * at start the executors started by others (the launcher) have not reported yet.
     */
    supervisorDelayMs: int.min(0).default(30_000),
    // Canary rollback.
    canary: boolish.default(false),
    canaryIntervalMs: int.min(200).default(5000),
    canaryMinRequests: int.min(1).default(20),
    canaryErrorMargin: num.min(0).max(1).default(0.05),
    canaryLatencyFactor: num.gt(1).default(2),
  });
  } catch (e) {
    log.fatal({ err: (e as Error).message }, e instanceof ConfigError ? 'bad configuration' : 'startup failed');
    process.exit(2);
  }
})();

const tel = await startTelemetry({
  serviceName: 'placement-scheduler', serviceVersion: '0.1.0',
  ...(cfg.otlpEndpoint ? { otlpEndpoint: cfg.otlpEndpoint } : {}),
  ...(cfg.metricsPort !== undefined ? { metricsPort: cfg.metricsPort, metricsHost: cfg.metricsHost } : {}),
});

const heartbeatCodec = codec<Heartbeat, Heartbeat__Output>('switchyard.executor.v1.Heartbeat');
const tableCodec = codec<PlacementTable, PlacementTable__Output>('switchyard.scheduler.v1.PlacementTable');

let supervisorEnv: Record<string, string> | undefined;
try {
  const v: unknown = cfg.supervisorEnv ? JSON.parse(cfg.supervisorEnv) : undefined;
  if (v !== undefined && (typeof v !== 'object' || v === null || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string'))) throw new Error('not an object of strings');
  supervisorEnv = v as Record<string, string> | undefined;
} catch (e) {
  log.fatal({ err: (e as Error).message }, 'bad configuration: supervisorEnv (SY_SUPERVISOR_ENV) must be a JSON object of strings');
  process.exit(2);
}
if (cfg.supervisor === 'local' && !cfg.modelRepo) {
  log.fatal({}, 'bad configuration: supervisor=local needs modelRepo (SY_MODEL_REPO) for the executors it starts');
  process.exit(2);
}

const view = new ClusterView({ staleAfterMs: cfg.staleAfterMs, forgetAfterMs: cfg.forgetAfterMs });
const ejections = new EjectionTracker({
  intervalMs: cfg.ejectionIntervalMs, baseEjectionMs: cfg.ejectionBaseMs, maxEjectionPercent: cfg.ejectionMaxPercent, minHosts: cfg.ejectionMinHosts,
  minRequests: cfg.ejectionMinRequests, latencyFactor: cfg.ejectionLatencyFactor, consecutiveErrors: cfg.ejectionConsecutiveErrors, windowMs: cfg.ejectionWindowMs,
  latencyMinDeltaMs: cfg.ejectionLatencyMinDeltaMs,
});
const ejectionCodec = codec<Record<string, unknown>, Record<string, unknown>>('switchyard.scheduler.v1.EjectionEvent');
const scalingCodec = codec<Record<string, unknown>, Record<string, unknown>>('switchyard.scheduler.v1.ScalingEvent');
const rollbackCodec = codec<Record<string, unknown>, Record<string, unknown>>('switchyard.scheduler.v1.CanaryRollback');
/** "model@version" of canaries being rolled back (unhealthy in tables until they leave every heartbeat). */
const rolledBack = new Set<string>();
const rollbacks: Array<Record<string, unknown>> = [];
const placer = new Placer();
let tableVersion = 0;
let table: PlacementTable = view.table(0, Date.now(), ejections.ejectedIds(), rolledBack);
let index = indexTable(tableCodec.decode(tableCodec.encode(table)));

const bus = await Bus.connect({ url: cfg.natsUrl, name: 'placement-scheduler', log });

function publishTable(reason: string): void {
  tableVersion += 1;
  table = view.table(tableVersion, Date.now(), ejections.ejectedIds(), rolledBack);
  const bytesTable = tableCodec.decode(tableCodec.encode(table));
  index = indexTable(bytesTable);
  bus.publish(SUBJECTS.placementTable, tableCodec, table);
  metrics.tablePublished(reason);
  if (reason !== 'periodic') log.info({ table_version: tableVersion, routes: table.routes?.length ?? 0, reason }, 'placement table published');
}

let pending: NodeJS.Timeout | undefined;
function publishSoon(reason: string): void {
  if (pending) return;
  pending = setTimeout(() => {
    pending = undefined;
    publishTable(reason);
  }, 20);
}

bus.subscribe(SUBJECTS.heartbeatAll, heartbeatCodec, (hb) => {
  const now = Date.now();
  if (cfg.ejection && hb.executor_id) ejections.observe(hb, now);
  if (view.observe(hb, now)) publishSoon(`executor ${hb.executor_id} changed`);
});

// ---- outlier ejection ----------------------------------------------------------------------
const healthyBeats = (now: number) => view.executors(now).filter((e) => e.state === 'HEALTHY').map((e) => e.heartbeat);
const ejectionTimer = cfg.ejection ? setInterval(() => {
  const now = Date.now();
  const changes = ejections.evaluate(now, healthyBeats(now));
  for (const c of changes) {
    if (c.action === 'EJECT') log.warn({ executor_id: c.executorId, pool: c.pool, reason: c.reason, until_ms: c.untilMs }, `executor ${c.executorId} ejected: ${c.reason}`);
    else log.info({ executor_id: c.executorId, pool: c.pool }, `executor ${c.executorId} restored (probation)`);
    metrics.ejection(c);
    bus.publish(SUBJECTS.ejection(c.executorId), ejectionCodec, { executor_id: c.executorId, pool: c.pool, action: c.action, reason: c.reason, until_ms: c.untilMs, at_ms: now });
  }
  if (changes.length) publishSoon(`ejection: ${changes.map((c) => `${c.action} ${c.executorId}`).join(', ')}`);
}, Math.min(500, cfg.ejectionIntervalMs)) : undefined;

// ---- autoscaling ---------------------------------------------------------------------------
const pools = [...new Set(cfg.autoscalePools.split(',').filter(Boolean))] as Array<'cpu' | 'gpu'>;
const enumOf = (p: 'cpu' | 'gpu'): PoolEnum => (p === 'cpu' ? 'POOL_CPU' : 'POOL_GPU');
const scalers = new Map<PoolEnum, PoolScaler>();
for (const p of pools) {
  scalers.set(enumOf(p), new PoolScaler({
    pool: enumOf(p),
    minReplicas: p === 'cpu' ? cfg.cpuMinReplicas : cfg.gpuMinReplicas,
    maxReplicas: Math.max(p === 'cpu' ? cfg.cpuMaxReplicas : cfg.gpuMaxReplicas, p === 'cpu' ? cfg.cpuMinReplicas : cfg.gpuMinReplicas, 1),
    sloMs: cfg.autoscaleSloMs, startupSeconds: cfg.autoscaleStartupS, targetQuantile: cfg.autoscaleQuantile, utilCap: cfg.autoscaleUtilCap,
    forecastStepS: cfg.autoscaleIntervalMs / 1000, syncPeriodS: cfg.autoscaleIntervalMs / 1000,
    upscaleStabilizationS: cfg.autoscaleUpStabilizationS, downscaleStabilizationS: cfg.autoscaleDownStabilizationS,
    concurrency: cfg.autoscaleConcurrency,
  }));
}
// Ejections, table publishes, autoscaler replicas (metrics.ts). Declared before the first await
// after the timers and subscriptions above, so it exists before any of them can fire.
const metrics = registerSchedulerMetrics(tel.meter, { pools: () => [...scalers.values()].map((sc) => sc.last) });
const supervisor = cfg.supervisor === 'local' ? new LocalSupervisor({
  baseEnv: { SY_PKI_DIR: cfg.pkiDir, SY_NATS_URL: cfg.natsUrl, SY_MODEL_REPO: path.resolve(cfg.modelRepo!) },
  region: cfg.region,
  log,
  ...(cfg.supervisorLogDir ? { logDir: cfg.supervisorLogDir } : {}),
  ...(supervisorEnv ? { extraEnv: supervisorEnv } : {}),
}) : undefined;
const stepListeners = new Set<() => void>();
const startedAt = Date.now();
/** Pools that have had their minimum of executors at least once (the supervisor may act). */
const poolsSettled = new Set<PoolEnum>();
let stopping = false;
function autoscaleOnce(): void {
  if (stopping) return;
  const now = Date.now();
  const all = view.executors(now);
  for (const [pool, scaler] of scalers) {
    const word = pool === 'POOL_CPU' ? 'cpu' : 'gpu';
    const inPool = all.filter((e) => e.heartbeat.pool === pool && e.state === 'HEALTHY');
    const seen = new Set(inPool.map((e) => e.heartbeat.executor_id));
    const ready = inPool.filter((e) => !ejections.isEjected(e.heartbeat.executor_id) && e.heartbeat.models.some((m) => m.state === 'READY')).map((e) => e.heartbeat);
    const starting = supervisor ? supervisor.alive(word).filter((s) => !seen.has(s.executorId)).length : 0;
    const current = seen.size + starting;
    const before = scaler.last.desired;
    let d;
    try {
      d = scaler.step(now, ready, current);
    } catch (e) {
      log.error({ pool: word, err: (e as Error).message }, 'autoscaler step failed');
      continue;
    }
    const actions: string[] = [];
    if (seen.size >= scaler.autoscaler.config.minReplicas) poolsSettled.add(pool);
    if (supervisor && (poolsSettled.has(pool) || now - startedAt >= cfg.supervisorDelayMs)) {
      if (d.desired > current) {
        for (let i = current; i < d.desired; i++) actions.push(`START ${supervisor.start(word).executorId}`);
      } else if (d.desired < current) {
        for (let i = d.desired; i < current; i++) {
          const s = supervisor.stopNewest(word);
          if (!s) break; // the launcher's executors are the floor
          actions.push(`STOP ${s.executorId}`);
        }
      }
    }
    if (d.desired !== before || actions.length) {
      log.info({ pool: word, desired: d.desired, current, ready: ready.length, observed_rps: d.state.observedRate, forecast_rps: d.forecastRate, actions }, `autoscaler: ${d.reason}`);
      bus.publish(`sy.v1.scheduler.scaling.${word}`, scalingCodec, { decision: wirePool(d.state), action: actions.join(', ') });
    }
  }
  for (const l of stepListeners) l();
}
function wirePool(st: PoolScalingState): Record<string, unknown> {
  const word = st.pool === 'POOL_CPU' ? 'cpu' : 'gpu';
  return {
    pool: st.pool, current: st.current, ready: st.ready, desired: st.desired, observed_rate: st.observedRate, forecast_rate: st.forecastRate,
    service_rate: st.serviceRate, reason: st.reason, supervised: supervisor ? supervisor.alive(word).map((s) => s.executorId) : [],
    min_replicas: st.minReplicas, max_replicas: st.maxReplicas, decided_at_ms: st.decidedAtMs,
  };
}
const autoscaleTimer = scalers.size ? setInterval(autoscaleOnce, cfg.autoscaleIntervalMs) : undefined;

// ---- canary rollback -----------------------------------------------------------------------
const identity = identityFromDir(cfg.pkiDir, 'placement-scheduler');
async function unloadEverywhere(model: string, version: string, beats: Heartbeat__Output[]): Promise<string[]> {
  const done: string[] = [];
  await Promise.all(beats.map(async (hb) => {
    const client = createClient<ExecutorClient>(executorV1.Executor, hb.address, identity, { serverSpiffeId: hb.spiffe_id });
    try {
      await unary(client, 'UnloadModel', { name: model, versions: [version] }, { deadlineMs: 10_000 });
      done.push(hb.executor_id);
    } catch (e) {
      log.error({ executor_id: hb.executor_id, model, version, err: (e as Error).message }, 'canary rollback: UnloadModel failed');
    } finally {
      client.close();
    }
  }));
  return done;
}
function canaryOnce(): void {
  const now = Date.now();
  const beats = healthyBeats(now);
  const present = new Set<string>();
  const stats = new Map<string, Map<string, CanaryVersionStats & { lat: number[] }>>();
  for (const hb of beats) {
    for (const m of hb.models) {
      present.add(`${m.name}@${m.version}`);
      if (m.state !== 'READY' || rolledBack.has(`${m.name}@${m.version}`)) continue;
      let byV = stats.get(m.name);
      if (!byV) stats.set(m.name, (byV = new Map()));
      let v = byV.get(m.version);
      if (!v) byV.set(m.version, (v = { version: m.version, successes: 0, failures: 0, latencyMs: NaN, lat: [] }));
      v.successes += Number(m.success_count);
      v.failures += Number(m.error_count);
      const l = executorLatencyMs(hb, m.name, m.version);
      if (Number.isFinite(l)) v.lat.push(l);
    }
  }
  for (const key of rolledBack) if (!present.has(key)) rolledBack.delete(key);
  const input = new Map<string, CanaryVersionStats[]>();
  for (const [model, byV] of stats) {
    input.set(model, [...byV.values()].map((v) => ({ version: v.version, successes: v.successes, failures: v.failures, latencyMs: v.lat.length ? v.lat.sort((a, b) => a - b)[v.lat.length >> 1]! : NaN })));
  }
  for (const verdict of decideCanaries(input, { minRequests: cfg.canaryMinRequests, errorRateMargin: cfg.canaryErrorMargin, latencyFactor: cfg.canaryLatencyFactor })) {
    if (!verdict.rollback) continue;
    const key = `${verdict.model}@${verdict.canary}`;
    rolledBack.add(key);
    publishSoon(`canary rollback ${key}`);
    const holders = beats.filter((hb) => hb.models.some((m) => m.name === verdict.model && m.version === verdict.canary));
    log.warn({ model: verdict.model, canary: verdict.canary, stable: verdict.stable, reason: verdict.reason, executors: holders.map((h) => h.executor_id) }, `canary ${key} rolled back: ${verdict.reason}`);
    void unloadEverywhere(verdict.model, verdict.canary, holders).then((ids) => {
      const rec = { model_name: verdict.model, canary_version: verdict.canary, stable_version: verdict.stable, executor_ids: ids, reason: verdict.reason, at_ms: now };
      rollbacks.unshift(rec);
      rollbacks.splice(20);
      bus.publish(`sy.v1.scheduler.canary.${verdict.model}`, rollbackCodec, rec);
    });
  }
}
const canaryTimer = cfg.canary ? setInterval(canaryOnce, cfg.canaryIntervalMs) : undefined;
const periodic = setInterval(() => {
  view.expire(Date.now());
  publishTable('periodic');
}, cfg.tableIntervalMs);

function decide(req: PlaceRequest__Output) {
  const preq = toPlacementRequest(req, index);
  const candidates = index.routeFor(preq.model, preq.version) ?? [];
  return { preq, candidates, ctx: { nowMs: Date.now(), random: Math.random } };
}

const impl: grpc.UntypedServiceImplementation = {
  Place(call: grpc.ServerUnaryCall<PlaceRequest__Output, PlaceResponse>, cb: grpc.sendUnaryData<PlaceResponse>) {
    if (!call.request.model_name) return cb({ code: grpc.status.INVALID_ARGUMENT, details: 'model_name is required' });
    const { preq, candidates, ctx } = decide(call.request);
    cb(null, toPlaceResponse(placer.decide(preq, candidates, ctx), tableVersion, preq.version));
  },
  Explain(call: grpc.ServerUnaryCall<PlaceRequest__Output, unknown>, cb: grpc.sendUnaryData<unknown>) {
    if (!call.request.model_name) return cb({ code: grpc.status.INVALID_ARGUMENT, details: 'model_name is required' });
    const { preq, candidates, ctx } = decide(call.request);
    cb(null, toExplanation(placer.explain(preq, candidates, ctx), tableVersion, preq.version, candidates, ctx));
  },
  ClusterStatus(_call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) {
    const now = Date.now();
    cb(null, {
      executors: view.executors(now).map((e) => ({ heartbeat: e.heartbeat, last_seen_ms: e.lastSeenMs, state: e.state })),
      table_version: tableVersion,
      now_ms: now,
      ejections: ejections.list().map((r) => ({ executor_id: r.executorId, pool: r.pool, reason: r.reason, ejected_at_ms: r.ejectedAtMs, until_ms: r.untilMs, count: r.count })),
      pools: [...scalers.values()].map((sc) => wirePool(sc.last)),
      rollbacks,
    });
  },
  GetTable(_call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<PlacementTable>) {
    cb(null, table);
  },
};

const kedaService = (grpc.loadPackageDefinition(packageDefinition) as unknown as { externalscaler: { ExternalScaler: { service: grpc.ServiceDefinition } } }).externalscaler.ExternalScaler.service;
const keda = kedaImplementation({
  state: (pool) => scalers.get(pool)?.last,
  onStep: (l) => { stepListeners.add(l); return () => { stepListeners.delete(l); }; },
});

const server = new MeshServer({
  identity,
  host: cfg.host,
  port: cfg.port,
  ...(cfg.healthPort !== undefined ? { healthPort: cfg.healthPort } : {}),
  services: [
    { definition: schedulerV1.PlacementScheduler.service, implementation: impl, healthName: 'switchyard.scheduler.v1.PlacementScheduler' },
    { definition: kedaService, implementation: keda, healthName: 'externalscaler.ExternalScaler' },
  ],
  log,
});
const port = await server.start();
publishTable('start');
log.info({
  port, health_port: server.healthPort, metricsPort: tel.metricsPort, ejection: cfg.ejection, autoscale_pools: pools, supervisor: cfg.supervisor, canary: cfg.canary,
}, 'ready');

onShutdown(log, [
  { name: 'autoscaler', run: async () => { stopping = true; clearInterval(autoscaleTimer); } },
  { name: 'grpc', run: () => server.shutdown(5000) },
  { name: 'timers', run: async () => { clearInterval(periodic); clearInterval(ejectionTimer); clearInterval(autoscaleTimer); clearInterval(canaryTimer); if (pending) clearTimeout(pending); } },
  { name: 'supervised executors', run: async () => { await supervisor?.stopAll(); } },
  { name: 'nats', run: () => bus.close() },
  { name: 'otel', run: () => tel.shutdown() },
]);
