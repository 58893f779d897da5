// The mesh gRPC server: mTLS with client certificates required, certificates reloaded from disk
// without restart, per-RPC authorization from the peer's SPIFFE ID against the declared table,
// grpc.health.v1 (also on an optional plaintext port for Kubernetes probes), server reflection,
// deliberate limits, and a draining shutdown.
import crypto from 'node:crypto';
import fs from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import { ReflectionService } from '@grpc/reflection';
import { packageDefinition } from '@switchyard/proto';
import type { Logger } from '@switchyard/log';
import { AUTHZ, isAllowed, type AuthzTable } from './authz-table.ts';
import { fileCertificateProvider, type PairCheckingCertificateProvider } from './cert-provider.ts';
import { spiffeIdFromPeer, workloadOf } from './identity.ts';
import { DEFAULT_CONNECTION_WINDOW_BYTES, DEFAULT_STREAM_WINDOW_BYTES, widenSessions, windowSettings, type WindowSizes } from './flow-control.ts';
import type { MeshIdentity } from './pki.ts';
import { lowerV8HelperPriority, tuneGcForTensorTraffic } from './gc.ts';
import {
  DEFAULT_MAX_CONCURRENT_STREAMS,
  DEFAULT_MAX_CONNECTION_AGE_GRACE_MS,
  DEFAULT_MAX_CONNECTION_AGE_MS,
  DEFAULT_MAX_RECEIVE_BYTES,
  MIB,
  type ServerChannelOptions,
} from './options.ts';

export interface ServiceRegistration {
  definition: grpc.ServiceDefinition;
  implementation: grpc.UntypedServiceImplementation;
  /** health service name, e.g. 'inference.GRPCInferenceService' */
  healthName: string;
}

export interface MeshServerOptions {
  identity: MeshIdentity;
  host?: string /* default 127.0.0.1 */;
  port: number /* 0 = any free */;
  /** Optional plaintext listener serving only grpc.health.v1 (for Kubernetes probes). */
  healthPort?: number;
  services: ServiceRegistration[];
  log: Logger;
  authz?: AuthzTable /* default AUTHZ */;
  maxReceiveMessageBytes?: number /* default 64 MiB */;
  maxConcurrentStreams?: number /* default 1000 */;
  /** HTTP/2 receive windows (flow-control.ts); default 1 MiB per stream, 16 MiB per connection. */
  flowControlWindows?: Partial<WindowSizes>;
  /** How often certificate files are re-read from disk (default 5000 ms). */
  certRefreshMs?: number;
  /** Calls whose deadline lies further ahead than this are refused with INVALID_ARGUMENT (default 24 h). */
  maxDeadlineMs?: number;
  /** Connections are closed (GOAWAY) after this age, so clients re-balance and re-handshake with
   *  rotated certificates (default 5 min); in-flight calls get `maxConnectionAgeGraceMs` (default 30 s). */
  maxConnectionAgeMs?: number;
  maxConnectionAgeGraceMs?: number;
}

/** The helper-thread priority is logged once per process (tests make many servers). */
let helpersLogged = false;

const HEALTH_SERVICE = '/grpc.health.v1.Health/';
const UNCOUNTED_PREFIXES = [HEALTH_SERVICE, '/grpc.reflection.v1.ServerReflection/', '/grpc.reflection.v1alpha.ServerReflection/'];

let reflectionPackage: protoLoader.PackageDefinition | undefined;
function reflectionPackageDefinition(): protoLoader.PackageDefinition {
  reflectionPackage ??= {
    ...packageDefinition,
    ...protoLoader.loadSync(healthProtoPath, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true }),
  };
  return reflectionPackage;
}

/** The caller's SPIFFE ID as proved by its client certificate (undefined on a plaintext call). */
export function callerSpiffeId(
  call: Pick<grpc.ServerUnaryCall<unknown, unknown>, 'getAuthContext'>,
): string | undefined {
  return spiffeIdFromPeer(call.getAuthContext().sslPeerCertificate);
}

function bindAsync(server: grpc.Server, address: string, creds: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, creds, (err, port) => (err ? reject(err) : resolve(port)));
  });
}

function hostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

export class MeshServer {
  readonly #opts: MeshServerOptions;
  readonly #authz: AuthzTable;
  readonly #server: grpc.Server;
  readonly #health: HealthImplementation;
  readonly #healthNames: string[];
  readonly #provider: PairCheckingCertificateProvider;
  readonly #maxDeadlineMs: number;
  #healthServer: grpc.Server | undefined;
  #port = 0;
  #healthPort: number | undefined;
  #inFlight = 0;
  #draining = false;
  #idleWaiters: Array<() => void> = [];
  #shutdown: Promise<void> | undefined;
  #certFingerprint: string | undefined;
  readonly #certListener = (update: grpc.experimental.IdentityCertificateUpdate | null): void => {
    if (!update) {
      // Only before anything good was loaded: afterwards the provider keeps the last good pair.
      this.#opts.log.error({ certFile: this.#opts.identity.certFile }, 'mesh: certificate files unreadable; new TLS connections refused until fixed');
      return;
    }
    let fp: string;
    try {
      fp = new crypto.X509Certificate(update.certificate).fingerprint256;
    } catch {
      this.#opts.log.error({ certFile: this.#opts.identity.certFile }, 'mesh: certificate file does not parse');
      return;
    }
    if (this.#certFingerprint !== undefined && fp !== this.#certFingerprint) {
      this.#opts.log.info({ fingerprint: fp }, 'mesh: server certificate reloaded');
    }
    this.#certFingerprint = fp;
  };

  constructor(opts: MeshServerOptions) {
    tuneGcForTensorTraffic();
    this.#opts = opts;
    const helpers = lowerV8HelperPriority();
    if (!helpersLogged) {
      helpersLogged = true;
      if (helpers.failed > 0) opts.log.warn({ v8_helper_nice: helpers.nice, v8_helper_threads: helpers.threads, failed: helpers.failed }, 'mesh: could not lower the priority of every V8 helper thread');
      else opts.log.info({ v8_helper_nice: helpers.nice, v8_helper_threads: helpers.threads }, helpers.nice > 0 ? 'mesh: V8 helper threads (garbage collection) at lower CPU priority' : 'mesh: V8 helper threads left at normal priority (SY_V8_HELPER_NICE=0)');
    }
    this.#authz = opts.authz ?? AUTHZ;
    this.#maxDeadlineMs = opts.maxDeadlineMs ?? 24 * 3600_000;
    this.#healthNames = ['', ...opts.services.map((s) => s.healthName)];
    this.#health = new HealthImplementation(Object.fromEntries(this.#healthNames.map((n) => [n, 'NOT_SERVING' as const])));
    const channelOptions: ServerChannelOptions = {
      'grpc.max_receive_message_length': opts.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE_BYTES,
      'grpc.max_send_message_length': opts.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE_BYTES,
      'grpc.max_concurrent_streams': opts.maxConcurrentStreams ?? DEFAULT_MAX_CONCURRENT_STREAMS,
      'grpc.max_connection_age_ms': opts.maxConnectionAgeMs ?? DEFAULT_MAX_CONNECTION_AGE_MS,
      'grpc.max_connection_age_grace_ms': opts.maxConnectionAgeGraceMs ?? DEFAULT_MAX_CONNECTION_AGE_GRACE_MS,
      'grpc.keepalive_time_ms': 60_000,
      'grpc.keepalive_timeout_ms': 20_000,
      // Bound per-connection HTTP/2 memory (the default is effectively unlimited).
      'grpc-node.max_session_memory': Math.max(64, Math.ceil((2 * (opts.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE_BYTES)) / MIB)),
    };
    this.#server = new grpc.Server({ ...channelOptions, interceptors: [this.#interceptor] });
    for (const s of opts.services) this.#server.addService(s.definition, s.implementation);
    this.#health.addToServer(this.#server);
    new ReflectionService(reflectionPackageDefinition()).addToServer(this.#server);
    const files = { caFile: opts.identity.caFile, certFile: opts.identity.certFile, keyFile: opts.identity.keyFile };
    this.#provider = fileCertificateProvider(opts.identity, opts.certRefreshMs ?? 5000, {
      onMismatch: () => opts.log.warn(files, 'mesh: certificate and key on disk do not match (rotation in progress?); keeping the previous pair'),
      onBadRead: (what, kept) => {
        if (kept) opts.log.warn({ ...files, what }, `mesh: ${what} certificate files unreadable or unparseable; still serving the previous ones`);
        else if (what === 'ca') opts.log.error(files, 'mesh: CA certificate file unreadable or unparseable; new TLS connections refused until fixed');
      },
    });
  }

  get port(): number {
    return this.#port;
  }

  get healthPort(): number | undefined {
    return this.#healthPort;
  }

  /** Number of calls in progress (for draining); health and reflection calls are not counted. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Binds, waits until the certificates are loaded, marks health SERVING; returns the bound port. */
  async start(): Promise<number> {
    const { identity, log } = this.#opts;
    for (const f of [identity.caFile, identity.certFile, identity.keyFile]) {
      if (!fs.existsSync(f)) throw new Error(`mesh server ${identity.name}: missing ${f}`);
    }
    // Same provider for CA and identity: it reads all three files in one pass.
    const creds = grpc.experimental.createCertificateProviderServerCredentials(this.#provider, this.#provider, true);
    const windows: WindowSizes = { streamBytes: DEFAULT_STREAM_WINDOW_BYTES, connectionBytes: DEFAULT_CONNECTION_WINDOW_BYTES, ...this.#opts.flowControlWindows };
    windowSettings(creds, windows, this.#opts.maxConcurrentStreams ?? DEFAULT_MAX_CONCURRENT_STREAMS, log);
    // Subscribe before binding and for good: the file watcher then runs without a break. (A
    // listener that unsubscribed after the first read stopped the watcher until grpc-js subscribed;
    // when binding took longer than two refresh intervals the watcher restarted with its state
    // cleared, and start() returned while grpc-js still had no credentials.)
    this.#provider.addIdentityCertificateListener(this.#certListener);
    const host = this.#opts.host ?? '127.0.0.1';
    try {
      this.#port = await bindAsync(this.#server, hostPort(host, this.#opts.port), creds);
      // grpc-js's credentials subscribed while binding; they hold the CA and identity once the
      // provider has loaded them (changes are handed on synchronously, the current state on
      // subscription), so no connection accepted from here on is refused for lack of credentials.
      await this.#provider.whenLoaded();
      widenSessions(this.#server, windows, log);
    } catch (err) {
      this.#provider.removeIdentityCertificateListener(this.#certListener);
      throw err;
    }
    if (this.#opts.healthPort !== undefined) {
      const hs = new grpc.Server({ 'grpc.max_receive_message_length': 4096 } satisfies ServerChannelOptions);
      this.#health.addToServer(hs);
      this.#healthPort = await bindAsync(hs, hostPort(host, this.#opts.healthPort), grpc.ServerCredentials.createInsecure());
      this.#healthServer = hs;
    }
    this.setServing(true);
    log.info({ spiffeId: identity.spiffeId, port: this.#port, healthPort: this.#healthPort }, 'mesh: server listening (mTLS)');
    return this.#port;
  }

  /** Sets health for '' and every service's healthName. */
  setServing(serving: boolean): void {
    for (const n of this.#healthNames) this.#health.setStatus(n, serving ? 'SERVING' : 'NOT_SERVING');
  }

  /** Health NOT_SERVING, stop accepting new calls (new calls get UNAVAILABLE), wait up to graceMs
   *  for in-flight calls, then force. Idempotent. */
  shutdown(graceMs = 5000): Promise<void> {
    this.#shutdown ??= this.#doShutdown(graceMs);
    return this.#shutdown;
  }

  async #doShutdown(graceMs: number): Promise<void> {
    const log = this.#opts.log;
    const deadline = Date.now() + graceMs;
    this.setServing(false);
    this.#draining = true;
    log.info({ inFlight: this.#inFlight, graceMs }, 'mesh: draining');
    if (this.#inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.#idleWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const abandoned = this.#inFlight;
    // tryShutdown has no timeout of its own: race it against what is left of the grace period.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#server.forceShutdown();
        resolve();
      }, Math.max(50, deadline - Date.now()));
      this.#server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.#server.forceShutdown();
    this.#healthServer?.forceShutdown();
    this.#provider.removeIdentityCertificateListener(this.#certListener);
    if (abandoned > 0) log.warn({ abandoned }, 'mesh: grace period over; cancelled in-flight calls');
    log.info('mesh: server stopped');
  }

  #callEnded(): void {
    this.#inFlight -= 1;
    if (this.#inFlight === 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /**
   * The caller's SPIFFE ID, read from the peer certificate once per connection: the TLS session
   * (the HTTP/2 session object) is the cache key, so a new connection is always read afresh.
   * Reading the certificate on every call cost ~5 % of the gateway's CPU (docs/benchmarks.md).
   */
  #callerOf(call: grpc.ServerInterceptingCallInterface): string | undefined {
    const session = http2SessionOf(call);
    if (session) {
      if (this.#callerBySession.has(session)) return this.#callerBySession.get(session);
      const id = spiffeIdFromPeer(call.getAuthContext().sslPeerCertificate);
      this.#callerBySession.set(session, id);
      return id;
    }
    return spiffeIdFromPeer(call.getAuthContext().sslPeerCertificate);
  }

  readonly #callerBySession = new WeakMap<object, string | undefined>();

  /** Decides on a new call: undefined to accept, or the status to end it with. */
  #admit(path: string, call: grpc.ServerInterceptingCallInterface): { code: grpc.status; details: string } | undefined {
    const caller = this.#callerOf(call);
    if (caller === undefined) {
      return { code: grpc.status.UNAUTHENTICATED, details: `no valid SPIFFE ID (spiffe://switchyard.local/...) in the client certificate for ${path}` };
    }
    const name = workloadOf(caller) ?? '';
    if (!isAllowed(this.#authz, path, name)) {
      this.#opts.log.warn({ caller, method: path }, 'mesh: permission denied');
      return { code: grpc.status.PERMISSION_DENIED, details: `${caller} may not call ${path}` };
    }
    if (this.#draining && !path.startsWith(HEALTH_SERVICE)) {
      return { code: grpc.status.UNAVAILABLE, details: 'server is shutting down' };
    }
    const deadline = call.getDeadline();
    const ms = deadline instanceof Date ? deadline.getTime() : deadline;
    if (Number.isFinite(ms) && ms - Date.now() > this.#maxDeadlineMs) {
      return { code: grpc.status.INVALID_ARGUMENT, details: `deadline ${Math.round((ms - Date.now()) / 1000)} s ahead exceeds the ${this.#maxDeadlineMs / 1000} s limit` };
    }
    return undefined;
  }

  readonly #interceptor: grpc.ServerInterceptor = (method, call) => {
    const path = method.path;
    const counted = !UNCOUNTED_PREFIXES.some((p) => path.startsWith(p));
    let active = false;
    const end = (): void => {
      if (active) {
        active = false;
        this.#callEnded();
      }
    };
    const listener = new grpc.ServerListenerBuilder()
      .withOnReceiveMetadata((metadata, next) => {
        const refusal = this.#admit(path, call);
        if (refusal) {
          call.sendStatus(refusal);
          return;
        }
        if (counted) {
          active = true;
          this.#inFlight += 1;
        }
        next(metadata);
      })
      .withOnCancel(end)
      .build();
    const responder = new grpc.ResponderBuilder()
      .withStart((next) => next(listener))
      .withSendStatus((status, next) => {
        end();
        next(status);
      })
      .build();
    return new grpc.ServerInterceptingCall(call, responder);
  };
}

/**
 * The HTTP/2 session under a server call, found through grpc-js's call wrappers (`nextCall`
 * down to the base call's `stream`). grpc-js does not expose it; if its internals change this
 * returns undefined and the caller is read from the certificate on every call, as before.
 */
function http2SessionOf(call: unknown): object | undefined {
  let c = call as { nextCall?: unknown; stream?: { session?: object } } | undefined;
  for (let i = 0; i < 8 && c; i++) {
    if (c.stream) return c.stream.session ?? undefined;
    c = c.nextCall as typeof c;
  }
  return undefined;
}
