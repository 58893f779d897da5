// The parent's side of tenant-load.ts: spawns one tenant's closed-loop load in a process of its
// own and speaks its line protocol (ready, pause → report, resume → resumed, stop → report).
import path from 'node:path';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

import type { PacedReport } from './load.ts';

/** What the tenant's clients got in one period of running: latencies (ms) and failed calls. */
export type TenantReport = PacedReport;

export interface TenantLoadOptions {
  endpointsFile: string;
  token: string;
  model: string;
  clients: number;
  thinkMs: number;
  /** Wait for `resume` before sending (default: start at once). */
  startPaused?: boolean;
}

export interface TenantLoad {
  /** Resolves after the first answer (the load then runs, or waits with startPaused). */
  ready: Promise<void>;
  /** Each client finishes its request in flight and waits; the period's report. */
  pause(): Promise<TenantReport>;
  resume(): Promise<void>;
  /** From paused: the clients send `n` requests in all, then wait; that period's report. With
   *  `idPrefix`, the requests carry ids `<idPrefix>-0` ... `<idPrefix>-(n-1)` in the order sent. */
  run(n: number, idPrefix?: string): Promise<TenantReport>;
  /** As pause, then the process exits. */
  stop(): Promise<TenantReport>;
  /** Kills the process if it still runs (cleanup after a failure). */
  kill(): void;
  /** The load process's pid (for its CPU time). */
  pid: number | undefined;
}

export function spawnTenantLoad(o: TenantLoadOptions): TenantLoad {
  const child = spawn(process.execPath, [path.join(import.meta.dirname, 'tenant-load.ts')], {
    env: { ...process.env, SY_ENDPOINTS: o.endpointsFile, SY_TOKEN: o.token, SY_MODEL: o.model, SY_CLIENTS: String(o.clients), SY_THINK_MS: String(o.thinkMs), ...(o.startPaused ? { SY_START_PAUSED: '1' } : {}) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const r = await lines.next();
    if (r.done) throw new Error('the tenant load process exited early');
    return r.value;
  };
  const ask = async (cmd: string): Promise<string> => {
    child.stdin.write(`${cmd}\n`);
    return next();
  };
  return {
    ready: next().then((l) => { if (l !== 'ready') throw new Error(`the tenant load process said ${JSON.stringify(l)} instead of ready`); }),
    pause: async () => JSON.parse(await ask('pause')) as TenantReport,
    resume: async () => { await ask('resume'); },
    run: async (n, idPrefix) => {
      if (idPrefix !== undefined && !/^[\w.-]+$/.test(idPrefix)) throw new Error(`run: id prefix ${JSON.stringify(idPrefix)} must be letters, digits, '_', '.' or '-'`);
      const r = JSON.parse(await ask(`run ${n}${idPrefix === undefined ? '' : ` ${idPrefix}`}`)) as TenantReport & { error?: string };
      if (r.error) throw new Error(r.error);
      return r;
    },
    stop: async () => JSON.parse(await ask('stop')) as TenantReport,
    kill: () => { if (child.exitCode === null) child.kill(); },
    pid: child.pid,
  };
}
