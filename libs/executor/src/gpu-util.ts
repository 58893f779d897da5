// GPU utilization for heartbeats, read from nvidia-smi where the executor really runs on a GPU.
// Sampled in the background (never on the request path); a CPU fallback never reports it.
import { execFile } from 'node:child_process';

/** Parses `nvidia-smi --query-gpu=utilization.gpu --format=csv,noheader,nounits`: one line per GPU, percent. Mean over GPUs, 0..1. */
export function parseNvidiaSmiUtilization(stdout: string): number | undefined {
  const values = stdout.split('\n').map((l) => l.trim()).filter(Boolean).map(Number);
  if (values.length === 0 || values.some((v) => !Number.isFinite(v) || v < 0 || v > 100)) return undefined;
  return values.reduce((a, b) => a + b, 0) / values.length / 100;
}

export type Exec = (cmd: string, args: string[]) => Promise<string>;

const defaultExec: Exec = (cmd, args) => new Promise((resolve, reject) => {
  execFile(cmd, args, { timeout: 2000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
});

export interface GpuUtilSampler {
  /** The latest reading (0..1), or undefined when none could be read. */
  readonly value: number | undefined;
  /** Why there is no reading (nvidia-smi missing, failed, unparsable). */
  readonly error: string | undefined;
  sample(): Promise<void>;
  stop(): void;
}

/** Samples every `intervalMs` (default 2 s). The first failure to run nvidia-smi stops the sampling. */
export function startGpuUtilSampler(opts: { intervalMs?: number; exec?: Exec } = {}): GpuUtilSampler {
  const exec = opts.exec ?? defaultExec;
  let value: number | undefined;
  let error: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  const s: GpuUtilSampler = {
    get value() { return value; },
    get error() { return error; },
    async sample() {
      try {
        const out = await exec('nvidia-smi', ['--query-gpu=utilization.gpu', '--format=csv,noheader,nounits']);
        value = parseNvidiaSmiUtilization(out);
        error = value === undefined ? `unparsable nvidia-smi output: ${JSON.stringify(out.slice(0, 80))}` : undefined;
      } catch (e) {
        value = undefined;
        error = `nvidia-smi: ${(e as Error).message}`;
        s.stop();
      }
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
  void s.sample();
  timer = setInterval(() => void s.sample(), opts.intervalMs ?? 2000);
  timer.unref();
  return s;
}
