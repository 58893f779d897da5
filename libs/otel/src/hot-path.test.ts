import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import { startTelemetry } from './index.ts';
import { startServerSpan, startServerSpanW3C, w3cTraceContext, injectTraceContext, endRpcSpan, spanIds, traceGrpcManually, manuallyTracedMethods, type MetadataLike } from './hot-path.ts';

/** A grpc-js-like Metadata: string values by lower-case key. */
function md(init: Record<string, string> = {}): MetadataLike & { map: Map<string, string[]> } {
  const map = new Map<string, string[]>(Object.entries(init).map(([k, v]) => [k, [v]]));
  return { map, get: (k) => map.get(k) ?? [], set: (k, v) => void map.set(k, [v]) };
}

test('server span continues the caller\'s trace and is propagated to the callee as its parent', async () => {
  const exporter = new InMemorySpanExporter();
  const tel = await startTelemetry({ serviceName: 'hot-path-test', spanProcessors: [new SimpleSpanProcessor(exporter)], traceSampleRatio: 1 });
  try {
    const callerTrace = '0af7651916cd43dd8448eb211c80319c';
    const callerSpan = 'b7ad6b7169203331';
    const server = startServerSpan('/inference.GRPCInferenceService/ModelInfer', md({ traceparent: `00-${callerTrace}-${callerSpan}-01` }));
    const out = md();
    injectTraceContext(server, out);
    endRpcSpan(server, 0);

    const spans = exporter.getFinishedSpans();
    assert.equal(spans.length, 1, 'no CLIENT span for the forwarded call');
    const s = spans[0]!;
    assert.equal(s.kind, SpanKind.SERVER);
    assert.equal(s.name, 'grpc.inference.GRPCInferenceService/ModelInfer');
    assert.equal(s.spanContext().traceId, callerTrace);
    assert.equal(s.parentSpanContext?.spanId, callerSpan);
    assert.equal(s.attributes['rpc.method'], 'ModelInfer');
    assert.equal(s.attributes['rpc.grpc.status_code'], 0);
    assert.equal(s.status.code, SpanStatusCode.UNSET);
    // The callee sees the server span as its parent, sampled as the caller's trace is.
    assert.equal(out.map.get('traceparent')?.[0], `00-${callerTrace}-${s.spanContext().spanId}-01`);
    assert.deepEqual(spanIds(server), { traceId: callerTrace, spanId: s.spanContext().spanId });
    // A failed call's status on the span.
    const failed = startServerSpan('/a.B/C', md());
    endRpcSpan(failed, 14, 'executor lost');
    const f = exporter.getFinishedSpans()[1]!;
    assert.equal(f.status.code, SpanStatusCode.ERROR);
    assert.equal(f.status.message, 'executor lost');
    assert.equal(f.attributes['rpc.grpc.status_code'], 14);
    assert.equal(f.name, 'grpc.a.B/C');
    assert.equal(f.attributes['rpc.service'], 'a.B');
  } finally {
    await tel.shutdown();
  }
});

test('without a caller context the server span starts a new trace; an unsampled trace propagates as unsampled', async () => {
  const exporter = new InMemorySpanExporter();
  const tel = await startTelemetry({ serviceName: 'hot-path-test-2', spanProcessors: [new SimpleSpanProcessor(exporter)], traceSampleRatio: 1 });
  try {
    const span = startServerSpan('/a.B/C', md());
    endRpcSpan(span, 0);
    const [s] = exporter.getFinishedSpans();
    assert.equal(s!.parentSpanContext, undefined);
    assert.match(spanIds(span).traceId, /^[0-9a-f]{32}$/);
    // The tracer follows the registered provider: this test's SDK, not the previous test's.
    assert.equal(exporter.getFinishedSpans().length, 1);
  } finally {
    await tel.shutdown();
  }
  const tel2 = await startTelemetry({ serviceName: 'hot-path-test-2b', traceSampleRatio: 0 });
  try {
    const span = startServerSpan('/a.B/C', md());
    assert.equal(span.isRecording(), false);
    const out = md();
    injectTraceContext(span, out);
    assert.match(out.map.get('traceparent')?.[0] ?? '', new RegExp(`^00-${spanIds(span).traceId}-${spanIds(span).spanId}-00$`));
  } finally {
    await tel2.shutdown();
  }
});

test("startServerSpanW3C: a sampled caller gets a recorded child; an unsampled one a non-recording span with its ids, without the SDK", async () => {
  const exporter = new InMemorySpanExporter();
  const tel = await startTelemetry({ serviceName: 'hot-path-test-w3c', spanProcessors: [new SimpleSpanProcessor(exporter)], traceSampleRatio: 0.5 });
  const t = '0af7651916cd43dd8448eb211c80319c', p = 'b7ad6b7169203331';
  try {
    const sampled = startServerSpanW3C('/switchyard.executor.v1.Executor/InferStream', `00-${t}-${p}-01`, 'k=v');
    assert.equal(sampled.isRecording(), true);
    endRpcSpan(sampled, 0);
    const [s] = exporter.getFinishedSpans();
    assert.equal(s!.name, 'grpc.switchyard.executor.v1.Executor/InferStream');
    assert.equal(s!.kind, SpanKind.SERVER);
    assert.deepEqual([s!.spanContext().traceId, s!.parentSpanContext?.spanId, s!.spanContext().traceState?.get('k')], [t, p, 'v']);

    // What the gateway puts in a frame is what the propagator would have written.
    const out = md();
    injectTraceContext(sampled, out);
    assert.deepEqual(w3cTraceContext(sampled), { traceparent: out.map.get('traceparent')![0], tracestate: out.map.get('tracestate')![0] });
    assert.deepEqual(w3cTraceContext(undefined), { traceparent: '', tracestate: '' });

    const unsampled = startServerSpanW3C('/a.B/C', `00-${t}-${p}-00`, '');
    assert.equal(w3cTraceContext(unsampled).traceparent, `00-${t}-${p}-00`);
    assert.equal(unsampled.isRecording(), false);
    assert.deepEqual(spanIds(unsampled), { traceId: t, spanId: p });
    endRpcSpan(unsampled, 0);
    assert.equal(exporter.getFinishedSpans().length, 1, 'nothing recorded for the unsampled caller');

    // Not a well-formed traceparent: the propagator decides (here: none), and the sampler samples a new trace.
    for (const bad of [`00-${'0'.repeat(32)}-${p}-00`, `00-${t.toUpperCase()}-${p}-00`, 'garbage', '']) {
      const span = startServerSpanW3C('/a.B/C', bad, '');
      assert.notEqual(spanIds(span).traceId, t, bad);
      assert.match(spanIds(span).traceId, /^[0-9a-f]{32}$/, bad);
    }
  } finally {
    await tel.shutdown();
  }
  // A sampler that ignores the parent (OTEL_TRACES_SAMPLER=always_on, every trace recorded): no shortcut.
  process.env.OTEL_TRACES_SAMPLER = 'always_on';
  const exporter2 = new InMemorySpanExporter();
  const tel2 = await startTelemetry({ serviceName: 'hot-path-test-w3c-2', spanProcessors: [new SimpleSpanProcessor(exporter2)], traceSampleRatio: 1 });
  try {
    const span = startServerSpanW3C('/a.B/C', `00-${t}-${p}-00`, '');
    assert.equal(span.isRecording(), true);
  } finally {
    delete process.env.OTEL_TRACES_SAMPLER;
    await tel2.shutdown();
  }
});

test('a new trace: the sampler decides on the id the trace gets; unrecorded ones are well-formed and unsampled', async () => {
  const exporter = new InMemorySpanExporter();
  const tel = await startTelemetry({ serviceName: 'hot-path-test-roots', spanProcessors: [new SimpleSpanProcessor(exporter)], traceSampleRatio: 0.5 });
  // An independent sampler with the same ratio: TraceIdRatioBased is a function of the trace id.
  const reference = new TraceIdRatioBasedSampler(0.5);
  const spans = [];
  try {
    for (let i = 0; i < 400; i++) spans.push(startServerSpan('/inference.GRPCInferenceService/ModelInfer', md()));
    const ids = new Set<string>();
    let recorded = 0;
    for (const span of spans) {
      const c = span.spanContext();
      assert.match(c.traceId, /^[0-9a-f]{32}$/);
      assert.match(c.spanId, /^[0-9a-f]{16}$/);
      assert.notEqual(c.traceId, '0'.repeat(32));
      ids.add(c.traceId);
      const wanted = reference.shouldSample(ROOT_CONTEXT, c.traceId).decision !== 0;
      assert.equal(span.isRecording(), wanted, `trace ${c.traceId}: recorded ${span.isRecording()}, the ratio sampler says ${wanted}`);
      assert.equal((c.traceFlags & 1) === 1, wanted);
      // What goes downstream says so too.
      assert.equal(w3cTraceContext(span).traceparent, `00-${c.traceId}-${c.spanId}-0${wanted ? 1 : 0}`);
      if (wanted) recorded++;
      endRpcSpan(span, 0);
    }
    assert.equal(ids.size, 400, 'every new trace has its own id');
    assert.ok(recorded >= 140 && recorded <= 260, `about half recorded at ratio 0.5: ${recorded} of 400`);
    const finished = exporter.getFinishedSpans();
    assert.equal(finished.length, recorded, 'only the recorded traces are exported');
    for (const s of finished) {
      assert.equal(s.parentSpanContext, undefined);
      assert.equal(s.kind, SpanKind.SERVER);
      assert.equal(s.name, 'grpc.inference.GRPCInferenceService/ModelInfer');
      assert.equal(s.attributes['rpc.method'], 'ModelInfer');
    }
    // A caller's context still wins: its sampled trace is continued, whatever the ratio says of it.
    const t = 'ffffffff000000000000000000000000';
    assert.equal(reference.shouldSample(ROOT_CONTEXT, t).decision, 0);
    const child = startServerSpan('/a.B/C', md({ traceparent: `00-${t}-b7ad6b7169203331-01` }));
    assert.equal(child.isRecording(), true);
    assert.equal(child.spanContext().traceId, t);
  } finally {
    await tel.shutdown();
  }
});

test('telemetry off: no ids, nothing injected', async () => {
  const tel = await startTelemetry({ serviceName: 'hot-path-test-3', disabled: true });
  const out = md();
  const span = startServerSpan('/a.B/D', md());
  injectTraceContext(span, out);
  assert.deepEqual(spanIds(span), { traceId: '', spanId: '' });
  assert.equal(out.map.size, 0);
  await tel.shutdown();
});

test('traceGrpcManually names methods the instrumentation skips in this process', () => {
  traceGrpcManually('ModelInfer', 'Infer');
  assert.ok(manuallyTracedMethods().has('ModelInfer'));
  assert.ok(manuallyTracedMethods().has('Infer'));
  assert.ok(!manuallyTracedMethods().has('GetSummary'));
});
