// The local supervisor: the autoscaler's actuator on one machine. It starts executor processes
// (services/<pool>-executor/src/main.ts, the same way the launcher does) when the desired count
// exceeds the current one, and SIGTERMs the newest one it started when the desired count falls.
// It never stops executors it did not start (the launcher's are the floor).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@switchyard/log';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface SupervisorOptions {
  /** Environment every executor gets (SY_PKI_DIR, SY_NATS_URL, SY_MODEL_REPO, ...). */
  baseEnv: Record<string, string>;
  region: string;
  logDir?: string;
  log: Logger;
  /** Extra environment for supervised executors. */
  extraEnv?: Record<string, string>;
}

export interface Supervised {
  executorId: string;
  pool: 'gpu' | 'cpu';
  child: ChildProcess;
  startedAtMs: number;
  exited: Promise<void>;
  stopping: boolean;
}

const PASS_THROUGH = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'NODE_OPTIONS', 'NODE_PATH', 'SY_LOG_LEVEL', 'SY_OTLP_ENDPOINT', 'SY_OTEL_DISABLED', 'SY_METRICS_HOST'];

export class LocalSupervisor {
  readonly opts: SupervisorOptions;
  #children: Supervised[] = [];
  #seq = 0;

  constructor(o: SupervisorOptions) {
    this.opts = o;
    process.once('exit', () => {
      for (const c of this.#children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    });
  }

  /** Running (not yet stopping) executors this supervisor started, oldest first. */
  alive(pool: 'gpu' | 'cpu'): Supervised[] {
    return this.#children.filter((c) => c.pool === pool && !c.stopping);
  }

  all(): Supervised[] {
    return [...this.#children];
  }

  start(pool: 'gpu' | 'cpu'): Supervised {
    const executorId = `${pool}-auto-${++this.#seq}`;
    const env: Record<string, string> = {};
    for (const k of PASS_THROUGH) if (process.env[k] !== undefined) env[k] = process.env[k]!;
    Object.assign(env, this.opts.baseEnv, {
      SY_POOL: pool, SY_EXECUTOR_ID: executorId, SY_REGION: this.opts.region, SY_PORT: '0', SY_METRICS_PORT: '0',
      ...(pool === 'gpu' ? { SY_ALLOW_CPU_FALLBACK: 'true' } : {}),
    }, this.opts.extraEnv ?? {});
    const preload = /^(1|true|yes|on)$/i.test(env.SY_OTEL_DISABLED ?? '') ? [] : ['--import', '@switchyard/otel/register'];
    const child = spawn(process.execPath, [...preload, path.join(REPO_ROOT, 'services', `${pool}-executor`, 'src', 'main.ts')], {
      cwd: REPO_ROOT, env, stdio: ['ignore', this.opts.logDir ? 'pipe' : 'ignore', this.opts.logDir ? 'pipe' : 'ignore'],
    });
    if (this.opts.logDir) {
      mkdirSync(this.opts.logDir, { recursive: true });
      const out = createWriteStream(path.join(this.opts.logDir, `${executorId}.log`), { flags: 'a' });
      child.stdout!.pipe(out, { end: false });
      child.stderr!.pipe(out, { end: false });
      child.once('exit', () => out.end());
    }
    const s: Supervised = {
      executorId, pool, child, startedAtMs: Date.now(), stopping: false,
      exited: new Promise((resolve) => child.once('exit', (code, signal) => {
        this.#children = this.#children.filter((c) => c !== s);
        if (!s.stopping) this.opts.log.warn({ executor_id: executorId, code, signal }, 'supervised executor exited');
        else this.opts.log.info({ executor_id: executorId, code, signal }, 'supervised executor stopped');
        resolve();
      })),
    };
    this.#children.push(s);
    this.opts.log.info({ executor_id: executorId, pool, pid: child.pid }, 'supervisor: started executor');
    return s;
  }

  /** SIGTERMs the newest supervised executor of the pool (it drains, then exits). */
  stopNewest(pool: 'gpu' | 'cpu'): Supervised | undefined {
    const alive = this.alive(pool);
    const s = alive[alive.length - 1];
    if (!s) return undefined;
    s.stopping = true;
    s.child.kill('SIGTERM');
    const killer = setTimeout(() => s.child.kill('SIGKILL'), 15_000);
    killer.unref();
    void s.exited.then(() => clearTimeout(killer));
    this.opts.log.info({ executor_id: s.executorId, pool }, 'supervisor: stopping executor (SIGTERM)');
    return s;
  }

  /** Stops every supervised executor and waits for them. */
  async stopAll(): Promise<void> {
    for (const c of this.#children) {
      if (!c.stopping) { c.stopping = true; c.child.kill('SIGTERM'); }
    }
    const all = this.#children.map((c) => c.exited);
    const t = setTimeout(() => { for (const c of this.#children) c.child.kill('SIGKILL'); }, 10_000);
    await Promise.all(all);
    clearTimeout(t);
  }
}
