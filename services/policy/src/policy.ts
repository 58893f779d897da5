// The policy service's handlers: thin wiring from the gRPC contract and the HTTP JWKS endpoint
// to @switchyard/auth. Tokens are never logged.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { InvalidRequestError, jwksToProto, KeyRotationError, parseIssueTokenRequest, type KeyStore } from '@switchyard/auth';
import type { Logger } from '@switchyard/log';
import type { PolicyHandlers } from '@switchyard/proto';
import { PolicyError } from '@switchyard/policy-engine';
import type { PolicyAdmin } from './admin.ts';
import type { KeyRotation } from './keys.ts';

export interface PolicyDeps {
  keys: KeyStore;
  issuer: string;
  log: Logger;
  /** The caller's SPIFFE ID, for the audit line. */
  callerOf?: (call: grpc.ServerUnaryCall<unknown, unknown>) => string | undefined;
  /** Policy administration (needs Redis and NATS); none = ApplyPolicy/GetPolicy are FAILED_PRECONDITION. */
  admin?: PolicyAdmin;
  /** Signing-key rotation; none = RotateKeys is FAILED_PRECONDITION. */
  rotation?: KeyRotation;
}

const NO_ADMIN = { code: grpc.status.FAILED_PRECONDITION, details: 'policy administration is off: the policy service runs without SY_REDIS_URL and SY_NATS_URL' };

export function policyHandlers(deps: PolicyDeps): PolicyHandlers {
  /** Who makes an admin change, for the audit: the caller's SPIFFE ID and its free-text actor. */
  const actorOf = (call: grpc.ServerUnaryCall<unknown, unknown>, free: string | undefined): string => {
    const caller = deps.callerOf?.(call) ?? 'unknown';
    return free ? `${caller} (${free.slice(0, 128)})` : caller;
  };
  return {
    ApplyPolicy(call, callback) {
      const admin = deps.admin;
      if (!admin) return callback(NO_ADMIN);
      const doc = call.request.document ?? '';
      if (doc.trim() === '') return callback({ code: grpc.status.INVALID_ARGUMENT, details: 'document is required (YAML or JSON)' });
      const actor = actorOf(call as grpc.ServerUnaryCall<unknown, unknown>, call.request.actor);
      admin.apply(doc, actor).then(
        (p) => callback(null, { version: p.version, sha256: p.sha256, applied_at_ms: p.appliedAtMs }),
        (e: unknown) => {
          if (e instanceof PolicyError) return callback({ code: grpc.status.INVALID_ARGUMENT, details: e.message });
          deps.log.error({ err: (e as Error).message }, 'policy apply failed');
          callback({ code: grpc.status.UNAVAILABLE, details: `policy store unavailable: ${(e as Error).message}` });
        },
      );
    },
    GetPolicy(_call, callback) {
      const admin = deps.admin;
      if (!admin) return callback(NO_ADMIN);
      admin.get().then(
        (p) => (p
          ? callback(null, { version: p.version, document: p.source, sha256: p.sha256, applied_at_ms: p.appliedAtMs, applied_by: p.appliedBy })
          : callback({ code: grpc.status.NOT_FOUND, details: "no policy has been applied yet (use 'switchyard policy apply FILE')" })),
        (e: unknown) => callback({ code: grpc.status.UNAVAILABLE, details: `policy store unavailable: ${(e as Error).message}` }),
      );
    },
    RotateKeys(call, callback) {
      const rotation = deps.rotation;
      if (!rotation) return callback({ code: grpc.status.FAILED_PRECONDITION, details: 'key rotation is not available on this policy service' });
      const actor = actorOf(call as grpc.ServerUnaryCall<unknown, unknown>, call.request.actor);
      rotation.rotate(actor, call.request.force === true).then(
        (p) => callback(null, { next_kid: p.nextKid, signs_from_ms: p.signsFromMs, current_kid: p.currentKid, previous_until_ms: p.previousUntilMs, dropped_kid: p.droppedKid ?? '' }),
        (e: unknown) => {
          if (e instanceof KeyRotationError) return callback({ code: grpc.status.FAILED_PRECONDITION, details: e.message });
          deps.log.error({ err: (e as Error).message }, 'key rotation failed');
          callback({ code: grpc.status.INTERNAL, details: 'key rotation failed' });
        },
      );
    },
    GetJwks(_call, callback) {
      callback(null, jwksToProto(deps.keys.jwks(), deps.issuer));
    },
    IssueToken(call, callback) {
      let params;
      try {
        params = parseIssueTokenRequest(call.request);
      } catch (e) {
        if (e instanceof InvalidRequestError) {
          callback({ code: grpc.status.INVALID_ARGUMENT, details: e.message });
          return;
        }
        throw e;
      }
      deps.keys.sign(params.claims, { ...params.opts, issuer: deps.issuer }).then(
        (signed) => {
          deps.log.info(
            {
              caller: deps.callerOf?.(call as grpc.ServerUnaryCall<unknown, unknown>),
              tenant: params.claims.tenant,
              roles: params.claims.roles,
              audience: params.opts.audience,
              ttlSeconds: params.opts.ttlSeconds,
              kid: signed.kid,
            },
            'token issued',
          );
          callback(null, { token: signed.token, expires_at: signed.expiresAt, kid: signed.kid });
        },
        (err: unknown) => {
          deps.log.error({ err: (err as Error).message }, 'token signing failed');
          callback({ code: grpc.status.INTERNAL, details: 'token signing failed' });
        },
      );
    },
  };
}

export const JWKS_PATH = '/.well-known/jwks.json';

/** Plain HTTP serving only the public JWKS (GET/HEAD /.well-known/jwks.json). */
export async function startJwksHttp(opts: { keys: KeyStore; host: string; port: number }): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const url = (req.url ?? '').split('?')[0];
    if (url !== JWKS_PATH) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    const body = JSON.stringify(opts.keys.jwks());
    res.writeHead(200, {
      'content-type': 'application/jwk-set+json',
      'cache-control': 'public, max-age=300',
      'content-length': Buffer.byteLength(body),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
