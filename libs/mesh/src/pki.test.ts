import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureDevPki, identityFromDir, makeForeignIdentity, renewIdentity } from './pki.ts';
import { WORKLOADS, spiffeIdOf, spiffeIdFromPeer, workloadOf } from './identity.ts';
import { AUTHZ, allowedCallers, isAllowed } from './authz-table.ts';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-pki-'));

test('dev PKI: every workload gets a SPIFFE X509-SVID leaf signed by the CA; idempotent', async () => {
  const dir = tmp();
  const ids = await ensureDevPki(dir);
  assert.deepEqual(Object.keys(ids).sort(), [...WORKLOADS].sort());
  const ca = new crypto.X509Certificate(fs.readFileSync(path.join(dir, 'ca.crt')));
  assert.equal(ca.ca, true);
  assert.equal(ca.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  const caYears = (Date.parse(ca.validTo) - Date.now()) / (365 * 86400_000);
  assert.ok(caYears > 9.9 && caYears < 10.1, `CA validity ${caYears} years`);
  for (const name of WORKLOADS) {
    const id = ids[name]!;
    assert.equal(id.spiffeId, spiffeIdOf(name));
    const leaf = new crypto.X509Certificate(fs.readFileSync(id.certFile));
    assert.equal(leaf.ca, false, 'leaf must be cA=false');
    assert.ok(leaf.checkIssued(ca) && leaf.verify(ca.publicKey), 'leaf signed by the CA');
    const uris = (leaf.subjectAltName ?? '').split(', ').filter((s) => s.startsWith('URI:'));
    assert.deepEqual(uris, [`URI:${spiffeIdOf(name)}`], 'exactly one URI SAN');
    assert.match(leaf.subjectAltName ?? '', /DNS:localhost/);
    assert.match(leaf.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
    assert.match(leaf.subjectAltName ?? '', /IP Address:0:0:0:0:0:0:0:1/);
    assert.deepEqual(leaf.keyUsage?.sort(), ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']); // EKU serverAuth, clientAuth
    assert.equal(spiffeIdFromPeer({ subjectaltname: leaf.subjectAltName }), spiffeIdOf(name));
    assert.equal(fs.statSync(id.keyFile).mode & 0o777, 0o600, 'key is 0600');
    assert.ok(crypto.createPrivateKey(fs.readFileSync(id.keyFile)).asymmetricKeyDetails?.namedCurve === 'prime256v1');
  }
  const before = fs.readFileSync(ids.gateway!.certFile, 'utf8');
  const caBefore = fs.readFileSync(path.join(dir, 'ca.crt'), 'utf8');
  await ensureDevPki(dir);
  assert.equal(fs.readFileSync(ids.gateway!.certFile, 'utf8'), before, 'existing leaf kept');
  assert.equal(fs.readFileSync(path.join(dir, 'ca.crt'), 'utf8'), caBefore, 'existing CA kept');
  assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp') || f.endsWith('.lock')), []);
  assert.deepEqual(identityFromDir(dir, 'gateway'), ids.gateway);
  assert.throws(() => identityFromDir(dir, 'nope'), /missing/);
});

test('concurrent ensureDevPki calls agree on one CA', async () => {
  const dir = tmp();
  await Promise.all([ensureDevPki(dir, ['gateway']), ensureDevPki(dir, ['policy']), ensureDevPki(dir, ['gateway', 'policy'])]);
  const ca = new crypto.X509Certificate(fs.readFileSync(path.join(dir, 'ca.crt')));
  for (const n of ['gateway', 'policy']) {
    assert.ok(new crypto.X509Certificate(fs.readFileSync(path.join(dir, `${n}.crt`))).verify(ca.publicKey));
  }
});

test('renewIdentity issues a new leaf from the same CA; foreign identity has an unrelated CA', async () => {
  const dir = tmp();
  const ids = await ensureDevPki(dir, ['gateway']);
  const ca = new crypto.X509Certificate(fs.readFileSync(ids.gateway!.caFile));
  const old = new crypto.X509Certificate(fs.readFileSync(ids.gateway!.certFile));
  await renewIdentity(dir, 'gateway');
  const renewed = new crypto.X509Certificate(fs.readFileSync(ids.gateway!.certFile));
  assert.notEqual(renewed.serialNumber, old.serialNumber);
  assert.ok(renewed.verify(ca.publicKey));
  const key = crypto.createPrivateKey(fs.readFileSync(ids.gateway!.keyFile));
  assert.ok(renewed.checkPrivateKey(key), 'new key matches new cert');

  const foreign = await makeForeignIdentity(dir, 'client');
  const fleaf = new crypto.X509Certificate(fs.readFileSync(foreign.certFile));
  assert.equal(foreign.spiffeId, spiffeIdOf('client'));
  assert.notEqual(foreign.caFile, ids.gateway!.caFile);
  assert.equal(fleaf.verify(ca.publicKey), false, 'foreign leaf not signed by our CA');
  assert.ok(fleaf.verify(new crypto.X509Certificate(fs.readFileSync(foreign.caFile)).publicKey));
});

test('spiffeIdFromPeer: exactly one URI SAN in our trust domain', () => {
  assert.equal(spiffeIdFromPeer({ subjectaltname: 'URI:spiffe://switchyard.local/gateway, DNS:localhost' }), 'spiffe://switchyard.local/gateway');
  assert.equal(spiffeIdFromPeer({ subjectaltname: 'DNS:localhost' }), undefined);
  assert.equal(spiffeIdFromPeer({ subjectaltname: 'URI:spiffe://switchyard.local/a, URI:spiffe://switchyard.local/b' }), undefined);
  assert.equal(spiffeIdFromPeer({ subjectaltname: 'URI:spiffe://evil.example/gateway' }), undefined);
  assert.equal(spiffeIdFromPeer({ subjectaltname: 'URI:spiffe://switchyard.local/../x' }), undefined);
  assert.equal(spiffeIdFromPeer({ subjectaltname: 'URI:spiffe://switchyard.local/' }), undefined);
  assert.equal(spiffeIdFromPeer({ subjectaltname: 'URI:"spiffe://switchyard.local/a, URI:spiffe://switchyard.local/b"' }), undefined);
  assert.equal(spiffeIdFromPeer({}), undefined);
  assert.equal(spiffeIdFromPeer(undefined), undefined);
  assert.equal(workloadOf('spiffe://switchyard.local/gpu-executor'), 'gpu-executor');
});

test('AUTHZ: exact entries, service wildcards, default deny', () => {
  assert.ok(isAllowed(AUTHZ, '/switchyard.executor.v1.Executor/Infer', 'gateway'));
  assert.ok(!isAllowed(AUTHZ, '/switchyard.executor.v1.Executor/LoadModel', 'gateway'));
  assert.ok(isAllowed(AUTHZ, '/switchyard.executor.v1.Executor/LoadModel', 'placement-scheduler'));
  assert.ok(isAllowed(AUTHZ, '/inference.GRPCInferenceService/ModelInfer', 'client'));
  assert.ok(!isAllowed(AUTHZ, '/inference.GRPCInferenceService/ModelInfer', 'gateway'));
  assert.ok(isAllowed(AUTHZ, '/grpc.health.v1.Health/Check', 'cpu-executor'));
  assert.ok(!isAllowed(AUTHZ, '/switchyard.policy.v1.Policy/IssueToken', 'gateway'));
  assert.deepEqual(allowedCallers(AUTHZ, '/switchyard.executor.v1.Executor/Unknown'), []);
  assert.deepEqual(allowedCallers(AUTHZ, '/unknown.Service/Method'), []);
  for (const callers of Object.values(AUTHZ)) for (const c of callers) assert.ok((WORKLOADS as readonly string[]).includes(c), c);
});
