// The demo workload `switchyard up` runs: requests to the bundled models through the gateway,
// with every pool preference, then a summary table per pool and per executor.
import type * as grpc from '@grpc/grpc-js';
import type { ModelInferResponse__Output, ModelMetadataResponse__Output } from '@switchyard/proto';
import { makeRequest, percentile, table, type GatewayConn } from './client.ts';

export interface DemoResult {
  total: number;
  errors: number;
  byPool: Map<string, number[]>;
  byExecutor: Map<string, { pool: string; fallback: boolean; latencies: number[] }>;
  errorCodes: Map<string, number>;
}

export async function runDemo(gw: GatewayConn, opts: { requests: number; concurrency: number; models: string[]; progress?: (done: number, total: number) => void }): Promise<DemoResult> {
  const metas = new Map<string, ModelMetadataResponse__Output>();
  for (const m of opts.models) metas.set(m, await gw.call<ModelMetadataResponse__Output>('ModelMetadata', { name: m }));
  const prefs = ['auto', 'gpu', 'cpu'];
  const result: DemoResult = { total: 0, errors: 0, byPool: new Map(), byExecutor: new Map(), errorCodes: new Map() };
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= opts.requests) return;
      const model = opts.models[i % opts.models.length]!;
      const req = makeRequest(metas.get(model)!, { seed: i + 1, id: `demo-${i}`, parameters: { pool: { string_param: prefs[i % prefs.length]! } } });
      const t0 = performance.now();
      try {
        const res = await gw.call<ModelInferResponse__Output>('ModelInfer', req, 30_000);
        const ms = performance.now() - t0;
        const pool = res.parameters.switchyard_pool?.string_param ?? '?';
        const exec = res.parameters.switchyard_executor?.string_param ?? '?';
        const fallback = res.parameters.switchyard_cpu_fallback?.bool_param ?? false;
        (result.byPool.get(pool) ?? result.byPool.set(pool, []).get(pool)!).push(ms);
        const e = result.byExecutor.get(exec) ?? result.byExecutor.set(exec, { pool, fallback, latencies: [] }).get(exec)!;
        e.latencies.push(ms);
      } catch (err) {
        result.errors++;
        const code = String((err as grpc.ServiceError).code ?? 'UNKNOWN');
        result.errorCodes.set(code, (result.errorCodes.get(code) ?? 0) + 1);
      }
      result.total++;
      opts.progress?.(result.total, opts.requests);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return result;
}

export function summaryTable(r: DemoResult): string {
  const rows: Array<Array<string | number>> = [];
  const stat = (l: number[]) => { const s = [...l].sort((a, b) => a - b); return [s.length, percentile(s, 0.5), percentile(s, 0.99)] as const; };
  for (const [pool, l] of [...r.byPool.entries()].sort()) {
    const [n, p50, p99] = stat(l);
    rows.push([`pool ${pool}`, n, p50, p99, '']);
  }
  for (const [id, e] of [...r.byExecutor.entries()].sort()) {
    const [n, p50, p99] = stat(e.latencies);
    rows.push([`executor ${id}`, n, p50, p99, `${e.pool}${e.fallback ? ' (CPU fallback: no CUDA here)' : ''}`]);
  }
  const all = [...r.byPool.values()].flat();
  const [n, p50, p99] = stat(all);
  rows.push(['total', n, p50, p99, `${r.errors} errors${r.errors ? ` (${[...r.errorCodes].map(([c, k]) => `code ${c}: ${k}`).join(', ')})` : ''}`]);
  return table(['where', 'requests', 'p50 ms', 'p99 ms', 'notes'], rows);
}
