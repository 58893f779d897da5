// Executor/InferStream, the executor's side: many requests on one long-lived stream (the
// gateway keeps one per executor). Each InferFrame is run like a unary Infer call — same
// decoding, same engine, its own deadline (from the frame's timeout_ms), its own span (the
// child of the frame's traceparent) — and answered by the InferReply with its seq, in
// completion order. A request's failure is a reply with its status; nothing a frame carries can
// end the stream, so one bad request never fails the others in flight with it.
import * as grpc from '@grpc/grpc-js';
import { decodeInferFrame, encodeInferReply, type InferFrameParts, type ModelInferRequest__Output, type ModelInferResponse } from '@switchyard/proto';
import { startServerSpanW3C, endRpcSpan } from '@switchyard/otel';
import type { Logger } from '@switchyard/log';
import type { InferTiming } from './engine.ts';
import { toServiceError } from './errors.ts';
import { annotateInferSpan } from './trace.ts';

export const EXECUTOR_INFER_STREAM_PATH = '/switchyard.executor.v1.Executor/InferStream';
/** The method name the instrumentation must leave to us (traceGrpcManually): one span per
 *  request is made here, none for the stream. */
export const EXECUTOR_INFER_STREAM_METHOD = 'InferStream';

export interface InferStreamOptions {
  /** Runs one request (the engine); `deadlineMs` on the performance.now() clock. */
  infer(req: ModelInferRequest__Output, o: { deadlineMs?: number; timing: InferTiming; background?: boolean }): Promise<ModelInferResponse>;
  /** Infer's request deserializer and response serializer (the same bytes as the unary call). */
  decodeRequest(bytes: Buffer): ModelInferRequest__Output;
  encodeResponse(res: ModelInferResponse): Buffer;
  /** Replies larger than this are answered RESOURCE_EXHAUSTED instead (the stream's message limit). */
  maxReplyBytes: number;
  /** While true every frame is answered UNAVAILABLE (the sender retries elsewhere). */
  draining(): boolean;
  log: Logger;
}

export class InferStreamServer {
  private readonly o: InferStreamOptions;
  /** Open streams and their requests in flight. */
  private readonly open = new Map<grpc.ServerDuplexStream<Buffer, Buffer>, { pending: number; ending: boolean }>();

  constructor(o: InferStreamOptions) {
    this.o = o;
  }

  get streams(): number {
    return this.open.size;
  }

  /** The InferStream handler (register with identity (de)serializers: frames are read here). */
  readonly handler: grpc.handleBidiStreamingCall<Buffer, Buffer> = (call) => {
    const state = { pending: 0, ending: false };
    this.open.set(call, state);
    const forget = () => { this.open.delete(call); };
    const maybeEnd = () => {
      if (state.ending && state.pending === 0 && this.open.has(call)) {
        forget();
        call.end();
      }
    };
    call.on('data', (bytes: Buffer) => {
      let f: InferFrameParts;
      try {
        f = decodeInferFrame(bytes);
      } catch (e) {
        // No seq to answer: the sender's own deadline ends its wait.
        this.o.log.warn({ err: (e as Error).message, bytes: bytes.length }, 'InferStream: unreadable frame ignored');
        return;
      }
      state.pending++;
      this.run(f, (reply) => {
        state.pending--;
        if (this.open.has(call) && !call.cancelled) call.write(reply);
        maybeEnd();
      });
    });
    // The gateway half-closed: answer what is in flight, then end.
    call.on('end', () => { state.ending = true; maybeEnd(); });
    call.on('cancelled', forget);
    call.on('error', forget);
  };

  private run(f: InferFrameParts, send: (reply: Buffer) => void): void {
    const span = startServerSpanW3C(EXECUTOR_INFER_STREAM_PATH, f.traceparent, f.tracestate);
    const timing: InferTiming = {};
    const deadlineMs = f.timeoutMs > 0 ? performance.now() + f.timeoutMs : undefined;
    const done = (code: number, message: string, response?: Buffer) => {
      annotateInferSpan(span, timing);
      endRpcSpan(span, code, code === 0 ? undefined : message);
      send(encodeInferReply({ seq: f.seq, response: response ?? EMPTY, code, message }));
    };
    // As a new unary call to a draining server is refused (libs/mesh), and for the same reason.
    if (this.o.draining()) return done(grpc.status.UNAVAILABLE, 'server is shutting down');
    Promise.resolve()
      .then(() => this.o.infer(this.o.decodeRequest(Buffer.from(f.request.buffer, f.request.byteOffset, f.request.byteLength)), { ...(deadlineMs !== undefined ? { deadlineMs } : {}), timing, background: f.background === true }))
      .then((res) => {
        const bytes = this.o.encodeResponse(res);
        if (bytes.length > this.o.maxReplyBytes) {
          done(grpc.status.RESOURCE_EXHAUSTED, `response of ${bytes.length} bytes exceeds the ${this.o.maxReplyBytes}-byte message limit`);
        } else {
          done(0, '', bytes);
        }
      })
      .catch((e: unknown) => {
        const se = toServiceError(e);
        done(se.code, se.details);
      });
  }

  /**
   * Drain: every open stream is ended once its requests in flight are answered (the gateway
   * then opens a new one, which a draining server refuses, and sends elsewhere).
   */
  endAll(): void {
    for (const [call, state] of this.open) {
      state.ending = true;
      if (state.pending === 0) {
        this.open.delete(call);
        call.end();
      }
    }
  }
}

const EMPTY = new Uint8Array(0);
