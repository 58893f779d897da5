// Signing keys of the policy service: asymmetric key pairs kept as JWK files (mode 0600) in one
// directory, a current key that signs and a previous key that still verifies after a rotation.
// File names are fixed (current.jwk.json, previous.jwk.json): a kid never names a file.
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK } from 'jose';
import { algOfJwk, DEFAULT_AUDIENCE, DEFAULT_ISSUER, type AllowedAlg } from './common.ts';

const CURRENT = 'current.jwk.json';
const PREVIOUS = 'previous.jwk.json';

interface LoadedKey {
  kid: string;
  alg: AllowedAlg;
  privateJwk: JWK;
  publicJwk: JWK;
  signingKey: CryptoKey;
}

export interface TokenClaims {
  tenant: string;
  roles?: string[];
}

export interface SignOptions {
  /** Lifetime in seconds; zero or negative gives a token that is already expired (for tests). */
  ttlSeconds: number;
  audience?: string;
  issuer?: string;
  subject?: string;
}

export interface SignedToken {
  token: string;
  /** `exp`, seconds since the epoch. */
  expiresAt: number;
  kid: string;
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'] as const;

function publicOf(jwk: JWK): JWK {
  const pub: JWK = { ...jwk };
  for (const m of PRIVATE_MEMBERS) delete (pub as Record<string, unknown>)[m];
  pub.use = 'sig';
  return pub;
}

async function load(file: string): Promise<LoadedKey | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  // Tighten a key file that was left readable by others.
  const st = await stat(file);
  if ((st.mode & 0o077) !== 0) await chmod(file, 0o600);
  let jwk: JWK;
  try {
    jwk = JSON.parse(text) as JWK;
  } catch {
    throw new Error(`key file ${file} is not valid JSON`);
  }
  const alg = algOfJwk(jwk);
  if (alg === undefined || typeof jwk.d !== 'string' || typeof jwk.kid !== 'string') {
    throw new Error(`key file ${file} is not a private ES256/EdDSA JWK with a kid`);
  }
  const signingKey = (await importJWK(jwk, alg)) as CryptoKey;
  return { kid: jwk.kid, alg, privateJwk: jwk, publicJwk: publicOf(jwk), signingKey };
}

async function generate(alg: AllowedAlg): Promise<LoadedKey> {
  const { privateKey } = await generateKeyPair(alg, alg === 'EdDSA' ? { crv: 'Ed25519', extractable: true } : { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(publicOf(jwk));
  const privateJwk: JWK = { ...jwk, kid, alg, use: 'sig' };
  const signingKey = (await importJWK(privateJwk, alg)) as CryptoKey;
  return { kid, alg, privateJwk, publicJwk: publicOf(privateJwk), signingKey };
}

/** Write a file atomically (temporary file, then rename) with mode 0600. */
async function writeSecret(file: string, content: string): Promise<void> {
  const tmp = `${file}.${randomUUID()}.tmp`;
  await writeFile(tmp, content, { mode: 0o600 });
  await rename(tmp, file);
}

export class KeyStore {
  readonly dir: string;
  readonly alg: AllowedAlg;
  #current: LoadedKey;
  #previous: LoadedKey | undefined;
  #now: () => number;

  private constructor(dir: string, alg: AllowedAlg, current: LoadedKey, previous: LoadedKey | undefined, now: () => number) {
    this.dir = dir;
    this.alg = alg;
    this.#current = current;
    this.#previous = previous;
    this.#now = now;
  }

  /** Open (or create, with a fresh key) the key directory. */
  static async open(dir: string, opts: { alg?: AllowedAlg; now?: () => number } = {}): Promise<KeyStore> {
    const alg = opts.alg ?? 'ES256';
    await mkdir(dir, { recursive: true, mode: 0o700 });
    let current = await load(path.join(dir, CURRENT));
    if (current === undefined) {
      current = await generate(alg);
      await writeSecret(path.join(dir, CURRENT), JSON.stringify(current.privateJwk));
    }
    const previous = await load(path.join(dir, PREVIOUS));
    return new KeyStore(dir, alg, current, previous, opts.now ?? Date.now);
  }

  /** The kid that signs new tokens. */
  get currentKid(): string {
    return this.#current.kid;
  }

  /** The public keys (current, then previous if any): what verifiers may trust. */
  jwks(): { keys: JWK[] } {
    const keys = [{ ...this.#current.publicJwk }];
    if (this.#previous) keys.push({ ...this.#previous.publicJwk });
    return { keys };
  }

  /** A new current key; the old current becomes previous and still verifies until retire(). */
  async rotate(): Promise<void> {
    const next = await generate(this.alg);
    await writeSecret(path.join(this.dir, PREVIOUS), JSON.stringify(this.#current.privateJwk));
    await writeSecret(path.join(this.dir, CURRENT), JSON.stringify(next.privateJwk));
    this.#previous = this.#current;
    this.#current = next;
  }

  /** Drop the previous key: tokens it signed stop verifying once verifiers refresh. */
  async retire(): Promise<void> {
    await rm(path.join(this.dir, PREVIOUS), { force: true });
    this.#previous = undefined;
  }

  async sign(claims: TokenClaims, opts: SignOptions): Promise<SignedToken> {
    if (!Number.isFinite(opts.ttlSeconds)) throw new RangeError('ttlSeconds must be a finite number');
    const key = this.#current;
    const iat = Math.floor(this.#now() / 1000);
    const exp = iat + Math.trunc(opts.ttlSeconds);
    const jwt = new SignJWT({ tenant: claims.tenant, roles: claims.roles ?? [] })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
      .setIssuer(opts.issuer ?? DEFAULT_ISSUER)
      .setAudience(opts.audience ?? DEFAULT_AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(randomUUID());
    if (opts.subject) jwt.setSubject(opts.subject);
    const token = await jwt.sign(key.signingKey);
    return { token, expiresAt: exp, kid: key.kid };
  }
}
