// Garbage collection tuned for processes that move tensors over gRPC.
//
// Every tensor a mesh process receives arrives as ArrayBuffers (HTTP/2 DATA chunks, grpc-js's
// reassembled message, the executor's copy for its session worker) that live for a few ms. V8
// counts their bytes as "external memory" and, by default, starts a full mark-compact whenever that
// count has grown 64 MiB since the last one, however little of it is still alive: a CPU executor
// receiving 110 KB ocr_cls requests ran a mark-compact every ~140 requests, each marking its whole
// ~35 MB heap, on the main thread and V8's helper threads (a quarter of the executor's CPU).
// With `--external-memory-accounted-in-global-limit`, V8 counts external memory into its global
// limit, which grows with the heap, and scavenges free the short-lived buffers first. Measured on a
// 2-core machine, a bare mTLS gRPC server receiving 110 KB messages: 30 → 7 mark-compacts per 4,000
// requests, 535 → 375-435 µs CPU per request (docs/benchmarks.md). The flag is set at run time
// (V8 reads it on each limit computation) because Node does not accept V8 flags in NODE_OPTIONS.
// The cost is memory held a little longer: a CPU executor under ocr_cls load at c=64 held
// 490-500 MB resident with V8's default, 520-600 MB with the flag.
//
// SY_V8_EXTERNAL_MEMORY_IN_GLOBAL_LIMIT=false keeps V8's default.
import fs from 'node:fs';
import os from 'node:os';
import v8 from 'node:v8';

export const GC_FLAG = '--external-memory-accounted-in-global-limit';

let applied: boolean | undefined;

/**
 * Sets the V8 flag above once per process (idempotent); returns whether it is on. Called by every
 * MeshServer and mesh client, so any process that speaks the mesh gets it.
 */
export function tuneGcForTensorTraffic(env: NodeJS.ProcessEnv = process.env): boolean {
  if (applied !== undefined) return applied;
  applied = !/^(0|false|no|off)$/i.test(env.SY_V8_EXTERNAL_MEMORY_IN_GLOBAL_LIMIT ?? '');
  if (applied) v8.setFlagsFromString(GC_FLAG);
  return applied;
}

// V8's helper threads at a lower CPU priority.
//
// V8 does most of a mark-compact's marking, and its sweeping, on helper threads ("V8Worker", 4 by
// default) beside the main thread: ~115 ms of CPU per mark-compact of the gateway's ~45 MB heap,
// within ~35 ms of wall time. On a host shared with other mesh processes (a 2-core machine running
// the whole mesh), each such burst takes every core for that time, and every request in flight
// anywhere on the host waits: in the fairness benchmark (docs/policy.md), most of a quiet tenant's
// slowest requests overlapped a mark-compact of the gateway, where the heavy tenant's traffic made
// most of the garbage. A service therefore lowers its helper threads' priority (nice, default 10):
// they still have every idle cycle, but a thread that serves a request takes the CPU from them.
// A mark-compact may then take longer to finish; V8 does the marking left over on the main thread.
// Only lowered (no privilege needed), never raised. Linux only (thread names and ids from /proc).
//
// SY_V8_HELPER_NICE (0..19; default 10, 0 leaves them as they are).

/** The name V8's platform gives its helper threads. */
export const V8_HELPER_THREAD = 'V8Worker';

export interface HelperPriority {
  /** The nice value asked for (0: left alone). */
  nice: number;
  /** Helper threads now at that nice value (or lower in priority). */
  threads: number;
  /** Helper threads whose priority could not be set. */
  failed: number;
}

/** A thread of this process: id, name and nice value (Linux /proc/self/task). */
export interface ThreadInfo { tid: number; name: string; nice: number }

/** This process's threads, from `taskDir` (default /proc/self/task); [] where it is unreadable. */
export function processThreads(taskDir = '/proc/self/task'): ThreadInfo[] {
  let tids: string[];
  try {
    tids = fs.readdirSync(taskDir);
  } catch {
    return [];
  }
  const out: ThreadInfo[] = [];
  for (const t of tids) {
    try {
      const name = fs.readFileSync(`${taskDir}/${t}/comm`, 'utf8').trim();
      const stat = fs.readFileSync(`${taskDir}/${t}/stat`, 'utf8');
      // Fields after the parenthesised name: state is field 3; nice is field 19.
      const nice = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      out.push({ tid: Number(t), name, nice });
    } catch {
      // the thread ended
    }
  }
  return out;
}

let helperPriority: HelperPriority | undefined;

/**
 * Lowers this process's V8 helper threads to SY_V8_HELPER_NICE (once per process; later calls
 * return the first result). Called by every MeshServer, so each service does it at start.
 */
export function lowerV8HelperPriority(env: NodeJS.ProcessEnv = process.env, setPriority: (tid: number, nice: number) => void = os.setPriority): HelperPriority {
  if (helperPriority) return helperPriority;
  const raw = env.SY_V8_HELPER_NICE?.trim() || '10';
  const nice = Number(raw);
  if (!Number.isInteger(nice) || nice < 0 || nice > 19) throw new Error(`SY_V8_HELPER_NICE must be an integer from 0 to 19, got '${raw}'`);
  const result: HelperPriority = { nice, threads: 0, failed: 0 };
  if (nice > 0) {
    for (const t of processThreads()) {
      if (t.name !== V8_HELPER_THREAD) continue;
      if (t.nice >= nice) { result.threads++; continue; }
      try {
        setPriority(t.tid, nice);
        result.threads++;
      } catch {
        result.failed++;
      }
    }
  }
  helperPriority = result;
  return result;
}
