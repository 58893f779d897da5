import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTelemetry } from './index.ts';
import { startServerSpan, startClientSpan, endRpcSpan, spanIds, traceGrpcManually, manuallyTracedMethods, type MetadataLike } from './hot-path.ts';

/** A grpc-js-like Metadata: string values by lower-case key. */
function md(init: Record<string, string> = {}): MetadataLike & { map: Map<string, string[]> } {
  const map = new Map<string, string[]>(Object.entries(init).map(([k, v]) => [k, [v]]));
  return { map, get: (k) => map.get(k) ?? [], set: (k, v) => void map.set(k, [v]) };
}

test('server span continues the caller\'s trace; client span below it is propagated to the callee', async () => {
  const exporter = new InMemorySpanExporter();
  const tel = await startTelemetry({ serviceName: 'hot-path-test', spanProcessors: [new SimpleSpanProcessor(exporter)] });
  try {
    const callerTrace = '0af7651916cd43dd8448eb211c80319c';
    const callerSpan = 'b7ad6b7169203331';
    const server = startServerSpan('/inference.GRPCInferenceService/ModelInfer', md({ traceparent: `00-${callerTrace}-${callerSpan}-01` }));
    const out = md();
    const client = startClientSpan('/switchyard.executor.v1.Executor/Infer', server, out);
    endRpcSpan(client, 14, 'executor lost');
    endRpcSpan(server, 0);

    const spans = exporter.getFinishedSpans();
    const s = spans.find((x) => x.kind === SpanKind.SERVER)!;
    const c = spans.find((x) => x.kind === SpanKind.CLIENT)!;
    assert.equal(s.name, 'grpc.inference.GRPCInferenceService/ModelInfer');
    assert.equal(s.spanContext().traceId, callerTrace);
    assert.equal(s.parentSpanContext?.spanId, callerSpan);
    assert.equal(s.attributes['rpc.method'], 'ModelInfer');
    assert.equal(s.attributes['rpc.grpc.status_code'], 0);
    assert.equal(s.status.code, SpanStatusCode.UNSET);
    assert.equal(c.name, 'grpc.switchyard.executor.v1.Executor/Infer');
    assert.equal(c.spanContext().traceId, callerTrace);
    assert.equal(c.parentSpanContext?.spanId, s.spanContext().spanId);
    assert.equal(c.status.code, SpanStatusCode.ERROR);
    assert.equal(c.attributes['rpc.grpc.status_code'], 14);
    // The callee sees the client span as its parent.
    assert.equal(out.map.get('traceparent')?.[0], `00-${callerTrace}-${c.spanContext().spanId}-01`);
    assert.deepEqual(spanIds(server), { traceId: callerTrace, spanId: s.spanContext().spanId });
  } finally {
    await tel.shutdown();
  }
});

test('without a caller context the server span starts a new trace', async () => {
  const exporter = new InMemorySpanExporter();
  const tel = await startTelemetry({ serviceName: 'hot-path-test-2', spanProcessors: [new SimpleSpanProcessor(exporter)] });
  try {
    const span = startServerSpan('/a.B/C', md());
    endRpcSpan(span, 0);
    const [s] = exporter.getFinishedSpans();
    assert.equal(s!.parentSpanContext, undefined);
    assert.match(spanIds(span).traceId, /^[0-9a-f]{32}$/);
  } finally {
    await tel.shutdown();
  }
});

test('telemetry off: no ids, nothing injected', async () => {
  const tel = await startTelemetry({ serviceName: 'hot-path-test-3', disabled: true });
  const out = md();
  const span = startClientSpan('/a.B/C', startServerSpan('/a.B/D', md()), out);
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
