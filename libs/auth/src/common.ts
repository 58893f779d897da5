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

export type AuthErrorCode = 'UNAUTHENTICATED' | 'PERMISSION_DENIED';

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
