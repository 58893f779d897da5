// Preload entry: `node --import @switchyard/otel/register services/<svc>/src/main.ts`.
// Registers the import-in-the-middle ESM loader hook (limited to @grpc/grpc-js, so nothing
// else is wrapped) and enables the gRPC instrumentation before any application module loads.
// Providers, exporters and the resource are set later by startTelemetry() in main.ts: the
// instrumentation's tracer is a proxy that starts recording once they are registered.
//
// Worker threads inherit the preload with the process's options; in them it does nothing. The
// mesh's workers (the executor's onnxruntime session workers) make no gRPC calls and no spans,
// and the instrumentation's modules would only be loaded again in each of them.
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, {
    data: { include: ['@grpc/grpc-js'] },
  });
  const { enableInstrumentations } = await import('./instrument.ts');
  enableInstrumentations({ esmHook: true });
}
