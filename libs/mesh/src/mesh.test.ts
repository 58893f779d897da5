import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { gatewayV1 } from '@switchyard/proto';
import { createLogger } from '@switchyard/log';
import { ensureDevPki, makeForeignIdentity, renewIdentity, type MeshIdentity } from './pki.ts';
import { MeshServer, callerSpiffeId } from './server.ts';
import { createClient, unary } from './client.ts';
import { spiffeIdOf } from './identity.ts';

const log = createLogger({ service: 'mesh-test', level: 'silent' });
const HealthClient = grpc.makeClientConstructor(healthService, 'Health') as unknown as grpc.ServiceClientConstructor;
const GatewayClient = gatewayV1.Gateway as unknown as grpc.ServiceClientConstructor;

let dir: string;
let ids: Record<string, MeshIdentity>;
let server: MeshServer;
let addr: string;
const clients: grpc.Client[] = [];
/** Calls carrying metadata x-hold wait here until released. */
let release: () => void = () => {};
let held: Promise<void> = Promise.resolve();
let lastDeadline: grpc.Deadline | undefined;

const gatewayImpl: grpc.UntypedServiceImplementation = {
  GatewayStatus(call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) {
    lastDeadline = call.getDeadline();
    const reply = () => cb(null, { gateway_id: callerSpiffeId(call) ?? 'none', table_version: 7 });
    if (call.metadata.get('x-hold').length > 0) void held.then(reply);
    else reply();
  },
};

function client<C extends grpc.Client = grpc.Client>(ctor: grpc.ServiceClientConstructor, identity: MeshIdentity, opts = {}, address = addr): C {
  const c = createClient<C>(ctor, address, identity, opts);
  clients.push(c);
  return c;
}

function status(p: Promise<unknown>): Promise<grpc.ServiceError> {
  return p.then(
    () => assert.fail('expected the call to fail'),
    (e: grpc.ServiceError) => e,
  );
}

function hold(): void {
  held = new Promise((r) => (release = r));
}

async function startServer(extra: Partial<ConstructorParameters<typeof MeshServer>[0]> = {}): Promise<MeshServer> {
  const s = new MeshServer({
    identity: ids.gateway!,
    port: 0,
    healthPort: 0,
    log,
    certRefreshMs: 200,
    services: [{ definition: gatewayV1.Gateway.service, implementation: gatewayImpl, healthName: 'switchyard.gateway.v1.Gateway' }],
    ...extra,
  });
  await s.start();
  return s;
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-'));
  ids = await ensureDevPki(dir);
  server = await startServer();
  addr = `127.0.0.1:${server.port}`;
});

after(async () => {
  for (const c of clients) c.close();
  await server.shutdown(1000);
});

test('an allowed identity can call; the handler sees its SPIFFE ID', async () => {
  const c = client(GatewayClient, ids.client!, { serverSpiffeId: spiffeIdOf('gateway') });
  const res = await unary<{ gateway_id: string; table_version: number }>(c, 'GatewayStatus', {});
  assert.equal(res.gateway_id, 'spiffe://switchyard.local/client');
  assert.equal(res.table_version, 7);
});

test('a disallowed identity gets PERMISSION_DENIED naming its SPIFFE ID and the method', async () => {
  const c = client(GatewayClient, ids.telemetry!);
  const err = await status(unary(c, 'GatewayStatus', {}));
  assert.equal(err.code, grpc.status.PERMISSION_DENIED);
  assert.match(err.details, /spiffe:\/\/switchyard\.local\/telemetry/);
  assert.match(err.details, /\/switchyard\.gateway\.v1\.Gateway\/GatewayStatus/);
});

test('a client without a client certificate fails in the handshake', async () => {
  const creds = grpc.credentials.createSsl(fs.readFileSync(ids.client!.caFile), null, null, { checkServerIdentity: () => undefined });
  const c = new GatewayClient(addr, creds, { 'grpc.ssl_target_name_override': 'localhost' });
  clients.push(c);
  const err = await status(unary(c, 'GatewayStatus', {}, { deadlineMs: 3000 }));
  assert.equal(err.code, grpc.status.UNAVAILABLE, err.message);
});

test('a client with a certificate from a foreign CA fails', async () => {
  const foreign = await makeForeignIdentity(dir, 'client');
  // Trust our CA for the server, but present the foreign leaf.
  const c = client(GatewayClient, { ...foreign, caFile: ids.client!.caFile });
  const err = await status(unary(c, 'GatewayStatus', {}, { deadlineMs: 3000 }));
  assert.equal(err.code, grpc.status.UNAVAILABLE, err.message);
  // And a client that trusts only the foreign CA refuses our server.
  const c2 = client(GatewayClient, foreign);
  const err2 = await status(unary(c2, 'GatewayStatus', {}, { deadlineMs: 3000 }));
  assert.equal(err2.code, grpc.status.UNAVAILABLE, err2.message);
});

test('the client refuses a server whose SPIFFE ID is not the pinned one', async () => {
  const c = client(GatewayClient, ids.client!, { serverSpiffeId: spiffeIdOf('policy') });
  const err = await status(unary(c, 'GatewayStatus', {}, { deadlineMs: 3000 }));
  assert.equal(err.code, grpc.status.UNAVAILABLE);
});

test('health over mTLS and on the plaintext health port', async () => {
  const h = client(HealthClient, ids['placement-scheduler']!);
  assert.deepEqual(await unary(h, 'Check', { service: '' }), { status: 'SERVING' });
  assert.deepEqual(await unary(h, 'Check', { service: 'switchyard.gateway.v1.Gateway' }), { status: 'SERVING' });
  const plain = new HealthClient(`127.0.0.1:${server.healthPort}`, grpc.credentials.createInsecure());
  clients.push(plain);
  assert.deepEqual(await unary(plain, 'Check', { service: '' }), { status: 'SERVING' });
  // The plaintext port serves nothing but health.
  const plainGw = new GatewayClient(`127.0.0.1:${server.healthPort}`, grpc.credentials.createInsecure());
  clients.push(plainGw);
  assert.equal((await status(unary(plainGw, 'GatewayStatus', {}))).code, grpc.status.UNIMPLEMENTED);
});

test('oversize message -> RESOURCE_EXHAUSTED', async () => {
  const s = await startServer({ maxReceiveMessageBytes: 1024, healthPort: undefined });
  try {
    const c = client(GatewayClient, ids.client!, {}, `127.0.0.1:${s.port}`);
    const send = (size: number) =>
      new Promise((resolve, reject) => {
        // An unknown bytes field (15) of `size` bytes: valid protobuf, ignored by the decoder.
        const len = Buffer.from([0x80 | (size & 0x7f), size >> 7]);
        const payload = Buffer.concat([Buffer.from([0x7a]), len, Buffer.alloc(size, 1)]);
        c.makeUnaryRequest('/switchyard.gateway.v1.Gateway/GatewayStatus', () => payload, (b: Buffer) => b, {}, (e, r) => (e ? reject(e) : resolve(r)));
      });
    await send(200); // under the limit: fine
    const err = await status(send(4000));
    assert.equal(err.code, grpc.status.RESOURCE_EXHAUSTED);
  } finally {
    await s.shutdown(500);
  }
});

test('the default deadline is applied when the caller sets none', async () => {
  hold();
  try {
    const c = client(GatewayClient, ids.client!, { defaultDeadlineMs: 300 });
    const md = new grpc.Metadata();
    md.set('x-hold', '1');
    const err = await status(unary(c, 'GatewayStatus', {}, { metadata: md }));
    assert.equal(err.code, grpc.status.DEADLINE_EXCEEDED);
    const d = lastDeadline instanceof Date ? lastDeadline.getTime() : lastDeadline;
    assert.ok(d !== undefined && Number.isFinite(d), 'server saw a finite deadline');
  } finally {
    release();
  }
});

/** One call on a fresh client (so a fresh TLS handshake); resolves with the fingerprint of the
 *  certificate the server presented, rejects if the handshake or the call fails. */
async function probeAt(address: string, identity: MeshIdentity, deadlineMs = 5000): Promise<string> {
  let fp = '';
  const c = createClient(GatewayClient, address, identity, { onServerCertificate: (cert) => (fp = cert.fingerprint256) });
  try {
    await unary(c, 'GatewayStatus', {}, { deadlineMs });
  } finally {
    c.close();
  }
  return fp;
}

const fingerprintOf = (certFile: string): string => new crypto.X509Certificate(fs.readFileSync(certFile)).fingerprint256;

/** Probes `address` every `gapMs` until the server presents `want` (or `budgetMs` passes). Every
 *  probe must succeed: a failure is a handshake refused during rotation. Returns what was seen. */
async function probeUntil(address: string, identity: MeshIdentity, want: string, budgetMs = 10_000, gapMs = 50): Promise<string[]> {
  const seen: string[] = [];
  const deadline = Date.now() + budgetMs;
  for (;;) {
    try {
      seen.push(await probeAt(address, identity));
    } catch (err) {
      assert.fail(`handshake ${seen.length + 1} during rotation failed: ${(err as Error).message}`);
    }
    if (seen.at(-1) === want || Date.now() > deadline) return seen;
    await new Promise((r) => setTimeout(r, gapMs));
  }
}

test('certificate reload: a new connection sees the rotated server certificate without restart', async () => {
  const first = await probeAt(addr, ids.client!);
  assert.equal(first, fingerprintOf(ids.gateway!.certFile));
  await renewIdentity(dir, 'gateway');
  const rotated = fingerprintOf(ids.gateway!.certFile);
  assert.notEqual(rotated, first);
  // Refresh is every 200 ms here; allow up to 10 s for the reload to land. Every probe must succeed.
  const seen = await probeUntil(addr, ids.client!, rotated);
  assert.equal(seen.at(-1), rotated, `the rotated certificate was served within 10 s (saw ${seen.length} probes)`);
  assert.ok(
    seen.every((fp) => fp === first || fp === rotated),
    'only the old and the rotated certificate were ever presented',
  );
});

test('a certificate read that fails mid-rotation keeps the previous certificate: no handshake is refused', async () => {
  // The file watcher reports a failed read (ENOENT/ESTALE on volumes that replace files
  // non-atomically, EMFILE, ...) as null; handed to grpc-js, that marks the server's credentials
  // invalid and every new connection is destroyed before the handshake ("Client network socket
  // disconnected before secure TLS connection was established") until the next good read. Make
  // the reads fail for a while by taking the key away, then complete a rotation.
  const pdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-badread-'));
  const own = await ensureDevPki(pdir, ['gateway', 'client']);
  const s = await startServer({ identity: own.gateway!, certRefreshMs: 20, healthPort: undefined });
  const a = `127.0.0.1:${s.port}`;
  try {
    const before = fingerprintOf(own.gateway!.certFile);
    assert.equal(await probeAt(a, own.client!), before);
    fs.renameSync(own.gateway!.keyFile, `${own.gateway!.keyFile}.away`);
    const unreadableUntil = Date.now() + 300; // ~15 failed reads
    const during: string[] = [];
    while (Date.now() < unreadableUntil) {
      try {
        during.push(await probeAt(a, own.client!));
      } catch (err) {
        assert.fail(`handshake ${during.length + 1} while the key was unreadable failed: ${(err as Error).message}`);
      }
    }
    assert.ok(during.length > 0);
    assert.ok(during.every((fp) => fp === before), 'the previous certificate stayed in use');
    await renewIdentity(pdir, 'gateway'); // writes a new key (the old one is gone), then the certificate
    const rotated = fingerprintOf(own.gateway!.certFile);
    const seen = await probeUntil(a, own.client!, rotated, 10_000, 10);
    assert.equal(seen.at(-1), rotated);
  } finally {
    await s.shutdown(500);
    fs.rmSync(pdir, { recursive: true, force: true });
  }
});

test('certificate rotation never breaks a handshake, even when the watcher reads between the key and certificate writes', async () => {
  // A refresh every 5 ms makes reads that fall between renewIdentity's two renames likely; before
  // the pair check, such a read handed TLS a mismatched key and certificate and handshakes failed.
  const s = await startServer({ certRefreshMs: 5 });
  const a = `127.0.0.1:${s.port}`;
  try {
    const failures: string[] = [];
    let probes = 0;
    let rotating = true;
    const prober = (async () => {
      while (rotating) {
        const c = createClient(GatewayClient, a, ids.client!, {});
        try {
          await unary(c, 'GatewayStatus', {}, { deadlineMs: 3000 });
        } catch (err) {
          failures.push((err as Error).message);
        } finally {
          c.close();
          probes++;
        }
      }
    })();
    for (let i = 0; i < 25; i++) {
      await renewIdentity(dir, 'gateway');
      await new Promise((r) => setTimeout(r, 7));
    }
    rotating = false;
    await prober;
    assert.ok(probes > 5, `probes ran (${probes})`);
    assert.deepEqual(failures, [], `every handshake during rotation succeeded (${probes} probes)`);
  } finally {
    await s.shutdown(500);
  }
});

test('shutdown: NOT_SERVING, in-flight call finishes, new calls fail', async () => {
  const s = await startServer();
  const a = `127.0.0.1:${s.port}`;
  const gw = client(GatewayClient, ids.client!, {}, a);
  const h = client(HealthClient, ids.client!, {}, a);
  const plain = new HealthClient(`127.0.0.1:${s.healthPort}`, grpc.credentials.createInsecure());
  clients.push(plain);
  assert.deepEqual(await unary(h, 'Check', { service: 'switchyard.gateway.v1.Gateway' }), { status: 'SERVING' });
  hold();
  const md = new grpc.Metadata();
  md.set('x-hold', '1');
  const inflight = unary<{ table_version: number }>(gw, 'GatewayStatus', {}, { metadata: md, deadlineMs: 10_000 });
  while (s.inFlight === 0) await new Promise((r) => setTimeout(r, 10));
  assert.equal(s.inFlight, 1);
  const done = s.shutdown(8000);
  assert.deepEqual(await unary(h, 'Check', { service: 'switchyard.gateway.v1.Gateway' }), { status: 'NOT_SERVING' });
  assert.deepEqual(await unary(h, 'Check', { service: '' }), { status: 'NOT_SERVING' });
  assert.deepEqual(await unary(plain, 'Check', { service: '' }), { status: 'NOT_SERVING' });
  const refused = await status(unary(gw, 'GatewayStatus', {}));
  assert.equal(refused.code, grpc.status.UNAVAILABLE);
  release();
  assert.equal((await inflight).table_version, 7, 'the in-flight call succeeded');
  await done;
  assert.equal(s.inFlight, 0);
  const after = await status(unary(gw, 'GatewayStatus', {}, { deadlineMs: 2000 }));
  assert.ok([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED].includes(after.code), `after shutdown: ${after.code}`);
});

test('the caller identity is read from the peer certificate once per connection, not per call', async () => {
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  const internals = require('@grpc/grpc-js/build/src/server-interceptors.js') as { BaseServerInterceptingCall: { prototype: { getAuthContext: () => unknown } } };
  const proto = internals.BaseServerInterceptingCall.prototype;
  const original = proto.getAuthContext;
  let reads = 0;
  proto.getAuthContext = function (this: unknown) {
    reads++;
    return original.call(this);
  };
  try {
    const c = client(GatewayClient, ids.client!);
    const first = await unary<{ gateway_id: string }>(c, 'GatewayStatus', {});
    assert.equal(first.gateway_id, spiffeIdOf('client'));
    const before = reads; // the first call: the interceptor's read plus the handler's callerSpiffeId
    for (let i = 0; i < 5; i++) await unary(c, 'GatewayStatus', {});
    // Per later call only the handler's own callerSpiffeId reads it; the interceptor's check is cached.
    assert.equal(reads - before, 5);
    // A different connection (another identity) is read afresh and authorized on its own.
    const other = client(GatewayClient, ids['cpu-executor']!);
    const e = await status(unary(other, 'GatewayStatus', {}));
    assert.equal(e.code, grpc.status.PERMISSION_DENIED);
  } finally {
    proto.getAuthContext = original;
  }
});
