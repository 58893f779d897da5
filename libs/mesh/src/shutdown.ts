// Orderly process shutdown on SIGTERM/SIGINT: run the steps in order, each bounded, the whole
// bounded so the process exits within 10 s (Kubernetes' default grace is 30 s; ours is tighter).
import type { Logger } from '@switchyard/log';

export interface ShutdownStep {
  name: string;
  run: () => Promise<void>;
}

export interface ShutdownOptions {
  /** Total bound for all steps (default 9000 ms). */
  totalMs?: number;
  /** Signals to listen for (default SIGTERM, SIGINT). */
  signals?: NodeJS.Signals[];
  /** How to exit (default process.exit); for tests. */
  exit?: (code: number) => void;
}

/** Runs the steps in order, each bounded by what is left of `totalMs`; resolves to the exit code
 *  (0 if every step finished, 1 if one threw or timed out). Never throws. */
export async function runShutdown(log: Logger, steps: ShutdownStep[], totalMs = 9000): Promise<number> {
  const deadline = Date.now() + totalMs;
  let code = 0;
  for (const step of steps) {
    const left = deadline - Date.now();
    if (left <= 0) {
      log.error({ step: step.name }, 'shutdown: out of time, step skipped');
      code = 1;
      continue;
    }
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(step.run),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${left} ms`)), left);
        }),
      ]);
      log.info({ step: step.name, ms: Date.now() - started }, 'shutdown: step done');
    } catch (err) {
      code = 1;
      log.error({ step: step.name, err: (err as Error).message }, 'shutdown: step failed');
    } finally {
      clearTimeout(timer);
    }
  }
  return code;
}

/** On SIGTERM/SIGINT: run the steps in order (each bounded), log, exit 0 (exit 1 if a step throws).
 *  Calls it only once. Total bound 9 s so a service exits within 10 s. */
export function onShutdown(log: Logger, steps: Array<{ name: string; run: () => Promise<void> }>, opts: ShutdownOptions = {}): void {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const totalMs = opts.totalMs ?? 9000;
  let started = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (started) {
      log.warn({ signal }, 'shutdown: already in progress');
      return;
    }
    started = true;
    log.info({ signal }, 'shutdown: started');
    // Backstop: whatever happens, leave within the bound (+ a little for the logs to flush).
    const backstop = setTimeout(() => exit(1), totalMs + 500);
    backstop.unref();
    void runShutdown(log, steps, totalMs).then((code) => {
      clearTimeout(backstop);
      log.info({ code }, 'shutdown: complete');
      log.flush?.();
      exit(code);
    });
  };
  for (const s of opts.signals ?? ['SIGTERM', 'SIGINT']) process.on(s, handler);
}
