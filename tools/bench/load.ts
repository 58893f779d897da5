// Closed-loop load generator: `concurrency` workers, each sending its next request as soon as
// the previous one answers. A warm-up phase (not recorded), then a fixed measuring window; only
// requests that start and finish inside the window count. Kept light: one performance.now()
// pair per request, latencies in a growable Float64Array.
export interface LoadResult {
  concurrency: number;
  requests: number;
  errors: number;
  throughput_rps: number;
  p50_ms: number;
  p99_ms: number;
  /** First error message seen (if any), for the report. */
  first_error?: string;
}

export interface LoadOptions {
  concurrency: number;
  durationMs: number;
  warmupMs: number;
  /** Sends one request; rejects on failure. */
  call: () => Promise<unknown>;
}

export function quantile(sorted: Float64Array | number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  let lat = new Float64Array(4096);
  let n = 0;
  let errors = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  const measureFrom = t0 + o.warmupMs;
  const measureTo = measureFrom + o.durationMs;
  const worker = async (): Promise<void> => {
    for (;;) {
      const a = performance.now();
      if (a >= measureTo) return;
      let ok = true;
      try {
        await o.call();
      } catch (e) {
        ok = false;
        firstError ??= (e as Error).message;
      }
      const b = performance.now();
      if (a >= measureFrom && b <= measureTo) {
        if (!ok) { errors++; continue; }
        if (n === lat.length) { const bigger = new Float64Array(n * 2); bigger.set(lat); lat = bigger; }
        lat[n++] = b - a;
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  const sorted = lat.subarray(0, n).sort();
  const r: LoadResult = {
    concurrency: o.concurrency,
    requests: n,
    errors,
    throughput_rps: round(n / (o.durationMs / 1000), 1),
    p50_ms: round(quantile(sorted, 0.5), 3),
    p99_ms: round(quantile(sorted, 0.99), 3),
  };
  if (firstError !== undefined) r.first_error = firstError;
  return r;
}

export const round = (v: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};
