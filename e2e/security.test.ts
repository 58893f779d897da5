// Security end to end, real processes: forged and mis-scoped tokens, model access by tenant,
// data residency, quotas, revocation under load, and the audit trail. Every refusal must carry
// the right status and message and must not reach an executor (the executors' own statistics,
// read through the gateway's ModelStatistics, stay unchanged).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import { SignJWT, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { startMesh, type Mesh, type ServiceProcess } from '@switchyard/launcher';
import type { ModelInferRequest, ModelInferResponse__Output, ModelMetadataResponse__Output } from '@switchyard/proto';
import { connectGateway, makeRequest, type GatewayConn } from '../tools/cli/client.ts';
import { run as policyCmd } from '../tools/cli/policy-cmd.ts';
import { run as auditCmd } from '../tools/cli/audit-cmd.ts';
import { sampleValue } from '@switchyard/otel/testing';

let dir: string;
let mesh: Mesh;
let admin: GatewayConn;
let epFile: string;
let mlp1: ModelInferRequest;
let ocr: ModelInferRequest;

const POLICY = `
defaults: { classification: public }
tenants:
  acme:
    models: ["mlp@1"]
    quota: { requestsPerSecond: 500, burst: 500 }
  beta:
    models: ["ocr_*", "mlp@2"]
  demo:
    models: ["*"]
  bursty:
    models: ["mlp@1"]
    quota: { requestsPerSecond: 0.5, burst: 3 }
residency:
  public: []
  pii-ae: [ae]
`;

function capture(): { io: { stdout: Writable; stderr: Writable }; out: () => string; err: () => string } {
  let o = '', e = '';
  return {
    io: {
      stdout: new Writable({ write(c, _e, cb) { o += String(c); cb(); } }),
      stderr: new Writable({ write(c, _e, cb) { e += String(c); cb(); } }),
    },
    out: () => o,
    err: () => e,
  };
}

async function applyPolicy(text: string): Promise<void> {
  const file = path.join(dir, `policy-${Date.now()}.yaml`);
  writeFileSync(file, text);
  const c = capture();
  const code = await policyCmd(['apply', file, '--endpoints', epFile], c.io);
  assert.equal(code, 0, c.err());
  assert.match(c.out(), /policy version \d+ applied/);
}

/** success + fail counts over every model on every executor. */
async function executed(): Promise<number> {
  const r = await admin.call<{ model_stats: Array<{ inference_stats: { success: { count: number }; fail: { count: number } } }> }>('ModelStatistics', {});
  return r.model_stats.reduce((a, m) => a + Number(m.inference_stats.success.count) + Number(m.inference_stats.fail.count), 0);
}

async function refused(conn: GatewayConn, req: ModelInferRequest, code: grpc.status, re: RegExp, label: string): Promise<grpc.ServiceError> {
  let err: grpc.ServiceError | undefined;
  await assert.rejects(conn.call('ModelInfer', req), (e: grpc.ServiceError) => {
    err = e;
    assert.equal(grpc.status[e.code], grpc.status[code], `${label}: ${e.details}`);
    assert.match(e.details, re, label);
    return true;
  });
  return err!;
}

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sy-e2e-sec-'));
  // A short key publish delay for the rotation test, kept above the gateway's JWKS refetch cooldown
  // as in production (60 s against 30 s).
  mesh = await startMesh({ stateDir: dir, env: { policy: { SY_KEY_PUBLISH_DELAY_MS: '3000' }, gateway: { SY_JWKS_REFETCH_MS: '1000' } } });
  epFile = path.join(dir, 'endpoints.json');
  admin = connectGateway(mesh.endpoints);
  const md = await admin.call<ModelMetadataResponse__Output>('ModelMetadata', { name: 'mlp', version: '1' });
  mlp1 = { ...makeRequest(md), model_version: '1' };
  const mdo = await admin.call<ModelMetadataResponse__Output>('ModelMetadata', { name: 'ocr_cls' });
  ocr = makeRequest(mdo);
  await applyPolicy(POLICY);
});

after(async () => {
  admin?.close();
  await mesh?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function tokenFor(tenant: string, roles: string[] = []): Promise<string> {
  return mesh.issueToken({ tenant, roles, ttl_seconds: 3600 });
}

/** A second gateway on the same mesh with settings of its own; its endpoints. */
async function startGateway(name: string, settings: Record<string, string>): Promise<{ svc: ServiceProcess; endpoints: typeof mesh.endpoints }> {
  const env = mesh.services.get('gateway')!.env;
  const svc = await mesh.startService('gateway', name, { SY_PORT: '0', SY_REDIS_URL: env.SY_REDIS_URL!, SY_POLICY_ADDR: env.SY_POLICY_ADDR!, SY_SCHEDULER_ADDR: env.SY_SCHEDULER_ADDR!, ...settings });
  return { svc, endpoints: { ...mesh.endpoints, gateway: `127.0.0.1:${String(svc.ready!.port)}` } };
}

/** Waits until the gateway enforces the applied policy (the bundle arrives over NATS KV). */
async function untilAllowed(conn: GatewayConn, req: ModelInferRequest, timeoutMs = 10_000): Promise<ModelInferResponse__Output> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await conn.call<ModelInferResponse__Output>('ModelInfer', req);
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

test('forged, expired and mis-scoped tokens are UNAUTHENTICATED and never reach an executor', async () => {
  const acme = connectGateway(mesh.endpoints, await tokenFor('acme'));
  await untilAllowed(acme, mlp1);
  acme.close();
  const keyFile = path.join(dir, 'keys', 'current.jwk.json');
  const priv = JSON.parse(readFileSync(keyFile, 'utf8')) as JWK;
  const realKey = await importJWK(priv, 'ES256');
  const kid = priv.kid!;
  const now = Math.floor(Date.now() / 1000);
  const claims = { tenant: 'acme', roles: [] };
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

  const algNone = `${b64({ alg: 'none', typ: 'JWT', kid })}.${b64({ ...claims, iss: 'https://policy.switchyard.local', aud: 'switchyard', exp: now + 600 })}.`;
  const { d: _d, ...pub } = priv;
  const hsWithPublicKey = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid }).setIssuer('https://policy.switchyard.local').setAudience('switchyard').setExpirationTime(now + 600)
    .sign(new TextEncoder().encode(JSON.stringify(pub)));
  const wrongIssuer = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid }).setIssuer('https://evil.example').setAudience('switchyard').setExpirationTime(now + 600).sign(realKey);
  const stranger = await generateKeyPair('ES256');
  const unknownKid = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'not-a-known-kid' }).setIssuer('https://policy.switchyard.local').setAudience('switchyard').setExpirationTime(now + 600).sign(stranger.privateKey);
  const expired = await mesh.issueToken({ tenant: 'acme', ttl_seconds: -120 });
  const wrongAudience = await mesh.issueToken({ tenant: 'acme', audience: 'someone-else' });

  const before = await executed();
  const cases: Array<[string, string, RegExp]> = [
    ['alg none', algNone, /token algorithm 'none' is not allowed/],
    ['HS256 signed with the public key', hsWithPublicKey, /token algorithm 'HS256' is not allowed/],
    ['expired', expired, /token expired/],
    ['wrong audience', wrongAudience, /unexpected audience/],
    ['wrong issuer', wrongIssuer, /unexpected issuer/],
    ['unknown kid', unknownKid, /unknown signing key id 'not-a-known-kid'/],
  ];
  for (const [label, token, re] of cases) {
    const c = connectGateway(mesh.endpoints, token);
    try {
      await refused(c, mlp1, grpc.status.UNAUTHENTICATED, re, label);
    } finally {
      c.close();
    }
  }
  assert.equal(await executed(), before, 'no refused request reached an executor');
});

test('an external OIDC issuer trusted instead: its RS256 tokens admitted under the same policy, the policy service\'s refused', async () => {
  // A local issuer: discovery document and key set over HTTP (loopback), an RSA key without `alg`.
  const { publicKey, privateKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'idp-1', use: 'sig' }] };
  const server = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/realms/corp/.well-known/openid-configuration') res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/certs` }));
    else if (req.url === '/realms/corp/certs') res.end(JSON.stringify(jwks));
    else { res.statusCode = 404; res.end('{}'); }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/realms/corp`;
  const TENANT = 'https://switchyard.example/tenant';
  const idpToken = (claims: Record<string, unknown>, audience = 'switchyard') => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'idp-1' })
    .setIssuer(issuer).setAudience(audience).setSubject('alice@corp').setExpirationTime('10m').sign(privateKey);
  const { endpoints: oidcEndpoints } = await startGateway('gateway-oidc', { SY_OIDC_ISSUER: issuer, SY_JWT_TENANT_CLAIM: TENANT, SY_JWT_ROLES_CLAIM: 'realm_access.roles' });
  const conns: GatewayConn[] = [];
  const open = (ep: typeof mesh.endpoints, token: string) => { const c = connectGateway(ep, token); conns.push(c); return c; };
  try {
    // The issuer's tenant 'acme' gets what the policy gives acme: mlp@1, not ocr_cls.
    const acme = open(oidcEndpoints, await idpToken({ [TENANT]: 'acme', realm_access: { roles: ['infer'] } }));
    const r = await untilAllowed(acme, mlp1);
    assert.ok(r.parameters.switchyard_executor?.string_param, 'answered by an executor');
    const before = await executed();
    await refused(acme, ocr, grpc.status.PERMISSION_DENIED, /tenant 'acme' may not call model 'ocr_cls/, 'policy applies to external identities');
    // Tokens of the policy service are not trusted by this gateway (their kid is not the issuer's),
    // nor the issuer's by the gateway that trusts the policy service.
    await refused(open(oidcEndpoints, await tokenFor('acme')), mlp1, grpc.status.UNAUTHENTICATED, /unknown signing key id/, 'policy-service token at the OIDC gateway');
    await refused(open(mesh.endpoints, await idpToken({ [TENANT]: 'acme' })), mlp1, grpc.status.UNAUTHENTICATED, /unknown signing key id 'idp-1'/, 'issuer token at the policy-trusting gateway');
    await refused(open(oidcEndpoints, await idpToken({ [TENANT]: 'acme' }, 'another-app')), mlp1, grpc.status.UNAUTHENTICATED, /unexpected audience/, 'wrong audience');
    await refused(open(oidcEndpoints, await idpToken({ tenant: 'acme' })), mlp1, grpc.status.UNAUTHENTICATED, /token has no tenant claim \('https:\/\/switchyard\.example\/tenant'\)/, 'no tenant claim');
    assert.equal(await executed(), before, 'no refused request reached an executor');
  } finally {
    for (const c of conns) c.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test('model access by tenant and priority ceilings: PERMISSION_DENIED naming the rule', async () => {
  const acme = connectGateway(mesh.endpoints, await tokenFor('acme'));
  const mallory = connectGateway(mesh.endpoints, await tokenFor('mallory'));
  try {
    await untilAllowed(acme, mlp1);
    const before = await executed();
    await refused(acme, ocr, grpc.status.PERMISSION_DENIED, /tenant 'acme' may not call model 'ocr_cls@1' \(rule tenants\.acme\.models\)/, "acme -> beta's model");
    await refused(acme, { ...mlp1, model_version: '2' }, grpc.status.PERMISSION_DENIED, /may not call model 'mlp@2'/, 'acme -> mlp@2');
    await refused(mallory, mlp1, grpc.status.PERMISSION_DENIED, /tenant 'mallory' is not in the policy/, 'unknown tenant');
    await refused(acme, { ...mlp1, parameters: { priority: { int64_param: 1 } } }, grpc.status.PERMISSION_DENIED, /priority 1 is above the highest priority tenant 'acme' may use \(2/, 'priority');
    await refused(acme, { ...mlp1, parameters: { data_classification: { string_param: 'top-secret' } } }, grpc.status.INVALID_ARGUMENT, /unknown data classification 'top-secret'/, 'classification');
    assert.equal(await executed(), before, 'no refused request reached an executor');
  } finally {
    acme.close();
    mallory.close();
  }
});

/** What the local (non-ae) executors had executed when the residency tests began. */
let localExecuted: number | undefined;

test('residency: ae data is refused while only non-ae executors run, then runs only on ae executors', async () => {
  const acme = connectGateway(mesh.endpoints, await tokenFor('acme'));
  try {
    const pii = { ...mlp1, parameters: { data_classification: { string_param: 'pii-ae' } } };
    const before = await executed();
    localExecuted = before;
    await refused(acme, pii, grpc.status.FAILED_PRECONDITION, /residency rule 'residency\.pii-ae' allows only regions \[ae\].*executors are in: local/, 'ae data, no ae executor');
    assert.equal(await executed(), before, 'the refused request reached no executor');

    await mesh.startService('cpu-executor', 'cpu-executor-ae', { SY_REGION: 'ae-1', SY_EXECUTOR_ID: 'cpu-ae-1', SY_POOL: 'cpu' });
    await mesh.waitForExecutors(3, 60_000);
    const first = await untilAllowed(acme, pii, 30_000);
    assert.equal(first.parameters.switchyard_executor?.string_param, 'cpu-ae-1');
    const ran = new Set<string>();
    await Promise.all(Array.from({ length: 24 }, async () => {
      const r = await acme.call<ModelInferResponse__Output>('ModelInfer', pii);
      ran.add(r.parameters.switchyard_executor!.string_param!);
    }));
    assert.deepEqual([...ran], ['cpu-ae-1'], 'pii-ae data ran only in ae');
  } finally {
    acme.close();
  }
});

test('residency under failure: the only ae executor killed under load; ae data is refused, never moved out of ae', async () => {
  const victim = mesh.services.get('cpu-executor-ae');
  assert.ok(victim && localExecuted !== undefined, 'the test above started the ae executor');
  const acme = connectGateway(mesh.endpoints, await tokenFor('acme'));
  const pii = { ...mlp1, parameters: { data_classification: { string_param: 'pii-ae' } } };
  const ranOn = new Set<string>();
  const outcomes = new Map<string, number>();
  let residencyRefusals = 0;
  let stop = false;
  try {
    // Four clients keep ae data in flight across the kill: requests on the dying executor are
    // retried (the retry keeps the region), then the table drops it and placement refuses.
    const loops = Array.from({ length: 4 }, async () => {
      while (!stop) {
        try {
          const r = await acme.call<ModelInferResponse__Output>('ModelInfer', pii);
          ranOn.add(r.parameters.switchyard_executor!.string_param!);
          outcomes.set('OK', (outcomes.get('OK') ?? 0) + 1);
        } catch (e) {
          const err = e as grpc.ServiceError;
          const key = `${grpc.status[err.code]}: ${err.details.replace(/\d+/g, 'N')}`;
          outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
          if (err.code === grpc.status.FAILED_PRECONDITION && /^residency rule 'residency\.pii-ae' allows only regions \[ae\]/.test(err.details)) residencyRefusals++;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    });
    await new Promise((r) => setTimeout(r, 500));
    victim.child.kill('SIGKILL');
    await victim.exited;
    const until = Date.now() + 30_000;
    while (residencyRefusals < 5 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    stop = true;
    await Promise.all(loops);
    const summary = JSON.stringify(Object.fromEntries(outcomes));
    assert.ok(residencyRefusals >= 5, `once the table drops the ae executor, ae data is refused naming the rule: ${summary}`);
    assert.ok((outcomes.get('OK') ?? 0) > 0, `ae data ran before the kill: ${summary}`);
    assert.deepEqual([...ranOn], ['cpu-ae-1'], 'every answered request ran in ae');
    // Between the kill and the table dropping the executor (its heartbeats stop): the request tries
    // cpu-ae-1, finds it gone, and the retry has nowhere to go in ae; UNAVAILABLE (it may come back),
    // naming the rule that kept the healthy local executors out.
    for (const k of outcomes.keys()) assert.match(k, /^(OK|(UNAVAILABLE|FAILED_PRECONDITION): residency rule 'residency\.pii-ae' allows only regions \[ae\]: )/, `unexpected outcome: ${summary}`);
    // The local executors (the only ones left to answer ModelStatistics) ran none of it.
    assert.equal(await executed(), localExecuted, 'no ae request ran outside ae, on the retry or after');
  } finally {
    stop = true;
    acme.close();
  }
});

test('quota: a burst over the tenant quota is RESOURCE_EXHAUSTED with retry-after-ms; only the admitted requests run', async () => {
  const bursty = connectGateway(mesh.endpoints, await tokenFor('bursty'));
  try {
    const before = await executed();
    const results = [];
    for (let i = 0; i < 8; i++) {
      results.push(await bursty.call<ModelInferResponse__Output>('ModelInfer', mlp1).then(() => ({ ok: true as const }), (e: grpc.ServiceError) => ({ ok: false as const, e })));
    }
    const ok = results.filter((r) => r.ok).length;
    // Burst 3, refill 0.5/s: 3 admitted (a 4th only if the loop took over 2 s).
    assert.ok(ok === 3 || ok === 4, `admitted ${ok}`);
    const denied = results.filter((r) => !r.ok).map((r) => (r as { e: grpc.ServiceError }).e);
    for (const e of denied) {
      assert.equal(e.code, grpc.status.RESOURCE_EXHAUSTED, e.details);
      assert.match(e.details, /tenant 'bursty' is over its quota of 0\.5 requests per second \(burst 3\); retry after \d+ ms/);
      const ra = Number(e.metadata.get('retry-after-ms')[0]);
      assert.ok(ra > 0 && ra <= 2000, `retry-after-ms ${ra}`);
    }
    assert.equal(await executed(), before + ok, 'only admitted requests reached an executor');
  } finally {
    bursty.close();
  }
});

test('revocation under load: refusals start within 2 s of applying a policy that removes access; audit tail shows it', async () => {
  const acme = connectGateway(mesh.endpoints, await tokenFor('acme'));
  const log: Array<{ startedAt: number; endedAt: number; code: string }> = [];
  let stop = false;
  const worker = async () => {
    while (!stop) {
      const startedAt = performance.now();
      const code = await acme.call('ModelInfer', mlp1).then(() => 'OK', (e: grpc.ServiceError) => grpc.status[e.code]!);
      log.push({ startedAt, endedAt: performance.now(), code });
      if (code !== 'OK') await new Promise((r) => setTimeout(r, 5));
    }
  };
  try {
    const workers = Array.from({ length: 4 }, worker);
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok(log.filter((l) => l.code === 'OK').length > 5, 'requests were flowing before the revoke');
    const revokedAt = performance.now();
    await applyPolicy(POLICY.replace('models: ["mlp@1"]\n    quota: { requestsPerSecond: 500', 'models: []\n    quota: { requestsPerSecond: 500'));
    const appliedAt = performance.now();
    const until = appliedAt + 4000;
    while (performance.now() < until && !log.some((l) => l.startedAt > appliedAt && l.code === 'PERMISSION_DENIED')) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await Promise.all(workers);
    const firstDeny = log.find((l) => l.code === 'PERMISSION_DENIED');
    assert.ok(firstDeny, 'refusals started');
    const boundMs = firstDeny.endedAt - appliedAt;
    process.stdout.write(`# revoke: ApplyPolicy took ${(appliedAt - revokedAt).toFixed(0)} ms; first refusal ${boundMs.toFixed(0)} ms after it returned; ${log.length} requests in total\n`);
    assert.ok(boundMs <= 2000, `first refusal ${boundMs.toFixed(0)} ms after the policy change (bound 2000 ms)`);
    // Nothing started after the first refusal was admitted.
    const lateOk = log.filter((l) => l.startedAt > firstDeny.endedAt && l.code === 'OK');
    assert.equal(lateOk.length, 0, 'no request admitted after the revoke took effect');
  } finally {
    acme.close();
  }

  // The audit trail: the admin changes and the denies, with tenant, rule and decision.
  await new Promise((r) => setTimeout(r, 600));
  const c = capture();
  assert.equal(await auditCmd(['tail', '--json', '--limit', '5000', '--endpoints', epFile], c.io), 0, c.err());
  const events = c.out().trim().split('\n').map((l) => JSON.parse(l) as { kind: string; tenant: string; rule: string; decision: string; code: string; actor: string; trace_id: string });
  const admins = events.filter((e) => e.kind === 'admin');
  assert.ok(admins.length >= 2, `admin changes audited (${admins.length})`);
  assert.ok(admins.every((e) => e.actor.startsWith('spiffe://switchyard.local/client')));
  const revoked = events.filter((e) => e.kind === 'deny' && e.tenant === 'acme' && e.rule === 'tenants.acme.models');
  assert.ok(revoked.length > 0, 'the revocation refusals are audited');
  assert.ok(revoked.every((e) => e.decision === 'deny' && e.code === 'PERMISSION_DENIED'));
  assert.ok(events.some((e) => e.kind === 'deny' && e.rule === 'quota.requestsPerSecond' && e.tenant === 'bursty'));
  assert.ok(events.some((e) => e.kind === 'deny' && e.rule === 'residency.pii-ae'));
  assert.ok(events.some((e) => e.kind === 'deny' && e.rule === 'authn' && e.code === 'UNAUTHENTICATED'));
  assert.ok(revoked.some((e) => /^[0-9a-f]{32}$/.test(e.trace_id)), 'denies carry the trace id');
  // The human format and the filters.
  const h = capture();
  assert.equal(await auditCmd(['tail', '--kind', 'admin', '--limit', '1', '--endpoints', epFile], h.io), 0, h.err());
  assert.match(h.out(), /^\S+ ADMIN OK\s+actor=spiffe:\/\/switchyard\.local\/client.* rule=policy .*policy version \d+ applied/);
  assert.equal(h.out().trim().split('\n').length, 1);

  // policy get returns what was applied.
  const g = capture();
  assert.equal(await policyCmd(['get', '--endpoints', epFile], g.io), 0, g.err());
  assert.match(g.out(), /^# version \d+, applied .* by spiffe:\/\/switchyard\.local\/client/);
  assert.match(g.out(), /bursty:/);
  // An invalid document is refused naming the path; exit 2.
  const bad = path.join(dir, 'bad.yaml');
  writeFileSync(bad, 'tenants: { acme: { quota: { requestsPerSecond: -5 } } }\n');
  const b = capture();
  assert.equal(await policyCmd(['apply', bad, '--endpoints', epFile], b.io), 2);
  assert.match(b.err(), /INVALID_ARGUMENT: invalid policy: tenants\.acme\.quota\.requestsPerSecond/);
});

test('signing-key rotation under load: the new key is published before it signs, so no request is refused; old tokens keep verifying; audited; a forced rotation drops a key at once', async () => {
  const kidOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
  const oldToken = await tokenFor('demo');
  const oldKid = kidOf(oldToken);
  const old = connectGateway(mesh.endpoints, oldToken);
  const codes = new Map<string, number>();
  let stop = false;
  const conns: GatewayConn[] = [old];
  try {
    await untilAllowed(old, mlp1);
    const worker = async () => {
      while (!stop) {
        const code = await old.call('ModelInfer', mlp1).then(() => 'OK', (e: grpc.ServiceError) => `${grpc.status[e.code]}: ${e.details}`);
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
    };
    const workers = Array.from({ length: 3 }, worker);
    const before = await executed();

    const c = capture();
    assert.equal(await policyCmd(['rotate-keys', '--json', '--actor', 'e2e', '--endpoints', epFile], c.io), 0, c.err());
    const plan = JSON.parse(c.out()) as { next_kid: string; signs_from_ms: string; current_kid: string; previous_until_ms: string };
    assert.equal(plan.current_kid, oldKid);
    const signsFrom = Number(plan.signs_from_ms);
    const k = capture();
    assert.equal(await policyCmd(['keys', '--endpoints', epFile], k.io), 0, k.err());
    assert.match(k.out(), new RegExp(`^${oldKid}  ES256\\n${plan.next_kid}  ES256$`, 'm'), 'the next key is published at once');
    assert.equal(kidOf(await tokenFor('demo')), oldKid, 'and does not sign yet');

    // Just before the switch, a token with an unknown kid makes the gateway fetch the key set; its
    // refetch cooldown (1 s) then outlasts the switch. Only a key published ahead can verify then.
    while (Date.now() < signsFrom - 600) await new Promise((r) => setTimeout(r, 50));
    const stranger = await generateKeyPair('ES256');
    const probe = await new SignJWT({ tenant: 'demo' }).setProtectedHeader({ alg: 'ES256', kid: 'not-published' }).setIssuer('https://policy.switchyard.local').setAudience('switchyard').setExpirationTime('1m').sign(stranger.privateKey);
    const p = open(probe);
    await refused(p, mlp1, grpc.status.UNAUTHENTICATED, /unknown signing key id 'not-published'/, 'probe');
    while (Date.now() < signsFrom) await new Promise((r) => setTimeout(r, 20));
    let fresh = await tokenFor('demo');
    while (kidOf(fresh) !== plan.next_kid) { await new Promise((r) => setTimeout(r, 20)); fresh = await tokenFor('demo'); }
    const n = open(fresh);
    const r = await n.call<ModelInferResponse__Output>('ModelInfer', mlp1);
    assert.ok(r.parameters.switchyard_executor?.string_param, 'a token of the new key, within the gateway\'s refetch cooldown');
    await new Promise((res) => setTimeout(res, 300));
    stop = true;
    await Promise.all(workers);
    assert.deepEqual([...codes.keys()], ['OK'], `requests with the old key's token across the rotation: ${JSON.stringify(Object.fromEntries(codes))}`);
    assert.ok(await executed() > before);

    // A second rotation while the old key is in its overlap: refused, naming it.
    const again = capture();
    assert.equal(await policyCmd(['rotate-keys', '--endpoints', epFile], again.io), 1);
    assert.match(again.err(), new RegExp(`FAILED_PRECONDITION: the previous key '${oldKid}' still verifies tokens until `));
    const h = capture();
    assert.equal(await auditCmd(['tail', '--kind', 'admin', '--limit', '1', '--endpoints', epFile], h.io), 0, h.err());
    assert.match(h.out(), new RegExp(`ADMIN OK\\s+actor=spiffe://switchyard\\.local/client \\(e2e\\).* rule=keys .*key ${plan.next_kid} published`));

    // Forced (a compromised key): when the third key signs, the first is dropped, and the gateway,
    // told through NATS KV, stops accepting its tokens at once, not at its next 10-min refresh.
    const forced = capture();
    assert.equal(await policyCmd(['rotate-keys', '--force', '--json', '--endpoints', epFile], forced.io), 0, forced.err());
    const plan3 = JSON.parse(forced.out()) as { next_kid: string; signs_from_ms: string; dropped_kid: string };
    assert.equal(plan3.dropped_kid, oldKid);
    while (Date.now() < Number(plan3.signs_from_ms)) await new Promise((res) => setTimeout(res, 50));
    const refuseUntil = Date.now() + 10_000;
    let last = '';
    while (Date.now() < refuseUntil && !/unknown signing key id/.test(last)) {
      last = await old.call('ModelInfer', mlp1).then(() => 'OK', (e: grpc.ServiceError) => `${grpc.status[e.code]}: ${e.details}`);
      if (last === 'OK') await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(last, `UNAUTHENTICATED: unknown signing key id '${oldKid}'`, 'the dropped key no longer verifies');
  } finally {
    stop = true;
    for (const x of conns) x.close();
  }

  function open(token: string): GatewayConn {
    const x = connectGateway(mesh.endpoints, token);
    conns.push(x);
    return x;
  }
});

test('Redis stops answering (paused, connections open): no request hangs; quotaFailMode open admits, closed refuses UNAVAILABLE; both recover', async () => {
  await applyPolicy(POLICY.replace('residency:', '  metered:\n    models: ["mlp@1"]\n    quota: { requestsPerSecond: 40, burst: 40 }\nresidency:'));
  const { svc: closedGw, endpoints: closedEndpoints } = await startGateway('gateway-closed', { SY_QUOTA_FAIL_MODE: 'closed' });
  const token = await tokenFor('metered');
  const open = connectGateway(mesh.endpoints, token);
  const closed = connectGateway(closedEndpoints, token);
  const port = mesh.services.get('gateway')!.env.SY_REDIS_URL!.split(':').pop();
  const pid = Number(execFileSync('pgrep', ['-f', `redis-server .*:${port}`], { encoding: 'utf8' }).trim().split('\n')[0]);
  const storeUp = async (svc: { ready?: Record<string, unknown> }, mode: string) =>
    sampleValue(await (await fetch(`http://127.0.0.1:${String(svc.ready!.metricsPort)}/metrics`)).text(), 'switchyard_gateway_quota_store_up', { fail_mode: mode });
  const outcome = (c: GatewayConn) => c.call('ModelInfer', mlp1, 5000).then(() => 'OK', (e: grpc.ServiceError) => `${grpc.status[e.code]}: ${e.details}`);
  let paused = false;
  try {
    await untilAllowed(open, mlp1);
    await untilAllowed(closed, mlp1);
    process.kill(pid, 'SIGSTOP');
    paused = true;
    // Each call has a 5 s deadline: a call held by the paused Redis would end DEADLINE_EXCEEDED.
    const seen = { open: new Map<string, number>(), closed: new Map<string, number>() };
    for (let i = 0; i < 12; i++) {
      for (const [name, c] of [['open', open], ['closed', closed]] as const) {
        const o = (await outcome(c)).replace(/\d+ ms/, 'N ms');
        seen[name].set(o, (seen[name].get(o) ?? 0) + 1);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const show = JSON.stringify({ open: Object.fromEntries(seen.open), closed: Object.fromEntries(seen.closed) });
    // Each gateway says so in its metrics (the SwitchyardQuotaStoreDown alert's input).
    assert.deepEqual([await storeUp(mesh.services.get('gateway')!, 'open'), await storeUp(closedGw, 'closed')], [0, 0], 'switchyard_gateway_quota_store_up while Redis is paused');
    assert.deepEqual([...seen.open.keys()], ['OK'], `open: every request admitted: ${show}`);
    for (const k of seen.closed.keys()) assert.match(k, /^(OK|UNAVAILABLE: quota store unreachable and quotaFailMode=closed)$/, show);
    assert.ok((seen.closed.get('UNAVAILABLE: quota store unreachable and quotaFailMode=closed') ?? 0) >= 6, `closed: refused once its leased tokens are spent: ${show}`);
    process.kill(pid, 'SIGCONT');
    paused = false;
    const until = Date.now() + 15_000;
    let last = '';
    while (Date.now() < until && (last = await outcome(closed)) !== 'OK') await new Promise((r) => setTimeout(r, 200));
    assert.equal(last, 'OK', 'the closed gateway admits again once Redis answers');
    assert.equal(await storeUp(closedGw, 'closed'), 1);
  } finally {
    if (paused) process.kill(pid, 'SIGCONT');
    open.close();
    closed.close();
  }
});
