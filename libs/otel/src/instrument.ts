// Process-wide auto-instrumentation state. gRPC spans need two things: the
// import-in-the-middle loader hook registered BEFORE @grpc/grpc-js is first imported (ESM
// imports of a CommonJS package bypass require-in-the-middle), and the GrpcInstrumentation
// enabled. register.ts does both at preload time; startTelemetry() only wires providers.
import { registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { manuallyTracedMethods } from './hot-path.ts';

interface State {
  instrumentations: Instrumentation[];
  /** True once the ESM loader hook was registered (register.ts). */
  esmHook: boolean;
}

const KEY = Symbol.for('switchyard.otel.instrumentation');

function state(): State {
  const g = globalThis as unknown as Record<symbol, State | undefined>;
  return (g[KEY] ??= { instrumentations: [], esmHook: false });
}

/** Enables the gRPC instrumentation once per process (idempotent). */
export function enableInstrumentations(opts: { esmHook: boolean }): void {
  const s = state();
  if (opts.esmHook) s.esmHook = true;
  if (s.instrumentations.length > 0) return;
  // Methods a service traces itself (hot-path.ts) are skipped; the set is read per call, so a
  // service may name them after this preload ran.
  const manual = manuallyTracedMethods();
  s.instrumentations = [new GrpcInstrumentation({ ignoreGrpcMethods: [(name: string) => manual.has(name)] })];
  registerInstrumentations({ instrumentations: s.instrumentations });
}

/** What is instrumented in this process. `grpc` is true only when spans will really be made
 *  for @grpc/grpc-js calls, i.e. the preload (`--import @switchyard/otel/register`) ran. */
export function instrumentationStatus(): { grpc: boolean; esmHook: boolean } {
  const s = state();
  return { grpc: s.esmHook && s.instrumentations.length > 0, esmHook: s.esmHook };
}
