// CPU cost of one span in isolation: make and end N gateway-like spans (SERVER kind, rpc
// attributes, two events) with the SDK as services start it (startTelemetry), with and without
// OTLP/HTTP export to a sink in this process. Prints one JSON line per mode.
//   node_modules/.bin/node tools/bench/span-cost.ts [N]
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace, SpanKind } from '@opentelemetry/api';
import { startTelemetry } from '@switchyard/otel';

const N = Number(process.argv[2] ?? 20_000);

async function measure(mode: 'none' | 'otlp'): Promise<Record<string, unknown>> {
  let bytes = 0;
  let posts = 0;
  const sink = http.createServer((req, res) => {
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => { posts++; res.writeHead(200, { 'content-type': 'application/x-protobuf' }); res.end(); });
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const port = (sink.address() as AddressInfo).port;
  // Every span recorded: this measures the cost of one.
  const tel = await startTelemetry({ serviceName: 'span-cost', traceSampleRatio: 1, ...(mode === 'otlp' ? { otlpEndpoint: `http://127.0.0.1:${port}` } : {}) });
  const tracer = trace.getTracer('span-cost');
  const burst = async (): Promise<void> => {
    for (let i = 0; i < N; i++) {
      const s = tracer.startSpan('grpc.inference.GRPCInferenceService/ModelInfer', {
        kind: SpanKind.SERVER,
        attributes: { 'rpc.system': 'grpc', 'rpc.service': 'inference.GRPCInferenceService', 'rpc.method': 'ModelInfer' },
      });
      s.addEvent('gateway.admitted', { 'switchyard.tenant': 'demo', 'switchyard.priority': 0 });
      s.addEvent('gateway.placed', { 'switchyard.executor': 'cpu-1', 'switchyard.pool': 'cpu', 'switchyard.predicted_ms': 1.2 });
      s.setAttribute('rpc.grpc.status_code', 0);
      s.end();
      // Let the batch processor export between bursts, as it would between requests.
      if (i % 200 === 0) await new Promise((r) => setImmediate(r));
    }
  };
  await burst(); // warm-up
  const u0 = process.cpuUsage();
  await burst();
  await tel.shutdown(); // flushes what is queued
  const u = process.cpuUsage(u0);
  sink.close();
  return { mode, spans: N, cpu_us_per_span: Math.round(((u.user + u.system) / N) * 10) / 10, otlp_posts: posts, otlp_bytes_per_span: posts ? Math.round(bytes / (2 * N)) : 0 };
}

for (const mode of ['none', 'otlp'] as const) process.stdout.write(`${JSON.stringify(await measure(mode))}\n`);
