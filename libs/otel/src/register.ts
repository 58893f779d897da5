// Preload entry: `node --import @switchyard/otel/register services/<svc>/src/main.ts`.
// Registers the import-in-the-middle ESM loader hook (limited to @grpc/grpc-js, so nothing
// else is wrapped) and enables the gRPC instrumentation before any application module loads.
// Providers, exporters and the resource are set later by startTelemetry() in main.ts: the
// instrumentation's tracer is a proxy that starts recording once they are registered.
import { register } from 'node:module';
import { enableInstrumentations } from './instrument.ts';

register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, {
  data: { include: ['@grpc/grpc-js'] },
});
enableInstrumentations({ esmHook: true });
