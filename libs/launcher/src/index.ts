// Starts the whole mesh on one machine as real processes: NATS (JetStream) and Redis on free
// ports with their data under the state directory, the development PKI, the bundled model
// repository, and the six services. Used by `switchyard up` (npm start) and by e2e tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync, renameSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNats, startRedis, freePort, type NatsHandle, type RedisHandle } from '@switchyard/devstack';
import { ensureDevPki, createClient, unary, spiffeIdOf, type MeshIdentity } from '@switchyard/mesh';
import { prepareBundledRepository } from '@switchyard/executor';
import { policyV1, schedulerV1 } from '@switchyard/proto';
import type { ClusterStatusResponse__Output, IssueTokenResponse__Output, PlacementSchedulerClient, PolicyClient } from '@switchyard/proto';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export type ServiceName = 'policy' | 'telemetry' | 'placement-scheduler' | 'gpu-executor' | 'cpu-executor' | 'gateway';

export interface Endpoints {
  gateway: string;
  ca: string;
  clientCert: string;
  clientKey: string;
  token: string;
  policy: string;
  scheduler: string;
  telemetry: string;
  /** Every Prometheus endpoint (host:port) of the running services (each service's `ready` log names its metricsPort). */
  metrics: string[];
  /** The telemetry service's live dashboard (http URL), when it serves one. */
  dashboard?: string;
  nats: string;
  redis: string;
  stateDir: string;
}

export interface ServiceProcess {
  name: string;
  /** The service kind (which main.ts). */
  kind: ServiceName;
  child: ChildProcess;
  logFile: string;
  env: Record<string, string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The service's `ready` log record (ports it bound, e.g. metricsPort, dashboard). */
  ready?: Record<string, unknown>;
}

export interface StopResult { code: number | null; ms: number }

export interface MeshOptions {
  stateDir: string;
  /** Progress lines (for people); default: silent. */
  progress?: (line: string) => void;
  /** Extra environment per service instance name. */
  env?: Partial<Record<string, Record<string, string>>>;
  /** Use the design's default ports when they are free (npm start); tests use free ports. */
  preferDefaultPorts?: boolean;
  /** How many CPU and GPU executors to start (default 1 each). */
  cpuExecutors?: number;
  gpuExecutors?: number;
  region?: string;
  readyTimeoutMs?: number;
  /**
   * Run the scheduler's local supervisor: it starts and stops extra executor processes as its
   * autoscaler decides (the executors started here are the floor). Settings go to the scheduler
   * as its environment (see autoscaleEnv).
   */
  autoscale?: AutoscaleOptions;
}

export interface AutoscaleOptions {
  /** Pools to autoscale (default ['cpu']). */
  pools?: Array<'cpu' | 'gpu'>;
  /** Replica bounds per pool (default min = the executors started here, max = min + 2). */
  cpuMaxReplicas?: number;
  gpuMaxReplicas?: number;
  /** Autoscaler sync period (default 15 000 ms). */
  intervalMs?: number;
  downscaleStabilizationS?: number;
  /** Extra environment for the executors the supervisor starts. */
  executorEnv?: Record<string, string>;
  /** Any other scheduler settings (SY_AUTOSCALE_SLO_MS, ...). */
  env?: Record<string, string>;
}

/** The scheduler's environment for `autoscale` (SY_SUPERVISOR=local and the supervisor's needs). */
export function autoscaleEnv(a: AutoscaleOptions, o: { modelRepo: string; region: string; logsDir: string; cpuExecutors: number; gpuExecutors: number }): Record<string, string> {
  const pools = a.pools ?? ['cpu'];
  return {
    SY_SUPERVISOR: 'local',
    SY_MODEL_REPO: o.modelRepo,
    SY_REGION: o.region,
    SY_SUPERVISOR_LOG_DIR: o.logsDir,
    SY_AUTOSCALE_POOLS: pools.join(','),
    SY_CPU_MIN_REPLICAS: String(o.cpuExecutors),
    SY_CPU_MAX_REPLICAS: String(a.cpuMaxReplicas ?? o.cpuExecutors + 2),
    SY_GPU_MIN_REPLICAS: String(o.gpuExecutors),
    SY_GPU_MAX_REPLICAS: String(Math.max(1, a.gpuMaxReplicas ?? o.gpuExecutors + 1)),
    ...(a.intervalMs !== undefined ? { SY_AUTOSCALE_INTERVAL_MS: String(a.intervalMs) } : {}),
    ...(a.downscaleStabilizationS !== undefined ? { SY_AUTOSCALE_DOWN_STABILIZATION_S: String(a.downscaleStabilizationS) } : {}),
    ...(a.executorEnv ? { SY_SUPERVISOR_ENV: JSON.stringify(a.executorEnv) } : {}),
    ...(a.env ?? {}),
  };
}

export interface Mesh {
  endpoints: Endpoints;
  services: Map<string, ServiceProcess>;
  client: MeshIdentity;
  /** Start one more service instance (e.g. a third executor) and wait until it is ready. */
  startService(kind: ServiceName, name: string, env?: Record<string, string>): Promise<ServiceProcess>;
  /** Waits until the scheduler sees `count` healthy executors whose every model is READY. */
  waitForExecutors(count: number, timeoutMs?: number): Promise<ClusterStatusResponse__Output>;
  clusterStatus(): Promise<ClusterStatusResponse__Output>;
  issueToken(req: { tenant: string; ttl_seconds?: number; audience?: string; roles?: string[] }): Promise<string>;
  /** SIGTERM every service (reverse start order), then NATS and Redis. Returns each service's exit code and how long it took to exit. */
  stop(): Promise<Record<string, StopResult>>;
}

/** Children never outlive the process that started them. */
const killOnExit = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of killOnExit) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

const DEFAULT_PORTS: Record<string, number> = { gateway: 7400, policy: 7401, 'placement-scheduler': 7402, telemetry: 7403, dashboard: 7404, metrics: 9464 };

/**
 * Ports for services are chosen below Linux's ephemeral range (32768-60999): a port the kernel
 * hands out for port 0 is in that range, and on a busy machine an outgoing connection can take
 * it between our check and the service's bind (seen as EADDRINUSE at start).
 */
const SERVICE_PORT_RANGE = { from: 20_000, to: 32_000 } as const;
const taken = new Set<number>();

async function pickPort(name: string, preferDefault: boolean): Promise<number> {
  const def = DEFAULT_PORTS[name];
  if (preferDefault && def !== undefined && !taken.has(def) && (await isFree(def))) {
    taken.add(def);
    return def;
  }
  for (let i = 0; i < 100; i++) {
    const port = SERVICE_PORT_RANGE.from + Math.floor(Math.random() * (SERVICE_PORT_RANGE.to - SERVICE_PORT_RANGE.from));
    if (taken.has(port) || [4222, 6222, 8222, 6379].includes(port)) continue;
    if (await isFree(port)) {
      taken.add(port);
      return port;
    }
  }
  return freePort();
}

async function isFree(port: number): Promise<boolean> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** Resolves when the service logs `ready` (a JSON line with msg "ready"); rejects if it exits first. */
function waitReady(p: ServiceProcess, timeoutMs: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let tail: string[] = [];
    const timer = setTimeout(() => done(new Error(`${p.name} not ready after ${timeoutMs} ms; last log lines:\n${tail.join('\n')}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        tail.push(line);
        if (tail.length > 20) tail = tail.slice(-20);
        try {
          const rec = JSON.parse(line) as Record<string, unknown>;
          if (rec.msg === 'ready') done(undefined, rec);
        } catch { /* not JSON */ }
      }
    };
    const onExit = (code: number | null) => done(new Error(`${p.name} exited with code ${code} before it was ready; last log lines:\n${tail.join('\n')}`));
    function done(err?: Error, rec?: Record<string, unknown>) {
      clearTimeout(timer);
      p.child.stdout?.off('data', onData);
      p.child.off('exit', onExit);
      if (err) reject(err); else resolve(rec!);
    }
    p.child.stdout?.on('data', onData);
    p.child.once('exit', onExit);
  });
}

export async function startMesh(opts: MeshOptions): Promise<Mesh> {
  const progress = opts.progress ?? (() => {});
  const stateDir = path.resolve(opts.stateDir);
  const logsDir = path.join(stateDir, 'logs');
  mkdirSync(logsDir, { recursive: true });
  const readyTimeout = opts.readyTimeoutMs ?? 60_000;
  const preferDefault = opts.preferDefaultPorts ?? false;

  progress('development PKI');
  const ids = await ensureDevPki(path.join(stateDir, 'pki'));
  const clientId = ids.client!;

  progress('NATS (JetStream) and Redis');
  let nats: NatsHandle | undefined;
  let redis: RedisHandle | undefined;
  const services = new Map<string, ServiceProcess>();
  const order: string[] = [];

  const stopAll = async (): Promise<Record<string, StopResult>> => {
    const codes: Record<string, StopResult> = {};
    for (const name of [...order].reverse()) {
      const p = services.get(name);
      if (!p) continue;
      const t0 = performance.now();
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
      const killer = setTimeout(() => p.child.kill('SIGKILL'), 12_000);
      const r = await p.exited;
      clearTimeout(killer);
      codes[name] = { code: r.code, ms: performance.now() - t0 };
    }
    await nats?.stop();
    await redis?.stop();
    return codes;
  };

  try {
    nats = await startNats({ dataDir: path.join(stateDir, 'nats') });
    redis = await startRedis({ dataDir: path.join(stateDir, 'redis') });

    progress('model repository');
    const modelRepo = path.join(stateDir, 'models');
    await prepareBundledRepository(modelRepo);

    const ports = {
      policy: await pickPort('policy', preferDefault),
      telemetry: await pickPort('telemetry', preferDefault),
      scheduler: await pickPort('placement-scheduler', preferDefault),
      gateway: await pickPort('gateway', preferDefault),
      metrics: await pickPort('metrics', preferDefault),
      dashboard: await pickPort('dashboard', preferDefault),
    };
    const addr = (p: number) => `127.0.0.1:${p}`;
    const common: Record<string, string> = {
      SY_PKI_DIR: path.join(stateDir, 'pki'),
      SY_NATS_URL: nats.url,
      SY_LOG_LEVEL: process.env.SY_LOG_LEVEL ?? 'info',
    };

    const spawnService = async (kind: ServiceName, name: string, env: Record<string, string>): Promise<ServiceProcess> => {
      const logFile = path.join(logsDir, `${name}.log`);
      // Every service gets a metrics port (0 = any free one; services that serve one log it as metricsPort).
      const fullEnv = { SY_METRICS_PORT: '0', SY_METRICS_HOST: '127.0.0.1', ...process.env, ...common, ...env, ...(opts.env?.[name] ?? {}) } as Record<string, string>;
      // Telemetry off (SY_OTEL_DISABLED, benchmarks): no instrumentation preload either.
      const preload = /^(1|true|yes|on)$/i.test(fullEnv.SY_OTEL_DISABLED ?? '') ? [] : ['--import', '@switchyard/otel/register'];
      const child = spawn(process.execPath, [...preload, path.join(REPO_ROOT, 'services', kind, 'src', 'main.ts')], {
        cwd: REPO_ROOT,
        env: fullEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const out = createWriteStream(logFile, { flags: 'a' });
      child.stdout!.pipe(out, { end: false });
      child.stderr!.pipe(out, { end: false });
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.once('exit', (code, signal) => { out.end(); resolve({ code, signal }); }));
      const p: ServiceProcess = { name, kind, child, logFile, env: fullEnv, exited };
      services.set(name, p);
      order.push(name);
      killOnExit.add(child);
      p.ready = await waitReady(p, readyTimeout);
      progress(`${name} ready`);
      return p;
    };

    progress('starting services');
    await Promise.all([
      spawnService('policy', 'policy', { SY_PORT: String(ports.policy), SY_STATE_DIR: stateDir, SY_REDIS_URL: redis.url }),
      spawnService('telemetry', 'telemetry', { SY_PORT: String(ports.telemetry), SY_METRICS_PORT: String(ports.metrics), SY_DASHBOARD_PORT: String(ports.dashboard), SY_REDIS_URL: redis.url }),
      spawnService('placement-scheduler', 'placement-scheduler', {
        SY_PORT: String(ports.scheduler),
        ...(opts.autoscale ? autoscaleEnv(opts.autoscale, { modelRepo, region: opts.region ?? 'local', logsDir, cpuExecutors: opts.cpuExecutors ?? 1, gpuExecutors: opts.gpuExecutors ?? 1 }) : {}),
      }),
    ]);
    const region = opts.region ?? 'local';
    const execs: Array<Promise<ServiceProcess>> = [];
    for (let i = 1; i <= (opts.gpuExecutors ?? 1); i++) {
      execs.push(spawnService('gpu-executor', `gpu-executor-${i}`, { SY_POOL: 'gpu', SY_EXECUTOR_ID: `gpu-${i}`, SY_REGION: region, SY_MODEL_REPO: modelRepo, SY_PORT: '0', SY_ALLOW_CPU_FALLBACK: 'true' }));
    }
    for (let i = 1; i <= (opts.cpuExecutors ?? 1); i++) {
      execs.push(spawnService('cpu-executor', `cpu-executor-${i}`, { SY_POOL: 'cpu', SY_EXECUTOR_ID: `cpu-${i}`, SY_REGION: region, SY_MODEL_REPO: modelRepo, SY_PORT: '0' }));
    }
    await Promise.all(execs);
    await spawnService('gateway', 'gateway', {
      SY_PORT: String(ports.gateway), SY_REDIS_URL: redis.url, SY_POLICY_ADDR: addr(ports.policy), SY_SCHEDULER_ADDR: addr(ports.scheduler),
    });

    const scheduler = createClient<PlacementSchedulerClient>(schedulerV1.PlacementScheduler, addr(ports.scheduler), clientId, { serverSpiffeId: spiffeIdOf('placement-scheduler') });
    const policy = createClient<PolicyClient>(policyV1.Policy, addr(ports.policy), clientId, { serverSpiffeId: spiffeIdOf('policy') });

    const clusterStatus = () => unary<ClusterStatusResponse__Output>(scheduler, 'ClusterStatus', {}, { deadlineMs: 3000 });
    const waitForExecutors = async (count: number, timeoutMs = 30_000) => {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const s = await clusterStatus();
        const ready = s.executors.filter((e) => e.state === 'HEALTHY' && (e.heartbeat?.models.length ?? 0) > 0 && e.heartbeat!.models.every((m) => m.state === 'READY'));
        if (ready.length >= count) return s;
        if (Date.now() > until) throw new Error(`only ${ready.length} of ${count} executors ready after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const issueToken = async (req: { tenant: string; ttl_seconds?: number; audience?: string; roles?: string[] }) =>
      (await unary<IssueTokenResponse__Output>(policy, 'IssueToken', req, { deadlineMs: 3000 })).token;

    progress('waiting for executors to report ready models');
    await waitForExecutors((opts.gpuExecutors ?? 1) + (opts.cpuExecutors ?? 1));
    const token = await issueToken({ tenant: 'demo', ttl_seconds: 7 * 24 * 3600, roles: ['user'] });

    const endpoints: Endpoints = {
      gateway: addr(ports.gateway),
      ca: clientId.caFile,
      clientCert: clientId.certFile,
      clientKey: clientId.keyFile,
      token,
      policy: addr(ports.policy),
      scheduler: addr(ports.scheduler),
      telemetry: addr(ports.telemetry),
      metrics: [...services.values()].flatMap((p) => (typeof p.ready?.metricsPort === 'number' ? [addr(p.ready.metricsPort)] : [])),
      ...(typeof services.get('telemetry')?.ready?.dashboard === 'string' ? { dashboard: services.get('telemetry')!.ready!.dashboard as string } : {}),
      nats: nats.url,
      redis: redis.url,
      stateDir,
    };
    const tmp = path.join(stateDir, 'endpoints.json.tmp');
    writeFileSync(tmp, JSON.stringify(endpoints, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, path.join(stateDir, 'endpoints.json'));

    return {
      endpoints,
      services,
      client: clientId,
      startService: (kind, name, env = {}) => {
        const base: Record<string, string> = kind.endsWith('executor') ? { SY_MODEL_REPO: modelRepo, SY_PORT: '0', SY_REGION: region } : {};
        return spawnService(kind, name, { ...base, ...env });
      },
      waitForExecutors,
      clusterStatus,
      issueToken,
      stop: async () => {
        scheduler.close();
        policy.close();
        const codes = await stopAll();
        try { if (existsSync(path.join(stateDir, 'endpoints.json'))) writeFileSync(path.join(stateDir, 'endpoints.json'), '{}\n'); } catch { /* ignore */ }
        return codes;
      },
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

/** Reads `.switchyard/endpoints.json` (or the given file). */
export function readEndpoints(file: string): Endpoints {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`cannot read ${file}: is the mesh running? Start it with 'npm start'`);
  }
  const e = JSON.parse(raw) as Partial<Endpoints>;
  if (!e.gateway) throw new Error(`${file} has no gateway: the mesh is not running; start it with 'npm start'`);
  return e as Endpoints;
}
