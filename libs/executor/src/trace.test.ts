import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { annotateInferSpan } from './trace.ts';

function inMemory() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { tracer: provider.getTracer('t'), exporter };
}

test('the executor span gets the queue wait, the batch and the onnxruntime run', () => {
  const { tracer, exporter } = inMemory();
  const span = tracer.startSpan('grpc.switchyard.executor.v1.Executor/Infer');
  const now = performance.now();
  annotateInferSpan(span, { model: 'mlp', version: '2', enqueuedAt: now - 9, batchStartedAt: now - 6, batchEndedAt: now - 1, batchRows: 5, batchRequests: 3 });
  span.end();
  const [s] = exporter.getFinishedSpans();
  assert.equal(s!.attributes['switchyard.model'], 'mlp');
  assert.equal(s!.attributes['switchyard.model_version'], '2');
  assert.equal(s!.attributes['switchyard.queue_ms'], 3);
  assert.equal(s!.attributes['switchyard.compute_ms'], 5);
  assert.equal(s!.attributes['switchyard.batch_size'], 5);
  assert.equal(s!.attributes['switchyard.batch_requests'], 3);
  assert.deepEqual(s!.events.map((e) => e.name), ['executor.batch.start', 'executor.onnxruntime.end']);
  // Event times are the timing's moments on the wall clock.
  const t = s!.events.map((e) => hrTimeToMilliseconds(e.time));
  assert.ok(Math.abs(t[0]! - (performance.timeOrigin + now - 6)) < 1, `${t[0]} vs ${performance.timeOrigin + now - 6}`);
  assert.ok(Math.abs(t[1]! - t[0]! - 5) < 0.01, JSON.stringify(t));
});

test('a request refused before it queued has no batch events; unrecorded spans are left alone', () => {
  const { tracer, exporter } = inMemory();
  const span = tracer.startSpan('x');
  annotateInferSpan(span, { model: 'mlp', version: '1' });
  span.end();
  const [s] = exporter.getFinishedSpans();
  assert.deepEqual(s!.events, []);
  assert.equal(s!.attributes['switchyard.queue_ms'], undefined);
  let touched = false;
  const unrecorded = { isRecording: () => false, setAttribute: () => { touched = true; }, addEvent: () => { touched = true; }, setAttributes: () => { touched = true; } };
  annotateInferSpan(unrecorded as never, { model: 'm', enqueuedAt: 1, batchStartedAt: 2 });
  assert.equal(touched, false);
});
