// The executor's Infer span, made here rather than by the gRPC instrumentation (its per-call
// wrapping costs more than the span; libs/otel/src/hot-path.ts). It is the child of the caller's
// span (W3C traceparent in the metadata) and shows where the request's time went: attributes for
// the queue wait, the batch and the onnxruntime run, and an event where the batch started and
// where the run ended. The wait began queue_ms before the batch started (no event of its own:
// every event is made and exported per request, and this one only repeats that attribute).
import type { Span } from '@opentelemetry/api';
import type { InferTiming } from './engine.ts';

export const EXECUTOR_INFER_PATH = '/switchyard.executor.v1.Executor/Infer';
/** The method name the instrumentation must leave to us (traceGrpcManually). */
export const EXECUTOR_INFER_METHOD = 'Infer';

const round3 = (v: number) => Math.round(v * 1000) / 1000;

/** Adds the request's timing to its span (a no-op for spans that are not recorded). */
export function annotateInferSpan(span: Span, t: InferTiming): void {
  if (!span.isRecording()) return;
  // Event times as epoch milliseconds (timing is on the performance.now() clock).
  const at = (ms: number) => performance.timeOrigin + ms;
  const attrs: Record<string, string | number> = {};
  if (t.model !== undefined) attrs['switchyard.model'] = t.model;
  if (t.version !== undefined) attrs['switchyard.model_version'] = t.version;
  if (t.enqueuedAt !== undefined && t.batchStartedAt !== undefined) {
    attrs['switchyard.queue_ms'] = round3(t.batchStartedAt - t.enqueuedAt);
    attrs['switchyard.batch_size'] = t.batchRows ?? 0;
    attrs['switchyard.batch_requests'] = t.batchRequests ?? 0;
    span.addEvent('executor.batch.start', at(t.batchStartedAt));
    if (t.batchEndedAt !== undefined) {
      attrs['switchyard.compute_ms'] = round3(t.batchEndedAt - t.batchStartedAt);
      span.addEvent('executor.onnxruntime.end', at(t.batchEndedAt));
    }
  }
  span.setAttributes(attrs);
}
