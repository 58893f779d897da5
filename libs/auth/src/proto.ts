// Conversions between the policy service's protobuf messages and JOSE objects, and the
// validation of IssueToken requests (kept here so the service stays thin).
import type { Jwks, Jwks__Output, IssueTokenRequest__Output } from '@switchyard/proto';
import type { JWK } from 'jose';
import { DEFAULT_AUDIENCE } from './common.ts';

const JWK_FIELDS = ['kty', 'crv', 'x', 'y', 'kid', 'alg', 'use'] as const;

/** A Jwks message (from GetJwks) as a JSON Web Key Set; empty fields are left out. */
export function jwksFromProto(jwks: Jwks__Output): { keys: JWK[] } {
  return {
    keys: (jwks.keys ?? []).map((k) => {
      const jwk: Record<string, string> = {};
      for (const f of JWK_FIELDS) if (k[f]) jwk[f] = k[f];
      return jwk as JWK;
    }),
  };
}

/** A JSON Web Key Set of public keys as a Jwks message. */
export function jwksToProto(set: { keys: JWK[] }, issuer: string): Jwks {
  return {
    issuer,
    keys: set.keys.map((k) => {
      const out: Record<string, string> = {};
      for (const f of JWK_FIELDS) out[f] = typeof k[f] === 'string' ? (k[f] as string) : '';
      return out;
    }),
  };
}

export const MAX_TTL_SECONDS = 30 * 24 * 3600;
export const DEFAULT_TTL_SECONDS = 3600;

export class InvalidRequestError extends Error {
  override name = 'InvalidRequestError';
}

export interface IssueParams {
  claims: { tenant: string; roles: string[] };
  opts: { ttlSeconds: number; audience: string; subject?: string };
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

/**
 * Check and complete an IssueToken request: tenant required; ttl 0 means the default (1 h),
 * negative is allowed (an already-expired token, for tests), more than 30 days is refused.
 * Throws InvalidRequestError with a message naming the field.
 */
export function parseIssueTokenRequest(req: IssueTokenRequest__Output): IssueParams {
  const tenant = (req.tenant ?? '').trim();
  if (tenant === '') throw new InvalidRequestError('tenant is required');
  if (!NAME.test(tenant)) throw new InvalidRequestError('tenant must be 1-128 characters of [A-Za-z0-9._:@-]');
  const roles = req.roles ?? [];
  for (const r of roles) if (!NAME.test(r)) throw new InvalidRequestError('each role must be 1-128 characters of [A-Za-z0-9._:@-]');
  const ttl = Number(req.ttl_seconds ?? 0);
  if (!Number.isSafeInteger(ttl)) throw new InvalidRequestError('ttl_seconds must be an integer');
  if (ttl > MAX_TTL_SECONDS) throw new InvalidRequestError(`ttl_seconds must be at most ${MAX_TTL_SECONDS} (30 days)`);
  if (ttl < -MAX_TTL_SECONDS) throw new InvalidRequestError(`ttl_seconds must be at least -${MAX_TTL_SECONDS}`);
  const audience = (req.audience ?? '').trim() || DEFAULT_AUDIENCE;
  if (audience.length > 256) throw new InvalidRequestError('audience must be at most 256 characters');
  const subject = (req.subject ?? '').trim();
  if (subject.length > 256) throw new InvalidRequestError('subject must be at most 256 characters');
  const opts: IssueParams['opts'] = { ttlSeconds: ttl === 0 ? DEFAULT_TTL_SECONDS : ttl, audience };
  if (subject) opts.subject = subject;
  return { claims: { tenant, roles: [...roles] }, opts };
}
