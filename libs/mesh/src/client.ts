// Mesh gRPC clients: mTLS with the workload's certificate (reloaded from disk for each new
// connection), the server's SPIFFE ID verified (and optionally pinned) in checkServerIdentity,
// and a default deadline on every call that sets none.
import net from 'node:net';
import type tls from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { fileCertificateProvider } from './cert-provider.ts';
import { spiffeIdFromPeer } from './identity.ts';
import type { MeshIdentity } from './pki.ts';
import { DEFAULT_MAX_RECEIVE_BYTES, type ClientChannelOptions } from './options.ts';
import { DEFAULT_CONNECTION_WINDOW_BYTES } from './flow-control.ts';
import { tuneGcForTensorTraffic } from './gc.ts';

export interface MeshClientOptions {
  /** pin the server's SPIFFE ID (checked in checkServerIdentity); default: any valid switchyard.local ID */
  serverSpiffeId?: string;
  /** Default 5000; applied by an interceptor when the caller sets none. 0 = no interceptor: for hot
   *  paths whose every call sets its own deadline (an interceptor costs CPU on each call). */
  defaultDeadlineMs?: number;
  maxReceiveMessageBytes?: number;
  /** How often certificate files are re-read from disk (default 5000 ms). */
  certRefreshMs?: number;
  /** Called with the server's certificate on every successful handshake (observability, tests). */
  onServerCertificate?: (cert: tls.PeerCertificate) => void;
  /** Extra channel options (strictly typed; merged over the defaults). */
  channelOptions?: ClientChannelOptions;
}

export const DEFAULT_DEADLINE_MS = 5000;

/** The check run on the server's certificate during the handshake (exported for tests). */
export function serverIdentityCheck(
  pinned: string | undefined,
  onCert?: (cert: tls.PeerCertificate) => void,
): (hostname: string, cert: tls.PeerCertificate) => Error | undefined {
  return (_hostname, cert) => {
    // SPIFFE: the identity is the URI SAN, not the host name dialled.
    const id = spiffeIdFromPeer(cert);
    if (id === undefined) return new Error('server certificate carries no valid spiffe://switchyard.local/ ID');
    if (pinned !== undefined && id !== pinned) return new Error(`server is ${id}, expected ${pinned}`);
    onCert?.(cert);
    return undefined;
  };
}

/** A client interceptor that gives every call without a deadline (and without a parent call to
 *  inherit one from) a deadline `ms` from now. */
export function defaultDeadlineInterceptor(ms: number): grpc.Interceptor {
  return (options, nextCall) => {
    const d = options.deadline;
    const none = d === undefined || d === Infinity || (d instanceof Date && !Number.isFinite(d.getTime()));
    if (none && options.parent === undefined) options = { ...options, deadline: Date.now() + ms };
    return new grpc.InterceptingCall(nextCall(options));
  };
}

function isIpTarget(address: string): boolean {
  const host = address.replace(/^(dns|ipv4|ipv6):(\/\/\/?)?/, '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return net.isIP(host) !== 0;
}

/** A generated client constructor (proto-loader's typed ones lack `serviceName`; we need only this). */
export type ClientConstructor = new (address: string, credentials: grpc.ChannelCredentials, options?: grpc.ClientOptions) => grpc.Client;

export function createClient<C extends grpc.Client>(
  ctor: ClientConstructor,
  address: string,
  identity: MeshIdentity,
  opts: MeshClientOptions = {},
): C {
  tuneGcForTensorTraffic();
  const provider = fileCertificateProvider(identity, opts.certRefreshMs ?? 5000);
  const creds = grpc.experimental.createCertificateProviderChannelCredentials(provider, provider, {
    checkServerIdentity: serverIdentityCheck(opts.serverSpiffeId, opts.onServerCertificate),
  });
  const channelOptions: ClientChannelOptions = {
    'grpc.max_receive_message_length': opts.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE_BYTES,
    'grpc.max_send_message_length': opts.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE_BYTES,
    'grpc.keepalive_time_ms': 60_000,
    'grpc.keepalive_timeout_ms': 20_000,
    'grpc.keepalive_permit_without_calls': 0,
    'grpc.max_reconnect_backoff_ms': 5_000,
    // Responses with tensors in them arrive without mid-message WINDOW_UPDATE waits (flow-control.ts).
    'grpc-node.flow_control_window': DEFAULT_CONNECTION_WINDOW_BYTES,
    // TLS SNI may not be an IP address (RFC 6066); identity is checked by SPIFFE ID, not host name.
    ...(isIpTarget(address) ? { 'grpc.ssl_target_name_override': 'localhost' } : {}),
    ...opts.channelOptions,
  };
  const deadlineMs = opts.defaultDeadlineMs ?? DEFAULT_DEADLINE_MS;
  if (deadlineMs === 0) return new ctor(address, creds, channelOptions) as unknown as C;
  const interceptors = [defaultDeadlineInterceptor(deadlineMs)];
  return new ctor(address, creds, { ...channelOptions, interceptors }) as unknown as C;
}

export interface UnaryOptions {
  deadlineMs?: number;
  metadata?: grpc.Metadata;
  /** A server call whose deadline and cancellation propagate to this one. */
  parent?: grpc.CallOptions['parent'];
}

/** Promise wrapper: unary(client, 'MethodName', request, { deadlineMs?, metadata?, parent? }) */
export function unary<Res>(client: grpc.Client, method: string, request: unknown, opts: UnaryOptions = {}): Promise<Res> {
  const fn = (client as unknown as Record<string, unknown>)[method];
  if (typeof fn !== 'function') return Promise.reject(new TypeError(`client has no method ${method}`));
  const callOptions: grpc.CallOptions = {};
  if (opts.deadlineMs !== undefined) callOptions.deadline = Date.now() + opts.deadlineMs;
  if (opts.parent !== undefined) callOptions.parent = opts.parent;
  return new Promise<Res>((resolve, reject) => {
    (fn as (...a: unknown[]) => unknown).call(
      client,
      request,
      opts.metadata ?? new grpc.Metadata(),
      callOptions,
      (err: grpc.ServiceError | null, res: Res) => (err ? reject(err) : resolve(res)),
    );
  });
}
