import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codec } from './index.ts';
import { decodeInferFrame, decodeInferReply, encodeInferFrame, encodeInferReply } from './infer-stream.ts';

const reqCodec = codec<Record<string, unknown>, Record<string, unknown>>('inference.ModelInferRequest');
const resCodec = codec<Record<string, unknown>, Record<string, unknown>>('inference.ModelInferResponse');
const frameCodec = codec<Record<string, unknown>, Record<string, unknown>>('switchyard.executor.v1.InferFrame');
const replyCodec = codec<Record<string, unknown>, Record<string, unknown>>('switchyard.executor.v1.InferReply');

const request = { model_name: 'm', model_version: '2', id: 'r1', inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 2] }], raw_input_contents: [Buffer.from([1, 2, 3, 4, 5, 6, 7, 8])] };
const response = { model_name: 'm', model_version: '2', id: 'r1', outputs: [{ name: 'y', datatype: 'FP32', shape: [1] }], raw_output_contents: [Buffer.from([9, 9, 9, 9])] };

test('InferFrame by hand is the .proto message: the generated codec reads it, and it reads the codec', () => {
  const reqBytes = Buffer.from(reqCodec.encode(request));
  const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  const bytes = encodeInferFrame({ seq: 4_000_000_000, request: reqBytes, timeoutMs: 12.5, traceparent: tp, tracestate: 'a=b', background: true });
  const viaCodec = frameCodec.decode(bytes) as { seq: number; request: Record<string, unknown>; timeout_ms: number; traceparent: string; tracestate: string; background: boolean };
  assert.equal(viaCodec.seq, 4_000_000_000);
  assert.equal(viaCodec.background, true);
  assert.equal(viaCodec.timeout_ms, 12.5);
  assert.equal(viaCodec.traceparent, tp);
  assert.equal(viaCodec.tracestate, 'a=b');
  assert.equal(viaCodec.request.id, 'r1');
  assert.deepEqual(viaCodec.request.raw_input_contents, request.raw_input_contents);

  const back = decodeInferFrame(Buffer.from(frameCodec.encode({ seq: 7, request, timeout_ms: 3, traceparent: tp })));
  assert.equal(back.seq, 7);
  assert.equal(back.timeoutMs, 3);
  assert.equal(back.traceparent, tp);
  assert.equal(back.tracestate, '');
  assert.equal(back.background, undefined, 'absent: normal CPU priority');
  assert.equal(decodeInferFrame(Buffer.from(frameCodec.encode({ seq: 8, request, background: true }))).background, true);
  assert.deepEqual(reqCodec.decode(back.request), reqCodec.decode(reqBytes));
  // Defaults are left out, as protobuf does: no deadline, no trace context.
  const bare = decodeInferFrame(encodeInferFrame({ seq: 1, request: reqBytes, timeoutMs: 0, traceparent: '', tracestate: '' }));
  assert.deepEqual({ ...bare, request: Buffer.from(bare.request) }, { seq: 1, request: reqBytes, timeoutMs: 0, traceparent: '', tracestate: '' });
});

test('InferReply by hand is the .proto message, with a response or with a status', () => {
  const resBytes = Buffer.from(resCodec.encode(response));
  const ok = replyCodec.decode(encodeInferReply({ seq: 9, response: resBytes, code: 0, message: '' })) as { seq: number; code: number; response: Record<string, unknown> };
  assert.equal(ok.seq, 9);
  assert.equal(ok.code, 0);
  assert.deepEqual(ok.response.raw_output_contents, response.raw_output_contents);
  const failed = replyCodec.decode(encodeInferReply({ seq: 10, response: new Uint8Array(0), code: 3, message: "input 'x': expected FP32" })) as { seq: number; code: number; message: string; response: unknown };
  assert.deepEqual([failed.seq, failed.code, failed.message, failed.response], [10, 3, "input 'x': expected FP32", null]);

  const back = decodeInferReply(Buffer.from(replyCodec.encode({ seq: 11, response })));
  assert.equal(back.seq, 11);
  assert.equal(back.code, 0);
  assert.deepEqual(resCodec.decode(back.response), resCodec.decode(resBytes));
  const err = decodeInferReply(Buffer.from(replyCodec.encode({ seq: 12, code: 8, message: 'queue full' })));
  assert.deepEqual({ ...err, response: err.response.length }, { seq: 12, response: 0, code: 8, message: 'queue full' });
});

test('the envelope skips fields it does not know (a newer sender) and refuses truncated bytes', () => {
  const reqBytes = Buffer.from(reqCodec.encode(request));
  const withExtra = Buffer.concat([encodeInferFrame({ seq: 5, request: reqBytes, timeoutMs: 0, traceparent: '', tracestate: '' }), Buffer.from([0x50, 0x01])]);
  assert.equal(decodeInferFrame(withExtra).seq, 5);
  const full = encodeInferReply({ seq: 6, response: Buffer.from(resCodec.encode(response)), code: 0, message: '' });
  assert.throws(() => decodeInferReply(full.subarray(0, full.length - 3)));
});

test('a request given in pieces is the same frame as the pieces joined', () => {
  const reqBytes = Buffer.from(reqCodec.encode(request));
  const version = Buffer.from(reqCodec.encode({ model_version: '7' }));
  const joined = encodeInferFrame({ seq: 3, request: Buffer.concat([reqBytes, version]), timeoutMs: 5, traceparent: '', tracestate: 'x=y', background: true });
  const pieces = encodeInferFrame({ seq: 3, request: [reqBytes, version], timeoutMs: 5, traceparent: '', tracestate: 'x=y', background: true });
  assert.deepEqual(pieces, joined);
  const back = frameCodec.decode(pieces) as { request: Record<string, unknown>; tracestate: string; background: boolean };
  assert.equal(back.request.model_version, '7', 'the appended version wins');
  assert.deepEqual(back.request.raw_input_contents, request.raw_input_contents);
  assert.deepEqual([back.tracestate, back.background], ['x=y', true]);
});
