// Lean gRPC spans for a service's hot path.
//
// @opentelemetry/instrumentation-grpc costs the gateway more CPU per request than anything else it
// does (measured: 0.52 -> 0.64 of direct throughput at c=64 with it off, docs/benchmarks.md): per
// call it wraps the handler and its callback, enters AsyncLocalStorage twice, copies arguments and
// captures metadata. A service may instead trace chosen methods itself: it names them with
// `traceGrpcManually` (the instrumentation then skips them in this process only) and makes the
// server span with `startServerSpan` — same name, kind, attributes and W3C propagation — without
// entering a context. A call it forwards on that path carries the server span's own context
// (`injectTraceContext`): no CLIENT span is made for the hop, so the callee's span is the child of
// the caller's server span. Every span costs its making and its OTLP export (tens of µs each in a
// busy service, docs/benchmarks.md), and the hop's timing is already the callee's span.
import {
  INVALID_SPANID,
  INVALID_TRACEID,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  propagation,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
  type TraceState,
  type Tracer,
  type TracerProvider,
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
 *  process) to the caller, who makes their server spans with startServerSpan and propagates them
 *  with injectTraceContext. */
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

const TRACER_NAME = '@switchyard/otel/hot-path';
let cached: { delegate: TracerProvider; tracer: Tracer } | undefined;

/** The hot path's tracer, looked up again only when the global provider changes (a service
 *  registers its SDK once; tests start and stop several). `trace.getTracer` per call builds a
 *  key and searches the provider's map each time. */
function tracer(): Tracer {
  const global = trace.getTracerProvider() as TracerProvider & { getDelegate?: () => TracerProvider };
  const delegate = global.getDelegate?.() ?? global;
  if (cached?.delegate !== delegate) cached = { delegate, tracer: delegate.getTracer(TRACER_NAME) };
  return cached.tracer;
}

/** Span name and rpc.* attributes per method path (a service has a handful of paths). */
const perPath = new Map<string, { name: string; attributes: Attributes }>();

function describe(path: string): { name: string; attributes: Attributes } {
  let d = perPath.get(path);
  if (!d) {
    const bare = path.replace(/^\//, '');
    const [service = '', method = ''] = bare.split('/');
    d = { name: `grpc.${bare}`, attributes: Object.freeze({ 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': method }) };
    if (perPath.size < 1000) perPath.set(path, d);
  }
  return d;
}

const ID_BYTES = Buffer.allocUnsafe(16);

/** `bytes` (8 or 16) random bytes as lowercase hex, never all zeros: Math.random into a shared
 *  buffer, as the SDK's RandomIdGenerator does. */
function randomId(bytes: number): string {
  let any = 0;
  for (let i = 0; i < bytes; i += 4) {
    const v = (Math.random() * 0x100000000) >>> 0;
    any |= v;
    ID_BYTES.writeUInt32BE(v, i);
  }
  if (any === 0) ID_BYTES[bytes - 1] = 1;
  return ID_BYTES.toString('hex', 0, bytes);
}

/**
 * The SDK's id generator (startTelemetry installs it): random ids, except that the next trace id
 * can be chosen beforehand, so a new trace the hot path has already sampled gets the id its
 * decision was made on.
 */
export class PresetIdGenerator {
  private next: string | undefined;
  /** The trace id the next generateTraceId returns (once); undefined clears it. */
  preset(traceId: string | undefined): void {
    this.next = traceId;
  }
  generateTraceId(): string {
    const t = this.next;
    if (t !== undefined) {
      this.next = undefined;
      return t;
    }
    return randomId(16);
  }
  generateSpanId(): string {
    return randomId(8);
  }
}

/** The part of an SDK Sampler used here (@opentelemetry/sdk-trace-base; decision 0 = NOT_RECORD). */
export interface SamplerLike {
  shouldSample(context: Context, traceId: string, spanName: string, spanKind: SpanKind, attributes: Attributes, links: Link[]): { decision: number; traceState?: TraceState | undefined };
}

/** Set by startTelemetry when it installed its own sampler (a deterministic one: ParentBased with
 *  TraceIdRatioBased roots) and the id generator above; undefined otherwise. */
let roots: { sampler: SamplerLike; ids: PresetIdGenerator } | undefined;

/** startTelemetry: the sampler and id generator it gave the SDK (undefined at shutdown, or when
 *  the sampler comes from OTEL_TRACES_SAMPLER). */
export function setRootSampling(r: { sampler: SamplerLike; ids: PresetIdGenerator } | undefined): void {
  roots = r;
}

/** A SERVER span for `path` ('/pkg.Service/Method') whose parent is the caller's context in
 *  `metadata`, named like the instrumentation's (`grpc.pkg.Service/Method`).
 *
 *  A call without a `traceparent` starts a new trace. With startTelemetry's sampler, that trace's
 *  id is drawn and the sampler asked here; a trace it does not record (9 in 10 at the default
 *  ratio) gets a non-recording span with those ids without the SDK's startSpan (propagator,
 *  attribute checks, span bookkeeping: ~3 % of the gateway's busy time in a profile, in
 *  docs/benchmarks.md). A trace it records is started by the SDK on the same id, so the SDK's
 *  sampler (the same object, deterministic on the id) decides alike. */
export function startServerSpan(path: string, metadata: MetadataLike): Span {
  const { name, attributes } = describe(path);
  const r = roots;
  if (r !== undefined && metadata.get('traceparent').length === 0) {
    const traceId = r.ids.generateTraceId();
    const decision = r.sampler.shouldSample(ROOT_CONTEXT, traceId, name, SpanKind.SERVER, attributes, []);
    if (decision.decision === 0) {
      return trace.wrapSpanContext({ traceId, spanId: r.ids.generateSpanId(), traceFlags: TraceFlags.NONE, ...(decision.traceState ? { traceState: decision.traceState } : {}) });
    }
    r.ids.preset(traceId);
    try {
      return tracer().startSpan(name, { kind: SpanKind.SERVER, attributes }, ROOT_CONTEXT);
    } finally {
      r.ids.preset(undefined);
    }
  }
  const parent = propagation.extract(ROOT_CONTEXT, metadata, getter);
  return tracer().startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
}

/** True while the registered SDK's sampler follows a remote parent's sampled flag (a
 *  ParentBased sampler: what startTelemetry installs unless OTEL_TRACES_SAMPLER says otherwise). */
let parentBased = false;

/** startTelemetry says whether its sampler is parent-based (and false again at shutdown). */
export function setParentBasedSampling(on: boolean): void {
  parentBased = on;
}

const HEX = /^[0-9a-f]+$/;

/**
 * startServerSpan for a caller whose W3C trace context is at hand as strings (a frame on a
 * stream rather than call metadata). When the caller did not sample the trace and the sampler is
 * parent-based, the SDK would only make a non-recording span: that span is made here without the
 * propagator and the SDK (extracting, sampling and id generation cost the executor ~5 % of its
 * busy time per request at one trace in ten; docs/benchmarks.md). It carries the caller's ids, so
 * logs still correlate, and records nothing, as the SDK's would.
 */
export function startServerSpanW3C(path: string, traceparent: string, tracestate: string): Span {
  // version "00", 32 hex trace id, 16 hex span id, 2 hex flags: 55 characters.
  if (parentBased && traceparent.length === 55 && traceparent.startsWith('00-') && traceparent[35] === '-' && traceparent[52] === '-' && (parseInt(traceparent.slice(53), 16) & 1) === 0) {
    const traceId = traceparent.slice(3, 35);
    const spanId = traceparent.slice(36, 52);
    if (HEX.test(traceId) && HEX.test(spanId) && traceId !== INVALID_TRACEID && spanId !== INVALID_SPANID) {
      return trace.wrapSpanContext({ traceId, spanId, traceFlags: 0, isRemote: true });
    }
  }
  return startServerSpan(path, {
    get: (key) => (key === 'traceparent' && traceparent ? [traceparent] : key === 'tracestate' && tracestate ? [tracestate] : []),
    set: () => {},
  });
}

/** W3C trace context fields (a frame's, rather than call metadata). */
export interface W3CTraceContext { traceparent: string; tracestate: string }

const NO_CONTEXT: W3CTraceContext = Object.freeze({ traceparent: '', tracestate: '' });

/**
 * `span`'s context as W3C `traceparent` / `tracestate` strings, for a protocol that carries them
 * as fields (Executor/InferStream frames; read back with startServerSpanW3C). Written directly,
 * not through the configured propagator: the fields are W3C by contract. Empty when telemetry is
 * off or `span` is undefined.
 */
export function w3cTraceContext(span: Span | undefined): W3CTraceContext {
  const c = span?.spanContext();
  if (!c || c.traceId === INVALID_TRACEID || c.spanId === INVALID_SPANID) return NO_CONTEXT;
  const flags = c.traceFlags & 0xff;
  return { traceparent: `00-${c.traceId}-${c.spanId}-${flags < 16 ? '0' : ''}${flags.toString(16)}`, tracestate: c.traceState?.serialize() ?? '' };
}

/** Writes `span`'s context into `metadata` (W3C traceparent, sampled flag included), so the
 *  callee's server span becomes its child. Nothing is written when telemetry is off or `span`
 *  is undefined. */
export function injectTraceContext(span: Span | undefined, metadata: MetadataLike): void {
  if (span) propagation.inject(trace.setSpan(ROOT_CONTEXT, span), metadata, setter);
}

/** Ends a span with the call's gRPC status code (0 = OK), as the instrumentation does. */
export function endRpcSpan(span: Span, code: number, message?: string): void {
  span.setAttribute('rpc.grpc.status_code', code);
  if (code !== 0) span.setStatus({ code: SpanStatusCode.ERROR, ...(message ? { message } : {}) });
  span.end();
}

/** The trace and span id of `span`, or empty strings when telemetry is off. (The SDK makes
 *  well-formed ids and the propagator checks the caller's, so only the API's invalid ids — a
 *  no-op span's — are told apart here, without isSpanContextValid's regular expressions.) */
export function spanIds(span: Span | undefined): { traceId: string; spanId: string } {
  const c = span?.spanContext();
  return c && c.traceId !== INVALID_TRACEID && c.spanId !== INVALID_SPANID ? { traceId: c.traceId, spanId: c.spanId } : { traceId: '', spanId: '' };
}
