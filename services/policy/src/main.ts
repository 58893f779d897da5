// Policy service: signing keys and JWKS, development token issuance. Serves
// switchyard.policy.v1.Policy over the mTLS mesh as `policy`, and the public JWKS over plain
// HTTP on 127.0.0.1 (GET /.well-known/jwks.json).
import path from 'node:path';
import { DEFAULT_ISSUER, KeyStore, MAX_TTL_SECONDS } from '@switchyard/auth';
import { loadConfig, z } from '@switchyard/config';
import { createLogger } from '@switchyard/log';
import { startTelemetry } from '@switchyard/otel';
import { callerSpiffeId, identityFromDir, MeshServer, onShutdown } from '@switchyard/mesh';
import { codec, policyV1 } from '@switchyard/proto';
import type { SigningKeysChanged, SigningKeysChanged__Output } from '@switchyard/proto';
import { SIGNING_KEYS_KEY } from '@switchyard/policy-engine';
import { Bus } from '@switchyard/bus';
import { closeRedis, connectRedis } from '@switchyard/store';
import { ensureAuditStream, openPolicyKv } from '@switchyard/policy-engine/nats';
import { policyHandlers, startJwksHttp } from './policy.ts';
import { PolicyAdmin } from './admin.ts';
import { KeyRotation } from './keys.ts';

const port = z.coerce.number().int().min(0).max(65535);

const log = createLogger({ service: 'policy' });

try {
  const cfg = loadConfig({
    pkiDir: z.string().default('.switchyard/pki'),
    host: z.string().default('127.0.0.1'),
    port: port.default(7401),
    stateDir: z.string().default('.switchyard/state/policy'),
    httpPort: port.default(0),
    issuer: z.string().url().default(DEFAULT_ISSUER),
    keyAlg: z.enum(['ES256', 'EdDSA']).default('ES256'),
    /** How long a new signing key is in the JWKS before it signs (longer than the gateways' JWKS refetch cooldown, SY_JWKS_REFETCH_MS). */
    keyPublishDelayMs: z.coerce.number().int().min(0).max(86_400_000).default(60_000),
    /** Automatic key rotation period, in days (0 = only on request, RotateKeys). */
    keyRotationDays: z.coerce.number().min(0).max(3650).default(30),
    // Policy administration needs both: the document in Redis, bundles (KV) and audit on NATS.
    natsUrl: z.string().optional(),
    redisUrl: z.string().optional(),
    otlpEndpoint: z.string().url().optional(),
    metricsPort: port.optional(),
    metricsHost: z.string().default('0.0.0.0'),
  });
  const tel = await startTelemetry({
    serviceName: 'policy', serviceVersion: '0.1.0',
    ...(cfg.otlpEndpoint ? { otlpEndpoint: cfg.otlpEndpoint } : {}),
    ...(cfg.metricsPort !== undefined ? { metricsPort: cfg.metricsPort, metricsHost: cfg.metricsHost } : {}),
  });

  const keys = await KeyStore.open(path.join(cfg.stateDir, 'keys'), { alg: cfg.keyAlg });
  let admin: PolicyAdmin | undefined;
  let announceKeys: ((kids: string[]) => Promise<void>) | undefined;
  const closers: Array<{ name: string; run: () => Promise<void> }> = [];
  if (cfg.natsUrl && cfg.redisUrl) {
    const bus = await Bus.connect({ url: cfg.natsUrl, name: 'policy', log });
    const redis = await connectRedis(cfg.redisUrl, log, 'policy');
    await ensureAuditStream(await bus.jsm());
    const kv = await openPolicyKv(bus.js);
    admin = new PolicyAdmin({ redis, kv, js: bus.js, log });
    const keysCodec = codec<SigningKeysChanged, SigningKeysChanged__Output>('switchyard.policy.v1.SigningKeysChanged');
    announceKeys = async (kids) => { await kv.put(SIGNING_KEYS_KEY, keysCodec.encode({ kids, changed_at_ms: Date.now() })); };
    const version = await admin.republishIfStale();
    log.info({ policy_version: version ?? null }, version === undefined ? 'no policy applied yet' : 'policy bundle published');
    closers.push({ name: 'nats', run: () => bus.close() }, { name: 'redis', run: async () => { await closeRedis(redis); } });
  } else {
    log.warn('SY_NATS_URL or SY_REDIS_URL not set: policy administration (ApplyPolicy/GetPolicy) is off');
  }
  // The key a rotation replaces verifies as long as the longest-lived token it may have signed.
  const rotation = new KeyRotation({
    keys, log, publishDelayMs: cfg.keyPublishDelayMs, overlapMs: MAX_TTL_SECONDS * 1000, rotateEveryMs: cfg.keyRotationDays * 86_400_000,
    ...(admin ? { audit: (ev) => admin.audit(ev) } : {}),
    ...(announceKeys ? { announce: announceKeys } : {}),
  });
  await rotation.announce();
  rotation.start();
  const identity = identityFromDir(cfg.pkiDir, 'policy');
  const server = new MeshServer({
    identity,
    host: cfg.host,
    port: cfg.port,
    log,
    services: [
      {
        definition: policyV1.Policy.service,
        implementation: policyHandlers({ keys, issuer: cfg.issuer, log, rotation, callerOf: (call) => callerSpiffeId(call), ...(admin ? { admin } : {}) }),
        healthName: 'switchyard.policy.v1.Policy',
      },
    ],
  });
  const grpcPort = await server.start();
  const httpServer = await startJwksHttp({ keys, host: '127.0.0.1', port: cfg.httpPort });

  onShutdown(log, [
    { name: 'grpc', run: () => server.shutdown(5000) },
    { name: 'key rotation', run: async () => rotation.stop() },
    { name: 'http', run: () => httpServer.close() },
    ...closers,
    { name: 'otel', run: () => tel.shutdown() },
  ]);

  log.info(
    { port: grpcPort, httpPort: httpServer.port, metricsPort: tel.metricsPort, host: cfg.host, kid: keys.currentKid, alg: keys.jwks().keys[0]?.alg, issuer: cfg.issuer },
    'ready',
  );
} catch (err) {
  log.fatal({ err: (err as Error).message }, 'policy failed to start');
  log.flush();
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100).unref();
}
