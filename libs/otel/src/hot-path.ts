// Lean gRPC spans for a service's hot path.
//
// @opentelemetry/instrumentation-grpc costs the gateway more CPU per request than anything else it
// does (measured: 0.52 -> 0.64 of direct throughput at c=64 with it off, docs/benchmarks.md): per
// call it wraps the handler and its callback, enters AsyncLocalStorage twice, copies arguments and
// captures metadata. A service may instead trace chosen methods itself: it names them with
// `traceGrpcManually` (the instrumentation then skips them in this process only) and makes the
// same spans with `startServerSpan` / `startClientSpan` — same names, kinds, attributes and W3C
// propagation, parent to child across the hop, without entering a context.
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  propagation,
  trace,
  isSpanContextValid,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';

/** The part of grpc-js's Metadata used here. */
export interface MetadataLike {
  get(key: string): Array<string | Buffer>;
  set(key: string, value: string): void;
}

const KEY = Symbol.for('switchyard.otel.manualGrpcMethods');

/** Method names (the part after the last '/') that this process traces itself. */
export function manuallyTracedMethods(): Set<string> {
  const g = globalThis as unknown as Record<symbol, Set<string> | undefined>;
  return (g[KEY] ??= new Set());
}

/** From now on the gRPC instrumentation leaves these methods (server and client side, in this
 *  process) to the caller, who makes their spans with startServerSpan / startClientSpan. */
export function traceGrpcManually(...methods: string[]): void {
  const s = manuallyTracedMethods();
  for (const m of methods) s.add(m);
}

const getter: TextMapGetter<MetadataLike> = {
  get: (md, key) => {
    const v = md.get(key);
    return v.length === 0 ? undefined : v.length === 1 ? String(v[0]) : v.map(String);
  },
  keys: () => ['traceparent', 'tracestate', 'baggage'],
};

const setter: TextMapSetter<MetadataLike> = { set: (md, key, value) => md.set(key, value) };

const tracer = () => trace.getTracer('@switchyard/otel/hot-path');

function rpcAttributes(path: string): Record<string, string> {
  const [service = '', method = ''] = path.replace(/^\//, '').split('/');
  return { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': method };
}

/** A SERVER span for `path` ('/pkg.Service/Method') whose parent is the caller's context in
 *  `metadata`, named like the instrumentation's (`grpc.pkg.Service/Method`). */
export function startServerSpan(path: string, metadata: MetadataLike): Span {
  const parent = propagation.extract(ROOT_CONTEXT, metadata, getter);
  return tracer().startSpan(`grpc.${path.replace(/^\//, '')}`, { kind: SpanKind.SERVER, attributes: rpcAttributes(path) }, parent);
}

/** A CLIENT span for `path` below `parent`; its context is written into `metadata`
 *  (traceparent), so the callee's server span becomes its child. */
export function startClientSpan(path: string, parent: Span | undefined, metadata: MetadataLike): Span {
  const parentCtx = parent ? trace.setSpan(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
  const span = tracer().startSpan(`grpc.${path.replace(/^\//, '')}`, { kind: SpanKind.CLIENT, attributes: rpcAttributes(path) }, parentCtx);
  propagation.inject(trace.setSpan(ROOT_CONTEXT, span), metadata, setter);
  return span;
}

/** Ends a span with the call's gRPC status code (0 = OK), as the instrumentation does. */
export function endRpcSpan(span: Span, code: number, message?: string): void {
  span.setAttribute('rpc.grpc.status_code', code);
  if (code !== 0) span.setStatus({ code: SpanStatusCode.ERROR, ...(message ? { message } : {}) });
  span.end();
}

/** The trace and span id of `span`, or empty strings when telemetry is off. */
export function spanIds(span: Span | undefined): { traceId: string; spanId: string } {
  const c = span?.spanContext();
  return c && isSpanContextValid(c) ? { traceId: c.traceId, spanId: c.spanId } : { traceId: '', spanId: '' };
}
