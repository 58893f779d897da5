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

type Fn = (this: unknown, ...args: unknown[]) => unknown;
type Patch = (original: Fn) => Fn;
interface PatchMakers {
  _patchServer?: () => Patch;
  _patchClientRequestMethod?: (grpcLib: unknown, hasResponseStream: boolean, name: string) => Patch;
}

/** 'Infer' of '/switchyard.executor.v1.Executor/Infer'. */
const methodOf = (path: unknown): string => (typeof path === 'string' ? path.slice(path.lastIndexOf('/') + 1) : '');

/**
 * The gRPC instrumentation, leaving the methods a service traces itself (hot-path.ts) untouched.
 * Its own `ignoreGrpcMethods` makes no span for them but still wraps each call: on the server a
 * wrapper that splits the method name and consults the list per call, on the client one that
 * parses the path and copies the arguments. Here, a handler of such a method is registered
 * unwrapped (names are read when the service registers it, so `traceGrpcManually` comes first),
 * and a client call to one goes straight to grpc-js. The hooks are the instrumentation's internal
 * patch makers; when a version lacks them, the plain instrumentation (with `ignoreGrpcMethods`)
 * remains, which is correct and only slower.
 */
function grpcInstrumentation(manual: Set<string>): GrpcInstrumentation {
  const inst = new GrpcInstrumentation({ enabled: false, ignoreGrpcMethods: [(name: string) => manual.has(name)] });
  const makers = inst as unknown as PatchMakers;
  const server = makers._patchServer?.bind(inst);
  if (server) {
    makers._patchServer = () => {
      const wrap = server();
      return (register) => {
        const traced = wrap(register);
        return function (this: unknown, ...args: unknown[]) {
          return (manual.has(methodOf(args[0])) ? register : traced).apply(this, args);
        };
      };
    };
  }
  const client = makers._patchClientRequestMethod?.bind(inst);
  if (client) {
    makers._patchClientRequestMethod = (grpcLib, hasResponseStream, name) => {
      const wrap = client(grpcLib, hasResponseStream, name);
      return (request) => {
        const traced = wrap(request);
        return function (this: unknown, ...args: unknown[]) {
          return (manual.has(methodOf(args[0])) ? request : traced).apply(this, args);
        };
      };
    };
  }
  return inst;
}

/** Enables the gRPC instrumentation once per process (idempotent). */
export function enableInstrumentations(opts: { esmHook: boolean }): void {
  const s = state();
  if (opts.esmHook) s.esmHook = true;
  if (s.instrumentations.length > 0) return;
  s.instrumentations = [grpcInstrumentation(manuallyTracedMethods())];
  registerInstrumentations({ instrumentations: s.instrumentations });
}

/** What is instrumented in this process. `grpc` is true only when spans will really be made
 *  for @grpc/grpc-js calls, i.e. the preload (`--import @switchyard/otel/register`) ran. */
export function instrumentationStatus(): { grpc: boolean; esmHook: boolean } {
  const s = state();
  return { grpc: s.esmHook && s.instrumentations.length > 0, esmHook: s.esmHook };
}
