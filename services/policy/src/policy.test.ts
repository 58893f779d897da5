// Service-level test: the policy service as a child process, called over mTLS as `client`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import * as grpc from '@grpc/grpc-js';
import { AuthError, createVerifier, jwksFromProto } from '@switchyard/auth';
import { createClient, ensureDevPki, spiffeIdOf, unary } from '@switchyard/mesh';
import { policyV1, type IssueTokenResponse__Output, type Jwks__Output } from '@switchyard/proto';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const MAIN = path.join(ROOT, 'services/policy/src/main.ts');
// The generated constructor type lacks `serviceName`, which mesh's createClient parameter type wants.
const PolicyCtor = policyV1.Policy as unknown as grpc.ServiceClientConstructor;

interface Running {
  child: ChildProcess;
  lines: string[];
  ready: { port: number; httpPort: number; kid: string };
  exited: Promise<number | null>;
}

function startPolicy(env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, [MAIN], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`policy did not become ready; stdout:\n${lines.join('\n')}\nstderr:\n${stderr}`));
    }, 15_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`policy exited early with ${code}; stdout:\n${lines.join('\n')}\nstderr:\n${stderr}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      try {
        const rec = JSON.parse(line) as { msg?: string; port?: number; httpPort?: number; kid?: string };
        if (rec.msg === 'ready') {
          clearTimeout(timer);
          resolve({ child, lines, exited, ready: { port: rec.port!, httpPort: rec.httpPort!, kid: rec.kid! } });
        }
      } catch {
        // not JSON
      }
    });
  });
}

test('policy service: IssueToken and GetJwks over mTLS, HTTP JWKS, graceful SIGTERM', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'sy-policy-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const pkiDir = path.join(dir, 'pki');
  const ids = await ensureDevPki(pkiDir, ['policy', 'client', 'gateway']);
  const stateDir = path.join(dir, 'state');
  const svc = await startPolicy({ SY_PKI_DIR: pkiDir, SY_STATE_DIR: stateDir, SY_PORT: '0', SY_HTTP_PORT: '0', SY_LOG_LEVEL: 'info' });
  t.after(() => {
    if (svc.child.exitCode === null) svc.child.kill('SIGKILL');
  });
  assert.ok(svc.ready.port > 0 && svc.ready.httpPort > 0);
  assert.equal((await stat(path.join(stateDir, 'keys', 'current.jwk.json'))).mode & 0o777, 0o600);

  const address = `127.0.0.1:${svc.ready.port}`;
  const client = createClient<grpc.Client>(PolicyCtor, address, ids.client!, { serverSpiffeId: spiffeIdOf('policy') });
  const gateway = createClient<grpc.Client>(PolicyCtor, address, ids.gateway!, { serverSpiffeId: spiffeIdOf('policy') });
  t.after(() => {
    client.close();
    gateway.close();
  });

  const issued = await unary<IssueTokenResponse__Output>(client, 'IssueToken', { tenant: 'acme', roles: ['infer'], subject: 'alice' }, { deadlineMs: 5000 });
  assert.equal(issued.kid, svc.ready.kid);
  const nowSec = Math.floor(Date.now() / 1000);
  assert.ok(issued.expires_at > nowSec + 3500 && issued.expires_at <= nowSec + 3601, 'default ttl is one hour');

  // The gateway's path: verify with keys fetched by GetJwks.
  let fetches = 0;
  const verifier = createVerifier({
    fetchJwks: async () => {
      fetches++;
      return jwksFromProto(await unary<Jwks__Output>(gateway, 'GetJwks', {}, { deadlineMs: 5000 }));
    },
  });
  await verifier.prime();
  const principal = await verifier.verify(`Bearer ${issued.token}`);
  assert.deepEqual(
    { tenant: principal.tenant, subject: principal.subject, roles: principal.roles, expiresAt: principal.expiresAt },
    { tenant: 'acme', subject: 'alice', roles: ['infer'], expiresAt: issued.expires_at },
  );
  assert.equal(fetches, 1);

  const jwks = await unary<Jwks__Output>(client, 'GetJwks', {}, { deadlineMs: 5000 });
  assert.equal(jwks.issuer, 'https://policy.switchyard.local');
  assert.equal(jwks.keys.length, 1);
  assert.deepEqual({ kty: jwks.keys[0]!.kty, crv: jwks.keys[0]!.crv, alg: jwks.keys[0]!.alg, use: jwks.keys[0]!.use, kid: jwks.keys[0]!.kid }, {
    kty: 'EC',
    crv: 'P-256',
    alg: 'ES256',
    use: 'sig',
    kid: svc.ready.kid,
  });

  // Expired token (negative ttl) is minted, and rejected by the verifier.
  const expired = await unary<IssueTokenResponse__Output>(client, 'IssueToken', { tenant: 'acme', ttl_seconds: -60 }, { deadlineMs: 5000 });
  await assert.rejects(verifier.verify(`Bearer ${expired.token}`), (e: unknown) => e instanceof AuthError && e.message === 'token expired');
  // Audience is honoured.
  const other = await unary<IssueTokenResponse__Output>(client, 'IssueToken', { tenant: 'acme', audience: 'elsewhere' }, { deadlineMs: 5000 });
  await assert.rejects(verifier.verify(`Bearer ${other.token}`), (e: unknown) => e instanceof AuthError && e.message === 'unexpected audience');

  // Bad requests: precise INVALID_ARGUMENT.
  await assert.rejects(unary(client, 'IssueToken', { tenant: '' }, { deadlineMs: 5000 }), (e: grpc.ServiceError) => {
    assert.equal(e.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(e.details, 'tenant is required');
    return true;
  });
  await assert.rejects(unary(client, 'IssueToken', { tenant: 'acme', ttl_seconds: 31 * 24 * 3600 }, { deadlineMs: 5000 }), (e: grpc.ServiceError) => {
    assert.equal(e.code, grpc.status.INVALID_ARGUMENT);
    assert.match(e.details, /ttl_seconds must be at most/);
    return true;
  });
  // Only `client` may mint tokens.
  await assert.rejects(unary(gateway, 'IssueToken', { tenant: 'acme' }, { deadlineMs: 5000 }), (e: grpc.ServiceError) => e.code === grpc.status.PERMISSION_DENIED);

  // Public JWKS over plain HTTP matches the gRPC one.
  const res = await fetch(`http://127.0.0.1:${svc.ready.httpPort}/.well-known/jwks.json`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /application\/jwk-set\+json/);
  const httpJwks = (await res.json()) as { keys: Record<string, unknown>[] };
  assert.deepEqual(httpJwks, jwksFromProto(jwks));
  assert.ok(httpJwks.keys.every((k) => !('d' in k)), 'no private key material is published');
  assert.equal((await fetch(`http://127.0.0.1:${svc.ready.httpPort}/nope`)).status, 404);
  assert.equal((await fetch(`http://127.0.0.1:${svc.ready.httpPort}/.well-known/jwks.json`, { method: 'POST' })).status, 405);

  svc.child.kill('SIGTERM');
  assert.equal(await svc.exited, 0);
  const out = svc.lines.join('\n');
  for (const tok of [issued.token, expired.token, other.token]) assert.ok(!out.includes(tok), 'tokens never appear in logs');
  assert.ok(!out.includes('"d":'), 'no private key in logs');
  assert.match(out, /token issued/);
});

test('policy service: a bad setting stops it with a message naming the setting', async () => {
  const child = spawn(process.execPath, [MAIN], { cwd: ROOT, env: { ...process.env, SY_PORT: 'abc' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 1);
  assert.match(out, /setting port/);
});

test('policy administration: ApplyPolicy validates, stores in Redis, publishes versioned bundles to NATS KV, audits; GetPolicy reads back', async (t) => {
  const { startNats, startRedis } = await import('@switchyard/devstack');
  const { connect } = await import('nats');
  const { Redis } = await import('ioredis');
  const { codec } = await import('@switchyard/proto');
  const { AUDIT_STREAM, POLICY_BUCKET, POLICY_KEY } = await import('@switchyard/policy-engine');
  const dir = await mkdtemp(path.join(tmpdir(), 'sy-policy-admin-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const nats = await startNats({ dataDir: path.join(dir, 'nats') });
  t.after(() => nats.stop());
  const redis = await startRedis({ dataDir: path.join(dir, 'redis') });
  t.after(() => redis.stop());
  const ids = await ensureDevPki(path.join(dir, 'pki'), ['policy', 'client', 'gateway']);
  const env = { SY_PKI_DIR: path.join(dir, 'pki'), SY_STATE_DIR: path.join(dir, 'state'), SY_PORT: '0', SY_HTTP_PORT: '0', SY_NATS_URL: nats.url, SY_REDIS_URL: redis.url };
  let svc = await startPolicy(env);
  t.after(() => { if (svc.child.exitCode === null) svc.child.kill('SIGKILL'); });
  const connectAs = (id: typeof ids.client) => createClient<grpc.Client>(PolicyCtor, `127.0.0.1:${svc.ready.port}`, id!, { serverSpiffeId: spiffeIdOf('policy') });
  let client = connectAs(ids.client);
  const gateway = connectAs(ids.gateway);
  t.after(() => { client.close(); gateway.close(); });

  await assert.rejects(unary(client, 'GetPolicy', {}, { deadlineMs: 5000 }), (e: grpc.ServiceError) => e.code === grpc.status.NOT_FOUND);
  // Bad documents: INVALID_ARGUMENT naming the path; nothing stored.
  await assert.rejects(unary(client, 'ApplyPolicy', { document: 'tenants: { acme: { weight: -2 } }' }, { deadlineMs: 5000 }), (e: grpc.ServiceError) => {
    assert.equal(e.code, grpc.status.INVALID_ARGUMENT);
    assert.match(e.details, /tenants\.acme\.weight/);
    return true;
  });
  await assert.rejects(unary(client, 'ApplyPolicy', { document: '' }, { deadlineMs: 5000 }), (e: grpc.ServiceError) => e.code === grpc.status.INVALID_ARGUMENT);
  // Only `client` administers.
  await assert.rejects(unary(gateway, 'ApplyPolicy', { document: 'tenants: {}' }, { deadlineMs: 5000 }), (e: grpc.ServiceError) => e.code === grpc.status.PERMISSION_DENIED);

  const v1 = await unary<{ version: number; sha256: string }>(client, 'ApplyPolicy', { document: 'tenants: { acme: { models: ["mlp"] } }', actor: 'alice' }, { deadlineMs: 5000 });
  const v2 = await unary<{ version: number; sha256: string }>(client, 'ApplyPolicy', { document: 'tenants: { acme: { models: ["mlp", "ocr_*"] } }' }, { deadlineMs: 5000 });
  assert.deepEqual([v1.version, v2.version], [1, 2]);
  const got = await unary<{ version: number; document: string; applied_by: string }>(client, 'GetPolicy', {}, { deadlineMs: 5000 });
  assert.equal(got.version, 2);
  assert.match(got.document, /ocr_\*/);
  assert.equal(got.applied_by, 'spiffe://switchyard.local/client');

  // Redis: the source of truth, no TTL.
  const r = new Redis(redis.url);
  t.after(() => r.disconnect());
  assert.equal(await r.hget('sy:v1:policy:document', 'version'), '2');
  assert.equal(await r.pttl('sy:v1:policy:document'), -1);

  // NATS KV: the latest bundle; the audit stream has both admin changes.
  const nc = await connect({ servers: nats.url.replace(/^nats:\/\//, '') });
  t.after(() => nc.close());
  const kv = await nc.jetstream().views.kv(POLICY_BUCKET, { bindOnly: true });
  const bundleCodec = codec<object, { version: number; document_json: string; sha256: string }>('switchyard.policy.v1.PolicyBundle');
  const b = bundleCodec.decode((await kv.get(POLICY_KEY))!.value);
  assert.equal(b.version, 2);
  assert.equal(b.sha256, v2.sha256);
  assert.deepEqual(JSON.parse(b.document_json).tenants.acme.models, ['mlp', 'ocr_*']);
  const jsm = await nc.jetstreamManager();
  const info = await jsm.streams.info(AUDIT_STREAM);
  assert.equal(info.state.messages, 2);
  const auditCodec = codec<object, { kind: string; actor: string; decision: string; policy_version: number }>('switchyard.policy.v1.AuditEvent');
  const first = auditCodec.decode((await jsm.streams.getMessage(AUDIT_STREAM, { seq: 1 })).data);
  assert.deepEqual({ kind: first.kind, decision: first.decision, policy_version: first.policy_version }, { kind: 'admin', decision: 'apply', policy_version: 1 });
  assert.equal(first.actor, 'spiffe://switchyard.local/client (alice)');

  // A restart republishes the stored policy when the KV lost it.
  await kv.purge(POLICY_KEY);
  svc.child.kill('SIGTERM');
  assert.equal(await svc.exited, 0);
  svc = await startPolicy(env);
  client.close();
  client = connectAs(ids.client);
  const again = await kv.get(POLICY_KEY);
  assert.ok(again && again.value.length > 0, 'bundle republished at start');
  assert.equal(bundleCodec.decode(again.value).version, 2);
  svc.child.kill('SIGTERM');
  assert.equal(await svc.exited, 0);
});
