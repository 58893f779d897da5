// The gateway's link to one executor: its requests multiplexed on one long-lived
// Executor/InferStream (libs/executor/src/infer-stream.ts has the other side). grpc-js spends a
// fraction of a unary call's CPU on a stream message — no call set-up, headers, trailers or
// per-call deadline handling — and this hop is paid on every request (docs/benchmarks.md, mesh
// suite). Each request is a frame with a seq, its deadline as time left and the caller's trace
// context; its reply (response or status) comes back with the seq, in completion order.
//
// Failure semantics match a unary call's, so the router's retry rule (isExecutorLost) is
// unchanged: when the stream ends or breaks, every request still waiting on it fails UNAVAILABLE
// (the executor went away or drained) and the next request opens a new stream; a request whose
// deadline passes fails DEADLINE_EXCEEDED at once, whatever the executor does. Requests too large
// for one stream message, and executors without InferStream (UNIMPLEMENTED: an older version),
// go through unary Infer.
import * as grpc from '@grpc/grpc-js';
import { CPU_PRIORITY_METADATA, decodeInferReply, encodeInferFrame } from '@switchyard/proto';
import type { W3CTraceContext } from '@switchyard/otel';

export const EXECUTOR_INFER = '/switchyard.executor.v1.Executor/Infer';
export const EXECUTOR_INFER_STREAM = '/switchyard.executor.v1.Executor/InferStream';

/** Requests above this many bytes use unary Infer: one frame over the stream's message limit
 *  would end the stream, and every request on it. Streaming gains nothing at that size. */
export const STREAM_MAX_REQUEST_BYTES = 4 * 1024 * 1024;

/** A failed request, shaped like grpc-js's ServiceError (code, details, metadata). */
export class LinkError extends Error implements Partial<grpc.ServiceError> {
  readonly code: grpc.status;
  readonly details: string;
  readonly metadata = new grpc.Metadata();
  constructor(code: grpc.status, details: string) {
    super(`${code} ${grpc.status[code]}: ${details}`);
    this.code = code;
    this.details = details;
  }
}

interface Pending {
  resolve(b: Buffer): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
  /** Kept for the UNIMPLEMENTED fallback. */
  bytes: Buffer[];
  deadlineAtMs: number;
  trace: W3CTraceContext | undefined;
  background: boolean;
}

const identity = (b: Buffer): Buffer => b;

export type LinkMode = 'stream' | 'unary';

export class InferLink {
  private readonly client: grpc.Client;
  private mode: LinkMode;
  private call: grpc.ClientDuplexStream<Buffer, Buffer> | undefined;
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  /** Streams opened (for tests and status). */
  opened = 0;

  constructor(client: grpc.Client, mode: LinkMode = 'stream') {
    this.client = client;
    this.mode = mode;
  }

  /** 'unary' once the executor said it has no InferStream. */
  get transport(): LinkMode {
    return this.mode;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Runs one request (a serialized ModelInferRequest, whole or in pieces to be joined); resolves to
   * the executor's serialized response. `background`: at the executor's background CPU priority.
   */
  infer(request: Buffer | Buffer[], deadlineAtMs: number, trace?: W3CTraceContext, background = false): Promise<Buffer> {
    const bytes = Array.isArray(request) ? request : [request];
    let length = 0;
    for (const b of bytes) length += b.length;
    if (this.mode === 'unary' || length > STREAM_MAX_REQUEST_BYTES) return this.unary(bytes, deadlineAtMs, trace, background);
    return new Promise<Buffer>((resolve, reject) => {
      const call = this.call ?? this.open();
      this.seq = this.seq >= 0xffffffff ? 1 : this.seq + 1;
      const seq = this.seq;
      const left = deadlineAtMs - Date.now();
      const timer = setTimeout(() => {
        if (this.pending.delete(seq)) reject(new LinkError(grpc.status.DEADLINE_EXCEEDED, `deadline exceeded after ${Math.max(0, Math.round(left))} ms waiting for the executor`));
      }, Math.max(0, left));
      this.pending.set(seq, { resolve, reject, timer, bytes, deadlineAtMs, trace, background });
      call.write(encodeInferFrame({ seq, request: bytes, timeoutMs: Math.max(left, 0.001), traceparent: trace?.traceparent ?? '', tracestate: trace?.tracestate ?? '', background }));
    });
  }

  private open(): grpc.ClientDuplexStream<Buffer, Buffer> {
    const call = this.client.makeBidiStreamRequest(EXECUTOR_INFER_STREAM, identity, identity);
    this.call = call;
    this.opened++;
    call.on('data', (b: Buffer) => {
      let r;
      try {
        r = decodeInferReply(b);
      } catch {
        return; // unreadable: its request's deadline ends the wait
      }
      const p = this.pending.get(r.seq);
      if (!p) return; // already timed out
      this.pending.delete(r.seq);
      clearTimeout(p.timer);
      if (r.code === 0) p.resolve(Buffer.from(r.response.buffer, r.response.byteOffset, r.response.byteLength));
      else p.reject(new LinkError(r.code, r.message));
    });
    // 'status' comes last, once, however the stream ended ('error' carries the same status).
    call.on('error', () => {});
    call.on('status', (s: grpc.StatusObject) => this.closed(call, s));
    return call;
  }

  /** The stream ended: fail (or, if the executor has no InferStream, re-send) what waits on it. */
  private closed(call: grpc.ClientDuplexStream<Buffer, Buffer>, s: grpc.StatusObject): void {
    if (this.call === call) this.call = undefined;
    const waiting = [...this.pending.values()];
    this.pending.clear();
    if (s.code === grpc.status.UNIMPLEMENTED) {
      this.mode = 'unary';
      for (const p of waiting) {
        clearTimeout(p.timer);
        this.unary(p.bytes, p.deadlineAtMs, p.trace, p.background).then(p.resolve, p.reject);
      }
      return;
    }
    // A refusal of the stream itself is the executor's answer to each request (the mesh's
    // PERMISSION_DENIED, say); anything else left requests unanswered: the executor is lost.
    const final = s.code === grpc.status.PERMISSION_DENIED || s.code === grpc.status.UNAUTHENTICATED;
    const code = final || s.code === grpc.status.UNAVAILABLE ? s.code : grpc.status.UNAVAILABLE;
    const details = s.code === grpc.status.UNAVAILABLE || final ? s.details : `executor stream closed (${grpc.status[s.code]}${s.details ? `: ${s.details}` : ''})`;
    for (const p of waiting) {
      clearTimeout(p.timer);
      p.reject(new LinkError(code, details));
    }
  }

  private unary(pieces: Buffer[], deadlineAtMs: number, trace: W3CTraceContext | undefined, background: boolean): Promise<Buffer> {
    const bytes = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
    const md = new grpc.Metadata();
    if (trace?.traceparent) md.set('traceparent', trace.traceparent);
    if (trace?.tracestate) md.set('tracestate', trace.tracestate);
    if (background) md.set(CPU_PRIORITY_METADATA, 'background');
    return new Promise<Buffer>((resolve, reject) => {
      this.client.makeUnaryRequest(EXECUTOR_INFER, identity, identity, bytes, md, { deadline: deadlineAtMs }, (err, res) => (err ? reject(err) : resolve(res as Buffer)));
    });
  }

  /** Ends the stream at once (requests still waiting fail UNAVAILABLE). The client is the caller's to close. */
  close(): void {
    this.call?.cancel();
  }

  /**
   * For an executor that left the placement table: no new requests, the stream is half-closed so
   * the executor answers the requests in flight and then ends it, and `then` runs (close the
   * client there). A unary call on a closing channel would have finished too.
   */
  retire(then: () => void): void {
    const call = this.call;
    if (!call) return then();
    this.call = undefined;
    // An executor that never answers is not waited for beyond the longest default deadline.
    const timer = setTimeout(() => call.cancel(), 30_000);
    timer.unref();
    call.on('status', () => { clearTimeout(timer); then(); });
    call.end();
  }
}
