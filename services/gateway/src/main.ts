// gateway: the public Open Inference Protocol endpoint. Wires the JWT verifier (keys from the
// policy service), the Redis quota, the placement table pushed by the scheduler, the router
// (shared placement core + pooled mTLS channels to executors) and the outcome stream.
import * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { loadConfig, z, ConfigError, boolish } from '@switchyard/config';
import { createLogger } from '@switchyard/log';
import { startTelemetry, traceGrpcManually } from '@switchyard/otel';
import { MeshServer, identityFromDir, onShutdown, createClient, spiffeIdOf } from '@switchyard/mesh';
import { Bus, SUBJECTS } from '@switchyard/bus';
import { closeRedis, connectRedis, guardStore, QuotaLeases, redisLeaseStore } from '@switchyard/store';
import { bundleFromJson, POLICY_KEY, SIGNING_KEYS_KEY, AUDIT_SUBJECTS } from '@switchyard/policy-engine';
import { openPolicyKv, ensureAuditStream } from '@switchyard/policy-engine/nats';
import { createVerifier, jwksFromProto, oidcJwksFetcher, AuthError, DEFAULT_AUDIENCE, DEFAULT_ISSUER, type Principal } from '@switchyard/auth';
import { codec, inference, gatewayV1, policyV1, schedulerV1 } from '@switchyard/proto';
import type { AuditEvent, AuditEvent__Output, PolicyBundle, PolicyBundle__Output, SigningKeysChanged, SigningKeysChanged__Output, Jwks__Output, Outcome, OutcomeBatch, OutcomeBatch__Output, PlacementTable, PlacementTable__Output, PlaceResponse__Output, PolicyClient, PlacementSchedulerClient } from '@switchyard/proto';
import { Router, EXECUTOR_INFER, EXECUTOR_INFER_STREAM } from './router.ts';
import { oipImplementation, MODEL_INFER } from './oip.ts';
import { StatusError } from './errors.ts';
import { DecisionStore } from './decisions.ts';
import { LoadShedder } from './shed.ts';
import { Admission, PolicyDenied } from './admission.ts';
import { passthroughDefinition } from './passthrough.ts';
import { QuotaUsage, fairShareMetrics, measureTake, registerGatewayMetrics } from './metrics.ts';

const VERSION = '0.1.0';
const log = createLogger({ service: 'gateway' });

const cfg = (() => {
  try {
  return loadConfig({
    pkiDir: z.string().min(1),
    natsUrl: z.string().min(1),
    redisUrl: z.string().min(1),
    policyAddr: z.string().min(1),
    schedulerAddr: z.string().min(1),
    host: z.string().default('127.0.0.1'),
    /** OTLP/HTTP collector base URL for traces; none by default. */
    otlpEndpoint: z.string().url().optional(),
    /** Prometheus endpoint port for this gateway's own metrics; none by default (0 = any free port). */
    metricsPort: z.coerce.number().int().min(0).max(65535).optional(),
    metricsHost: z.string().default('0.0.0.0'),
    port: z.coerce.number().int().min(0).max(65535).default(7400),
    healthPort: z.coerce.number().int().min(0).max(65535).optional(),
    /** Requests per second each tenant may send while no policy has been applied (token bucket in Redis; a policy's quotas replace it). */
    tenantRps: z.coerce.number().int().min(1).default(2000),
    /** Refuse requests (UNAVAILABLE) until the first policy bundle arrives; default: open until a policy is applied. */
    policyRequired: boolish.default(false),
    /** Fair-share capacity: concurrent requests per usable executor of a model; beyond it requests wait and are dispatched by weighted fair queuing among tenants. 0 turns fair sharing off. */
    fairSlotsPerExecutor: z.coerce.number().min(0).max(1024).default(16),
    /** How often denied requests are flushed to the audit stream (ms). */
    auditFlushMs: z.coerce.number().int().min(10).max(10_000).default(250),
    /** What to do when Redis is unreachable: 'open' admits, 'closed' refuses with UNAVAILABLE. */
    quotaFailMode: z.enum(['open', 'closed']).default('open'),
    /** Longest wait for a quota lease from Redis before quotaFailMode decides (ms). */
    quotaStoreTimeoutMs: z.coerce.number().int().min(1).max(10_000).default(250),
    /** After a quota store failure, how long requests do not wait for it (ms). */
    quotaStoreBackoffMs: z.coerce.number().int().min(0).max(60_000).default(1000),
    gatewayId: z.string().default(`gateway-${randomUUID().slice(0, 8)}`),
    /** How long decision records (sy:v1:decision:<request-id>) live in Redis. */
    decisionTtlMs: z.coerce.number().int().min(1000).max(7 * 86_400_000).default(3_600_000),
    /** Decision records this gateway also keeps in memory (newest). */
    decisionRing: z.coerce.number().int().min(0).max(1_000_000).default(10_000),
    /** Shedding capacity: in-flight requests per executor batch slot (see shed.ts). 0 disables shedding. */
    shedPerSlot: z.coerce.number().min(0).default(4),
    /** How long an executor that failed at the connection level is avoided (local ejection). */
    ejectMs: z.coerce.number().int().min(0).max(60_000).default(3000),
    /** How requests reach executors: 'stream' (one Executor/InferStream per executor, many requests on it; infer-link.ts) or 'unary' (one Executor/Infer call each). */
    executorTransport: z.enum(['stream', 'unary']).default('stream'),
    /** The `iss` of the policy service's tokens (its SY_ISSUER). */
    jwtIssuer: z.string().url().default(DEFAULT_ISSUER),
    /** The `aud` every client token must carry. */
    jwtAudience: z.string().min(1).default(DEFAULT_AUDIENCE),
    /** Trust this external OpenID Connect issuer's tokens instead of the policy service's: its keys come from its discovery document (docs/policy.md, Tokens). */
    oidcIssuer: z.string().url().optional(),
    /** The external issuer's JWKS URL, when discovery is not wanted. */
    oidcJwksUrl: z.string().url().optional(),
    /** JWS algorithms accepted (comma-separated; asymmetric only). */
    jwtAlgorithms: z.string().default('EdDSA,ES256,RS256').transform((v) => v.split(',').map((a) => a.trim()).filter((a) => a !== '')),
    /** The claim naming the tenant (an exact claim name, else a dotted path). */
    jwtTenantClaim: z.string().min(1).default('tenant'),
    /** The claim listing the roles (a string array, or a space-separated string). */
    jwtRolesClaim: z.string().min(1).default('roles'),
    /** Least time between two JWKS fetches caused by tokens with an unknown kid (keep it below the policy service's SY_KEY_PUBLISH_DELAY_MS). */
    jwksRefetchMs: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  });
  } catch (e) {
    log.fatal({ err: (e as Error).message }, e instanceof ConfigError ? 'bad configuration' : 'startup failed');
    process.exit(2);
  }
})();

// The hot path's span (ModelInfer) is made by oip.ts without the instrumentation's per-call
// wrapping, and the executor hop gets none: the executor's span is the child of ModelInfer's
// (libs/otel/src/hot-path.ts). The InferStream stream itself is not a span.
traceGrpcManually(MODEL_INFER.split('/').pop()!, EXECUTOR_INFER.split('/').pop()!, EXECUTOR_INFER_STREAM.split('/').pop()!);
const tel = await startTelemetry({
  serviceName: 'gateway', serviceVersion: VERSION,
  ...(cfg.otlpEndpoint ? { otlpEndpoint: cfg.otlpEndpoint } : {}),
  ...(cfg.metricsPort !== undefined ? { metricsPort: cfg.metricsPort, metricsHost: cfg.metricsHost } : {}),
});
const identity = identityFromDir(cfg.pkiDir, 'gateway');
const policy = createClient<PolicyClient>(policyV1.Policy, cfg.policyAddr, identity, { serverSpiffeId: spiffeIdOf('policy') });
const scheduler = createClient<PlacementSchedulerClient>(schedulerV1.PlacementScheduler, cfg.schedulerAddr, identity, { serverSpiffeId: spiffeIdOf('placement-scheduler') });

// Whose tokens are trusted: the policy service's (its JWKS over gRPC), or an external OIDC issuer's.
const trust = (() => {
  try {
    if (cfg.oidcJwksUrl && !cfg.oidcIssuer) throw new ConfigError('SY_OIDC_JWKS_URL needs SY_OIDC_ISSUER (the tokens\' iss)');
    const common = { audience: cfg.jwtAudience, algorithms: cfg.jwtAlgorithms, tenantClaim: cfg.jwtTenantClaim, rolesClaim: cfg.jwtRolesClaim, refetchCooldownMs: cfg.jwksRefetchMs };
    if (cfg.oidcIssuer) {
      return { source: 'oidc', issuer: cfg.oidcIssuer, verifier: createVerifier({ ...common, issuer: cfg.oidcIssuer, fetchJwks: oidcJwksFetcher({ issuer: cfg.oidcIssuer, ...(cfg.oidcJwksUrl ? { jwksUrl: cfg.oidcJwksUrl } : {}) }) }) };
    }
    return {
      source: 'policy', issuer: cfg.jwtIssuer,
      verifier: createVerifier({ ...common, issuer: cfg.jwtIssuer, fetchJwks: () => new Promise((resolve, reject) => policy.GetJwks({}, { deadline: Date.now() + 3000 }, (err, res) => (err ? reject(err) : resolve(jwksFromProto(res as Jwks__Output))))) }),
    };
  } catch (e) {
    log.fatal({ err: (e as Error).message }, 'bad configuration');
    process.exit(2);
  }
})();
const verifier = trust.verifier;
log.info({ token_issuer: trust.issuer, keys_from: trust.source === 'oidc' ? (cfg.oidcJwksUrl ?? 'OIDC discovery') : 'policy service', audience: cfg.jwtAudience, algorithms: cfg.jwtAlgorithms }, 'client tokens trusted');

const bus = await Bus.connect({ url: cfg.natsUrl, name: 'gateway', log });
const redis = await connectRedis(cfg.redisUrl, log, 'gateway');
// Quotas: token buckets in Redis, leased in slices and spent locally (libs/store leases.ts).
// Bounded: a Redis that stops answering costs a request at most quotaStoreTimeoutMs, then none for
// quotaStoreBackoffMs (libs/store guard.ts), and quotaFailMode decides.
const quotaStore = guardStore(redisLeaseStore(redis), {
  timeoutMs: cfg.quotaStoreTimeoutMs, openMs: cfg.quotaStoreBackoffMs,
  onChange: (up, err) => (up ? log.info('quota store answering again') : log.warn({ err: err?.message, quota_fail_mode: cfg.quotaFailMode }, 'quota store unavailable')),
});
const quotas = new QuotaLeases({ store: quotaStore, onBackgroundError: (e) => log.debug({ err: e.message }, 'quota lease failed (background)') });
const quotaIdleTimer = setInterval(() => void quotas.returnIdle(), 500);
quotaIdleTimer.unref();
/** Requests admitted per tenant over the recent window (switchyard_quota_used_ratio). */
const quotaUsage = new QuotaUsage();

const router = new Router({
  identity,
  log,
  ejectMs: cfg.ejectMs,
  transport: cfg.executorTransport,
  fallbackPlace: (model, version, exclude) => new Promise<PlaceResponse__Output>((resolve, reject) =>
    scheduler.Place({ model_name: model, model_version: version, exclude_executor_ids: exclude }, { deadline: Date.now() + 2000 }, (err, res) => (err ? reject(err) : resolve(res as PlaceResponse__Output)))),
});

const tableCodec = codec<PlacementTable, PlacementTable__Output>('switchyard.scheduler.v1.PlacementTable');
bus.subscribe(SUBJECTS.placementTable, tableCodec, (t) => router.setTable(t));
// Seed the table so the first requests need not wait for the next periodic publish.
scheduler.GetTable({}, { deadline: Date.now() + 3000 }, (err, t) => {
  if (err) log.warn({ code: err.code, err: err.details }, 'could not fetch the placement table yet; waiting for NATS');
  else router.setTable(t as PlacementTable__Output);
});
try {
  await verifier.prime();
} catch (e) {
  log.warn({ err: (e as Error).message }, 'JWKS not available yet; will fetch on first request');
}

// ---- outcomes: batched onto NATS ----
const outcomeCodec = codec<OutcomeBatch, OutcomeBatch__Output>('switchyard.telemetry.v1.OutcomeBatch');
let outcomes: Outcome[] = [];
function flushOutcomes(): void {
  if (outcomes.length === 0) return;
  const batch = outcomes;
  outcomes = [];
  bus.publish(SUBJECTS.outcome, outcomeCodec, { outcomes: batch, gateway_id: cfg.gatewayId });
}
const flushTimer = setInterval(flushOutcomes, 200);

// ---- audit: refusals batched onto JetStream (SY_AUDIT), off the request path ----
const auditCodec = codec<AuditEvent, AuditEvent__Output>('switchyard.policy.v1.AuditEvent');
let auditBuf: AuditEvent[] = [];
let auditDropped = 0;
const AUDIT_BUFFER_MAX = 20_000;
await ensureAuditStream(await bus.jsm()).catch((e: Error) => log.warn({ err: e.message }, 'audit stream not available yet'));
function audit(ev: AuditEvent): void {
  if (auditBuf.length >= AUDIT_BUFFER_MAX) { auditDropped++; return; }
  auditBuf.push(ev);
}
let auditFlushing = false;
async function flushAudit(): Promise<void> {
  if (auditFlushing || auditBuf.length === 0) return;
  auditFlushing = true;
  const batch = auditBuf;
  auditBuf = [];
  try {
    // Pipelined: all publishes in flight at once, one wait for their acks.
    const acks = await Promise.allSettled(batch.map((ev) => bus.js.publish(AUDIT_SUBJECTS.deny, auditCodec.encode(ev), { msgID: ev.id as string })));
    const failed = acks.filter((a) => a.status === 'rejected').length;
    if (failed > 0 || auditDropped > 0) log.warn({ failed, dropped: auditDropped }, 'audit records lost');
    auditDropped = 0;
  } finally {
    auditFlushing = false;
  }
}
const auditTimer = setInterval(() => void flushAudit(), cfg.auditFlushMs);

const admission = new Admission({
  log,
  take: measureTake(quotas.take, quotaUsage),
  quotaFailMode: cfg.quotaFailMode,
  tenantRps: cfg.tenantRps,
  policyRequired: cfg.policyRequired,
  fairPerExecutor: cfg.fairSlotsPerExecutor,
  executorsFor: (m, v) => { try { return router.resolve(m, v).candidates.filter((c) => c.healthy).length; } catch { return 0; } },
  resolveVersion: (m, v) => { try { return router.resolve(m, v).version; } catch { return v; } },
  audit,
  gatewayId: cfg.gatewayId,
});

// ---- policy bundles: watch the KV key; every change is installed as soon as it arrives ----
const bundleCodec = codec<PolicyBundle, PolicyBundle__Output>('switchyard.policy.v1.PolicyBundle');
const policyKv = await openPolicyKv(bus.js);
const bundleWatch = await policyKv.watch({ key: POLICY_KEY });
void (async () => {
  for await (const e of bundleWatch) {
    if (e.operation !== 'PUT' || e.value.length === 0) continue;
    try {
      const b = bundleCodec.decode(e.value);
      admission.setBundle(bundleFromJson(b.document_json, Number(b.version), b.sha256));
    } catch (err) {
      log.error({ err: (err as Error).message }, 'policy bundle rejected; keeping the previous one');
    }
  }
})();

// ---- the policy service's signing keys: fetched again as soon as they change (a rotation, a
// dropped key), not only on an unknown kid or every 10 min. Not for an external issuer.
let keysWatch: { stop(): void } | undefined;
if (trust.source === 'policy') {
  const keysCodec = codec<SigningKeysChanged, SigningKeysChanged__Output>('switchyard.policy.v1.SigningKeysChanged');
  const watch = await policyKv.watch({ key: SIGNING_KEYS_KEY });
  keysWatch = watch;
  void (async () => {
    for await (const e of watch) {
      if (e.operation !== 'PUT' || e.value.length === 0) continue;
      const kids = keysCodec.decode(e.value).kids;
      verifier.prime().then(
        () => log.info({ kids }, 'signing keys changed: JWKS fetched again'),
        (err: unknown) => log.warn({ err: (err as Error).message }, 'signing keys changed, but the JWKS fetch failed'),
      );
    }
  })();
}

async function authenticate(md: grpc.Metadata): Promise<Principal> {
  const raw = md.get('authorization')[0];
  try {
    return await verifier.verify(typeof raw === 'string' ? raw : raw?.toString());
  } catch (e) {
    if (e instanceof AuthError) {
      // The issuer's keys could not be fetched: not the caller's fault, and not a deny to audit.
      if (e.code === 'UNAVAILABLE') throw new StatusError(grpc.status.UNAVAILABLE, e.message);
      const code = e.code === 'PERMISSION_DENIED' ? grpc.status.PERMISSION_DENIED : grpc.status.UNAUTHENTICATED;
      admission.auditDeny(undefined, { code, message: e.message, rule: 'authn' }, '', { requestId: '', traceId: '' });
      throw new StatusError(code, e.message);
    }
    throw e;
  }
}

const decisions = new DecisionStore({ redis, log, ttlMs: cfg.decisionTtlMs, ringSize: cfg.decisionRing });
const shedder = cfg.shedPerSlot > 0 ? new LoadShedder({ perSlot: cfg.shedPerSlot }) : undefined;

const oip = oipImplementation({
  router,
  log,
  authenticate,
  admit: (p, req, ctl, ctx) => admission.admit(p, req, ctl, ctx),
  onDeny: (p, e: PolicyDenied, model, ctx) => admission.auditDeny(p, { code: e.code, message: e.message, rule: e.rule }, model, ctx),
  emit: (o) => {
    outcomes.push(o);
    if (outcomes.length >= 512) flushOutcomes();
  },
  version: VERSION,
  ...(shedder ? { shedder } : {}),
  record: (r) => decisions.record(r),
  // switchyard_gateway_fair_share_wait (metrics.ts).
  onFairShare: fairShareMetrics(tel.histograms),
  gatewayId: cfg.gatewayId,
});

const gatewayImpl: grpc.UntypedServiceImplementation = {
  GatewayStatus(_call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) {
    cb(null, {
      table_version: router.version,
      table_age_ms: router.ageMs,
      gateway_id: cfg.gatewayId,
      executors: [...router.load.entries()].map(([id, l]) => ({ executor_id: id, in_flight: l.inFlight, completed: l.completed, failed: l.failed })),
    });
  },
  ExplainRequest(call: grpc.ServerUnaryCall<{ request_id: string }, unknown>, cb: grpc.sendUnaryData<unknown>) {
    const id = call.request.request_id;
    if (!id) return cb({ code: grpc.status.INVALID_ARGUMENT, details: 'request_id is required' });
    decisions.get(id).then(
      (r) => (r ? cb(null, r) : cb({ code: grpc.status.NOT_FOUND, details: `no decision recorded for request '${id}' (unknown, or older than ${cfg.decisionTtlMs} ms)` })),
      (e: Error) => cb({ code: grpc.status.UNAVAILABLE, details: `decision store unreachable: ${e.message}` }),
    );
  },
};

const server = new MeshServer({
  identity,
  host: cfg.host,
  port: cfg.port,
  ...(cfg.healthPort !== undefined ? { healthPort: cfg.healthPort } : {}),
  services: [
    // ModelInfer passes the caller's tensors through without decoding them (passthrough.ts).
    { definition: passthroughDefinition(inference.GRPCInferenceService.service), implementation: oip, healthName: 'inference.GRPCInferenceService' },
    { definition: gatewayV1.Gateway.service, implementation: gatewayImpl, healthName: 'switchyard.gateway.v1.Gateway' },
  ],
  log,
});
const port = await server.start();
// The gateway's own live view: in-flight requests per executor, and requests shed for overload.
tel.meter.createObservableGauge('switchyard_gateway_in_flight', { description: 'Requests this gateway has in flight, per executor' })
  .addCallback((r) => { for (const [id, l] of router.load) r.observe(l.inFlight, { executor: id }); });
tel.meter.createObservableCounter('switchyard_gateway_shed', { description: 'Requests refused by overload shedding (RESOURCE_EXHAUSTED), by this gateway' })
  .addCallback((r) => r.observe(shedder?.shed ?? 0));
// Local ejections (switchyard_gateway_ejections_total) and quota use (switchyard_quota_used_ratio): metrics.ts.
router.ejections.onEject = registerGatewayMetrics(tel.meter, { quota: quotaUsage, quotaStore: { up: () => quotaStore.up, failMode: cfg.quotaFailMode } }).ejected;
log.info({ port, health_port: server.healthPort, gateway_id: cfg.gatewayId, metricsPort: tel.metricsPort }, 'ready');

onShutdown(log, [
  { name: 'grpc', run: () => server.shutdown(6000) },
  { name: 'outcomes', run: async () => { clearInterval(flushTimer); flushOutcomes(); } },
  { name: 'decisions', run: () => decisions.close() },
  { name: 'audit', run: async () => { clearInterval(auditTimer); bundleWatch.stop(); keysWatch?.stop(); await flushAudit(); } },
  { name: 'quota leases', run: async () => { clearInterval(quotaIdleTimer); await quotas.close().catch(() => undefined); } },
  { name: 'clients', run: async () => { router.close(); policy.close(); scheduler.close(); } },
  { name: 'nats', run: () => bus.close() },
  { name: 'redis', run: async () => { await closeRedis(redis); } },
  { name: 'otel', run: () => tel.shutdown() },
]);
