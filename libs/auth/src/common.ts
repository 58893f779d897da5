// Shared constants and the error type of @switchyard/auth.
import type { JWK } from 'jose';

export type { JWK } from 'jose';

export const DEFAULT_ISSUER = 'https://policy.switchyard.local';
export const DEFAULT_AUDIENCE = 'switchyard';
/** Asymmetric algorithms only: a symmetric (HS*) or unsecured (none) token is never accepted. */
export const ALLOWED_ALGS = ['EdDSA', 'ES256'] as const;
export type AllowedAlg = (typeof ALLOWED_ALGS)[number];

export function isAllowedAlg(alg: unknown): alg is AllowedAlg {
  return typeof alg === 'string' && (ALLOWED_ALGS as readonly string[]).includes(alg);
}

/**
 * Every asymmetric JWS algorithm a verifier may be configured to accept (an external OIDC
 * issuer usually signs with RS256). Nothing symmetric (HS*) or unsecured (none) is on it, so no
 * configuration can make a verifier accept one.
 */
export const ASYMMETRIC_ALGS = ['EdDSA', 'ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const;
export type AsymmetricAlg = (typeof ASYMMETRIC_ALGS)[number];

export function isAsymmetricAlg(alg: unknown): alg is AsymmetricAlg {
  return typeof alg === 'string' && (ASYMMETRIC_ALGS as readonly string[]).includes(alg);
}

const EC_CURVE_ALG: Record<string, AsymmetricAlg> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' };

/**
 * The algorithms among `allowed` that a public JWK can verify: its `alg` when it names one, else
 * what its key type and curve allow (an RSA key without `alg` serves every allowed RS and PS
 * algorithm, as some OIDC issuers publish them).
 */
export function algsOfJwk(jwk: JWK, allowed: readonly AsymmetricAlg[]): AsymmetricAlg[] {
  if (jwk.alg !== undefined) return isAsymmetricAlg(jwk.alg) && allowed.includes(jwk.alg) ? [jwk.alg] : [];
  if (jwk.kty === 'EC') { const a = EC_CURVE_ALG[jwk.crv ?? '']; return a && allowed.includes(a) ? [a] : []; }
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return allowed.includes('EdDSA') ? ['EdDSA'] : [];
  if (jwk.kty === 'RSA') return allowed.filter((a) => a.startsWith('RS') || a.startsWith('PS'));
  return [];
}

/**
 * A claim of a verified payload by name: the top-level member of that exact name (namespaced
 * claims such as `https://example.com/tenant` hold dots), else a dotted path into nested objects
 * (`realm_access.roles`).
 */
export function claimValue(payload: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(payload, name)) return payload[name];
  let cur: unknown = payload;
  for (const part of name.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** The authenticated caller, taken from a verified token. */
export interface Principal {
  tenant: string;
  /** `sub`, or '' when the token has none. */
  subject: string;
  roles: string[];
  /** `jti`, when present. */
  tokenId?: string;
  /** `exp`, in seconds since the epoch. */
  expiresAt: number;
}

/** UNAVAILABLE: the token could not be checked because no signing keys could be fetched yet. */
export type AuthErrorCode = 'UNAUTHENTICATED' | 'PERMISSION_DENIED' | 'UNAVAILABLE';

export class AuthError extends Error {
  override name = 'AuthError';
  code: AuthErrorCode;
  constructor(code: AuthErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** The algorithm a public JWK is for, from its `alg` or, failing that, its key type and curve. */
export function algOfJwk(jwk: JWK): AllowedAlg | undefined {
  if (jwk.alg !== undefined) return isAllowedAlg(jwk.alg) ? jwk.alg : undefined;
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  return undefined;
}

/** A value from a token, made safe to quote in an error message (bounded, printable). */
export function quote(v: string): string {
  const clean = v.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 64 ? `${clean.slice(0, 64)}…` : clean;
}
