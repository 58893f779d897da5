// CPU time read from /proc (Linux), for "CPU per request" figures next to throughput: on a
// shared 2-core machine throughput moves with whatever else runs, the CPU a process spends per
// request much less. Elsewhere (no /proc) every reading is null.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { spawnSync } from 'node:child_process';

let ticksPerSecond: number | undefined;
function hz(): number {
  if (ticksPerSecond === undefined) {
    const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const v = Number(r.stdout?.trim());
    ticksPerSecond = Number.isFinite(v) && v > 0 ? v : 100;
  }
  return ticksPerSecond;
}

/** CPU (user + system, all threads) a process has used so far, in ms; null when unreadable. */
export function processCpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  if (pid === process.pid) {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / hz();
  } catch {
    return null;
  }
}

/** The aggregate 'cpu' line of /proc/stat (user, nice, system, idle, iowait, irq, softirq, steal, ...), in ticks; null when unreadable. */
function procStatCpu(): number[] | null {
  try {
    return readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  } catch {
    return null;
  }
}

/** CPU the whole machine has used so far (every core, everything but idle and iowait), in ms. */
export function machineCpuMs(): number | null {
  const v = procStatCpu();
  if (!v) return null;
  const busy = v.reduce((a, x) => a + x, 0) - (v[3] ?? 0) - (v[4] ?? 0);
  return (busy * 1000) / hz();
}

/**
 * Time the hypervisor gave this machine's CPUs to someone else while they had work (the 'steal'
 * column of /proc/stat), all cores, in ms; null when unreadable. On a shared virtual machine it
 * grows with how busy the host is: every stolen slice stalls whatever was running.
 */
export function machineStealMs(): number | null {
  const steal = procStatCpu()?.[7];
  return steal !== undefined && Number.isFinite(steal) ? (steal * 1000) / hz() : null;
}

/** Starts a steal meter: the returned function gives the steal since then, % of all cores' time (null where unreadable). */
export function stealMeter(): () => number | null {
  const s0 = machineStealMs(), t0 = performance.now();
  return () => {
    const s1 = machineStealMs(), wall = performance.now() - t0;
    return s0 !== null && s1 !== null && wall > 0 ? ((s1 - s0) / wall / availableParallelism()) * 100 : null;
  };
}

/** Reads the machine's and each named process's CPU counter now (ms; null where unreadable). */
export function cpuSnapshot(pids: Record<string, number | undefined>): Record<string, number | null> {
  const s: Record<string, number | null> = { machine: machineCpuMs() };
  for (const [k, pid] of Object.entries(pids)) s[k] = processCpuMs(pid);
  return s;
}

/** A load window (load.ts) that adds what each counter used while it was open to `used` (ms). */
export function cpuWindow(pids: Record<string, number | undefined>, used: Record<string, number>): { open(): void; close(): void } {
  let before: Record<string, number | null> = {};
  return {
    open: () => { before = cpuSnapshot(pids); },
    close: () => {
      for (const [k, v] of Object.entries(cpuSnapshot(pids))) {
        const b = before[k];
        if (v !== null && b !== null && b !== undefined) used[k] = (used[k] ?? 0) + (v - b);
      }
    },
  };
}

/** µs of CPU per request for each counter of `used` (ms); null without requests. */
export function cpuPerRequestUs(used: Record<string, number>, requests: number): Record<string, number | null> {
  return Object.fromEntries(Object.entries(used).map(([k, ms]) => [k, requests > 0 ? Math.round((ms * 1000) / requests) : null]));
}
