// Mesh overhead suite: the full mesh (startMesh: NATS, Redis, six services as real processes,
// mTLS everywhere, token checked, policy and quotas on) and one tiny model, measured through the
// gateway (inference.GRPCInferenceService/ModelInfer with the token, pool parameter 'cpu') and
// directly against the same executor (cpu-1, switchyard.executor.v1.Executor/Infer as `client`).
// Each point is measured in `rounds` windows, direct and gateway interleaved (direct, gateway,
// direct, ...), and pooled: on a shared 2-core machine throughput drifts over tens of seconds,
// and back-to-back single windows measured that drift as much as the gateway. Next to each row,
// the CPU each process spent per request in its windows (/proc): the gateway's own cost, which
// moves much less than throughput does.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startMesh } from '@switchyard/launcher';
import { createClient, unary, spiffeIdOf } from '@switchyard/mesh';
import { executorV1 } from '@switchyard/proto';
import type { ExecutorClient, ModelInferResponse__Output, ModelMetadataResponse__Output } from '@switchyard/proto';
import { connectGateway, makeRequest } from '../cli/client.ts';
import { prewarm, sampleLoad, pool, round, type LoadResult, type LoadSample } from './load.ts';
import { cpuWindow, cpuPerRequestUs } from './cpu.ts';

export interface MeshBenchOptions {
  model: string;
  concurrency: number[];
  durationMs: number;
  warmupMs: number;
  /** Measuring windows per point, direct and gateway interleaved (default 3). */
  rounds?: number;
  /** Unmeasured load on both paths at the highest concurrency before measuring, in 1 s turns
   *  alternating between them (default 0; load.ts prewarm). */
  prewarmMs?: number;
  /** Write a V8 CPU profile of the gateway process here (node --cpu-prof via NODE_OPTIONS). */
  profileDir?: string;
  progress: (line: string) => void;
}

export interface MeshRow extends LoadResult {
  path: 'gateway' | 'direct';
  /** Throughput of each window, in the order measured. */
  round_rps: number[];
  /** CPU µs per request in the measuring windows: gateway, executor, client (this process), machine (all cores). */
  cpu_us_per_request: Record<string, number | null>;
}
export interface MeshOverhead {
  p50_added_ms_c1: number | null;
  throughput_ratio_c64: number | null;
  /** gateway/direct throughput of each round at the highest concurrency. */
  round_ratios: number[];
}

export async function runMeshBench(o: MeshBenchOptions): Promise<{ results: MeshRow[]; overhead: MeshOverhead; executor_id: string }> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-bench-mesh-'));
  o.progress('mesh: starting the full mesh');
  // SY_BENCH_GATEWAY_ENV='{"SY_OTEL_DISABLED":"true"}' runs the gateway with extra settings (experiments).
  const extra = process.env.SY_BENCH_GATEWAY_ENV ? (JSON.parse(process.env.SY_BENCH_GATEWAY_ENV) as Record<string, string>) : {};
  // The demo tenant's default quota (2000 rps) would refuse part of the c=64 load: the quota stays
  // on and is charged per request, with a limit above what this machine can offer.
  const gatewayEnv = { SY_TENANT_RPS: '1000000', ...extra, ...(o.profileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${path.resolve(o.profileDir)}` } : {}) };
  const env = Object.keys(gatewayEnv).length ? { gateway: gatewayEnv } : undefined;
  const mesh = await startMesh({ stateDir, progress: (l) => o.progress(`mesh: ${l}`), ...(env ? { env } : {}) });
  const rows: MeshRow[] = [];
  const executorId = 'cpu-1';
  try {
    const status = await mesh.clusterStatus();
    const ex = status.executors.find((e) => e.heartbeat?.executor_id === executorId);
    if (!ex?.heartbeat?.address) throw new Error(`executor ${executorId} not in the cluster status`);
    const direct = createClient<ExecutorClient>(executorV1.Executor, ex.heartbeat.address, mesh.client, { serverSpiffeId: spiffeIdOf('cpu-executor'), defaultDeadlineMs: 30_000 });
    const gw = connectGateway(mesh.endpoints);
    try {
      const md = await unary<ModelMetadataResponse__Output>(direct, 'ModelMetadata', { name: o.model, version: '' }, { deadlineMs: 5000 });
      const plain = makeRequest(md, { seed: 3 });
      const viaGateway = makeRequest(md, { seed: 3, parameters: { pool: { string_param: 'cpu' } } });
      // The gateway must really route to the executor we call directly (one CPU executor: cpu-1).
      const probe = await gw.call<ModelInferResponse__Output>('ModelInfer', viaGateway);
      const served = probe.parameters?.switchyard_pool?.string_param;
      if (served !== 'cpu') throw new Error(`gateway served the request on pool ${served}, expected cpu`);
      const cpuExecutors = status.executors.filter((e) => e.heartbeat?.pool === 'POOL_CPU').length;
      if (cpuExecutors !== 1) throw new Error(`expected exactly one CPU executor, found ${cpuExecutors}`);
      const pids = { gateway: mesh.services.get('gateway')?.child.pid, executor: mesh.services.get('cpu-executor-1')?.child.pid, client: process.pid };
      const rounds = Math.max(1, o.rounds ?? 3);
      if (o.prewarmMs) {
        o.progress(`mesh: warming both paths up (${o.prewarmMs / 1000} s each)`);
        await prewarm([() => unary(direct, 'Infer', plain, { deadlineMs: 30_000 }), () => gw.call('ModelInfer', viaGateway)], o.prewarmMs / 1000, Math.max(...o.concurrency));
      }
      for (const c of o.concurrency) {
        const samples: Record<'direct' | 'gateway', LoadSample[]> = { direct: [], gateway: [] };
        const cpu: Record<'direct' | 'gateway', Record<string, number>> = { direct: {}, gateway: {} };
        for (let round = 0; round < rounds; round++) {
          for (const p of ['direct', 'gateway'] as const) {
            const call = p === 'direct'
              ? () => unary(direct, 'Infer', plain, { deadlineMs: 30_000 })
              : () => gw.call('ModelInfer', viaGateway);
            const r = await sampleLoad({ concurrency: c, durationMs: o.durationMs, warmupMs: o.warmupMs, call, window: cpuWindow(pids, cpu[p]) });
            samples[p].push(r);
            o.progress(`mesh: ${p} c=${c} round ${round + 1}/${rounds}: ${r.throughput_rps} rps, p50 ${r.p50_ms} ms, p99 ${r.p99_ms} ms${r.errors ? `, ${r.errors} errors (${r.first_error})` : ''}`);
          }
        }
        for (const p of ['direct', 'gateway'] as const) {
          const pooled = pool(samples[p]);
          rows.push({ path: p, ...pooled, round_rps: samples[p].map((x) => x.throughput_rps), cpu_us_per_request: cpuPerRequestUs(cpu[p], pooled.requests) });
        }
      }
    } finally {
      direct.close();
      gw.close();
    }
  } finally {
    o.progress('mesh: stopping');
    await mesh.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
  const find = (p: string, c: number) => rows.find((r) => r.path === p && r.concurrency === c);
  const g1 = find('gateway', 1), d1 = find('direct', 1);
  const cMax = Math.max(...o.concurrency);
  const gN = find('gateway', cMax), dN = find('direct', cMax);
  const roundRatios = gN && dN ? gN.round_rps.map((g, i) => round(dN.round_rps[i]! > 0 ? g / dN.round_rps[i]! : 0, 3)) : [];
  return {
    results: rows,
    executor_id: executorId,
    overhead: {
      p50_added_ms_c1: g1 && d1 ? round(g1.p50_ms - d1.p50_ms, 3) : null,
      throughput_ratio_c64: gN && dN && dN.throughput_rps > 0 ? round(gN.throughput_rps / dN.throughput_rps, 3) : null,
      round_ratios: roundRatios,
    },
  };
}
