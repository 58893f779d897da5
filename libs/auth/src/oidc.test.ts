import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { checkOidcUrl, createVerifier, DEFAULT_ISSUER, discoveryUrl, oidcJwksFetcher } from './index.ts';

/** A local OIDC issuer: discovery document and key set over HTTP on 127.0.0.1, hits counted. */
async function issuerServer(t: { after: (fn: () => Promise<void>) => void }) {
  const hits = { discovery: 0, jwks: 0 };
  const state: { keys: JWK[]; jwksStatus: number; docIssuer?: string; jwksUri?: string; hang: boolean } = { keys: [], jwksStatus: 200, hang: false };
  const server = http.createServer((req, res) => {
    if (state.hang) return; // never answers
    if (req.url === '/realms/acme/.well-known/openid-configuration') {
      hits.discovery++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ issuer: state.docIssuer ?? issuer, jwks_uri: state.jwksUri ?? `${base}/realms/acme/certs`, id_token_signing_alg_values_supported: ['RS256'] }));
      return;
    }
    if (req.url === '/realms/acme/certs') {
      hits.jwks++;
      res.statusCode = state.jwksStatus;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: state.keys }));
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${base}/realms/acme`;
  t.after(async () => { server.closeAllConnections(); await new Promise((r) => server.close(r)); });
  return { issuer, base, hits, state };
}

/** An RSA signing key as an IdP publishes it: kid, use sig, and no `alg` member. */
async function rsaKey(kid: string): Promise<{ jwk: JWK; privateKey: CryptoKey }> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
  const jwk = { ...(await exportJWK(publicKey)), kid, use: 'sig' };
  return { jwk, privateKey };
}

const TENANT = 'https://switchyard.example/tenant';

function idpToken(o: { privateKey: CryptoKey; kid: string; issuer: string; alg?: string; claims?: Record<string, unknown>; audience?: string }): Promise<string> {
  return new SignJWT(o.claims ?? { [TENANT]: 'acme', realm_access: { roles: ['infer', 'admin'] } })
    .setProtectedHeader({ alg: o.alg ?? 'RS256', kid: o.kid, typ: 'JWT' })
    .setIssuer(o.issuer)
    .setAudience(o.audience ?? 'switchyard')
    .setSubject('alice@acme')
    .setExpirationTime('5m')
    .sign(o.privateKey);
}

async function rejectsWith(p: Promise<unknown>, message: string | RegExp): Promise<void> {
  await assert.rejects(p, (e: Error) => {
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

test('an external issuer: keys found by discovery, RS256 tokens verified, tenant and roles from configured claims', async (t) => {
  const idp = await issuerServer(t);
  const k1 = await rsaKey('idp-1');
  idp.state.keys = [k1.jwk];
  const v = createVerifier({
    fetchJwks: oidcJwksFetcher({ issuer: idp.issuer }), issuer: idp.issuer,
    algorithms: ['ES256', 'EdDSA', 'RS256'], tenantClaim: TENANT, rolesClaim: 'realm_access.roles', refetchCooldownMs: 0,
  });
  await v.prime();
  assert.deepEqual(idp.hits, { discovery: 1, jwks: 1 });
  const p = await v.verify(`Bearer ${await idpToken({ privateKey: k1.privateKey, kid: 'idp-1', issuer: idp.issuer })}`);
  assert.deepEqual([p.tenant, p.subject, p.roles], ['acme', 'alice@acme', ['infer', 'admin']]);

  // Only the configured algorithms: a PS256 token naming the same kid is refused.
  const pss = (await generateKeyPair('PS256', { modulusLength: 2048 })).privateKey;
  await rejectsWith(v.verify(`Bearer ${await idpToken({ privateKey: pss, kid: 'idp-1', issuer: idp.issuer, alg: 'PS256' })}`), "token algorithm 'PS256' is not allowed");
  // HS256 with the published public key as the HMAC secret: never.
  const forged = await new SignJWT({ [TENANT]: 'acme' }).setProtectedHeader({ alg: 'HS256', kid: 'idp-1' }).setIssuer(idp.issuer).setAudience('switchyard').setExpirationTime('5m')
    .sign(new TextEncoder().encode(JSON.stringify(k1.jwk)));
  await rejectsWith(v.verify(`Bearer ${forged}`), "token algorithm 'HS256' is not allowed");
  // The policy service's issuer is not trusted here, nor another audience.
  await rejectsWith(v.verify(`Bearer ${await idpToken({ privateKey: k1.privateKey, kid: 'idp-1', issuer: DEFAULT_ISSUER })}`), 'unexpected issuer');
  await rejectsWith(v.verify(`Bearer ${await idpToken({ privateKey: k1.privateKey, kid: 'idp-1', issuer: idp.issuer, audience: 'other-app' })}`), 'unexpected audience');
  // A token without the configured tenant claim names the claim it looked for.
  await rejectsWith(v.verify(`Bearer ${await idpToken({ privateKey: k1.privateKey, kid: 'idp-1', issuer: idp.issuer, claims: { tenant: 'acme' } })}`), `token has no tenant claim ('${TENANT}')`);

  // The issuer rotates: a new kid is fetched on first sight; discovery is not repeated.
  const k2 = await rsaKey('idp-2');
  idp.state.keys = [k2.jwk, k1.jwk];
  const p2 = await v.verify(`Bearer ${await idpToken({ privateKey: k2.privateKey, kid: 'idp-2', issuer: idp.issuer })}`);
  assert.equal(p2.tenant, 'acme');
  assert.deepEqual(idp.hits, { discovery: 1, jwks: 2 });
});

test('roles as a space-separated string claim (scope), and a JWKS URL given directly skips discovery', async (t) => {
  const idp = await issuerServer(t);
  const k = await rsaKey('idp-1');
  idp.state.keys = [k.jwk];
  const v = createVerifier({ fetchJwks: oidcJwksFetcher({ issuer: idp.issuer, jwksUrl: `${idp.base}/realms/acme/certs` }), issuer: idp.issuer, algorithms: ['RS256'], rolesClaim: 'scope' });
  const p = await v.verify(`Bearer ${await idpToken({ privateKey: k.privateKey, kid: 'idp-1', issuer: idp.issuer, claims: { tenant: 'beta', scope: 'infer  read' } })}`);
  assert.deepEqual([p.tenant, p.roles], ['beta', ['infer', 'read']]);
  assert.deepEqual(idp.hits, { discovery: 0, jwks: 1 });
});

test('discovery refuses a document of another issuer, a jwks_uri over plain http elsewhere, and says why a fetch failed', async (t) => {
  const idp = await issuerServer(t);
  idp.state.docIssuer = 'https://evil.example/realms/acme';
  await rejectsWith(oidcJwksFetcher({ issuer: idp.issuer })(), `OIDC discovery ${discoveryUrl(idp.issuer)}: its issuer is 'https://evil.example/realms/acme', not the configured '${idp.issuer}'`);
  idp.state.docIssuer = undefined;
  idp.state.jwksUri = 'http://keys.example/certs';
  await rejectsWith(oidcJwksFetcher({ issuer: idp.issuer })(), "OIDC jwks_uri 'http://keys.example/certs' must use https (http only on a loopback host)");
  idp.state.jwksUri = undefined;

  // A failing key set is reported with its URL and status, and the next call discovers again.
  idp.state.jwksStatus = 503;
  const f = oidcJwksFetcher({ issuer: idp.issuer });
  await rejectsWith(f(), `OIDC JWKS ${idp.base}/realms/acme/certs: HTTP 503`);
  idp.state.jwksStatus = 200;
  idp.state.keys = [(await rsaKey('k')).jwk];
  const before = idp.hits.discovery;
  assert.equal((await f()).keys.length, 1);
  assert.equal(idp.hits.discovery, before + 1);

  // An issuer that never answers: a bounded wait and a precise message.
  idp.state.hang = true;
  await rejectsWith(oidcJwksFetcher({ issuer: idp.issuer, timeoutMs: 200 })(), `OIDC discovery ${discoveryUrl(idp.issuer)}: no answer within 200 ms`);
});

test('issuer URLs: https anywhere, http only on loopback; symmetric algorithms cannot be configured', () => {
  assert.equal(checkOidcUrl('https://login.example.com/tenant/v2.0', 'OIDC issuer').host, 'login.example.com');
  for (const ok of ['http://localhost:8080/realms/x', 'http://127.0.0.1:9/x', 'http://[::1]:9/x']) checkOidcUrl(ok, 'OIDC issuer');
  assert.throws(() => checkOidcUrl('http://idp.example/realms/x', 'OIDC issuer'), /^Error: OIDC issuer 'http:\/\/idp\.example\/realms\/x' must use https/);
  assert.throws(() => checkOidcUrl('not a url', 'OIDC issuer'), /is not a URL/);
  assert.equal(discoveryUrl('https://idp.example/realms/x/'), 'https://idp.example/realms/x/.well-known/openid-configuration');
  for (const bad of [['HS256'], ['RS256', 'none'], []]) {
    assert.throws(() => createVerifier({ fetchJwks: async () => ({ keys: [] }), algorithms: bad }), /only asymmetric algorithms|no JWT algorithm accepted/);
  }
});

test('an issuer unreachable so far: UNAVAILABLE naming why, asked again after a second rather than the 30 s cooldown', async (t) => {
  const idp = await issuerServer(t);
  const k = await rsaKey('idp-1');
  idp.state.keys = [k.jwk];
  idp.state.jwksStatus = 503;
  let clock = Date.now();
  const v = createVerifier({ fetchJwks: oidcJwksFetcher({ issuer: idp.issuer }), issuer: idp.issuer, algorithms: ['RS256'], now: () => clock });
  await assert.rejects(v.prime(), /HTTP 503/);
  const token = await idpToken({ privateKey: k.privateKey, kid: 'idp-1', issuer: idp.issuer, claims: { tenant: 'acme' } });
  await assert.rejects(v.verify(`Bearer ${token}`), (e: Error & { code?: string }) => e.code === 'UNAVAILABLE' && e.message === `token signing keys unavailable: OIDC JWKS ${idp.base}/realms/acme/certs: HTTP 503`);
  idp.state.jwksStatus = 200;
  const fetches = idp.hits.jwks;
  await assert.rejects(v.verify(`Bearer ${token}`), (e: Error & { code?: string }) => e.code === 'UNAVAILABLE'); // within the second: no new fetch
  assert.equal(idp.hits.jwks, fetches);
  clock += 1000;
  assert.equal((await v.verify(`Bearer ${token}`)).tenant, 'acme');
});
