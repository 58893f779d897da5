import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type * as grpc from '@grpc/grpc-js';
import { PairCheckingCertificateProvider, isMatchingPair } from './cert-provider.ts';
import { ensureDevPki } from './pki.ts';

type Update = grpc.experimental.IdentityCertificateUpdate;
type Listener = grpc.experimental.IdentityCertificateUpdateListener;

/** An inner provider the test drives by hand. */
class Driven implements grpc.experimental.CertificateProvider {
  identity = new Set<Listener>();
  addCaCertificateListener(): void {}
  removeCaCertificateListener(): void {}
  addIdentityCertificateListener(l: Listener): void {
    this.identity.add(l);
  }
  removeIdentityCertificateListener(l: Listener): void {
    this.identity.delete(l);
  }
  emit(u: Update | null): void {
    for (const l of this.identity) l(u);
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-certprov-'));
const ids = await ensureDevPki(dir, ['gateway', 'policy']);
const pair = (name: 'gateway' | 'policy'): Update => ({
  certificate: fs.readFileSync(ids[name]!.certFile),
  privateKey: fs.readFileSync(ids[name]!.keyFile),
});
const a = pair('gateway');
const b = pair('policy');
const mixed: Update = { certificate: a.certificate, privateKey: b.privateKey };

test('isMatchingPair: a certificate with its own key matches; with another key, or garbage, it does not', () => {
  assert.equal(isMatchingPair(a), true);
  assert.equal(isMatchingPair(b), true);
  assert.equal(isMatchingPair(mixed), false);
  assert.equal(isMatchingPair({ certificate: Buffer.from('nope'), privateKey: a.privateKey }), false);
});

test('a mismatched pair read mid-rotation is never forwarded; the last good pair is kept', () => {
  const inner = new Driven();
  let mismatches = 0;
  const p = new PairCheckingCertificateProvider(inner, () => mismatches++);
  const seen: Array<Update | null> = [];
  const l: Listener = (u) => seen.push(u);
  p.addIdentityCertificateListener(l);

  inner.emit(mixed); // nothing good yet: nothing forwarded
  assert.deepEqual(seen, []);
  inner.emit(a);
  inner.emit(mixed); // rotation half-written: keep a
  inner.emit(b); // rotation complete
  assert.equal(mismatches, 2);
  assert.deepEqual(seen, [a, a, b]);
  for (const u of seen) assert.ok(u && isMatchingPair(u));

  inner.emit(null); // unreadable files are reported as such
  assert.equal(seen.at(-1), null);

  p.removeIdentityCertificateListener(l);
  assert.equal(inner.identity.size, 0, 'removing the listener unsubscribes from the inner provider');
});
