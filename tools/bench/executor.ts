// Executor suite: one real cpu-executor process (services/cpu-executor/src/main.ts, spawned the
// way the launcher spawns it) per batching configuration, real NATS, dev PKI, mTLS. The client
// (this process) calls switchyard.executor.v1.Executor/Infer as the `client` workload. Both
// executors (batching off and on) run side by side, idle but for the one under load, and each
// point is measured in `rounds` windows interleaved off, on, off, on, ... and pooled: on a shared
// 2-core machine throughput drifts over tens of seconds, and two back-to-back single windows
// measured that drift as much as the batcher.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startNats } from '@switchyard/devstack';
import { ensureDevPki, createClient, unary, spiffeIdOf, type MeshIdentity } from '@switchyard/mesh';
import { prepareBundledRepository } from '@switchyard/executor';
import { REPO_ROOT } from '@switchyard/launcher';
import { executorV1 } from '@switchyard/proto';
import type { ExecutorClient, ModelMetadataResponse__Output } from '@switchyard/proto';
import { makeRequest } from '../cli/client.ts';
import { sampleLoad, pool, type LoadResult, type LoadSample } from './load.ts';
import { cpuWindow, cpuPerRequestUs } from './cpu.ts';

export interface ExecutorBenchOptions {
  models: string[];
  concurrency: number[];
  durationMs: number;
  warmupMs: number;
  /** Extra environment for the executor process (e.g. SY_SESSION_WORKERS, SY_INTRA_OP_THREADS). */
  env?: Record<string, string>;
  /** Only these configurations (default both). */
  batching?: Array<'off' | 'on'>;
  /** Measuring windows per point, the configurations interleaved (default 3). */
  rounds?: number;
  progress: (line: string) => void;
}

export interface ExecutorRow extends LoadResult {
  model: string;
  batching: 'on' | 'off';
  /** Throughput of each window, in the order measured. */
  round_rps: number[];
  /** CPU µs per request in the measuring windows: executor, client (this process), machine (all cores). */
  cpu_us_per_request: Record<string, number | null>;
}

/**
 * Batching settings per model: `on` adds the dynamic_batching block, `off` leaves it out. No queue
 * delay: with one instance, requests queue while the running batch runs and the next batch takes
 * them all, so waiting buys nothing under load and costs the whole delay at low load (measured,
 * docs/benchmarks.md: ocr_cls at c=1 88 -> 289 rps with delay 4 -> 0 ms, c=32 unchanged).
 */
export const BATCH_CONFIG: Record<string, { max_batch_size: number; delay_ms: number; preferred: number[]; extra?: string[] }> = {
  ocr_cls: { max_batch_size: 32, delay_ms: 0, preferred: [16, 32], extra: ['warmup_shape: [1, 3, 48, 192]'] },
  mlp: { max_batch_size: 64, delay_ms: 0, preferred: [32, 64], extra: ["version_policy: { latest: 1 }"] },
  identity_fp32: { max_batch_size: 64, delay_ms: 0, preferred: [32, 64] },
  ocr_det: { max_batch_size: 4, delay_ms: 4, preferred: [4], extra: ['warmup_shape: [1, 3, 64, 64]'] },
};

export function configYaml(model: string, batching: 'on' | 'off'): string {
  const c = BATCH_CONFIG[model];
  if (!c) throw new Error(`no bench config for model ${model}`);
  const lines = [`# benchmark config (${batching === 'on' ? 'dynamic batching' : 'no batching'})`, `max_batch_size: ${c.max_batch_size}`];
  if (batching === 'on') {
    lines.push('dynamic_batching:', `  max_queue_delay_ms: ${c.delay_ms}`, `  preferred_batch_sizes: [${c.preferred.join(', ')}]`, '  max_queue_size: 1024');
  }
  lines.push('instance_count: 1', 'allowed_pools: [gpu, cpu]', 'warmup: true', ...(c.extra ?? []), '');
  return lines.join('\n');
}

/** Copy the prepared bundled models we bench into `dir` with the given batching. */
export function makeRepo(base: string, dir: string, models: string[], batching: 'on' | 'off'): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const m of models) {
    fs.cpSync(path.join(base, m), path.join(dir, m), { recursive: true });
    fs.writeFileSync(path.join(dir, m, 'config.yaml'), configYaml(m, batching));
  }
}

export interface SpawnedExecutor { child: ChildProcess; address: string; stop(): Promise<void> }

/** Spawn services/cpu-executor/src/main.ts like the launcher does and wait for its 'ready' log line. */
export function spawnExecutor(env: Record<string, string>, logFile: string, timeoutMs = 60_000): Promise<SpawnedExecutor> {
  const child = spawn(process.execPath, ['--import', '@switchyard/otel/register', path.join(REPO_ROOT, 'services', 'cpu-executor', 'src', 'main.ts')], {
    cwd: REPO_ROOT, env: { ...process.env, SY_LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = fs.createWriteStream(logFile, { flags: 'a' });
  child.stderr!.pipe(out, { end: false });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
    out.end();
  };
  return new Promise((resolve, reject) => {
    let buf = '';
    let settled = false;
    const timer = setTimeout(() => fail(new Error(`cpu-executor not ready after ${timeoutMs} ms (log: ${logFile})`)), timeoutMs);
    const fail = (e: Error) => { if (settled) return; settled = true; clearTimeout(timer); void stop().then(() => reject(e)); };
    child.once('exit', (code) => fail(new Error(`cpu-executor exited with code ${code} before ready (log: ${logFile})`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      out.write(chunk);
      if (settled) return;
      buf += chunk.toString('utf8');
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          const rec = JSON.parse(line) as { msg?: string; address?: string };
          if (rec.msg === 'ready' && rec.address) {
            settled = true;
            clearTimeout(timer);
            resolve({ child, address: rec.address, stop });
            return;
          }
        } catch { /* not JSON */ }
      }
    });
  });
}

export async function runExecutorBench(o: ExecutorBenchOptions): Promise<ExecutorRow[]> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-bench-exec-'));
  const rows: ExecutorRow[] = [];
  const nats = await startNats({ dataDir: path.join(tmp, 'nats') });
  try {
    const ids = await ensureDevPki(path.join(tmp, 'pki'));
    const client: MeshIdentity = ids.client!;
    const base = path.join(tmp, 'bundled');
    prepareBundledRepository(base);
    const modes = o.batching ?? (['off', 'on'] as const);
    const running: Array<{ batching: 'off' | 'on'; ex: SpawnedExecutor; stub: ExecutorClient }> = [];
    try {
      for (const batching of modes) {
        const repo = path.join(tmp, `models-${batching}`);
        makeRepo(base, repo, o.models, batching);
        o.progress(`executor: starting cpu-executor (batching ${batching})`);
        const ex = await spawnExecutor({
          SY_PORT: '0', SY_MODEL_REPO: repo, SY_NATS_URL: nats.url, SY_PKI_DIR: path.join(tmp, 'pki'), SY_EXECUTOR_ID: `bench-${batching}`, ...(o.env ?? {}),
        }, path.join(tmp, `executor-${batching}.log`));
        running.push({ batching, ex, stub: createClient<ExecutorClient>(executorV1.Executor, ex.address, client, { serverSpiffeId: spiffeIdOf('cpu-executor'), defaultDeadlineMs: 30_000 }) });
      }
      const rounds = Math.max(1, o.rounds ?? 3);
      for (const model of o.models) {
        const md = await unary<ModelMetadataResponse__Output>(running[0]!.stub, 'ModelMetadata', { name: model, version: '' }, { deadlineMs: 5000 });
        const req = makeRequest(md, { seed: 7 });
        for (const c of o.concurrency) {
          const samples = new Map<string, LoadSample[]>();
          const cpu = new Map<string, Record<string, number>>();
          for (let round = 0; round < rounds; round++) {
            for (const { batching, ex, stub } of running) {
              const used = cpu.get(batching) ?? {};
              cpu.set(batching, used);
              const r = await sampleLoad({
                concurrency: c, durationMs: o.durationMs, warmupMs: o.warmupMs,
                call: () => unary(stub, 'Infer', req, { deadlineMs: 30_000 }),
                window: cpuWindow({ executor: ex.child.pid, client: process.pid }, used),
              });
              samples.set(batching, [...(samples.get(batching) ?? []), r]);
              o.progress(`executor: ${model} batching=${batching} c=${c} round ${round + 1}/${rounds}: ${r.throughput_rps} rps, p50 ${r.p50_ms} ms, p99 ${r.p99_ms} ms${r.errors ? `, ${r.errors} errors (${r.first_error})` : ''}`);
            }
          }
          for (const { batching } of running) {
            const s = samples.get(batching)!;
            const pooled = pool(s);
            rows.push({ model, batching, ...pooled, round_rps: s.map((x) => x.throughput_rps), cpu_us_per_request: cpuPerRequestUs(cpu.get(batching)!, pooled.requests) });
          }
        }
      }
    } finally {
      for (const { ex, stub } of running) {
        stub.close();
        await ex.stop();
      }
    }
  } finally {
    await nats.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return rows;
}
