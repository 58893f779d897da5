// JWT verification for the gateway: keys from a JWKS (the policy service's, or an external OIDC
// issuer's through oidc.ts), cached in memory;
// an unknown kid triggers a refetch (at most once per cooldown); the set is refreshed in the
// background when it is older than the refresh interval. The protected header's alg is checked
// against the allow-list before anything else, and a kid only ever selects among cached keys.
import { decodeProtectedHeader, errors, importJWK, jwtVerify, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { ALLOWED_ALGS, algsOfJwk, AuthError, claimValue, DEFAULT_AUDIENCE, DEFAULT_ISSUER, isAsymmetricAlg, quote, type AsymmetricAlg, type Principal } from './common.ts';

export interface VerifierOptions {
  fetchJwks: () => Promise<{ keys: JWK[] }>;
  issuer?: string;
  audience?: string;
  /** Algorithms accepted (default EdDSA and ES256, the policy service's); each must be asymmetric
   *  (ASYMMETRIC_ALGS), anything else throws here. */
  algorithms?: readonly string[];
  /** The claim naming the tenant (default `tenant`; an exact name, else a dotted path). */
  tenantClaim?: string;
  /** The claim listing the roles (default `roles`; a string array, or one space-separated string). */
  rolesClaim?: string;
  clockToleranceSec?: number;
  /** Minimum time between two fetches caused by unknown kids (default 30 s). */
  refetchCooldownMs?: number;
  /** Age after which the key set is refreshed in the background (default 10 min). */
  refreshIntervalMs?: number;
  /** Clock in ms since the epoch (default Date.now); also the verification time. */
  now?: () => number;
  /** Told about background refresh failures (the old keys stay in use). */
  onRefreshError?: (err: unknown) => void;
  /**
   * How long a verified token is remembered (default 30 s; 0 turns the cache off). A cached
   * token is still refused after its expiry, and once its signing key leaves the key set.
   */
  cacheTtlMs?: number;
  /** How many verified tokens are remembered at most (default 10,000; oldest dropped first). */
  cacheSize?: number;
}

export interface Verifier {
  /** Verify an `authorization` header value ("Bearer <jwt>"); rejects with AuthError. */
  verify(authorizationHeader: string | undefined): Promise<Principal>;
  /** Fetch the key set now (seed the cache at start); rejects if the fetch fails. */
  prime(): Promise<void>;
  /** How many keys are cached (for health and tests). */
  readonly keyCount: number;
}

/** A public key of the set, imported once for each accepted algorithm it can verify. */
type CachedKey = Map<AsymmetricAlg, CryptoKey>;

const unauth = (msg: string) => new AuthError('UNAUTHENTICATED', msg);

async function importSet(set: { keys: JWK[] }, allowed: readonly AsymmetricAlg[]): Promise<Map<string, CachedKey>> {
  const out = new Map<string, CachedKey>();
  if (!set || !Array.isArray(set.keys)) throw new Error('JWKS has no keys array');
  for (const jwk of set.keys) {
    // Only public asymmetric keys of an allowed algorithm, with a kid, are usable.
    if (typeof jwk.kid !== 'string' || jwk.kid === '' || 'd' in jwk) continue;
    if (jwk.use !== undefined && jwk.use !== '' && jwk.use !== 'sig') continue;
    const { d: _d, ...pub } = jwk;
    const byAlg: CachedKey = new Map();
    for (const alg of algsOfJwk(jwk, allowed)) {
      try {
        byAlg.set(alg, (await importJWK(pub, alg)) as CryptoKey);
      } catch {
        // a malformed key is skipped; the others still serve
      }
    }
    if (byAlg.size > 0) out.set(jwk.kid, byAlg);
  }
  return out;
}

export function createVerifier(opts: VerifierOptions): Verifier {
  const issuer = opts.issuer ?? DEFAULT_ISSUER;
  const audience = opts.audience ?? DEFAULT_AUDIENCE;
  const clockTolerance = opts.clockToleranceSec ?? 5;
  const cooldownMs = opts.refetchCooldownMs ?? 30_000;
  const refreshMs = opts.refreshIntervalMs ?? 600_000;
  const now = opts.now ?? Date.now;
  const algorithms: AsymmetricAlg[] = [];
  for (const a of opts.algorithms ?? ALLOWED_ALGS) {
    if (!isAsymmetricAlg(a)) throw new Error(`JWT algorithm '${quote(String(a))}' cannot be accepted: only asymmetric algorithms (EdDSA, ES*, RS*, PS*)`);
    algorithms.push(a);
  }
  if (algorithms.length === 0) throw new Error('no JWT algorithm accepted');
  const tenantClaim = opts.tenantClaim ?? 'tenant';
  const rolesClaim = opts.rolesClaim ?? 'roles';

  let keys = new Map<string, CachedKey>();
  let fetchedAt: number | undefined; // last successful fetch
  let attemptedAt: number | undefined; // last fetch attempt of any kind
  let lastError: Error | undefined; // of the last fetch, while it failed
  let inflight: Promise<void> | undefined;
  const cacheTtlMs = opts.cacheTtlMs ?? 30_000;
  const cacheSize = opts.cacheSize ?? 10_000;
  /** Verified tokens: signature checks are the most expensive thing on the request path. */
  const verified = new Map<string, { principal: Principal; kid: string; untilMs: number }>();

  function refresh(): Promise<void> {
    if (inflight) return inflight;
    attemptedAt = now();
    inflight = (async () => {
      try {
        const set = await opts.fetchJwks();
        keys = await importSet(set, algorithms);
        fetchedAt = now();
        lastError = undefined;
      } catch (e) {
        lastError = e as Error;
        throw e;
      } finally {
        inflight = undefined;
      }
    })();
    return inflight;
  }

  async function keyFor(kid: string): Promise<CachedKey | undefined> {
    const hit = keys.get(kid);
    if (hit) {
      if (fetchedAt !== undefined && now() - fetchedAt >= refreshMs && !inflight) {
        refresh().catch((e) => opts.onRefreshError?.(e));
      }
      return hit;
    }
    if (inflight) {
      await inflight.catch(() => {});
    } else if (attemptedAt === undefined || now() - attemptedAt >= (fetchedAt === undefined ? Math.min(cooldownMs, 1000) : cooldownMs)) {
      // (No key set yet: the issuer was unreachable so far; ask again after a second.)
      await refresh().catch((e) => opts.onRefreshError?.(e));
    }
    return keys.get(kid);
  }

  async function verify(header: string | undefined): Promise<Principal> {
    if (header === undefined || header.trim() === '') throw unauth('missing authorization metadata');
    const m = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/i.exec(header.trim());
    if (!m) throw unauth("authorization must be 'Bearer <token>'");
    const token = m[1]!;
    const hit = verified.get(token);
    if (hit) {
      if (hit.untilMs > now() && keys.has(hit.kid)) return hit.principal;
      verified.delete(token);
    }
    let hdr: ReturnType<typeof decodeProtectedHeader>;
    try {
      hdr = decodeProtectedHeader(token);
    } catch {
      throw unauth('malformed token header');
    }
    if (typeof hdr.alg !== 'string' || hdr.alg === '') throw unauth('token has no algorithm');
    const alg = hdr.alg as AsymmetricAlg;
    if (!algorithms.includes(alg)) throw unauth(`token algorithm '${quote(hdr.alg)}' is not allowed`);
    if (typeof hdr.kid !== 'string' || hdr.kid === '') throw unauth('token has no key id (kid)');
    const cached = await keyFor(hdr.kid);
    if (!cached) {
      if (fetchedAt === undefined && lastError) throw new AuthError('UNAVAILABLE', `token signing keys unavailable: ${lastError.message}`);
      throw unauth(`unknown signing key id '${quote(hdr.kid)}'`);
    }
    const key = cached.get(alg);
    if (!key) throw unauth(`token algorithm '${alg}' does not match its signing key`);

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: [alg],
        issuer,
        audience,
        clockTolerance,
        requiredClaims: ['exp'],
        currentDate: new Date(now()),
      }));
    } catch (e) {
      throw mapJoseError(e);
    }
    const tenant = claimValue(payload, tenantClaim);
    if (typeof tenant !== 'string' || tenant === '') throw unauth(tenantClaim === 'tenant' ? 'token has no tenant claim' : `token has no tenant claim ('${quote(tenantClaim)}')`);
    const rawRoles = claimValue(payload, rolesClaim);
    const roles = Array.isArray(rawRoles) ? rawRoles.filter((r): r is string => typeof r === 'string')
      : typeof rawRoles === 'string' ? rawRoles.split(' ').filter((r) => r !== '') : [];
    const principal: Principal = {
      tenant,
      subject: typeof payload.sub === 'string' ? payload.sub : '',
      roles,
      expiresAt: payload.exp!,
    };
    if (typeof payload.jti === 'string') principal.tokenId = payload.jti;
    if (cacheTtlMs > 0) {
      if (verified.size >= cacheSize) verified.delete(verified.keys().next().value!);
      verified.set(token, { principal, kid: hdr.kid, untilMs: Math.min(now() + cacheTtlMs, principal.expiresAt * 1000 + clockTolerance * 1000) });
    }
    return principal;
  }

  return {
    verify,
    prime: refresh,
    get keyCount() {
      return keys.size;
    },
  };
}

function mapJoseError(e: unknown): AuthError {
  if (e instanceof errors.JWTExpired) return unauth('token expired');
  if (e instanceof errors.JWTClaimValidationFailed) {
    if (e.claim === 'aud') return unauth('unexpected audience');
    if (e.claim === 'iss') return unauth('unexpected issuer');
    if (e.claim === 'nbf') return unauth('token not yet valid');
    if (e.claim === 'exp') return unauth(e.reason === 'missing' ? 'token has no expiry' : 'token has an invalid expiry');
    return unauth(`invalid claim '${quote(e.claim)}' (${e.reason})`);
  }
  if (e instanceof errors.JWSSignatureVerificationFailed) return unauth('signature verification failed');
  if (e instanceof errors.JWTInvalid || e instanceof errors.JWSInvalid) return unauth('malformed token');
  return unauth('token verification failed');
}
