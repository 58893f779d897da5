import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { createLogger } from '@switchyard/log';
import type { Candidate__Output, ExecutorClient, PlacementTable__Output } from '@switchyard/proto';
import { decodeInferRequest, type RawInferRequest } from './passthrough.ts';
import { codec, CPU_PRIORITY_METADATA } from '@switchyard/proto';
import { Router, isExecutorLost, type DecisionTrace } from './router.ts';
import type { RequestControls } from './controls.ts';
import { StatusError } from './errors.ts';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTelemetry } from '@switchyard/otel';

const log = createLogger({ service: 'gateway-test', level: 'silent' });
const identity = { name: 'gateway', spiffeId: 'spiffe://switchyard.local/gateway', caFile: '', certFile: '', keyFile: '' };

function cand(id: string, over: Partial<Candidate__Output> = {}): Candidate__Output {
  return {
    executor_id: id, address: `addr-${id}`, pool: id.startsWith('gpu') ? 'POOL_GPU' : 'POOL_CPU', region: 'local', spiffe_id: '',
    queue_depth: 0, in_flight: 0, service_times: [{ batch_size: 1, ms: 10 }], cost_per_hour: 0.4, healthy: true, cpu_fallback: false, max_batch_size: 4, ...over,
  };
}
function tableOf(version: number, cands: Candidate__Output[]): PlacementTable__Output {
  return { version, generated_at_ms: 0, routes: [{ model_name: 'm', model_version: '1', candidates: cands }], latest_versions: { m: '1' } };
}
const inferCodec = codec<Record<string, unknown>, Record<string, unknown>>('inference.ModelInferRequest');
const req: RawInferRequest = decodeInferRequest(Buffer.from(inferCodec.encode({ model_name: 'm', model_version: '', id: 'r', inputs: [{ name: 'x', datatype: 'FP32', shape: [1] }], raw_input_contents: [Buffer.alloc(4)] })));
const ctl = (over: Partial<RequestControls> = {}): RequestControls => ({ priority: 2, poolPreference: 'auto', deadlineAtMs: undefined, ...over });

type Behaviour = (id: string) => { err?: Partial<grpc.ServiceError> } | undefined;
/** Fake executors: `behave(id)` says how each call ends; calls are recorded. */
/** The request bytes each fake executor received. */
const sentBytes: Buffer[] = [];
/** The traceparent each fake executor received. */
const sentTraceparents: string[] = [];
/** The CPU priority metadata each fake executor received ('' = none). */
const sentPriorities: string[] = [];
function routerWith(behave: Behaviour, cands: Candidate__Output[], random = () => 0) {
  const calls: string[] = [];
  const router = new Router({
    identity, log, random, ejectMs: 60_000, transport: 'unary',
    clientFactory: (c) => ({
      makeUnaryRequest: (path: string, _s: unknown, _d: unknown, bytes: Buffer, md: grpc.Metadata, _o: unknown, cb: (e: grpc.ServiceError | null, res?: unknown) => void) => {
        assert.equal(path, '/switchyard.executor.v1.Executor/Infer');
        calls.push(c.executor_id);
        sentBytes.push(bytes);
        sentTraceparents.push(String(md.get('traceparent')[0] ?? ''));
        sentPriorities.push(String(md.get(CPU_PRIORITY_METADATA)[0] ?? ''));
        const b = behave(c.executor_id);
        setImmediate(() => (b?.err ? cb(Object.assign(new Error(b.err.details), b.err) as grpc.ServiceError) : cb(null, Buffer.from([0x0a, 0x01, 0x6d]))));
      },
      close: () => {},
    }) as unknown as ExecutorClient,
  });
  router.setTable(tableOf(1, cands));
  return { router, calls };
}

test('isExecutorLost: UNAVAILABLE and transport resets are retryable; model errors are not', () => {
  assert.equal(isExecutorLost({ code: grpc.status.UNAVAILABLE, details: 'Connection dropped' }), true);
  assert.equal(isExecutorLost({ code: grpc.status.INTERNAL, details: 'Received RST_STREAM with code 2 triggered by internal client error' }), true);
  assert.equal(isExecutorLost({ code: grpc.status.INTERNAL, details: 'read ECONNRESET' }), true);
  assert.equal(isExecutorLost({ code: grpc.status.INTERNAL, details: 'onnxruntime: shape mismatch' }), false);
  assert.equal(isExecutorLost({ code: grpc.status.DEADLINE_EXCEEDED, details: 'Deadline exceeded' }), false);
  assert.equal(isExecutorLost({ code: grpc.status.RESOURCE_EXHAUSTED, details: 'queue full' }), false);
});

test('an executor lost mid-call: one retry elsewhere, then it is ejected locally though the table still lists it', async () => {
  const { router, calls } = routerWith((id) => (id === 'cpu-1' ? { err: { code: grpc.status.UNAVAILABLE, details: 'Connection dropped' } } : undefined), [cand('cpu-1'), cand('cpu-2')]);
  const r = await router.infer(req, ctl());
  assert.equal(r.candidate.executor_id, 'cpu-2');
  assert.deepEqual(r.attempts.map((a) => `${a.executorId}:${a.code}`), ['cpu-1:UNAVAILABLE', 'cpu-2:OK']);
  assert.equal(router.ejections.isEjected('cpu-1', Date.now()), true);
  // The scripted random would pick cpu-1 first again; ejection steers every new request away.
  calls.length = 0;
  const trace: DecisionTrace = {};
  for (let i = 0; i < 5; i++) await router.infer(req, ctl(), {}, trace);
  assert.deepEqual(calls, ['cpu-2', 'cpu-2', 'cpu-2', 'cpu-2', 'cpu-2']);
  assert.deepEqual(trace.ejected, ['cpu-1']);
  assert.match(trace.candidates!.find((c) => c.executorId === 'cpu-1')!.verdict, /healthy: .*excluded/);
});

test("the request's span: each attempt is an event, a lost executor's failure too, and each executor gets the span as its parent", async () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const span = provider.getTracer('t').startSpan('grpc.inference.GRPCInferenceService/ModelInfer');
  const tel = await startTelemetry({ serviceName: 'router-test', spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] });
  try {
    sentTraceparents.length = 0;
    const { router } = routerWith((id) => (id === 'cpu-1' ? { err: { code: grpc.status.UNAVAILABLE, details: 'Connection dropped' } } : undefined), [cand('cpu-1'), cand('cpu-2')]);
    await router.infer(req, ctl(), { span });
    span.end();
    const [s] = exporter.getFinishedSpans();
    assert.deepEqual(s!.events.map((e) => `${e.name} ${e.attributes?.['switchyard.executor_id']}`), ['gateway.placed cpu-1', 'gateway.forward.failed cpu-1', 'gateway.placed cpu-2']);
    assert.equal(s!.events[1]!.attributes?.['rpc.grpc.status_code'], grpc.status.UNAVAILABLE);
    assert.equal(s!.events[2]!.attributes?.['switchyard.attempt'], 2);
    const { traceId, spanId } = span.spanContext();
    assert.deepEqual(sentTraceparents, [`00-${traceId}-${spanId}-01`, `00-${traceId}-${spanId}-01`]);
    assert.equal(exporter.getFinishedSpans().length, 1, 'no span per attempt');
  } finally {
    await tel.shutdown();
    await provider.shutdown();
  }
});

test('a stream reset (INTERNAL RST_STREAM) is retried; an executor model error is final', async () => {
  const reset = routerWith((id) => (id === 'cpu-1' ? { err: { code: grpc.status.INTERNAL, details: 'Received RST_STREAM with code 2' } } : undefined), [cand('cpu-1'), cand('cpu-2')]);
  assert.equal((await reset.router.infer(req, ctl())).candidate.executor_id, 'cpu-2');
  const model = routerWith((id) => (id === 'cpu-1' ? { err: { code: grpc.status.INTERNAL, details: 'onnxruntime failed' } } : undefined), [cand('cpu-1'), cand('cpu-2')]);
  await assert.rejects(model.router.infer(req, ctl()), (e: grpc.ServiceError) => e.code === grpc.status.INTERNAL);
  assert.deepEqual(model.calls, ['cpu-1']);
  assert.equal(model.router.ejections.size, 0);
});

test('two executors lost in a row: a precise UNAVAILABLE naming both', async () => {
  const { router } = routerWith(() => ({ err: { code: grpc.status.UNAVAILABLE, details: 'No connection established' } }), [cand('cpu-1'), cand('cpu-2')]);
  await assert.rejects(router.infer(req, ctl()), (e: StatusError) => e.code === grpc.status.UNAVAILABLE && /cpu-1:UNAVAILABLE, cpu-2:UNAVAILABLE/.test(e.message));
});

test('ejection is a preference: with every candidate ejected the request is still placed', async () => {
  const { router, calls } = routerWith(() => undefined, [cand('cpu-1')]);
  router.ejections.eject('cpu-1', Date.now());
  await router.infer(req, ctl());
  assert.deepEqual(calls, ['cpu-1']);
});

test('admission: no candidate can meet the deadline -> DEADLINE_EXCEEDED at once with the reason, traced', async () => {
  const { router, calls } = routerWith(() => undefined, [cand('cpu-1', { service_times: [{ batch_size: 1, ms: 50 }] })]);
  const trace: DecisionTrace = {};
  await assert.rejects(router.infer(req, ctl({ deadlineAtMs: Date.now() + 20 }), {}, trace),
    (e: StatusError) => e.code === grpc.status.DEADLINE_EXCEEDED && /no executor can meet the deadline: best predicted 50\.0 ms/.test(e.message));
  assert.deepEqual(calls, []);
  assert.equal(trace.decision?.placed, false);
  assert.equal(trace.decision?.code, 'DEADLINE_EXCEEDED');
  assert.match(trace.candidates![0]!.verdict, /^deadline: predicted 50\.0 ms > deadline/);
});

test('a saturated cheap GPU (live in-flight) spills tight deadlines to the CPU', async () => {
  let release: (() => void) | undefined;
  const gate = new Promise<void>((r) => (release = r));
  const gpu = cand('gpu-1', { cost_per_hour: 0.1, max_batch_size: 1, service_times: [{ batch_size: 1, ms: 30 }] });
  const cpu = cand('cpu-1', { cost_per_hour: 0.4, max_batch_size: 1, service_times: [{ batch_size: 1, ms: 30 }] });
  const calls: string[] = [];
  const router = new Router({ identity, log, random: () => 0, transport: 'unary', clientFactory: (c) => ({
    makeUnaryRequest: (_p: string, _s: unknown, _d: unknown, _b: Buffer, _m: unknown, _o: unknown, cb: (e: null, res: unknown) => void) => { calls.push(c.executor_id); const done = () => cb(null, Buffer.alloc(0)); if (c.executor_id === 'gpu-1') void gate.then(done); else setImmediate(done); },
    close: () => {},
  }) as unknown as ExecutorClient });
  router.setTable(tableOf(1, [gpu, cpu]));
  // Background load pinned to the GPU: 5 calls held in flight.
  const held = Array.from({ length: 5 }, () => router.infer(req, ctl({ poolPreference: 'gpu' })));
  const trace: DecisionTrace = {};
  const tight = await router.infer(req, ctl({ deadlineAtMs: Date.now() + 100 }), {}, trace);
  assert.equal(tight.candidate.executor_id, 'cpu-1');
  assert.match(tight.decision.reason, /cheapest pool meeting deadline: cpu/);
  const g = trace.candidates!.find((c) => c.executorId === 'gpu-1')!;
  assert.equal(g.liveInFlight, 5);
  assert.equal(g.predictedMs, 180);
  const loose = router.infer(req, ctl());
  release!();
  assert.equal((await loose).candidate.executor_id, 'gpu-1', 'no deadline: the cheaper GPU, however busy');
  await Promise.all(held);
});

test('slotsFor sums batch slots of usable executors', () => {
  const { router } = routerWith(() => undefined, [cand('cpu-1', { max_batch_size: 8 }), cand('cpu-2', { max_batch_size: 0 }), cand('gpu-1', { healthy: false })]);
  assert.equal(router.slotsFor('m', ''), 9);
  router.ejections.eject('cpu-1', Date.now());
  assert.equal(router.slotsFor('m', ''), 1);
  assert.equal(router.slotsFor('nope', ''), 0);
});

test('the executor gets the caller\'s bytes unchanged, with the resolved version appended; its response comes back as bytes', async () => {
  sentBytes.length = 0;
  const { router } = routerWith(() => undefined, [cand('cpu-1')]);
  const r = await router.infer(req, ctl());
  assert.equal(sentBytes.length, 1);
  const sent = sentBytes[0]!;
  assert.ok(sent.subarray(0, req.raw.length).equals(req.raw), 'the original bytes lead');
  const decoded = inferCodec.decode(sent);
  assert.equal(decoded.model_version, '1', 'the latest version was resolved and set');
  assert.equal(decoded.model_name, 'm');
  assert.equal((decoded.raw_input_contents as Buffer[])[0]!.length, 4, 'tensor bytes intact');
  assert.ok(Buffer.isBuffer(r.response));
  // A request that names its version is forwarded as it is, byte for byte.
  sentBytes.length = 0;
  const pinned = decodeInferRequest(Buffer.from(inferCodec.encode({ model_name: 'm', model_version: '1', id: 'p' })));
  await router.infer(pinned, ctl());
  assert.ok(sentBytes[0]!.equals(pinned.raw));
});

test('fair-share slots per executor: a request admitted to a free slot goes to an executor with room, not behind the cheap busy one', async () => {
  // The fairness e2e's mesh: a cheap CPU executor and a dearer GPU executor in CPU fallback, one slot each.
  const gates: Array<() => void> = [];
  const cpu = cand('cpu-1', { cost_per_hour: 0.4, max_batch_size: 32, service_times: [{ batch_size: 1, ms: 5 }] });
  const gpu = cand('gpu-1', { cost_per_hour: 2.5, cpu_fallback: true, max_batch_size: 32, service_times: [{ batch_size: 1, ms: 5 }] });
  const calls: string[] = [];
  const router = new Router({ identity, log, random: () => 0, transport: 'unary', clientFactory: (c) => ({
    makeUnaryRequest: (_p: string, _s: unknown, _d: unknown, _b: Buffer, _m: unknown, _o: unknown, cb: (e: null, res: unknown) => void) => { calls.push(c.executor_id); gates.push(() => cb(null, Buffer.alloc(0))); },
    close: () => {},
  }) as unknown as ExecutorClient });
  router.setTable(tableOf(1, [cpu, gpu]));
  const slots = { slotsPerExecutor: 1 };
  assert.equal(router.modelInFlight('cpu-1', 'm'), 0);
  // The heavy tenant's request holds cpu-1 (the cheaper pool).
  const first = router.infer(req, ctl({ deadlineAtMs: Date.now() + 30_000 }), slots);
  assert.deepEqual(calls, ['cpu-1']);
  assert.equal(router.modelInFlight('cpu-1', 'm'), 1);
  assert.equal(router.modelInFlight('cpu-1', 'other'), 0);
  // The quiet tenant's request: cpu-1 has no free slot for the model, gpu-1 is idle.
  const trace: DecisionTrace = {};
  const second = router.infer(req, ctl({ deadlineAtMs: Date.now() + 30_000 }), slots, trace);
  assert.deepEqual(calls, ['cpu-1', 'gpu-1']);
  assert.match(trace.decision!.reason, /no free slot on cpu-1 \(1 per executor\)/);
  assert.match(trace.candidates!.find((c) => c.executorId === 'cpu-1')!.verdict, /^slots: 1 in flight for m >= 1 per executor/);
  // Without the slots (fair sharing off) cost alone decides: behind the busy cheap executor.
  const third = router.infer(req, ctl({ deadlineAtMs: Date.now() + 30_000 }));
  assert.deepEqual(calls, ['cpu-1', 'gpu-1', 'cpu-1']);
  for (const g of gates.splice(0)) g();
  await Promise.all([first, second, third]);
  // Counts are released when the executor answers: cost decides again.
  assert.equal(router.modelInFlight('cpu-1', 'm'), 0);
  const fourth = router.infer(req, ctl({ deadlineAtMs: Date.now() + 30_000 }), slots);
  assert.deepEqual(calls.slice(-1), ['cpu-1']);
  for (const g of gates.splice(0)) g();
  await fourth;
});

test('background CPU priority: asked at each forward (a retry too), sent to the executor, and traced for the decision record', async () => {
  const { router } = routerWith((id) => (id === 'cpu-1' ? { err: { code: grpc.status.UNAVAILABLE, details: 'Connection dropped' } } : undefined), [cand('cpu-1'), cand('cpu-2')]);
  sentPriorities.length = 0;
  let asked = 0;
  const trace: DecisionTrace = {};
  await router.infer(req, ctl(), { background: () => { asked++; return true; } }, trace);
  assert.equal(asked, 2, 'the first attempt and the retry');
  assert.deepEqual(sentPriorities, ['background', 'background']);
  assert.equal(trace.background, true);
  const plain: DecisionTrace = {};
  await router.infer(req, ctl(), {}, plain);
  assert.equal(plain.background, false);
  assert.equal(sentPriorities.at(-1), '');
});

test('residency holds on the retry, after ejection and on the spill: the allowed regions are kept on every attempt', async () => {
  // A cheaper, idle executor outside the allowed region that would take every request without the rule.
  const local = cand('cpu-local', { cost_per_hour: 0.05, service_times: [{ batch_size: 1, ms: 1 }] });
  const gpuAe = cand('gpu-ae', { region: 'ae-1', cost_per_hour: 0.1, max_batch_size: 1, service_times: [{ batch_size: 1, ms: 30 }] });
  const cpuAe = cand('cpu-ae', { region: 'ae-2', cost_per_hour: 0.4, max_batch_size: 1, service_times: [{ batch_size: 1, ms: 30 }] });
  const lost = new Set<string>();
  const held: Array<() => void> = [];
  const calls: string[] = [];
  const router = new Router({ identity, log, random: () => 0, ejectMs: 60_000, transport: 'unary', clientFactory: (c) => ({
    makeUnaryRequest: (_p: string, _s: unknown, _d: unknown, _b: Buffer, _m: unknown, _o: unknown, cb: (e: grpc.ServiceError | null, res?: unknown) => void) => {
      calls.push(c.executor_id);
      if (lost.has(c.executor_id)) return setImmediate(() => cb(Object.assign(new Error('Connection dropped'), { code: grpc.status.UNAVAILABLE, details: 'Connection dropped' }) as grpc.ServiceError));
      setImmediate(() => cb(null, Buffer.alloc(0)));
    },
    close: () => {},
  }) as unknown as ExecutorClient });
  router.setTable(tableOf(1, [local, gpuAe, cpuAe]));
  const ae = { allowedRegions: ['ae'] };

  // Without the rule the cheap local executor takes it; with it, the cheapest ae executor.
  assert.equal((await router.infer(req, ctl())).candidate.executor_id, 'cpu-local');
  assert.equal((await router.infer(req, ctl(), ae)).candidate.executor_id, 'gpu-ae');

  // The retry after an ae executor is lost stays in ae.
  lost.add('gpu-ae');
  const retried = await router.infer(req, ctl(), ae);
  assert.deepEqual(retried.attempts.map((a) => `${a.executorId}:${a.code}`), ['gpu-ae:UNAVAILABLE', 'cpu-ae:OK']);

  // Both ae executors lost: a precise UNAVAILABLE, and the local executor is never tried.
  lost.add('cpu-ae');
  calls.length = 0;
  await assert.rejects(router.infer(req, ctl(), ae), (e: StatusError) => e.code === grpc.status.UNAVAILABLE && /executors lost: .*ae/.test(e.message));
  assert.ok(calls.length > 0 && calls.every((id) => id !== 'cpu-local'), `tried ${calls.join(', ')}`);
  // Every ae executor ejected: ejection is a preference, the region is not.
  calls.length = 0;
  await assert.rejects(router.infer(req, ctl(), ae), (e: StatusError) => e.code === grpc.status.UNAVAILABLE);
  assert.ok(calls.length > 0 && calls.every((id) => id !== 'cpu-local'), `tried ${calls.join(', ')}`);
  // No executor in the region at all: FAILED_PRECONDITION naming the region rule.
  const noAe = new Router({ identity, log, random: () => 0, transport: 'unary', clientFactory: () => ({ makeUnaryRequest: () => assert.fail('nothing may be forwarded'), close: () => {} }) as unknown as ExecutorClient });
  noAe.setTable(tableOf(1, [local]));
  await assert.rejects(noAe.infer(req, ctl(), ae), (e: StatusError) => e.code === grpc.status.FAILED_PRECONDITION && /region/.test(e.message));

  // The spill: the ae GPU is saturated and the deadline tight; the request spills to the ae CPU,
  // not to the idle, cheaper and faster local one.
  lost.clear();
  const fresh = new Router({ identity, log, random: () => 0, transport: 'unary', clientFactory: (c) => ({
    makeUnaryRequest: (_p: string, _s: unknown, _d: unknown, _b: Buffer, _m: unknown, _o: unknown, cb: (e: null, res: unknown) => void) => {
      calls.push(c.executor_id);
      if (c.executor_id === 'gpu-ae') held.push(() => cb(null, Buffer.alloc(0)));
      else setImmediate(() => cb(null, Buffer.alloc(0)));
    },
    close: () => {},
  }) as unknown as ExecutorClient });
  fresh.setTable(tableOf(1, [local, gpuAe, cpuAe]));
  const busy = Array.from({ length: 5 }, () => fresh.infer(req, ctl({ poolPreference: 'gpu' }), ae));
  calls.length = 0;
  const spilled = await fresh.infer(req, ctl({ deadlineAtMs: Date.now() + 100 }), ae);
  assert.equal(spilled.candidate.executor_id, 'cpu-ae');
  assert.deepEqual(calls, ['cpu-ae']);
  // With no ae executor able to meet the deadline, it is refused, never sent out of the region.
  fresh.setTable(tableOf(2, [local, gpuAe]));
  await assert.rejects(fresh.infer(req, ctl({ deadlineAtMs: Date.now() + 100 }), ae), (e: StatusError) => e.code === grpc.status.DEADLINE_EXCEEDED);
  assert.deepEqual(calls, ['cpu-ae']);
  for (const h of held.splice(0)) h();
  await Promise.all(busy);
});
