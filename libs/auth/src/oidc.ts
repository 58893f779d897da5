// Trusting an external OpenID Connect issuer instead of the policy service: where its signing
// keys come from. The key set is found through OpenID Connect Discovery
// (`<issuer>/.well-known/openid-configuration`, whose `issuer` must be the configured one and whose
// `jwks_uri` names the set) or given directly. The verifier (verifier.ts) caches what this returns
// and calls it again on an unknown `kid` (with a cooldown) and when the set grows old.
import type { JWK } from 'jose';

export interface OidcJwksOptions {
  /** The issuer, exactly as its tokens' `iss` says it. */
  issuer: string;
  /** The key set's URL; when given, discovery is skipped. */
  jwksUrl?: string;
  /** Per HTTP request (default 5000 ms). */
  timeoutMs?: number;
  /** The fetch to use (default globalThis.fetch). */
  fetch?: typeof fetch;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;
const MAX_BYTES = 1 << 20;

/**
 * Checks a URL that keys or the issuer's metadata come from: https, or http on a loopback host
 * only (a local development issuer). Throws with a message naming `what`.
 */
export function checkOidcUrl(url: string, what: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`${what} '${url}' is not a URL`);
  }
  if (u.protocol === 'https:') return u;
  if (u.protocol === 'http:' && LOOPBACK.test(u.hostname)) return u;
  throw new Error(`${what} '${url}' must use https (http only on a loopback host)`);
}

/** The discovery document's URL for an issuer (OpenID Connect Discovery 1.0, section 4). */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

async function getJson(f: typeof fetch, url: string, timeoutMs: number, what: string): Promise<unknown> {
  let res: Response;
  try {
    res = await f(url, { headers: { accept: 'application/json' }, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const err = e as Error;
    throw new Error(`${what} ${url}: ${err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : err.message}`, { cause: e });
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`${what} ${url}: HTTP ${res.status}`);
  }
  const text = await res.text();
  if (text.length > MAX_BYTES) throw new Error(`${what} ${url}: larger than ${MAX_BYTES} bytes`);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new Error(`${what} ${url}: not JSON`, { cause: e });
  }
}

/** A `fetchJwks` for createVerifier that reads an external OIDC issuer's key set. */
export function oidcJwksFetcher(o: OidcJwksOptions): () => Promise<{ keys: JWK[] }> {
  checkOidcUrl(o.issuer, 'OIDC issuer');
  if (o.jwksUrl !== undefined) checkOidcUrl(o.jwksUrl, 'OIDC JWKS URL');
  const f = o.fetch ?? globalThis.fetch;
  const timeoutMs = o.timeoutMs ?? 5000;
  let jwksUri = o.jwksUrl;

  async function discover(): Promise<string> {
    const url = discoveryUrl(o.issuer);
    const doc = await getJson(f, url, timeoutMs, 'OIDC discovery');
    const d = (doc ?? {}) as { issuer?: unknown; jwks_uri?: unknown };
    // The document must be the configured issuer's own (Discovery 1.0, 4.3): otherwise another
    // party's keys could be trusted for this issuer's tokens.
    if (d.issuer !== o.issuer) throw new Error(`OIDC discovery ${url}: its issuer is '${String(d.issuer)}', not the configured '${o.issuer}'`);
    if (typeof d.jwks_uri !== 'string') throw new Error(`OIDC discovery ${url}: no jwks_uri`);
    return checkOidcUrl(d.jwks_uri, 'OIDC jwks_uri').href;
  }

  return async () => {
    const uri = jwksUri ?? await discover();
    let set: unknown;
    try {
      set = await getJson(f, uri, timeoutMs, 'OIDC JWKS');
    } catch (e) {
      // A discovered location may have moved: look it up again next time.
      if (o.jwksUrl === undefined) jwksUri = undefined;
      throw e;
    }
    if (o.jwksUrl === undefined) jwksUri = uri;
    const keys = (set as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys)) throw new Error(`OIDC JWKS ${uri}: no keys array`);
    return { keys: keys as JWK[] };
  };
}
