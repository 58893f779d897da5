// Development PKI: one ECDSA P-256 CA and one leaf per workload, each leaf a SPIFFE X509-SVID
// (cA=false, exactly one URI SAN). Files are written atomically (temp file, rename), keys 0600, and
// concurrent callers (several services starting at once) are serialized by a lock file so they
// never mint two different CAs.
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { WORKLOADS, spiffeIdOf } from './identity.ts';
import {
  bitString,
  bool,
  children,
  explicit,
  implicit,
  octets,
  oid,
  readElement,
  seq,
  set,
  time,
  uint,
  utf8,
} from './der.ts';

export interface MeshIdentity {
  name: string;
  spiffeId: string;
  caFile: string;
  certFile: string;
  keyFile: string;
}

const DAY_MS = 24 * 3600 * 1000;
const CA_VALIDITY_MS = 3650 * DAY_MS;
const LEAF_VALIDITY_MS = 365 * DAY_MS;
const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

// ---- certificate building ----

function name(cn: string): Buffer {
  return seq(set(seq(oid('2.5.4.10'), utf8('Switchyard'))), set(seq(oid('2.5.4.3'), utf8(cn))));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

function keyId(publicKey: crypto.KeyObject): Buffer {
  return crypto.createHash('sha1').update(publicKey.export({ type: 'spki', format: 'der' })).digest();
}

function ipBytes(ip: string): Buffer {
  if (ip === '::1') return Buffer.concat([Buffer.alloc(15), Buffer.from([1])]);
  return Buffer.from(ip.split('.').map(Number));
}

interface CertSpec {
  subject: Buffer;
  issuer: Buffer;
  publicKey: crypto.KeyObject;
  signingKey: crypto.KeyObject;
  issuerKeyId: Buffer;
  validityMs: number;
  extensions: Buffer[];
}

function buildCert(spec: CertSpec): string {
  const serial = crypto.randomBytes(16);
  serial[0] = serial[0]! & 0x7f; // positive
  if (serial[0] === 0) serial[0] = 1;
  const now = Date.now();
  const tbs = seq(
    explicit(0, uint(Buffer.from([2]))), // v3
    uint(serial),
    ECDSA_SHA256,
    spec.issuer,
    seq(time(new Date(now - 5 * 60_000)), time(new Date(now + spec.validityMs))),
    spec.subject,
    spec.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(
      3,
      seq(
        ...spec.extensions,
        extension('2.5.29.14', false, octets(keyId(spec.publicKey))), // subjectKeyIdentifier
        extension('2.5.29.35', false, seq(implicit(0, spec.issuerKeyId))), // authorityKeyIdentifier
      ),
    ),
  );
  const signature = crypto.sign('sha256', tbs, { key: spec.signingKey, dsaEncoding: 'der' });
  const der = seq(tbs, ECDSA_SHA256, bitString(signature));
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').trimEnd();
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

/** The raw DER subject Name of a certificate (so a leaf's issuer matches its CA byte for byte). */
function subjectDer(certPem: string): Buffer {
  const der = new crypto.X509Certificate(certPem).raw;
  const tbs = children(readElement(der))[0];
  if (!tbs) throw new Error('malformed certificate');
  const fields = children(tbs);
  // [0] version, serial, signature, issuer, validity, subject
  const subject = fields[fields[0]?.tag === 0xa0 ? 5 : 4];
  if (!subject) throw new Error('malformed certificate');
  return Buffer.from(subject.raw);
}

function newKey(): crypto.KeyPairKeyObjectResult {
  return crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

function makeCa(cn: string): { certPem: string; keyPem: string } {
  const { publicKey, privateKey } = newKey();
  const subject = name(cn);
  const certPem = buildCert({
    subject,
    issuer: subject,
    publicKey,
    signingKey: privateKey,
    issuerKeyId: keyId(publicKey),
    validityMs: CA_VALIDITY_MS,
    extensions: [
      extension('2.5.29.19', true, seq(bool(true), uint(Buffer.from([0])))), // basicConstraints cA, pathLen 0
      extension('2.5.29.15', true, bitString(Buffer.from([0x86]), 1)), // keyUsage digitalSignature, keyCertSign, cRLSign
    ],
  });
  return { certPem, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}

function makeLeaf(workload: string, caCertPem: string, caKeyPem: string): { certPem: string; keyPem: string } {
  const { publicKey, privateKey } = newKey();
  const caCert = new crypto.X509Certificate(caCertPem);
  const certPem = buildCert({
    subject: name(workload),
    issuer: subjectDer(caCertPem),
    publicKey,
    signingKey: crypto.createPrivateKey(caKeyPem),
    issuerKeyId: keyId(caCert.publicKey),
    validityMs: LEAF_VALIDITY_MS,
    extensions: [
      extension('2.5.29.19', true, seq()), // basicConstraints: cA=false (DER default omitted)
      extension('2.5.29.15', true, bitString(Buffer.from([0x80]), 7)), // keyUsage digitalSignature
      extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'), oid('1.3.6.1.5.5.7.3.2'))), // serverAuth, clientAuth
      extension(
        '2.5.29.17', // subjectAltName: exactly one URI (the SPIFFE ID), plus localhost for dialing
        false,
        seq(
          implicit(6, Buffer.from(spiffeIdOf(workload), 'ascii')),
          implicit(2, Buffer.from('localhost', 'ascii')),
          implicit(7, ipBytes('127.0.0.1')),
          implicit(7, ipBytes('::1')),
        ),
      ),
    ],
  });
  return { certPem, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}

// ---- files ----

async function writeAtomic(file: string, data: string, mode: number): Promise<void> {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  await fsp.writeFile(tmp, data, { mode });
  await fsp.chmod(tmp, mode); // umask may have narrowed or widened nothing; be explicit
  await fsp.rename(tmp, file);
}

/** Writes a key and certificate pair: key first, then certificate, each by rename. */
async function writePair(certFile: string, keyFile: string, pair: { certPem: string; keyPem: string }): Promise<void> {
  await writeAtomic(keyFile, pair.keyPem, 0o600);
  await writeAtomic(certFile, pair.certPem, 0o644);
}

const exists = (f: string): boolean => fs.existsSync(f);

async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const lock = path.join(dir, '.pki.lock');
  const started = Date.now();
  for (;;) {
    try {
      const fh = await fsp.open(lock, 'wx');
      await fh.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = await fsp.stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > 15_000) await fsp.rm(lock, { force: true }); // stale: its owner died
      if (Date.now() - started > 30_000) throw new Error(`timed out waiting for PKI lock ${lock}`, { cause: err });
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  try {
    return await fn();
  } finally {
    await fsp.rm(lock, { force: true });
  }
}

function paths(dir: string, workload: string, caBase = 'ca'): MeshIdentity {
  return {
    name: workload,
    spiffeId: spiffeIdOf(workload),
    caFile: path.join(dir, `${caBase}.crt`),
    certFile: path.join(dir, `${workload}.crt`),
    keyFile: path.join(dir, `${workload}.key`),
  };
}

function checkName(workload: string): void {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(workload) || workload === 'ca') {
    throw new Error(`invalid workload name ${JSON.stringify(workload)}`);
  }
}

async function ensureCa(dir: string, cn: string): Promise<{ caCrt: string; caKey: string }> {
  const caCrt = path.join(dir, 'ca.crt');
  const caKey = path.join(dir, 'ca.key');
  if (!exists(caCrt) || !exists(caKey)) await writePair(caCrt, caKey, makeCa(cn));
  return { caCrt, caKey };
}

/** Idempotent: makes <dir>/ca.crt + ca.key (ECDSA P-256, 10 years) if missing, and for each name
 *  missing <dir>/<name>.crt + <name>.key: leaf cA=false, exactly one URI SAN = spiffeIdOf(name),
 *  plus DNS SAN localhost and IP SAN 127.0.0.1 and ::1, serverAuth+clientAuth EKU, 1 year.
 *  Files written atomically (write temp, rename), keys 0600. Returns identities by name. */
export async function ensureDevPki(
  dir: string,
  names: readonly string[] = WORKLOADS,
): Promise<Record<string, MeshIdentity>> {
  names.forEach(checkName);
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  return withLock(dir, async () => {
    const { caCrt, caKey } = await ensureCa(dir, 'Switchyard Dev CA');
    let caCertPem: string | undefined;
    let caKeyPem: string | undefined;
    const out: Record<string, MeshIdentity> = {};
    for (const n of names) {
      const id = paths(dir, n);
      if (!exists(id.certFile) || !exists(id.keyFile)) {
        caCertPem ??= await fsp.readFile(caCrt, 'utf8');
        caKeyPem ??= await fsp.readFile(caKey, 'utf8');
        await writePair(id.certFile, id.keyFile, makeLeaf(n, caCertPem, caKeyPem));
      }
      out[n] = id;
    }
    return out;
  });
}

/** Re-issues <dir>/<name>.crt + .key from the existing CA (rotation), replacing the files atomically. */
export async function renewIdentity(dir: string, workload: string): Promise<MeshIdentity> {
  checkName(workload);
  return withLock(dir, async () => {
    const id = paths(dir, workload);
    const caCertPem = await fsp.readFile(id.caFile, 'utf8');
    const caKeyPem = await fsp.readFile(path.join(dir, 'ca.key'), 'utf8');
    await writePair(id.certFile, id.keyFile, makeLeaf(workload, caCertPem, caKeyPem));
    return id;
  });
}

export function identityFromDir(dir: string, workload: string): MeshIdentity {
  const id = paths(dir, workload);
  for (const f of [id.caFile, id.certFile, id.keyFile]) {
    if (!exists(f)) throw new Error(`mesh identity ${workload}: missing ${f} (run ensureDevPki first)`);
  }
  return id;
}

/** Makes a separate, unrelated CA + a leaf for tests of 'wrong CA is refused'. The foreign PKI
 *  lives in <dir>/foreign/; its leaf carries the same SPIFFE ID a genuine one would. */
export async function makeForeignIdentity(dir: string, workload: string): Promise<MeshIdentity> {
  checkName(workload);
  const fdir = path.join(dir, 'foreign');
  await fsp.mkdir(fdir, { recursive: true, mode: 0o700 });
  return withLock(fdir, async () => {
    const { caCrt, caKey } = await ensureCa(fdir, 'Foreign Test CA');
    const id = paths(fdir, workload);
    if (!exists(id.certFile) || !exists(id.keyFile)) {
      const caCertPem = await fsp.readFile(caCrt, 'utf8');
      const caKeyPem = await fsp.readFile(caKey, 'utf8');
      await writePair(id.certFile, id.keyFile, makeLeaf(workload, caCertPem, caKeyPem));
    }
    return id;
  });
}
