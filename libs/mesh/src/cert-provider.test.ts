import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type * as grpc from '@grpc/grpc-js';
import { PairCheckingCertificateProvider, isMatchingPair, isParseableCa } from './cert-provider.ts';
import { ensureDevPki } from './pki.ts';

type Update = grpc.experimental.IdentityCertificateUpdate;
type Listener = grpc.experimental.IdentityCertificateUpdateListener;
type CaUpdate = grpc.experimental.CaCertificateUpdate;
type CaListener = grpc.experimental.CaCertificateUpdateListener;

/** An inner provider the test drives by hand. */
class Driven implements grpc.experimental.CertificateProvider {
  identity = new Set<Listener>();
  ca = new Set<CaListener>();
  addCaCertificateListener(l: CaListener): void {
    this.ca.add(l);
  }
  removeCaCertificateListener(l: CaListener): void {
    this.ca.delete(l);
  }
  addIdentityCertificateListener(l: Listener): void {
    this.identity.add(l);
  }
  removeIdentityCertificateListener(l: Listener): void {
    this.identity.delete(l);
  }
  emit(u: Update | null): void {
    for (const l of this.identity) l(u);
  }
  emitCa(u: CaUpdate | null): void {
    for (const l of this.ca) l(u);
  }
}

const tick = (): Promise<void> => new Promise((r) => process.nextTick(r));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-certprov-'));
const ids = await ensureDevPki(dir, ['gateway', 'policy']);
const pair = (name: 'gateway' | 'policy'): Update => ({
  certificate: fs.readFileSync(ids[name]!.certFile),
  privateKey: fs.readFileSync(ids[name]!.keyFile),
});
const a = pair('gateway');
const b = pair('policy');
const mixed: Update = { certificate: a.certificate, privateKey: b.privateKey };
const ca: CaUpdate = { caCertificate: fs.readFileSync(ids.gateway!.caFile) };

test('isMatchingPair: a certificate with its own key matches; with another key, or garbage, it does not', () => {
  assert.equal(isMatchingPair(a), true);
  assert.equal(isMatchingPair(b), true);
  assert.equal(isMatchingPair(mixed), false);
  assert.equal(isMatchingPair({ certificate: Buffer.from('nope'), privateKey: a.privateKey }), false);
});

test('a mismatched pair read mid-rotation is never forwarded; the last good pair is kept', () => {
  const inner = new Driven();
  let mismatches = 0;
  const p = new PairCheckingCertificateProvider(inner, { onMismatch: () => mismatches++ });
  const seen: Array<Update | null> = [];
  const l: Listener = (u) => seen.push(u);
  p.addIdentityCertificateListener(l);

  inner.emit(mixed); // nothing good yet: nothing forwarded
  assert.deepEqual(seen, []);
  inner.emit(a);
  inner.emit(mixed); // rotation half-written: keep a (nothing new forwarded)
  inner.emit(a); // unchanged: not forwarded again
  inner.emit(b); // rotation complete
  assert.equal(mismatches, 2);
  assert.deepEqual(seen, [a, b]);
  for (const u of seen) assert.ok(u && isMatchingPair(u));

  p.removeIdentityCertificateListener(l);
  assert.equal(inner.identity.size, 0, 'removing the last listener unsubscribes from the inner provider');
  assert.equal(inner.ca.size, 0);
});

test('a failed read after a good pair keeps the good pair (grpc-js would refuse every new connection on null)', () => {
  const inner = new Driven();
  const bad: string[] = [];
  const p = new PairCheckingCertificateProvider(inner, { onBadRead: (what, kept) => bad.push(`${what}:${kept}`) });
  const ids: Array<Update | null> = [];
  const cas: Array<CaUpdate | null> = [];
  p.addIdentityCertificateListener((u) => ids.push(u));
  p.addCaCertificateListener((u) => cas.push(u));

  inner.emit(a);
  inner.emitCa(ca);
  inner.emit(null); // e.g. ENOENT/ESTALE mid-rotation, EMFILE
  inner.emitCa(null);
  inner.emitCa({ caCertificate: Buffer.from('-----BEGIN CERTIFICATE-----\ntrunc') });
  assert.deepEqual(ids, [a], 'identity: null never forwarded once a good pair was loaded');
  assert.deepEqual(cas, [ca], 'CA: null or garbage never forwarded once a good CA was loaded');
  assert.deepEqual(bad, ['identity:true', 'ca:true', 'ca:true']);
  inner.emit(b); // the files are back (rotated)
  assert.deepEqual(ids, [a, b]);
});

test('before anything good was loaded, a failed read is passed on as null (fail closed)', () => {
  const inner = new Driven();
  const p = new PairCheckingCertificateProvider(inner);
  const ids: Array<Update | null> = [];
  const cas: Array<CaUpdate | null> = [];
  p.addIdentityCertificateListener((u) => ids.push(u));
  p.addCaCertificateListener((u) => cas.push(u));
  inner.emit(null);
  inner.emit(null); // unchanged: once
  inner.emitCa({ caCertificate: Buffer.from('garbage') });
  assert.deepEqual(ids, [null]);
  assert.deepEqual(cas, [null]);
  inner.emit(a);
  inner.emitCa(ca);
  assert.deepEqual(ids, [null, a]);
  assert.deepEqual(cas, [null, ca]);
});

test('a listener added later gets the validated state (asynchronously), never the inner raw read', async () => {
  const inner = new Driven();
  const p = new PairCheckingCertificateProvider(inner);
  p.addIdentityCertificateListener(() => {});
  p.addCaCertificateListener(() => {});
  assert.equal(inner.identity.size, 1, 'one subscription to the inner provider');
  assert.equal(inner.ca.size, 1);
  inner.emit(a);
  inner.emitCa(ca);
  inner.emit(mixed); // the inner provider's last read is now a mismatched pair
  const ids: Array<Update | null> = [];
  const cas: Array<CaUpdate | null> = [];
  p.addIdentityCertificateListener((u) => ids.push(u));
  p.addCaCertificateListener((u) => cas.push(u));
  assert.deepEqual(ids, [], 'not synchronously: grpc-js subscribes before it registers its watcher');
  await tick();
  assert.deepEqual(ids, [a]);
  assert.deepEqual(cas, [ca]);
});

test('a state replaced before the delayed delivery is not delivered stale', async () => {
  const inner = new Driven();
  const p = new PairCheckingCertificateProvider(inner);
  p.addIdentityCertificateListener(() => {});
  inner.emit(a);
  const ids: Array<Update | null> = [];
  p.addIdentityCertificateListener((u) => ids.push(u));
  inner.emit(b); // arrives before the nextTick delivery of a
  await tick();
  assert.deepEqual(ids, [b]);
});

test('whenLoaded resolves once both a CA and an identity have been handed on', async () => {
  const inner = new Driven();
  const p = new PairCheckingCertificateProvider(inner);
  const ids: Array<Update | null> = [];
  p.addIdentityCertificateListener((u) => ids.push(u));
  let loaded = false;
  const done = p.whenLoaded().then(() => (loaded = true));
  inner.emit(mixed);
  inner.emitCa(ca);
  await tick();
  assert.equal(loaded, false, 'a mismatched pair is not a load');
  inner.emit(a);
  await done;
  assert.deepEqual(ids, [a], 'listeners had the identity before whenLoaded resolved');
  await p.whenLoaded(); // already loaded: resolves at once
});

test('isParseableCa', () => {
  assert.equal(isParseableCa(ca), true);
  assert.equal(isParseableCa({ caCertificate: Buffer.alloc(0) }), false);
});
