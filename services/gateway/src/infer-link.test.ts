// The gateway's InferLink against a real grpc-js server running the executor's InferStream side
// (libs/executor infer-stream.ts) with a scripted model: many requests on one stream, each
// answered by its own reply; deadlines; a lost executor; executors without InferStream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { createLogger } from '@switchyard/log';
import { codec, CPU_PRIORITY_METADATA, executorV1, type ModelInferRequest__Output, type ModelInferResponse } from '@switchyard/proto';
import { InferStreamServer } from '@switchyard/executor';
import { InferLink, LinkError, STREAM_MAX_REQUEST_BYTES, EXECUTOR_INFER, EXECUTOR_INFER_STREAM } from './infer-link.ts';
import { isExecutorLost } from './router.ts';

const log = createLogger({ service: 'infer-link-test', level: 'silent' });
const inferDef = executorV1.Executor.service.Infer;
const reqCodec = codec<Record<string, unknown>, Record<string, unknown>>('inference.ModelInferRequest');
const resCodec = codec<Record<string, unknown>, Record<string, unknown>>('inference.ModelInferResponse');
const raw = (b: Buffer) => b;
const bytesOf = (model: string, id = '', big = 0) => Buffer.from(reqCodec.encode({ model_name: model, id, ...(big ? { raw_input_contents: [Buffer.alloc(big)] } : {}) }));
const idOf = (res: Buffer) => resCodec.decode(res).id;

type Script = (req: ModelInferRequest__Output, deadlineMs: number | undefined) => Promise<ModelInferResponse>;

/** An executor-like server: InferStream (unless `stream: false`) and unary Infer, both running `script`. */
async function executor(script: Script, o: { stream?: boolean } = {}) {
  const calls = { stream: 0, unary: 0, traceparents: [] as string[], background: [] as string[] };
  const streams = new InferStreamServer({
    log, draining: () => false, maxReplyBytes: 1 << 20,
    decodeRequest: (b) => inferDef.requestDeserialize(b) as ModelInferRequest__Output,
    encodeResponse: (r) => inferDef.responseSerialize(r) as Buffer,
    infer: (req, opts) => { calls.stream++; if (opts.background) calls.background.push(req.id); return script(req, opts.deadlineMs); },
  });
  const def: grpc.ServiceDefinition = {
    Infer: { ...inferDef, path: EXECUTOR_INFER },
    ...(o.stream === false ? {} : { InferStream: { path: EXECUTOR_INFER_STREAM, requestStream: true, responseStream: true, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw } }),
  } as grpc.ServiceDefinition;
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 16 << 20 });
  server.addService(def, {
    Infer: (call: grpc.ServerUnaryCall<ModelInferRequest__Output, ModelInferResponse>, cb: grpc.sendUnaryData<ModelInferResponse>) => {
      calls.unary++;
      calls.traceparents.push(String(call.metadata.get('traceparent')[0] ?? ''));
      if (call.metadata.get(CPU_PRIORITY_METADATA)[0] === 'background') calls.background.push(call.request.id);
      script(call.request, undefined).then((r) => cb(null, r), (e: grpc.ServiceError) => cb(e));
    },
    ...(o.stream === false ? {} : { InferStream: streams.handler }),
  });
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return { calls, server, client, close: () => { client.close(); server.forceShutdown(); } };
}

const reply: Script = async (req) => ({ model_name: req.model_name, id: req.id, outputs: [] });

test('many requests share one stream; each gets its own answer, failures included, with their codes', async () => {
  const ex = await executor(async (req) => {
    if (req.model_name === 'missing') throw Object.assign(new Error("unknown model 'missing'"), { code: grpc.status.NOT_FOUND, details: "unknown model 'missing'" });
    await new Promise((r) => setTimeout(r, Math.random() * 10));
    return { model_name: req.model_name, id: req.id, outputs: [] };
  });
  const link = new InferLink(ex.client);
  try {
    const ids = Array.from({ length: 50 }, (_, i) => `r${i}`);
    const results = await Promise.all(ids.map((id) => link.infer(bytesOf('m', id), Date.now() + 5000)));
    assert.deepEqual(results.map(idOf), ids);
    await assert.rejects(link.infer(bytesOf('missing'), Date.now() + 5000), (e: LinkError) => e.code === grpc.status.NOT_FOUND && e.details === "unknown model 'missing'");
    assert.equal(link.opened, 1, 'one stream for all of them');
    assert.deepEqual([ex.calls.stream, ex.calls.unary], [51, 0]);
    assert.equal(link.inFlight, 0);
  } finally {
    link.close();
    ex.close();
  }
});

test("a request past its deadline fails DEADLINE_EXCEEDED at once, and the executor got the time left", async () => {
  let seenLeft = 0;
  const ex = await executor(async (req, deadlineMs) => {
    seenLeft = (deadlineMs ?? 0) - performance.now();
    await new Promise((r) => setTimeout(r, 1000));
    return reply(req, deadlineMs);
  });
  const link = new InferLink(ex.client);
  try {
    const t0 = Date.now();
    await assert.rejects(link.infer(bytesOf('m'), Date.now() + 60), (e: LinkError) => e.code === grpc.status.DEADLINE_EXCEEDED && isExecutorLost(e) === false);
    const took = Date.now() - t0;
    // At the deadline (60 ms), not at the executor's answer (1 s): the margin between the two is
    // for a busy machine's stalls, not a speed target.
    assert.ok(took >= 55 && took < 800, `answered after ${took} ms`);
    assert.ok(seenLeft > 0 && seenLeft <= 60, `executor saw ${seenLeft} ms left`);
    // The late answer is dropped; the stream stays usable.
    assert.equal(idOf(await link.infer(bytesOf('m', 'after'), Date.now() + 5000)), 'after');
  } finally {
    link.close();
    ex.close();
  }
});

test('an executor lost mid-stream fails its requests UNAVAILABLE (retryable), and the next request opens a new stream', async () => {
  let hold = true;
  const ex = await executor(async (req) => {
    while (hold) await new Promise((r) => setTimeout(r, 10));
    return reply(req, undefined);
  });
  const link = new InferLink(ex.client);
  try {
    const waiting = [link.infer(bytesOf('m', 'a'), Date.now() + 5000), link.infer(bytesOf('m', 'b'), Date.now() + 5000)];
    while (ex.calls.stream < 2) await new Promise((r) => setTimeout(r, 5));
    ex.server.forceShutdown();
    for (const w of waiting) await assert.rejects(w, (e: LinkError) => isExecutorLost(e));
    assert.equal(link.inFlight, 0);
    hold = false;
  } finally {
    link.close();
    ex.close();
  }
  // A new executor on a new channel: the link opens a stream again.
  const ex2 = await executor(reply);
  const link2 = new InferLink(ex2.client);
  try {
    assert.equal(idOf(await link2.infer(bytesOf('m', 'c'), Date.now() + 5000)), 'c');
    link2.close();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(idOf(await link2.infer(bytesOf('m', 'd'), Date.now() + 5000)), 'd');
    assert.equal(link2.opened, 2);
  } finally {
    ex2.close();
  }
});

test('retiring a link (its executor left the table) lets the requests in flight finish, then closes', async () => {
  const ex = await executor(async (req) => {
    await new Promise((r) => setTimeout(r, 100));
    return reply(req, undefined);
  });
  const link = new InferLink(ex.client);
  try {
    const inFlight = [link.infer(bytesOf('m', 'a'), Date.now() + 5000), link.infer(bytesOf('m', 'b'), Date.now() + 5000)];
    while (ex.calls.stream < 2) await new Promise((r) => setTimeout(r, 5));
    let retired = false;
    link.retire(() => { retired = true; });
    assert.deepEqual((await Promise.all(inFlight)).map(idOf), ['a', 'b']);
    while (!retired) await new Promise((r) => setTimeout(r, 5));
    assert.equal(link.inFlight, 0);
    // Nothing open: retiring again calls back at once.
    let again = false;
    link.retire(() => { again = true; });
    assert.equal(again, true);
  } finally {
    link.close();
    ex.close();
  }
});

test('an executor without InferStream (an older version) is called with unary Infer, the trace context in metadata', async () => {
  const ex = await executor(reply, { stream: false });
  const link = new InferLink(ex.client);
  try {
    const carrier = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: '' };
    const first = await Promise.all([link.infer(bytesOf('m', 'a'), Date.now() + 5000, carrier), link.infer(bytesOf('m', 'b'), Date.now() + 5000)]);
    assert.deepEqual(first.map(idOf), ['a', 'b']);
    assert.equal(link.transport, 'unary');
    assert.equal(idOf(await link.infer(bytesOf('m', 'c'), Date.now() + 5000)), 'c');
    assert.equal(ex.calls.unary, 3);
    assert.ok(ex.calls.traceparents.includes('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'));
  } finally {
    link.close();
    ex.close();
  }
});

test('a request too large for one stream message goes through unary Infer', async () => {
  const ex = await executor(reply);
  const link = new InferLink(ex.client);
  try {
    assert.equal(idOf(await link.infer(bytesOf('m', 'big', STREAM_MAX_REQUEST_BYTES + 1), Date.now() + 10_000)), 'big');
    assert.equal(idOf(await link.infer(bytesOf('m', 'small'), Date.now() + 5000)), 'small');
    assert.deepEqual([ex.calls.unary, ex.calls.stream], [1, 1]);
  } finally {
    link.close();
    ex.close();
  }
});

test('a request marked background reaches the executor marked so, on the stream and on unary Infer', async () => {
  for (const stream of [true, false]) {
    const ex = await executor(reply, { stream });
    const link = new InferLink(ex.client);
    try {
      await Promise.all([link.infer(bytesOf('m', 'fg'), Date.now() + 5000), link.infer(bytesOf('m', 'bg'), Date.now() + 5000, undefined, true)]);
      assert.deepEqual(ex.calls.background, ['bg'], `stream=${stream}`);
      assert.equal(stream ? ex.calls.stream : ex.calls.unary, 2);
    } finally {
      link.close();
      ex.close();
    }
  }
});
