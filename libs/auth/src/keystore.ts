// Signing keys of the policy service: asymmetric key pairs kept as JWK files (mode 0600) in one
// directory, a current key that signs and a previous key that still verifies after a rotation.
// File names are fixed (current.jwk.json, previous.jwk.json, next.jwk.json): a kid never names a
// file.
//
// A rotation has overlap on both sides (beginRotation, then tick):
// - the next key is published in the JWKS first and signs only from `publishDelayMs` later, so
//   every verifier has had the chance to fetch it before it sees a token signed with it;
// - the key it replaces stays in the JWKS as the previous key for `overlapMs` after it stopped
//   signing (the longest lifetime of a token it signed), then is retired.
// The times are kept in rotation.json, so a restart in the middle of a rotation continues it.
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK } from 'jose';
import { algOfJwk, DEFAULT_AUDIENCE, DEFAULT_ISSUER, type AllowedAlg } from './common.ts';

const CURRENT = 'current.jwk.json';
const PREVIOUS = 'previous.jwk.json';
const NEXT = 'next.jwk.json';
const STATE = 'rotation.json';

interface RotationState {
  /** When the current key started signing. */
  currentSinceMs?: number;
  /** When the next key starts signing. */
  nextSignsFromMs?: number;
  /** Until when the previous key verifies (for the next key's rotation: the current key's). */
  previousUntilMs?: number;
}

/** A rotation that cannot start now (one is under way, or the previous key is still needed). */
export class KeyRotationError extends Error {
  override name = 'KeyRotationError';
}

export interface RotationPlan {
  /** The new key: in the JWKS now, signing from signsFromMs. */
  nextKid: string;
  signsFromMs: number;
  /** The key signing until then, verifying until previousUntilMs. */
  currentKid: string;
  previousUntilMs: number;
  /** The previous key a forced rotation drops when the next key starts signing. */
  droppedKid?: string;
}

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

async function loadState(file: string): Promise<RotationState> {
  try {
    const v = JSON.parse(await readFile(file, 'utf8')) as RotationState;
    const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);
    const out: RotationState = {};
    for (const k of ['currentSinceMs', 'nextSignsFromMs', 'previousUntilMs'] as const) { const n = num(v?.[k]); if (n !== undefined) out[k] = n; }
    return out;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || e instanceof SyntaxError) return {};
    throw e;
  }
}

const iso = (ms: number | undefined): string => (ms === undefined ? '(unknown)' : new Date(ms).toISOString());

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
  #next: LoadedKey | undefined;
  #state: RotationState;
  #now: () => number;
  #ticking: Promise<void> | undefined;

  private constructor(dir: string, alg: AllowedAlg, keys: { current: LoadedKey; previous: LoadedKey | undefined; next: LoadedKey | undefined }, state: RotationState, now: () => number) {
    this.dir = dir;
    this.alg = alg;
    this.#current = keys.current;
    this.#previous = keys.previous;
    this.#next = keys.next;
    this.#state = state;
    this.#now = now;
  }

  /** Open (or create, with a fresh key) the key directory. */
  static async open(dir: string, opts: { alg?: AllowedAlg; now?: () => number } = {}): Promise<KeyStore> {
    const alg = opts.alg ?? 'ES256';
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const now = opts.now ?? Date.now;
    let current = await load(path.join(dir, CURRENT));
    let state = await loadState(path.join(dir, STATE));
    if (current === undefined) {
      current = await generate(alg);
      await writeSecret(path.join(dir, CURRENT), JSON.stringify(current.privateJwk));
      state = { currentSinceMs: now() };
    }
    let previous = await load(path.join(dir, PREVIOUS));
    let next = await load(path.join(dir, NEXT));
    // A promotion interrupted by a restart: finish it.
    if (previous?.kid === current.kid) { await rm(path.join(dir, PREVIOUS), { force: true }); previous = undefined; }
    if (next?.kid === current.kid) { await rm(path.join(dir, NEXT), { force: true }); next = undefined; }
    if (next && state.nextSignsFromMs === undefined) state.nextSignsFromMs = now();
    state.currentSinceMs ??= now();
    const store = new KeyStore(dir, alg, { current, previous, next }, state, now);
    await store.#saveState();
    return store;
  }

  async #saveState(): Promise<void> {
    await writeSecret(path.join(this.dir, STATE), JSON.stringify(this.#state));
  }

  /** The kid published ahead of signing, while a rotation is under way. */
  get nextKid(): string | undefined {
    return this.#next?.kid;
  }

  /** The rotation's times (for status and tests). */
  get rotation(): Readonly<RotationState> & { previousKid?: string } {
    return { ...this.#state, ...(this.#previous ? { previousKid: this.#previous.kid } : {}) };
  }

  /**
   * Starts a rotation: a new key goes into the JWKS now and signs from `publishDelayMs` on; the
   * current key then verifies only, for `overlapMs`. Throws KeyRotationError while a rotation is
   * under way, or while the previous key still verifies tokens (unless `force`: it is dropped when
   * the new key starts signing).
   */
  async beginRotation(opts: { publishDelayMs: number; overlapMs: number; force?: boolean }): Promise<RotationPlan> {
    await this.tick();
    const now = this.#now();
    if (this.#next) throw new KeyRotationError(`a rotation is under way: key '${this.#next.kid}' signs from ${iso(this.#state.nextSignsFromMs)}`);
    let droppedKid: string | undefined;
    if (this.#previous) {
      const until = this.#state.previousUntilMs;
      if (!opts.force) throw new KeyRotationError(`the previous key '${this.#previous.kid}' still verifies tokens ${until === undefined ? 'until it is retired' : `until ${iso(until)}`}; a rotation now would drop it (force it for a compromised key)`);
      droppedKid = this.#previous.kid;
    }
    const next = await generate(this.alg);
    await writeSecret(path.join(this.dir, NEXT), JSON.stringify(next.privateJwk));
    const signsFromMs = now + Math.max(0, opts.publishDelayMs);
    this.#next = next;
    this.#state = { ...this.#state, nextSignsFromMs: signsFromMs, previousUntilMs: signsFromMs + Math.max(0, opts.overlapMs) };
    await this.#saveState();
    return { nextKid: next.kid, signsFromMs, currentKid: this.#current.kid, previousUntilMs: this.#state.previousUntilMs!, ...(droppedKid ? { droppedKid } : {}) };
  }

  /**
   * Moves a rotation on by the clock: the next key starts signing once its time has come (the
   * current key becomes the previous one), and the previous key is retired once its overlap has
   * passed. Returns what changed. sign() calls it; a service also calls it on a timer.
   */
  async tick(): Promise<{ promoted?: string; retired?: string }> {
    while (this.#ticking) await this.#ticking;
    const out: { promoted?: string; retired?: string } = {};
    const run = (async () => {
      const now = this.#now();
      if (this.#next && now >= (this.#state.nextSignsFromMs ?? 0)) {
        const next = this.#next;
        await writeSecret(path.join(this.dir, PREVIOUS), JSON.stringify(this.#current.privateJwk));
        await writeSecret(path.join(this.dir, CURRENT), JSON.stringify(next.privateJwk));
        await rm(path.join(this.dir, NEXT), { force: true });
        this.#previous = this.#current;
        this.#current = next;
        this.#next = undefined;
        const { nextSignsFromMs: _n, ...rest } = this.#state;
        this.#state = { ...rest, currentSinceMs: now };
        await this.#saveState();
        out.promoted = next.kid;
      }
      const until = this.#state.previousUntilMs;
      if (this.#previous && !this.#next && until !== undefined && now >= until) {
        out.retired = this.#previous.kid;
        await this.retire();
      }
    })();
    this.#ticking = run;
    try {
      await run;
    } finally {
      this.#ticking = undefined;
    }
    return out;
  }

  /** The kid that signs new tokens. */
  get currentKid(): string {
    return this.#current.kid;
  }

  /** The public keys (current, then the next one published ahead, then previous): what verifiers may trust. */
  jwks(): { keys: JWK[] } {
    const keys = [{ ...this.#current.publicJwk }];
    if (this.#next) keys.push({ ...this.#next.publicJwk });
    if (this.#previous) keys.push({ ...this.#previous.publicJwk });
    return { keys };
  }

  /** Drop the previous key: tokens it signed stop verifying once verifiers refresh. */
  async retire(): Promise<void> {
    await rm(path.join(this.dir, PREVIOUS), { force: true });
    this.#previous = undefined;
    // While a next key waits, previousUntilMs is already the current key's future overlap: keep it.
    const { previousUntilMs: _p, ...rest } = this.#state;
    this.#state = this.#next ? this.#state : rest;
    await this.#saveState();
  }

  async sign(claims: TokenClaims, opts: SignOptions): Promise<SignedToken> {
    if (!Number.isFinite(opts.ttlSeconds)) throw new RangeError('ttlSeconds must be a finite number');
    if (this.#next || this.#previous) await this.tick();
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
