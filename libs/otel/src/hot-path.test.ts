import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTelemetry } from './index.ts';
import { startServerSpan, injectTraceContext, endRpcSpan, spanIds, traceGrpcManually, manuallyTracedMethods, type MetadataLike } from './hot-path.ts';

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
