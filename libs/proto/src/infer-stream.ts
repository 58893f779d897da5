// The envelope of Executor/InferStream (proto/switchyard/executor/v1/executor.proto: InferFrame,
// InferReply), written and read by hand around bytes that are already serialized: the gateway
// holds the caller's ModelInferRequest bytes (it never decodes the tensors) and wants the
// executor's ModelInferResponse bytes back as they are. A generated codec would decode and
// re-encode both. Field numbers and wire types are the .proto's; infer-stream.test.ts checks
// these functions against the generated codecs both ways.
import protobuf from 'protobufjs';

export interface InferFrameParts {
  seq: number;
  /** A serialized inference.ModelInferRequest. */
  request: Uint8Array;
  /** Milliseconds left until the caller's deadline; 0 = none. */
  timeoutMs: number;
  traceparent: string;
  tracestate: string;
  /** Run at the executor's background CPU priority (absent: false). */
  background?: boolean;
}

/** What encodeInferFrame takes: the request may also come in pieces, written one after the
 *  other (the gateway's caller bytes and the version it appends, not joined first). */
export type InferFrameInput = Omit<InferFrameParts, 'request'> & { request: Uint8Array | readonly Uint8Array[] };

export interface InferReplyParts {
  seq: number;
  /** A serialized inference.ModelInferResponse (code 0); empty otherwise. */
  response: Uint8Array;
  /** gRPC status code, 0 = OK. */
  code: number;
  message: string;
}

/** Unary Infer's metadata key for what InferFrame.background says on the stream (value `background`). */
export const CPU_PRIORITY_METADATA = 'switchyard-cpu-priority';

const EMPTY = new Uint8Array(0);

// Tags: (field << 3) | wire type (0 varint, 1 fixed64, 2 length-delimited).
const SEQ = (1 << 3) | 0;
const BODY = (2 << 3) | 2;
const TIMEOUT = (3 << 3) | 1;
const TRACEPARENT = (4 << 3) | 2;
const TRACESTATE = (5 << 3) | 2;
const BACKGROUND = (6 << 3) | 0;
const CODE = (3 << 3) | 0;
const MESSAGE = (4 << 3) | 2;

function finish(w: protobuf.Writer): Buffer {
  const out = w.finish();
  return Buffer.isBuffer(out) ? out : Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/** InferFrame's wire bytes: the small fields, then the request's pieces copied once, into the frame. */
export function encodeInferFrame(f: InferFrameInput): Buffer {
  const parts = f.request instanceof Uint8Array ? [f.request] : f.request;
  let bodyLength = 0;
  for (const p of parts) bodyLength += p.length;
  const w = protobuf.Writer.create();
  if (f.seq !== 0) w.uint32(SEQ).uint32(f.seq);
  if (f.timeoutMs > 0) w.uint32(TIMEOUT).double(f.timeoutMs);
  if (f.traceparent) w.uint32(TRACEPARENT).string(f.traceparent);
  if (f.tracestate) w.uint32(TRACESTATE).string(f.tracestate);
  if (f.background) w.uint32(BACKGROUND).bool(true);
  w.uint32(BODY).uint32(bodyLength);
  const head = w.finish();
  const out = Buffer.allocUnsafe(head.length + bodyLength);
  out.set(head, 0);
  let at = head.length;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** InferReply's wire bytes. */
export function encodeInferReply(r: InferReplyParts): Buffer {
  const w = protobuf.Writer.create();
  if (r.seq !== 0) w.uint32(SEQ).uint32(r.seq);
  if (r.code === 0) w.uint32(BODY).bytes(r.response);
  else w.uint32(CODE).int32(r.code);
  if (r.message) w.uint32(MESSAGE).string(r.message);
  return finish(w);
}

/** Reads an InferFrame; `request` is a view into `bytes` (no copy). Throws on malformed input. */
export function decodeInferFrame(bytes: Uint8Array): InferFrameParts {
  const r = protobuf.Reader.create(bytes);
  const f: InferFrameParts = { seq: 0, request: EMPTY, timeoutMs: 0, traceparent: '', tracestate: '' };
  while (r.pos < r.len) {
    const tag = r.uint32();
    switch (tag) {
      case SEQ: f.seq = r.uint32(); break;
      case BODY: f.request = r.bytes(); break;
      case TIMEOUT: f.timeoutMs = r.double(); break;
      case TRACEPARENT: f.traceparent = r.string(); break;
      case TRACESTATE: f.tracestate = r.string(); break;
      case BACKGROUND: f.background = r.bool(); break;
      default: r.skipType(tag & 7);
    }
  }
  return f;
}

/** Reads an InferReply; `response` is a view into `bytes` (no copy). Throws on malformed input. */
export function decodeInferReply(bytes: Uint8Array): InferReplyParts {
  const r = protobuf.Reader.create(bytes);
  const out: InferReplyParts = { seq: 0, response: EMPTY, code: 0, message: '' };
  while (r.pos < r.len) {
    const tag = r.uint32();
    switch (tag) {
      case SEQ: out.seq = r.uint32(); break;
      case BODY: out.response = r.bytes(); break;
      case CODE: out.code = r.int32(); break;
      case MESSAGE: out.message = r.string(); break;
      default: r.skipType(tag & 7);
    }
  }
  return out;
}
