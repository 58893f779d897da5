import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { base64url, SignJWT } from 'jose';
import {
  AuthError,
  createVerifier,
  DEFAULT_AUDIENCE,
  DEFAULT_ISSUER,
  InvalidRequestError,
  jwksFromProto,
  jwksToProto,
  KeyStore,
  parseIssueTokenRequest,
  type JWK,
} from './index.ts';

async function tmp(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sy-auth-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function counting(store: { jwks(): { keys: JWK[] } }) {
  const c = { calls: 0 };
  const fetchJwks = async () => {
    c.calls++;
    return store.jwks();
  };
  return { c, fetchJwks };
}

async function rejectsWith(p: Promise<unknown>, message: string | RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AuthError, `expected AuthError, got ${String(e)}`);
    assert.equal(e.code, 'UNAUTHENTICATED');
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

for (const alg of ['ES256', 'EdDSA'] as const) {
  test(`${alg}: a valid token verifies and yields the principal`, async (t) => {
    const store = await KeyStore.open(path.join(await tmp(t), 'keys'), { alg });
    const { fetchJwks } = counting(store);
    const v = createVerifier({ fetchJwks });
    await v.prime();
    const { token, expiresAt, kid } = await store.sign({ tenant: 'acme', roles: ['infer', 'admin'] }, { ttlSeconds: 600, subject: 'alice' });
    assert.equal(kid, store.currentKid);
    const p = await v.verify(`Bearer ${token}`);
    assert.equal(p.tenant, 'acme');
    assert.equal(p.subject, 'alice');
    assert.deepEqual(p.roles, ['infer', 'admin']);
    assert.equal(p.expiresAt, expiresAt);
    assert.ok(p.tokenId && p.tokenId.length > 0);
    const nowSec = Math.floor(Date.now() / 1000);
    assert.ok(expiresAt > nowSec + 590 && expiresAt <= nowSec + 601);
  });
}

test('key files are 0600, reopened with the same kid, and jwks carries no private members', async (t) => {
  const dir = path.join(await tmp(t), 'keys');
  const a = await KeyStore.open(dir);
  const files = await readdir(dir);
  assert.deepEqual(files.sort(), ['current.jwk.json', 'rotation.json']);
  assert.equal((await stat(path.join(dir, 'rotation.json'))).mode & 0o777, 0o600);
  assert.equal((await stat(path.join(dir, 'current.jwk.json'))).mode & 0o777, 0o600);
  const onDisk = JSON.parse(await readFile(path.join(dir, 'current.jwk.json'), 'utf8')) as JWK;
  assert.equal(typeof onDisk.d, 'string');
  const b = await KeyStore.open(dir);
  assert.equal(b.currentKid, a.currentKid);
  const { keys } = b.jwks();
  assert.equal(keys.length, 1);
  assert.equal(keys[0]!.d, undefined);
  assert.equal(keys[0]!.kid, a.currentKid);
  assert.equal(keys[0]!.alg, 'ES256');
  assert.equal(keys[0]!.use, 'sig');
  // A token from the first store verifies against the reopened store's keys.
  const { token } = await a.sign({ tenant: 't1' }, { ttlSeconds: 60 });
  const v = createVerifier({ fetchJwks: async () => b.jwks() });
  assert.equal((await v.verify(`Bearer ${token}`)).tenant, 't1');
});

test('malformed authorization headers are rejected with precise messages', async (t) => {
  const store = await KeyStore.open(path.join(await tmp(t), 'keys'));
  const v = createVerifier({ fetchJwks: async () => store.jwks() });
  await rejectsWith(v.verify(undefined), 'missing authorization metadata');
  await rejectsWith(v.verify(''), 'missing authorization metadata');
  const { token } = await store.sign({ tenant: 'acme' }, { ttlSeconds: 60 });
  await rejectsWith(v.verify(token), "authorization must be 'Bearer <token>'");
  await rejectsWith(v.verify(`Basic ${token}`), "authorization must be 'Bearer <token>'");
  await rejectsWith(v.verify('Bearer not-a-jwt'), "authorization must be 'Bearer <token>'");
  await rejectsWith(v.verify('Bearer e30.e30.'), /no algorithm/);
});

test("alg 'none' is rejected before any verification", async (t) => {
  const store = await KeyStore.open(path.join(await tmp(t), 'keys'));
  const { c, fetchJwks } = counting(store);
  const v = createVerifier({ fetchJwks });
  const enc = (o: object) => base64url.encode(JSON.stringify(o));
  const now = Math.floor(Date.now() / 1000);
  const payload = { tenant: 'acme', iss: DEFAULT_ISSUER, aud: DEFAULT_AUDIENCE, exp: now + 600 };
  const none = `${enc({ alg: 'none', kid: store.currentKid })}.${enc(payload)}.`;
  await rejectsWith(v.verify(`Bearer ${none}`), "token algorithm 'none' is not allowed");
  assert.equal(c.calls, 0, 'a none token must not even cause a key fetch');
});

test('HS256 signed with the public key bytes as HMAC secret is rejected', async (t) => {
  const store = await KeyStore.open(path.join(await tmp(t), 'keys'));
  const v = createVerifier({ fetchJwks: async () => store.jwks() });
  await v.prime();
  const pub = store.jwks().keys[0]!;
  for (const secret of [new TextEncoder().encode(JSON.stringify(pub)), base64url.decode(pub.x!)]) {
    const forged = await new SignJWT({ tenant: 'acme' })
      .setProtectedHeader({ alg: 'HS256', kid: store.currentKid })
      .setIssuer(DEFAULT_ISSUER)
      .setAudience(DEFAULT_AUDIENCE)
      .setExpirationTime('10m')
      .sign(secret);
    await rejectsWith(v.verify(`Bearer ${forged}`), "token algorithm 'HS256' is not allowed");
  }
});

test('expired, wrong audience, wrong issuer, tampered and tenant-less tokens are rejected', async (t) => {
  const store = await KeyStore.open(path.join(await tmp(t), 'keys'));
  const v = createVerifier({ fetchJwks: async () => store.jwks() });
  await v.prime();
  const expired = await store.sign({ tenant: 'acme' }, { ttlSeconds: -60 });
  await rejectsWith(v.verify(`Bearer ${expired.token}`), 'token expired');
  // Within the 5 s clock tolerance an expiry 2 s ago still passes.
  const justExpired = await store.sign({ tenant: 'acme' }, { ttlSeconds: -2 });
  assert.equal((await v.verify(`Bearer ${justExpired.token}`)).tenant, 'acme');
  const aud = await store.sign({ tenant: 'acme' }, { ttlSeconds: 60, audience: 'someone-else' });
  await rejectsWith(v.verify(`Bearer ${aud.token}`), 'unexpected audience');
  const iss = await store.sign({ tenant: 'acme' }, { ttlSeconds: 60, issuer: 'https://evil.example' });
  await rejectsWith(v.verify(`Bearer ${iss.token}`), 'unexpected issuer');
  const good = await store.sign({ tenant: 'acme' }, { ttlSeconds: 60 });
  const [h, p, s] = good.token.split('.') as [string, string, string];
  const claims = JSON.parse(new TextDecoder().decode(base64url.decode(p))) as Record<string, unknown>;
  const tampered = `${h}.${base64url.encode(JSON.stringify({ ...claims, tenant: 'other' }))}.${s}`;
  await rejectsWith(v.verify(`Bearer ${tampered}`), 'signature verification failed');
  const noTenant = await store.sign({ tenant: '' }, { ttlSeconds: 60 });
  await rejectsWith(v.verify(`Bearer ${noTenant.token}`), 'token has no tenant claim');
});

test('unknown kid is rejected, and refetches respect the cooldown', async (t) => {
  const dir = await tmp(t);
  const trusted = await KeyStore.open(path.join(dir, 'a'));
  const stranger = await KeyStore.open(path.join(dir, 'b'));
  const { c, fetchJwks } = counting(trusted);
  let clock = Date.now();
  const v = createVerifier({ fetchJwks, refetchCooldownMs: 30_000, now: () => clock });
  await v.prime();
  assert.equal(c.calls, 1);
  const foreign = await stranger.sign({ tenant: 'acme' }, { ttlSeconds: 600 });
  const msg = `unknown signing key id '${stranger.currentKid}'`;
  await rejectsWith(v.verify(`Bearer ${foreign.token}`), msg);
  await rejectsWith(v.verify(`Bearer ${foreign.token}`), msg);
  await rejectsWith(v.verify(`Bearer ${foreign.token}`), msg);
  assert.equal(c.calls, 1, 'no refetch inside the cooldown');
  clock += 30_001;
  await rejectsWith(v.verify(`Bearer ${foreign.token}`), msg);
  assert.equal(c.calls, 2, 'one refetch after the cooldown');
  await rejectsWith(v.verify(`Bearer ${foreign.token}`), msg);
  assert.equal(c.calls, 2);
  // Known kids never cause a fetch.
  const ok = await trusted.sign({ tenant: 'acme' }, { ttlSeconds: 600 });
  await v.verify(`Bearer ${ok.token}`);
  assert.equal(c.calls, 2);
});

test('concurrent unknown-kid verifications share one fetch', async (t) => {
  const dir = await tmp(t);
  const trusted = await KeyStore.open(path.join(dir, 'a'));
  const { c, fetchJwks } = counting(trusted);
  const v = createVerifier({ fetchJwks });
  const tok = await trusted.sign({ tenant: 'acme' }, { ttlSeconds: 600 });
  const results = await Promise.all(Array.from({ length: 8 }, () => v.verify(`Bearer ${tok.token}`)));
  assert.ok(results.every((r) => r.tenant === 'acme'));
  assert.equal(c.calls, 1);
});

test('rotation: the previous key still verifies; the new key verifies after a refetch on unknown kid', async (t) => {
  const dir = path.join(await tmp(t), 'keys');
  const store = await KeyStore.open(dir);
  const { c, fetchJwks } = counting(store);
  let clock = Date.now();
  const v = createVerifier({ fetchJwks, now: () => clock });
  await v.prime();
  const oldKid = store.currentKid;
  const before = await store.sign({ tenant: 'acme' }, { ttlSeconds: 600 });
  clock += 60_000; // past the refetch cooldown
  await store.beginRotation({ publishDelayMs: 0, overlapMs: 3_600_000 });
  await store.tick(); // no publication ahead: the new key signs at once
  assert.notEqual(store.currentKid, oldKid);
  assert.deepEqual(store.jwks().keys.map((k) => k.kid), [store.currentKid, oldKid]);
  assert.deepEqual((await readdir(dir)).sort(), ['current.jwk.json', 'previous.jwk.json', 'rotation.json']);
  assert.equal((await stat(path.join(dir, 'previous.jwk.json'))).mode & 0o777, 0o600);
  // Old token verifies from the cache, no fetch.
  assert.equal((await v.verify(`Bearer ${before.token}`)).tenant, 'acme');
  assert.equal(c.calls, 1);
  // New token has an unknown kid -> one refetch, then verifies.
  const after = await store.sign({ tenant: 'acme' }, { ttlSeconds: 600 });
  assert.equal(after.kid, store.currentKid);
  assert.equal((await v.verify(`Bearer ${after.token}`)).tenant, 'acme');
  assert.equal(c.calls, 2);
  // The old token still verifies after the refetch (previous key is in the set).
  assert.equal((await v.verify(`Bearer ${before.token}`)).tenant, 'acme');
  // Reopening keeps both keys.
  const reopened = await KeyStore.open(dir);
  assert.deepEqual(reopened.jwks().keys.map((k) => k.kid), [store.currentKid, oldKid]);
  // After retire and a refresh, the old key no longer verifies.
  await store.retire();
  const v2 = createVerifier({ fetchJwks: async () => store.jwks() });
  await rejectsWith(v2.verify(`Bearer ${before.token}`), `unknown signing key id '${oldKid}'`);
  assert.equal((await v2.verify(`Bearer ${after.token}`)).tenant, 'acme');
});

test('the key set is refreshed in the background once older than the refresh interval', async (t) => {
  const store = await KeyStore.open(path.join(await tmp(t), 'keys'));
  const { c, fetchJwks } = counting(store);
  let clock = Date.now();
  const v = createVerifier({ fetchJwks, refreshIntervalMs: 60_000, now: () => clock });
  await v.prime();
  const tok = await store.sign({ tenant: 'acme' }, { ttlSeconds: 3600 });
  await v.verify(`Bearer ${tok.token}`);
  assert.equal(c.calls, 1);
  clock += 61_000;
  await v.verify(`Bearer ${tok.token}`);
  await new Promise((r) => setImmediate(r));
  assert.equal(c.calls, 2);
});

test('a JWKS with symmetric or private keys does not make them trusted', async (t) => {
  const store = await KeyStore.open(path.join(await tmp(t), 'keys'));
  const secret = new TextEncoder().encode('x'.repeat(32));
  const oct: JWK = { kty: 'oct', k: base64url.encode(secret), kid: 'sym', alg: 'HS256' };
  const v = createVerifier({ fetchJwks: async () => ({ keys: [oct, ...store.jwks().keys] }) });
  await v.prime();
  assert.equal(v.keyCount, 1);
});

test('jwksToProto / jwksFromProto round-trip the public keys', async (t) => {
  const dir = await tmp(t);
  const es = await KeyStore.open(path.join(dir, 'es'));
  const ed = await KeyStore.open(path.join(dir, 'ed'), { alg: 'EdDSA' });
  const set = { keys: [...es.jwks().keys, ...ed.jwks().keys] };
  const msg = jwksToProto(set, DEFAULT_ISSUER);
  assert.equal(msg.issuer, DEFAULT_ISSUER);
  assert.equal(msg.keys![1]!.y, '');
  const back = jwksFromProto({ issuer: msg.issuer!, keys: msg.keys!.map((k) => ({ kty: '', crv: '', x: '', y: '', kid: '', alg: '', use: '', ...k })) as never });
  assert.deepEqual(back, set);
  const v = createVerifier({ fetchJwks: async () => back });
  const tok = await ed.sign({ tenant: 'acme' }, { ttlSeconds: 60 });
  assert.equal((await v.verify(`Bearer ${tok.token}`)).tenant, 'acme');
});

test('parseIssueTokenRequest applies defaults and refuses bad input', () => {
  const base = { tenant: 'acme', roles: [], audience: '', ttl_seconds: 0, subject: '' };
  assert.deepEqual(parseIssueTokenRequest(base), {
    claims: { tenant: 'acme', roles: [] },
    opts: { ttlSeconds: 3600, audience: 'switchyard' },
  });
  assert.equal(parseIssueTokenRequest({ ...base, ttl_seconds: -30 }).opts.ttlSeconds, -30);
  assert.equal(parseIssueTokenRequest({ ...base, subject: 'bob', audience: 'x' }).opts.subject, 'bob');
  assert.throws(() => parseIssueTokenRequest({ ...base, tenant: '' }), new InvalidRequestError('tenant is required'));
  assert.throws(() => parseIssueTokenRequest({ ...base, ttl_seconds: 31 * 24 * 3600 }), /ttl_seconds must be at most 2592000/);
  assert.throws(() => parseIssueTokenRequest({ ...base, roles: ['ok', 'bad role'] }), /each role/);
});

test('verified tokens are cached, but never past their expiry or their signing key', async (t) => {
  const dir = path.join(await tmp(t), 'keys');
  const store = await KeyStore.open(dir);
  let clock = Date.now();
  const v = createVerifier({ fetchJwks: async () => store.jwks(), now: () => clock, refetchCooldownMs: 0, cacheTtlMs: 30_000 });
  await v.prime();
  const tok = await store.sign({ tenant: 'acme' }, { ttlSeconds: 20 });
  const first = await v.verify(`Bearer ${tok.token}`);
  assert.equal(await v.verify(`Bearer ${tok.token}`), first, 'the second verify is a cache hit (same principal object)');
  clock += 26_000; // past exp (20 s) and the 5 s tolerance, inside the cache TTL
  await rejectsWith(v.verify(`Bearer ${tok.token}`), 'token expired');

  clock = Date.now();
  const tok2 = await store.sign({ tenant: 'acme' }, { ttlSeconds: 600 });
  const oldKid = store.currentKid;
  assert.equal((await v.verify(`Bearer ${tok2.token}`)).tenant, 'acme');
  await store.beginRotation({ publishDelayMs: 0, overlapMs: 0 });
  await store.tick(); // the new key signs, and with no overlap the old one is retired
  const tok3 = await store.sign({ tenant: 'acme' }, { ttlSeconds: 600 });
  await v.verify(`Bearer ${tok3.token}`); // unknown kid: refetch, the old key leaves the set
  await rejectsWith(v.verify(`Bearer ${tok2.token}`), `unknown signing key id '${oldKid}'`);

  const off = createVerifier({ fetchJwks: async () => store.jwks(), cacheTtlMs: 0 });
  const a = await off.verify(`Bearer ${tok3.token}`);
  assert.notEqual(await off.verify(`Bearer ${tok3.token}`), a, 'with the cache off every verify checks the signature');
});

test('rotation with overlap: the next key is published before it signs, the old one verifies for the overlap, then is retired; a restart continues it', async (t) => {
  const dir = path.join(await tmp(t), 'keys');
  let clock = 1_000_000;
  const store = await KeyStore.open(dir, { now: () => clock });
  const oldKid = store.currentKid;
  const v = createVerifier({ fetchJwks: async () => store.jwks(), now: () => clock, refetchCooldownMs: 30_000 });
  await v.prime();
  const old = await store.sign({ tenant: 'acme' }, { ttlSeconds: 3600 });

  const plan = await store.beginRotation({ publishDelayMs: 60_000, overlapMs: 3_600_000 });
  assert.deepEqual([plan.currentKid, plan.signsFromMs, plan.previousUntilMs, plan.droppedKid], [oldKid, clock + 60_000, clock + 60_000 + 3_600_000, undefined]);
  // Published at once, not yet signing.
  assert.deepEqual(store.jwks().keys.map((k) => k.kid), [oldKid, plan.nextKid]);
  assert.equal((await store.sign({ tenant: 'acme' }, { ttlSeconds: 60 })).kid, oldKid);
  await assert.rejects(store.beginRotation({ publishDelayMs: 0, overlapMs: 0 }), (e: Error) => e.name === 'KeyRotationError' && /a rotation is under way: key '.*' signs from /.test(e.message));
  // A verifier that fetched within its cooldown already holds the next key when it starts signing.
  clock += 40_000;
  await v.prime();
  clock += 20_000;
  const fresh = await store.sign({ tenant: 'acme' }, { ttlSeconds: 60 });
  assert.equal(fresh.kid, plan.nextKid, 'the next key signs from signsFromMs');
  assert.equal(store.currentKid, plan.nextKid);
  assert.equal((await v.verify(`Bearer ${fresh.token}`)).tenant, 'acme');
  assert.deepEqual(store.jwks().keys.map((k) => k.kid), [plan.nextKid, oldKid]);
  assert.equal((await v.verify(`Bearer ${old.token}`)).tenant, 'acme', 'the old key still verifies its tokens');

  // Another rotation during the overlap would drop the old key: refused unless forced.
  await assert.rejects(store.beginRotation({ publishDelayMs: 0, overlapMs: 0 }), (e: Error) => e.name === 'KeyRotationError' && e.message.includes(`the previous key '${oldKid}' still verifies tokens until `));

  // A restart keeps the rotation's state.
  const reopened = await KeyStore.open(dir, { now: () => clock });
  assert.deepEqual(reopened.jwks().keys.map((k) => k.kid), [plan.nextKid, oldKid]);
  assert.equal(reopened.rotation.previousUntilMs, plan.previousUntilMs);

  // After the overlap the old key is retired.
  clock = plan.previousUntilMs;
  assert.deepEqual(await reopened.tick(), { retired: oldKid });
  assert.deepEqual(reopened.jwks().keys.map((k) => k.kid), [plan.nextKid]);
  assert.deepEqual((await readdir(dir)).sort(), ['current.jwk.json', 'rotation.json']);

  // A forced rotation during an overlap names the key it drops.
  const p2 = await reopened.beginRotation({ publishDelayMs: 0, overlapMs: 1000 });
  assert.deepEqual(await reopened.tick(), { promoted: p2.nextKid });
  const p3 = await reopened.beginRotation({ publishDelayMs: 0, overlapMs: 1000, force: true });
  assert.equal(p3.droppedKid, plan.nextKid);
  await reopened.tick();
  assert.deepEqual(reopened.jwks().keys.map((k) => k.kid), [p3.nextKid, p2.nextKid]);
});

test('a restart in the middle of a promotion finishes it', async (t) => {
  const dir = path.join(await tmp(t), 'keys');
  let clock = 5_000_000;
  const store = await KeyStore.open(dir, { now: () => clock });
  const plan = await store.beginRotation({ publishDelayMs: 1000, overlapMs: 10_000 });
  // As if the process stopped after writing the new current key but before removing next.jwk.json.
  const { copyFile } = await import('node:fs/promises');
  await copyFile(path.join(dir, 'current.jwk.json'), path.join(dir, 'previous.jwk.json'));
  await copyFile(path.join(dir, 'next.jwk.json'), path.join(dir, 'current.jwk.json'));
  clock += 1000;
  const reopened = await KeyStore.open(dir, { now: () => clock });
  assert.equal(reopened.currentKid, plan.nextKid);
  assert.equal(reopened.nextKid, undefined);
  assert.deepEqual(reopened.jwks().keys.map((k) => k.kid), [plan.nextKid, plan.currentKid]);
});
