// Executor/InferStream's server side over a real grpc-js connection: each frame answered by its
// seq, failures per request, the frame's deadline and trace context, draining, the reply limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { trace, context, propagation } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { createLogger } from '@switchyard/log';
import { codec, decodeInferReply, encodeInferFrame, executorV1, type ModelInferRequest__Output, type ModelInferResponse } from '@switchyard/proto';
import { InferStreamServer, EXECUTOR_INFER_STREAM_PATH } from './infer-stream.ts';
import { invalid } from './errors.ts';
import type { InferTiming } from './engine.ts';

const log = createLogger({ service: 'infer-stream-test', level: 'silent' });
const inferDef = executorV1.Executor.service.Infer;
const reqCodec = codec<Record<string, unknown>, Record<string, unknown>>('inference.ModelInferRequest');
const resCodec = codec<Record<string, unknown>, ModelInferResponse>('inference.ModelInferResponse');
const raw = (b: Buffer) => b;

type Infer = (req: ModelInferRequest__Output, o: { deadlineMs?: number; timing: InferTiming }) => Promise<ModelInferResponse>;

async function serve(infer: Infer, o: { draining?: () => boolean; maxReplyBytes?: number } = {}) {
  const streams = new InferStreamServer({
    infer, log,
    decodeRequest: (b) => inferDef.requestDeserialize(b) as ModelInferRequest__Output,
    encodeResponse: (r) => inferDef.responseSerialize(r) as Buffer,
    maxReplyBytes: o.maxReplyBytes ?? 1 << 20,
    draining: o.draining ?? (() => false),
  });
  const server = new grpc.Server();
  server.addService({ InferStream: { path: EXECUTOR_INFER_STREAM_PATH, requestStream: true, responseStream: true, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw } }, { InferStream: streams.handler });
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const call = client.makeBidiStreamRequest(EXECUTOR_INFER_STREAM_PATH, raw, raw);
  const replies: ReturnType<typeof decodeInferReply>[] = [];
  const waiters: Array<() => void> = [];
  call.on('data', (b: Buffer) => { replies.push(decodeInferReply(b)); waiters.splice(0).forEach((w) => w()); });
  call.on('error', () => {});
  const status = new Promise<grpc.StatusObject>((r) => call.on('status', r));
  const until = async (n: number) => { while (replies.length < n) await new Promise<void>((r) => waiters.push(r)); };
  const send = (seq: number, request: Record<string, unknown>, extra: { timeoutMs?: number; traceparent?: string } = {}) =>
    call.write(encodeInferFrame({ seq, request: Buffer.from(reqCodec.encode(request)), timeoutMs: extra.timeoutMs ?? 0, traceparent: extra.traceparent ?? '', tracestate: '' }));
  const close = () => { client.close(); server.forceShutdown(); };
  return { streams, call, replies, until, send, status, close };
}

const echo: Infer = async (req) => ({ model_name: req.model_name, id: req.id, outputs: [] });

test('each frame is answered by its seq, in completion order; one request failing does not touch the others', async () => {
  const s = await serve(async (req) => {
    if (req.model_name === 'bad') throw invalid("input 'x': expected FP32, got INT8");
    if (req.model_name === 'slow') await new Promise((r) => setTimeout(r, 50));
    return { model_name: req.model_name, id: req.id, outputs: [] };
  });
  try {
    s.send(1, { model_name: 'slow', id: 'a' });
    s.send(2, { model_name: 'bad', id: 'b' });
    s.send(3, { model_name: 'fast', id: 'c' });
    await s.until(3);
    assert.deepEqual(s.replies.map((r) => r.seq), [2, 3, 1], 'the slow request does not hold the others back');
    const bySeq = new Map(s.replies.map((r) => [r.seq, r]));
    assert.equal(bySeq.get(2)!.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(bySeq.get(2)!.message, "input 'x': expected FP32, got INT8");
    assert.equal(bySeq.get(2)!.response.length, 0);
    for (const [seq, id] of [[1, 'a'], [3, 'c']] as const) {
      assert.equal(bySeq.get(seq)!.code, 0);
      assert.equal(resCodec.decode(bySeq.get(seq)!.response).id, id);
    }
    // An unreadable frame is dropped; the stream goes on.
    s.call.write(Buffer.from([0x0a, 0xff]));
    s.send(4, { model_name: 'fast', id: 'd' });
    await s.until(4);
    assert.equal(s.replies[3]!.seq, 4);
    // The gateway half-closes: what is in flight is answered, then the stream ends OK.
    s.send(5, { model_name: 'slow', id: 'e' });
    s.call.end();
    assert.equal((await s.status).code, grpc.status.OK);
    assert.equal(s.replies[4]!.seq, 5);
    assert.equal(s.streams.streams, 0);
  } finally {
    s.close();
  }
});

test("the frame's timeout becomes the request's deadline; without one there is none", async () => {
  const seen: Array<number | undefined> = [];
  const s = await serve(async (req, o) => { seen.push(o.deadlineMs === undefined ? undefined : o.deadlineMs - performance.now()); return echo(req, o); });
  try {
    s.send(1, { model_name: 'm' }, { timeoutMs: 250 });
    s.send(2, { model_name: 'm' });
    await s.until(2);
    assert.ok(seen[0]! > 150 && seen[0]! <= 250, `deadline ${seen[0]} ms ahead`);
    assert.equal(seen[1], undefined);
  } finally {
    s.close();
  }
});

test("each request's span is the child of the frame's traceparent, named after InferStream", async () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const s = await serve(async (req, o) => {
    o.timing.model = 'm';
    o.timing.enqueuedAt = performance.now();
    o.timing.batchStartedAt = o.timing.enqueuedAt + 1;
    o.timing.batchEndedAt = o.timing.enqueuedAt + 2;
    return echo(req, o);
  });
  try {
    const parent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    s.send(1, { model_name: 'm' }, { traceparent: parent });
    s.send(2, { model_name: 'bad' }, { traceparent: parent });
    await s.until(2);
    const spans = exporter.getFinishedSpans();
    assert.equal(spans.length, 2);
    for (const sp of spans) {
      assert.equal(sp.name, 'grpc.switchyard.executor.v1.Executor/InferStream');
      assert.equal(sp.spanContext().traceId, '0af7651916cd43dd8448eb211c80319c');
      assert.equal(sp.parentSpanContext?.spanId, 'b7ad6b7169203331');
    }
    assert.deepEqual(spans[0]!.events.map((e) => e.name), ['executor.batch.start', 'executor.onnxruntime.end']);
  } finally {
    s.close();
    trace.disable();
    propagation.disable();
    context.disable();
    await provider.shutdown();
  }
});

test('while draining every frame is answered UNAVAILABLE without running; an oversize reply is RESOURCE_EXHAUSTED', async () => {
  let draining = true;
  let ran = 0;
  const s = await serve(async (req, o) => { ran++; return req.model_name === 'big' ? { model_name: 'x'.repeat(2000), outputs: [] } : echo(req, o); }, { draining: () => draining, maxReplyBytes: 1000 });
  try {
    s.send(1, { model_name: 'm' });
    await s.until(1);
    assert.deepEqual([s.replies[0]!.code, s.replies[0]!.message, ran], [grpc.status.UNAVAILABLE, 'server is shutting down', 0]);
    draining = false;
    s.send(2, { model_name: 'big' });
    s.send(3, { model_name: 'm' });
    await s.until(3);
    assert.equal(s.replies[1]!.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.match(s.replies[1]!.message, /^response of \d+ bytes exceeds the 1000-byte message limit$/);
    assert.equal(s.replies[2]!.code, 0);
    // Drain with a request in flight: it is answered, then the stream ends.
    s.streams.endAll();
    assert.equal((await s.status).code, grpc.status.OK);
  } finally {
    s.close();
  }
});
