import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { context, trace, SpanKind } from '@opentelemetry/api';
import { headers } from 'nats';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTelemetry, natsTraceHeaders, contextFromHeaders, DEFAULT_TRACE_SAMPLE_RATIO } from './index.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../../..');
const NODE = process.execPath;

test('Prometheus endpoint on a free port serves a recorded counter with the resource', async () => {
  const tel = await startTelemetry({
    serviceName: 'otel-test',
    serviceVersion: '1.2.3',
    attributes: { pool: 'gpu', region: 'eu-west', executor_id: 'gpu-0' },
    metricsPort: 0,
    metricsHost: '127.0.0.1',
  });
  try {
    assert.ok(tel.metricsPort && tel.metricsPort > 0);
    tel.meter.createCounter('otel_test_things', { description: 'things' }).add(3, { kind: 'a' });
    const res = await fetch(`http://127.0.0.1:${tel.metricsPort}/metrics`);
    assert.equal(res.status, 200);
    const body = await res.text();
    assert.match(body, /^otel_test_things_total\{kind="a"\} 3$/m);
    assert.match(body, /target_info\{[^}]*service_name="otel-test"/);
    assert.match(body, /target_info\{[^}]*switchyard_executor_id="gpu-0"/);
    assert.match(body, /target_info\{[^}]*service_version="1.2.3"/);
    assert.equal((await fetch(`http://127.0.0.1:${tel.metricsPort}/nope`)).status, 404);
  } finally {
    await tel.shutdown();
  }
  // Port closed after shutdown.
  await assert.rejects(fetch(`http://127.0.0.1:${tel.metricsPort}/metrics`));
});

test('restartable in one process; no metrics endpoint unless asked', async () => {
  const tel = await startTelemetry({ serviceName: 'otel-test-2' });
  assert.equal(tel.metricsPort, undefined);
  // A real tracer provider is registered: spans have valid ids even with no exporter.
  const span = tel.tracer.startSpan('x');
  assert.ok(trace.isSpanContextValid(span.spanContext()));
  span.end();
  await tel.shutdown();
});

test('W3C trace context round-trips through NATS headers', async () => {
  const tel = await startTelemetry({ serviceName: 'otel-test-3' });
  try {
    const span = tel.tracer.startSpan('publish', { kind: SpanKind.PRODUCER });
    const h = context.with(trace.setSpan(context.active(), span), () => natsTraceHeaders());
    span.end();
    const tp = h.get('traceparent');
    assert.match(tp, /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    const ctx = contextFromHeaders(h);
    const got = trace.getSpanContext(ctx);
    assert.equal(got?.traceId, span.spanContext().traceId);
    assert.equal(got?.spanId, span.spanContext().spanId);
    assert.equal(got?.isRemote, true);
    // No headers / no traceparent: the base context, no span.
    assert.equal(trace.getSpanContext(contextFromHeaders(undefined)), undefined);
    assert.equal(trace.getSpanContext(contextFromHeaders(headers())), undefined);
  } finally {
    await tel.shutdown();
  }
});

test('OTLP/HTTP export posts spans to <endpoint>/v1/traces', async () => {
  const seen: { url: string; type: string; bytes: number }[] = [];
  const collector = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', type: String(req.headers['content-type']), bytes: Buffer.concat(chunks).length });
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
  const port = (collector.address() as AddressInfo).port;
  try {
    const tel = await startTelemetry({ serviceName: 'otel-test-4', otlpEndpoint: `http://127.0.0.1:${port}/`, traceSampleRatio: 1 });
    tel.tracer.startSpan('exported').end();
    await tel.shutdown(); // flushes
    const traces = seen.filter((s) => s.url === '/v1/traces');
    assert.equal(traces.length, 1);
    assert.equal(traces[0]?.type, 'application/x-protobuf');
    assert.ok((traces[0]?.bytes ?? 0) > 0);
  } finally {
    collector.close();
  }
});

test('gRPC calls are traced (client + server, one trace) only with the register preload', async () => {
  const fixture = path.join(import.meta.dirname, 'fixtures/grpc-spans.ts');
  const withHook = await run(NODE, ['--import', '@switchyard/otel/register', fixture], { cwd: ROOT, timeout: 30_000 });
  const a = JSON.parse(withHook.stdout.trim()) as { requests: number; grpcInstrumented: boolean; spans: { name: string; kind: number; traceId: string }[]; wrapped: Record<string, boolean> };
  assert.equal(a.requests, 3);
  assert.equal(a.grpcInstrumented, true);
  const name = 'grpc.switchyard.telemetry.v1.Telemetry/GetSummary';
  const server = a.spans.find((s) => s.name === name && s.kind === SpanKind.SERVER);
  const client = a.spans.find((s) => s.name === name && s.kind === SpanKind.CLIENT);
  assert.ok(server && client, JSON.stringify(a.spans));
  assert.equal(server.traceId, client.traceId);
  // A method the process traces itself (traceGrpcManually) gets no span from the instrumentation
  // and its handler is registered unwrapped; the others are wrapped.
  assert.ok(!a.spans.some((s) => /GetCost/.test(s.name)), JSON.stringify(a.spans));
  assert.deepEqual(a.wrapped, { GetSummary: true, GetCost: false });

  const without = await run(NODE, [fixture], { cwd: ROOT, timeout: 30_000 });
  const b = JSON.parse(without.stdout.trim()) as { grpcInstrumented: boolean; spans: unknown[] };
  assert.equal(b.grpcInstrumented, false);
  assert.deepEqual(b.spans, []);
});

test('the preload acts in the main thread only: a worker thread it is inherited by gets no hook or instrumentation', async () => {
  const fixture = path.join(import.meta.dirname, 'fixtures/worker-status.ts');
  const out = await run(NODE, ['--import', '@switchyard/otel/register', fixture], { cwd: ROOT, timeout: 30_000 });
  assert.deepEqual(JSON.parse(out.stdout.trim()), { main: { grpc: true, esmHook: true }, worker: { grpc: false, esmHook: false } });
});

test('disabled (SY_OTEL_DISABLED) is a no-op: no endpoint, non-recording spans, no propagation', async () => {
  const prev = process.env.SY_OTEL_DISABLED;
  process.env.SY_OTEL_DISABLED = 'true';
  try {
    const tel = await startTelemetry({ serviceName: 'otel-off', metricsPort: 0, metricsHost: '127.0.0.1' });
    assert.equal(tel.disabled, true);
    assert.equal(tel.metricsPort, undefined);
    const span = tel.tracer.startSpan('x');
    assert.equal(span.isRecording(), false);
    span.end();
    const h = context.with(trace.setSpan(context.active(), span), () => natsTraceHeaders());
    assert.equal(h.has('traceparent'), false);
    await tel.shutdown();
  } finally {
    if (prev === undefined) delete process.env.SY_OTEL_DISABLED; else process.env.SY_OTEL_DISABLED = prev;
  }
  // Explicit option wins over the environment; a later normal start still works.
  const on = await startTelemetry({ serviceName: 'otel-on', disabled: false });
  try {
    assert.equal(on.disabled, false);
  } finally {
    await on.shutdown();
  }
});

test('traceSampleRatio 0 records no new trace but keeps a sampled parent\'s decision', async () => {
  const tel = await startTelemetry({ serviceName: 'otel-sampled', traceSampleRatio: 0 });
  try {
    const root = tel.tracer.startSpan('root');
    assert.equal(root.isRecording(), false);
    root.end();
    const parent = trace.setSpanContext(context.active(), { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, isRemote: true });
    const child = tel.tracer.startSpan('child', {}, parent);
    assert.equal(child.isRecording(), true);
    child.end();
  } finally {
    await tel.shutdown();
  }
  await assert.rejects(startTelemetry({ serviceName: 'bad', traceSampleRatio: 2 }), /traceSampleRatio/);
});

test('default sampling: one new trace in ten where spans are exported, none where nothing exports; the environment overrides', async () => {
  const prev = process.env.SY_OTEL_TRACE_SAMPLE_RATIO;
  delete process.env.SY_OTEL_TRACE_SAMPLE_RATIO;
  const sampledParent = trace.setSpanContext(context.active(), { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, isRemote: true });
  const recorded = (tel: { tracer: { startSpan(n: string): { isRecording(): boolean; end(): void } } }, n: number) => {
    let r = 0;
    for (let i = 0; i < n; i++) {
      const s = tel.tracer.startSpan('root');
      if (s.isRecording()) r++;
      s.end();
    }
    return r;
  };
  try {
    const exporting = await startTelemetry({ serviceName: 'otel-default-ratio', spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] });
    try {
      assert.equal(exporting.traceSampleRatio, DEFAULT_TRACE_SAMPLE_RATIO);
      const r = recorded(exporting, 2000);
      assert.ok(r >= 120 && r <= 280, `${r} of 2000 new traces recorded at ratio 0.1`);
    } finally {
      await exporting.shutdown();
    }
    const silent = await startTelemetry({ serviceName: 'otel-no-exporter' });
    try {
      assert.equal(silent.traceSampleRatio, 0);
      assert.equal(recorded(silent, 200), 0);
      const root = silent.tracer.startSpan('root');
      assert.match(root.spanContext().traceId, /^[0-9a-f]{32}$/, 'unrecorded spans still have ids');
      assert.notEqual(root.spanContext().traceId, '00000000000000000000000000000000');
      root.end();
      const child = silent.tracer.startSpan('child', {}, sampledParent);
      assert.equal(child.isRecording(), true, "a caller's sampled traceparent is honoured");
      child.end();
    } finally {
      await silent.shutdown();
    }
    process.env.SY_OTEL_TRACE_SAMPLE_RATIO = '1';
    const all = await startTelemetry({ serviceName: 'otel-env-ratio' });
    try {
      assert.equal(all.traceSampleRatio, 1);
      assert.equal(recorded(all, 100), 100);
    } finally {
      await all.shutdown();
    }
  } finally {
    if (prev === undefined) delete process.env.SY_OTEL_TRACE_SAMPLE_RATIO; else process.env.SY_OTEL_TRACE_SAMPLE_RATIO = prev;
  }
});
