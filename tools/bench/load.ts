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

/** A LoadResult with its measured latencies (ms), for pooling several windows into one row. */
export interface LoadSample extends LoadResult {
  latencies: Float64Array;
  durationMs: number;
}

export interface LoadOptions {
  concurrency: number;
  durationMs: number;
  warmupMs: number;
  /** Sends one request; rejects on failure. */
  call: () => Promise<unknown>;
  /** Called when the measuring window opens and when it closes (e.g. to read CPU counters). */
  window?: { open(): void; close(): void };
}

export function quantile(sorted: Float64Array | number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  return sampleLoad(o);
}

/** What a paced client got: each answered call's latency (ms) and the failed calls. */
export interface PacedReport { lat: number[]; errors: number }

/** One client at its own pace rather than flat out: `n` calls, each awaited and followed by a
 *  pause of `thinkMs` (a tenant's client in the fairness scenario). `call(i)` sends the i-th. */
export async function pacedClient(call: (i: number) => Promise<unknown>, n: number, thinkMs: number): Promise<PacedReport> {
  const lat: number[] = [];
  let errors = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    try {
      await call(i);
      lat.push(performance.now() - t0);
    } catch {
      errors++;
    }
    await new Promise((r) => setTimeout(r, thinkMs));
  }
  return { lat, errors };
}

/** Unmeasured load before a comparison: `seconds` 1 s turns on each of `calls` in turn, at
 *  `concurrency`. A fresh mesh speeds up for tens of seconds (JIT, heap sizing), and the side
 *  with more code (telemetry on, the gateway path) takes longer: without this the first
 *  windows of a comparison measure warm-up. */
export async function prewarm(calls: ReadonlyArray<() => Promise<unknown>>, seconds: number, concurrency: number): Promise<void> {
  for (let t = 0; t < Math.ceil(seconds); t++) {
    for (const call of calls) await runLoad({ concurrency, durationMs: 1000, warmupMs: 0, call });
  }
}

/** runLoad, keeping the latencies (non-enumerable: not in the JSON) for pool(). */
export async function sampleLoad(o: LoadOptions): Promise<LoadSample> {
  let lat = new Float64Array(4096);
  let n = 0;
  let errors = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  const measureFrom = t0 + o.warmupMs;
  const measureTo = measureFrom + o.durationMs;
  let opened = false, closed = false;
  const open = () => { if (!opened) { opened = true; o.window?.open(); } };
  const close = () => { open(); if (!closed) { closed = true; o.window?.close(); } };
  const timers = o.window ? [setTimeout(open, o.warmupMs), setTimeout(close, o.warmupMs + o.durationMs)] : [];
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
  for (const t of timers) clearTimeout(t);
  if (o.window) close();
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
  return Object.defineProperties(r, { latencies: { value: sorted, enumerable: false }, durationMs: { value: o.durationMs, enumerable: false } }) as LoadSample;
}

/**
 * Several measuring windows of the same point (e.g. interleaved rounds) as one result: requests
 * and errors summed, throughput over the summed windows, percentiles over all latencies.
 */
export function pool(samples: LoadSample[]): LoadResult {
  if (samples.length === 0) throw new Error('pool: no samples');
  const n = samples.reduce((a, s) => a + s.latencies.length, 0);
  const all = new Float64Array(n);
  let off = 0;
  for (const s of samples) { all.set(s.latencies, off); off += s.latencies.length; }
  all.sort();
  const ms = samples.reduce((a, s) => a + s.durationMs, 0);
  const r: LoadResult = {
    concurrency: samples[0]!.concurrency,
    requests: samples.reduce((a, s) => a + s.requests, 0),
    errors: samples.reduce((a, s) => a + s.errors, 0),
    throughput_rps: round(n / (ms / 1000), 1),
    p50_ms: round(quantile(all, 0.5), 3),
    p99_ms: round(quantile(all, 0.99), 3),
  };
  const firstError = samples.find((s) => s.first_error !== undefined)?.first_error;
  if (firstError !== undefined) r.first_error = firstError;
  return r;
}

export const round = (v: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

/** Two-sided 95 % quantiles of Student's t for 1..30 degrees of freedom (1.96 beyond). */
const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export interface PairedRatio {
  /** Pairs used (both values > 0). */
  pairs: number;
  /** Geometric mean of a/b over the pairs. */
  geo_mean: number;
  /** 95 % confidence interval of the geometric mean (t on the logs); null under 2 pairs. */
  ci95: [number, number] | null;
}

/**
 * The ratio a/b estimated from paired measurements (a and b taken close together, e.g. the two
 * halves of one slice of an alternating benchmark): the geometric mean of the per-pair ratios
 * with a 95 % confidence interval. Pairing cancels drift that hits both alike; the interval says
 * how far the machine's remaining noise leaves the estimate from the true ratio.
 */
export function pairedRatio(pairs: ReadonlyArray<readonly [number, number]>): PairedRatio | null {
  const logs = pairs.filter(([a, b]) => a > 0 && b > 0).map(([a, b]) => Math.log(a / b));
  const n = logs.length;
  if (n === 0) return null;
  const mean = logs.reduce((s, x) => s + x, 0) / n;
  if (n < 2) return { pairs: n, geo_mean: round(Math.exp(mean), 4), ci95: null };
  const sd = Math.sqrt(logs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
  const half = (T95[n - 2] ?? 1.96) * (sd / Math.sqrt(n));
  return { pairs: n, geo_mean: round(Math.exp(mean), 4), ci95: [round(Math.exp(mean - half), 4), round(Math.exp(mean + half), 4)] };
}
