// HTTP/2 flow-control windows sized for tensors. Node's HTTP/2 defaults give each stream and each
// connection a 64 KiB receive window: a 110 KiB request (one PP-OCR classifier input) then waits
// for WINDOW_UPDATEs mid-message, and 32 such requests share one 64 KiB connection window, so a
// burst of requests costs dozens of extra round trips and process wake-ups. Measured with
// `npm run bench -- --suite executor --models ocr_cls --concurrency 32 --rounds 2` on a 2-core
// machine, alternating runs without and with 1 MiB stream / 4 MiB connection windows: the
// client's CPU per request fell 10-36 % and throughput rose 9-43 % in both batching modes
// (docs/benchmarks.md). The connection window shipped is 16 MiB.
//
// Clients set the window through grpc-js's own channel option ('grpc-node.flow_control_window').
// grpc-js 1.14 has no server option for it: windowSettings puts the stream window into the HTTP/2
// SETTINGS through the server credentials' constructor options (grpc-js passes them to
// http2.createSecureServer), widenSessions the connection window on every new session. Both are grpc-js internals, so each is
// feature-checked: without them the server still serves, with Node's default windows, and says so.
import type * as grpc from '@grpc/grpc-js';
import type { EventEmitter } from 'node:events';
import type { Http2Session } from 'node:http2';
import type { Logger } from '@switchyard/log';
import { MIB } from './options.ts';

/** Receive window per stream: a whole typical tensor message without a WINDOW_UPDATE. */
export const DEFAULT_STREAM_WINDOW_BYTES = 1 * MIB;
/** Receive window per connection, shared by its streams. */
export const DEFAULT_CONNECTION_WINDOW_BYTES = 16 * MIB;

export interface WindowSizes {
  streamBytes: number;
  connectionBytes: number;
}

/** Puts the per-stream window into the SETTINGS the server sends (before bind). */
export function windowSettings(creds: grpc.ServerCredentials, w: WindowSizes, maxConcurrentStreams: number, log: Logger): boolean {
  const holder = creds as unknown as { serverConstructorOptions?: Record<string, unknown> | null };
  const co = holder.serverConstructorOptions;
  if (!co || typeof co !== 'object') {
    log.warn({}, 'mesh: grpc-js server credentials carry no constructor options; HTTP/2 stream windows stay at 64 KiB');
    return false;
  }
  // grpc-js merges these over its own options: keep its max_concurrent_streams SETTING.
  co.settings = { ...((co.settings as object | undefined) ?? {}), initialWindowSize: w.streamBytes, maxConcurrentStreams };
  return true;
}

/** Widens the connection window of every session the server accepts from now on (after bind). */
export function widenSessions(server: grpc.Server, w: WindowSizes, log: Logger): boolean {
  const servers = (server as unknown as { http2Servers?: Map<EventEmitter, unknown> }).http2Servers;
  if (!(servers instanceof Map) || servers.size === 0) {
    log.warn({}, 'mesh: grpc-js server exposes no HTTP/2 servers; connection windows stay at 64 KiB');
    return false;
  }
  for (const hs of servers.keys()) {
    hs.on('session', (session: Http2Session) => {
      try {
        session.setLocalWindowSize(w.connectionBytes);
      } catch (e) {
        log.warn({ err: (e as Error).message }, 'mesh: could not widen an HTTP/2 connection window');
      }
    });
  }
  return true;
}
