// switchyard simulate (--trace arrivals.csv | --generate SPEC) [--policy predictive|reactive|static|all]
//                    [--slo-ms N] [--out report.json] [--plot plot.svg] [--write-trace FILE] ...
// Runs the discrete-event simulation of the GPU and CPU pools (@switchyard/simulator: the real
// Placer and the real scaling policies) over an arrival trace and prints a summary table
// (--policy all: a comparison of the three policies).
//
// arrivals.csv is `timestamp,value` (series-csv.ts rules). Two shapes (--trace-kind):
//   counts   value = arrivals in the interval [timestamp, next timestamp) (interval = the median
//            spacing); arrivals are spread uniformly at random (seeded) inside it; fractional
//            values are rounded;
//   requests one row per request (value 1), the arrival time is the timestamp;
//   auto     (default) requests if every value is 1, else counts.
// --generate days=3,rate=40,daily=0.6,weekly=0,trend=0.1,bursts=3x1.8x600,seed=7 makes a
// synthetic trace instead (Poisson, see libs/simulator/src/trace.ts); --write-trace FILE saves it
// as per-minute counts (`--policy none` only writes it).
// Exit codes: 0 ok, 2 usage or malformed input (CSV errors name the line and column), 1 other.
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  POLICY_KINDS, arrivalsFromCounts, defaultPools, generateTrace, makePolicies, peakRate, seededRandom, simulate,
  type PolicyKind, type SimResult, type TraceSpec,
} from '@switchyard/simulator';
import { CsvError, UsageError, medianStep, parseSeriesCsv, processIo, type CliIo } from './series-csv.ts';

export const SIMULATE_USAGE = `usage: switchyard simulate (--trace arrivals.csv | --generate SPEC) [options]
  --trace FILE            CSV "timestamp,value": per-interval arrival counts, or one row per request (value 1)
  --trace-kind K          counts | requests | auto (default auto: requests if every value is 1)
  --generate SPEC         synthetic trace, e.g. days=3,rate=40,daily=0.6,weekly=0,trend=0.1,bursts=3x1.8x600,seed=7
  --write-trace FILE      write the (generated) trace as per-minute counts CSV
  --policy P              predictive | reactive | static | all | none (default predictive)
  --slo-ms N              latency SLO in ms (default 500): deadline per request and attainment threshold
  --gpu-max N, --cpu-max N  executors available per pool (default 64 each)
  --static-gpu N          static policy's GPU replicas (default: sized for the trace's peak minute)
  --quantile Q            predictive: forecast quantile (default 0.95)
  --downscale-s S         predictive: downscale stabilization seconds (default 120)
  --target-util U         reactive: target busy fraction (default 0.7)
  --seed N                placement/expansion randomness (default 1)
  --out FILE              write the full report (JSON)
  --plot FILE             write an SVG: arrivals, replicas per pool, p99 per minute`;

const DAY_MS = 86_400_000;

export async function run(argv: string[], io: CliIo = processIo): Promise<number> {
  try {
    return await simulateCmd(argv, io);
  } catch (e) {
    if (e instanceof CsvError || e instanceof UsageError) {
      io.stderr.write(`switchyard simulate: ${e.message}\n`);
      if (e instanceof UsageError) io.stderr.write(`${SIMULATE_USAGE}\n`);
      return 2;
    }
    io.stderr.write(`switchyard simulate: ${(e as Error)?.message ?? String(e)}\n`);
    return 1;
  }
}

function num(name: string, v: string | undefined, lo: number, hi: number, int = false): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < lo || n > hi || (int && !Number.isInteger(n))) {
    throw new UsageError(`--${name} must be ${int ? 'a whole number' : 'a number'} in [${lo}, ${hi}], got ${v}`);
  }
  return n;
}

/** Parse --generate: key=value pairs, comma-separated. */
export function parseGenerateSpec(text: string): TraceSpec {
  const spec: TraceSpec = { days: 3, baseRate: 40, dailyAmplitude: 0.6, trendPerDay: 0.1, bursts: { count: 3, multiplier: 1.8, durationS: 600 }, seed: 7 };
  if (text.trim() === '') return spec;
  for (const part of text.split(',')) {
    const [k, v, ...rest] = part.split('=').map((s) => s.trim());
    if (!k || v === undefined || rest.length) throw new UsageError(`--generate: expected key=value, got ${JSON.stringify(part)}`);
    const n = Number(v);
    const need = (ok: boolean, what: string) => { if (!ok) throw new UsageError(`--generate: ${k} must be ${what}, got ${v}`); };
    switch (k) {
      case 'days': need(n > 0 && n <= 366, 'in (0, 366]'); spec.days = n; break;
      case 'rate': case 'baseRate': need(n >= 0 && Number.isFinite(n), 'a rate >= 0'); spec.baseRate = n; break;
      case 'daily': case 'dailyAmplitude': need(n >= 0 && n < 1, 'in [0, 1)'); spec.dailyAmplitude = n; break;
      case 'weekly': case 'weeklyAmplitude': need(n >= 0 && n < 1, 'in [0, 1)'); spec.weeklyAmplitude = n; break;
      case 'trend': case 'trendPerDay': need(Number.isFinite(n) && n > -1, 'a number > -1'); spec.trendPerDay = n; break;
      case 'seed': need(Number.isInteger(n), 'a whole number'); spec.seed = n; break;
      case 'bursts': {
        if (v === '0' || v === 'none') { spec.bursts = undefined; break; }
        const m = /^(\d+)x(\d+(?:\.\d+)?)x(\d+(?:\.\d+)?)$/.exec(v);
        if (!m) throw new UsageError(`--generate: bursts must be COUNTxMULTIPLIERxSECONDS (e.g. 3x1.8x600) or 0, got ${v}`);
        spec.bursts = { count: Number(m[1]), multiplier: Number(m[2]), durationS: Number(m[3]) };
        break;
      }
      default: throw new UsageError(`--generate: unknown key ${JSON.stringify(k)} (days, rate, daily, weekly, trend, bursts, seed)`);
    }
  }
  return spec;
}

function loadTrace(text: string, file: string, kind: string, seed: number): Float64Array {
  const { rows } = parseSeriesCsv(text, file);
  if (rows.length === 0) throw new UsageError(`${file}: no data rows`);
  for (const r of rows) {
    if (r.value < 0) throw new CsvError(file, r.line, 2, `arrival count must be >= 0, got ${r.value}`);
  }
  const isRequests = kind === 'requests' || (kind === 'auto' && rows.every((r) => r.value === 1));
  if (isRequests) {
    const bad = rows.find((r) => r.value !== 1);
    if (bad) throw new CsvError(file, bad.line, 2, `--trace-kind requests expects value 1 on every row, got ${bad.value}`);
    return Float64Array.from(rows, (r) => r.t);
  }
  const step = rows.length >= 2 ? medianStep(rows) : 60_000;
  return arrivalsFromCounts(rows, step, seededRandom(seed ^ 0x5bd1e995));
}

function countsCsv(arrivals: Float64Array, stepMs = 60_000): string {
  const lines = ['timestamp,value'];
  if (arrivals.length) {
    const t0 = Math.floor(arrivals[0]! / stepMs) * stepMs;
    let i = 0;
    for (let t = t0; i < arrivals.length; t += stepMs) {
      let k = 0;
      while (i < arrivals.length && arrivals[i]! < t + stepMs) { i++; k++; }
      lines.push(`${new Date(t).toISOString()},${k}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

async function simulateCmd(argv: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, allowPositionals: false, options: {
      trace: { type: 'string' }, 'trace-kind': { type: 'string', default: 'auto' }, generate: { type: 'string' }, 'write-trace': { type: 'string' },
      policy: { type: 'string', default: 'predictive' }, 'slo-ms': { type: 'string', default: '500' }, 'gpu-max': { type: 'string', default: '64' },
      'cpu-max': { type: 'string', default: '64' }, 'static-gpu': { type: 'string' }, quantile: { type: 'string' }, 'downscale-s': { type: 'string' },
      'target-util': { type: 'string' }, seed: { type: 'string', default: '1' }, out: { type: 'string' }, plot: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    } }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) { io.stdout.write(`${SIMULATE_USAGE}\n`); return 0; }
  if ((values.trace === undefined) === (values.generate === undefined)) throw new UsageError('give exactly one of --trace FILE or --generate SPEC');
  const policy = values.policy!;
  if (!['all', 'none', ...POLICY_KINDS].includes(policy)) throw new UsageError(`--policy must be predictive, reactive, static, all or none, got ${policy}`);
  const kind = values['trace-kind']!;
  if (!['auto', 'counts', 'requests'].includes(kind)) throw new UsageError(`--trace-kind must be counts, requests or auto, got ${kind}`);
  const sloMs = num('slo-ms', values['slo-ms'], 1, 3_600_000)!;
  const gpuMax = num('gpu-max', values['gpu-max'], 0, 100_000, true)!;
  const cpuMax = num('cpu-max', values['cpu-max'], 0, 100_000, true)!;
  if (gpuMax + cpuMax < 1) throw new UsageError('--gpu-max + --cpu-max must be at least 1');
  const staticGpu = num('static-gpu', values['static-gpu'], 0, gpuMax, true);
  const quantile = num('quantile', values.quantile, 0.5, 0.9999);
  const downscale = num('downscale-s', values['downscale-s'], 0, 86_400);
  const targetUtil = num('target-util', values['target-util'], 0.05, 1);
  const seed = num('seed', values.seed, 0, 2 ** 32 - 1, true)!;

  let arrivals: Float64Array;
  let source: string;
  if (values.generate !== undefined) {
    const spec = parseGenerateSpec(values.generate);
    arrivals = generateTrace({ ...spec, startMs: spec.startMs ?? Date.UTC(2026, 0, 5) });
    source = `generated ${values.generate}`;
  } else {
    let text: string;
    try {
      text = await readFile(values.trace!, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read --trace ${values.trace}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    arrivals = loadTrace(text, values.trace!, kind, seed);
    source = values.trace!;
  }
  if (values['write-trace']) await writeFile(values['write-trace'], countsCsv(arrivals));
  if (policy === 'none') {
    io.stdout.write(`trace: ${arrivals.length} requests${values['write-trace'] ? ` written to ${values['write-trace']}` : ''}\n`);
    return 0;
  }
  if (arrivals.length === 0) throw new UsageError('the trace has no arrivals');

  const pools = defaultPools(gpuMax, cpuMax);
  pools.gpu.initialReplicas = Math.min(pools.gpu.initialReplicas, gpuMax);
  pools.cpu.initialReplicas = Math.min(pools.cpu.initialReplicas, cpuMax);
  const kinds: PolicyKind[] = policy === 'all' ? [...POLICY_KINDS] : [policy as PolicyKind];
  const peak = peakRate(arrivals);
  const spanS = (arrivals[arrivals.length - 1]! - arrivals[0]!) / 1000;
  io.stderr.write(`simulate: ${arrivals.length} requests over ${(spanS / 3600).toFixed(1)} h (peak minute ${peak.toFixed(1)} req/s), SLO p99 <= ${sloMs} ms\n`);
  const results: Array<{ kind: PolicyKind; r: SimResult }> = [];
  for (const k of kinds) {
    const policies = makePolicies(k, {
      sloMs, ...pools, peakRate: peak, staticGpu, targetQuantile: quantile, downscaleStabilizationS: downscale, targetUtilization: targetUtil,
    });
    const bar = progressBar(io, k, arrivals.length);
    const r = simulate({ arrivals, ...pools, sloMs, policies, seed, onProgress: bar });
    results.push({ kind: k, r });
  }
  io.stdout.write(summaryTable(results, pools));
  if (values.out) {
    const report = {
      source, requests: arrivals.length, spanSeconds: spanS, sloMs, pools,
      results: Object.fromEntries(results.map(({ kind, r }) => [kind, r])),
    };
    await writeFile(values.out, `${JSON.stringify(report, null, 1)}\n`);
  }
  if (values.plot) await writeFile(values.plot, plotSvg(results, sloMs));
  return 0;
}

function progressBar(io: CliIo, label: string, total: number): ((done: number, total: number) => void) | undefined {
  if (total < 200_000) return undefined;
  let last = -1;
  return (done) => {
    const pct = Math.floor((100 * done) / total);
    if (pct === last) return;
    last = pct;
    const w = 30, fill = Math.round((w * pct) / 100);
    io.stderr.write(`\rsimulate ${label.padEnd(10)} [${'#'.repeat(fill)}${' '.repeat(w - fill)}] ${String(pct).padStart(3)}%${done >= total ? '\n' : ''}`);
  };
}

function pad(cells: string[][]): string {
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

export function summaryTable(results: Array<{ kind: string; r: SimResult }>, pools: { gpu: { costPerHour: number }; cpu: { costPerHour: number } }): string {
  const head = ['policy', 'SLO met', 'p50 ms', 'p99 ms', 'GPU rep-h', 'CPU rep-h', 'rep-h total', 'cost $', 'scale events', 'spills', 'rejected'];
  const rows = results.map(({ kind, r }) => [
    kind, `${(100 * r.sloAttainment).toFixed(3)}%`, r.p50Ms.toFixed(1), r.p99Ms.toFixed(1), r.pools.gpu.replicaHours.toFixed(1), r.pools.cpu.replicaHours.toFixed(1),
    (r.pools.gpu.replicaHours + r.pools.cpu.replicaHours).toFixed(1), r.totalCost.toFixed(2), String(r.scalingEventCount), String(r.spills), String(r.rejected),
  ]);
  const first = results[0]?.r;
  const note = first ? `\n${first.requests} requests, ${(first.simulatedSeconds / 3600).toFixed(1)} h simulated, SLO ${first.sloMs} ms; GPU $${pools.gpu.costPerHour}/h, CPU $${pools.cpu.costPerHour}/h\n` : '\n';
  return `${pad([head, ...rows])}${note}`;
}

// ---- SVG plot (hand-written) ----

const COLORS: Record<string, string> = { predictive: '#1f77b4', reactive: '#d62728', static: '#2ca02c' };

function downsample(v: readonly number[], maxPoints: number, how: 'max' | 'mean'): number[] {
  if (v.length <= maxPoints) return v.slice();
  const per = Math.ceil(v.length / maxPoints);
  const out: number[] = [];
  for (let i = 0; i < v.length; i += per) {
    let acc = how === 'max' ? -Infinity : 0, k = 0;
    for (let j = i; j < Math.min(v.length, i + per); j++) { const x = v[j]!; if (how === 'max') { if (x > acc) acc = x; } else acc += x; k++; }
    out.push(how === 'max' ? acc : acc / k);
  }
  return out;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function plotSvg(results: Array<{ kind: string; r: SimResult }>, sloMs: number): string {
  const W = 1000, PH = 180, L = 70, R = 20, T = 30, GAP = 45;
  const first = results[0]!.r;
  const minutes = first.series.arrivals.length;
  const maxPts = 1000;
  const per = Math.max(1, Math.ceil(minutes / maxPts));
  const parts: string[] = [];
  const panel = (idx: number, title: string, ymax: number, lines: Array<{ v: number[]; color: string; dash?: boolean; label: string }>, unit: string, hline?: number) => {
    const y0 = T + idx * (PH + GAP);
    const yMax = ymax > 0 ? ymax * 1.05 : 1;
    parts.push(`<text x="${L}" y="${y0 - 8}" font-size="13" font-weight="bold">${esc(title)}</text>`);
    parts.push(`<rect x="${L}" y="${y0}" width="${W - L - R}" height="${PH}" fill="none" stroke="#999"/>`);
    for (let g = 0; g <= 4; g++) {
      const y = y0 + PH - (g / 4) * PH;
      parts.push(`<text x="${L - 6}" y="${y + 4}" font-size="10" text-anchor="end">${(yMax * g / 4).toFixed(yMax < 10 ? 1 : 0)}</text>`);
    }
    parts.push(`<text x="12" y="${y0 + PH / 2}" font-size="10" transform="rotate(-90 12 ${y0 + PH / 2})" text-anchor="middle">${esc(unit)}</text>`);
    const xOf = (i: number, n: number) => L + (n <= 1 ? 0 : (i / (n - 1)) * (W - L - R));
    const yOf = (v: number) => y0 + PH - (Math.min(v, yMax) / yMax) * PH;
    if (hline !== undefined) parts.push(`<line x1="${L}" x2="${W - R}" y1="${yOf(hline).toFixed(1)}" y2="${yOf(hline).toFixed(1)}" stroke="#000" stroke-dasharray="2,3"/>`);
    lines.forEach((ln, k) => {
      const pts = ln.v.map((v, i) => `${xOf(i, ln.v.length).toFixed(1)},${yOf(v).toFixed(1)}`).join(' ');
      parts.push(`<polyline fill="none" stroke="${ln.color}" stroke-width="1.2"${ln.dash ? ' stroke-dasharray="5,3"' : ''} points="${pts}"/>`);
      parts.push(`<text x="${W - R - 5}" y="${y0 + 14 + 12 * k}" font-size="10" text-anchor="end" fill="${ln.color}">${esc(ln.label)}</text>`);
    });
  };
  const rate = downsample(first.series.arrivals.map((a) => a / 60), maxPts, 'mean');
  panel(0, 'Arrivals (req/s, per-minute mean)', Math.max(...rate), [{ v: rate, color: '#444', label: 'arrivals' }], 'req/s');
  const repLines: Array<{ v: number[]; color: string; dash?: boolean; label: string }> = [];
  let repMax = 0;
  for (const { kind, r } of results) {
    const g = downsample(r.series.gpuReplicas, maxPts, 'mean'), c = downsample(r.series.cpuReplicas, maxPts, 'mean');
    repMax = Math.max(repMax, ...g, ...c);
    repLines.push({ v: g, color: COLORS[kind] ?? '#000', label: `${kind} GPU` }, { v: c, color: COLORS[kind] ?? '#000', dash: true, label: `${kind} CPU (dashed)` });
  }
  panel(1, 'Replicas per pool (billed)', repMax, repLines, 'replicas');
  const pLines = results.map(({ kind, r }) => ({ v: downsample(r.series.p99Ms, maxPts, 'max'), color: COLORS[kind] ?? '#000', label: `${kind} p99` }));
  const pMax = Math.min(Math.max(sloMs * 1.5, ...pLines.flatMap((l) => l.v.filter(Number.isFinite))), sloMs * 4);
  panel(2, `p99 latency per minute (ms; dotted: SLO ${sloMs} ms)`, pMax, pLines, 'ms', sloMs);
  const H = T + 3 * (PH + GAP);
  const span = `${(first.simulatedSeconds / 3600).toFixed(1)} h, ${per > 1 ? `${per} min per point` : '1 min per point'}`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="#fff"/>\n${parts.join('\n')}\n<text x="${L}" y="${H - 12}" font-size="10">time → (${esc(span)}; start ${new Date(first.series.startMs).toISOString()}; ${(first.simulatedSeconds / DAY_MS * 1000).toFixed(2)} days)</text>\n</svg>\n`;
}
