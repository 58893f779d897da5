// Smoke test of the benchmark harness: each suite runs with --quick and tiny sizes as a real
// child process (`node tools/bench/run.ts`), and its JSON has the documented shape with real
// measurements (requests served, no errors). No timing assertions.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-bench-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function bench(args: string[]): Promise<{ json: Record<string, unknown>; stdout: string }> {
  const out = path.join(tmp, `${args[1]}.json`);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['tools/bench/run.ts', ...args, '--quick', '--out', out], { cwd: root, timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`bench ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      resolve({ json: JSON.parse(fs.readFileSync(out, 'utf8')) as Record<string, unknown>, stdout });
    });
  });
}

const isNum = (v: unknown) => typeof v === 'number' && Number.isFinite(v);

test('placement suite: one row per table size with decisions/s and p99', async () => {
  const { json, stdout } = await bench(['--suite', 'placement', '--executors', '10,100', '--seconds', '0.05']);
  assert.equal(json.suite, 'placement');
  const rows = json.results as Array<Record<string, unknown>>;
  assert.deepEqual(rows.map((r) => r.executors), [10, 100]);
  for (const r of rows) {
    assert.ok(isNum(r.decisions_per_s) && (r.decisions_per_s as number) > 0);
    assert.ok(isNum(r.p99_us) && (r.p99_us as number) > 0);
  }
  assert.match(stdout, /decisions_per_s/);
});

test('onnxruntime suite: a bare session per thread count and batch size, with the batch gain', async () => {
  const { json, stdout } = await bench(['--suite', 'onnxruntime', '--models', 'mlp', '--threads', '0,1', '--batches', '1,4', '--seconds', '0.05']);
  assert.equal(json.suite, 'onnxruntime');
  const rows = json.results as Array<Record<string, unknown>>;
  assert.deepEqual(rows.map((r) => [r.intra_op_threads, r.batch]), [[0, 1], [0, 4], [1, 1], [1, 4]]);
  for (const r of rows) {
    assert.equal(r.model, 'mlp');
    assert.ok(isNum(r.items_per_s) && (r.items_per_s as number) > 0);
    assert.ok(isNum(r.cpu_us_per_item) && isNum(r.run_ms));
  }
  const gains = json.batch_gain as Array<Record<string, unknown>>;
  assert.deepEqual(gains.map((g) => [g.intra_op_threads, g.batch]), [[0, 4], [1, 4]]);
  assert.ok(gains.every((g) => isNum(g.gain) && (g.gain as number) > 0));
  assert.match(stdout, /items\/s at batch 4 over batch 1/);
});

test('executor suite: batching off and on against a real cpu-executor process', async () => {
  const { json, stdout } = await bench(['--suite', 'executor', '--models', 'mlp', '--concurrency', '1,4', '--duration', '0.3', '--warmup', '0.1', '--rounds', '2']);
  assert.equal(json.suite, 'executor');
  assert.equal(json.rounds, 2);
  const rows = json.results as Array<Record<string, unknown>>;
  // Per point, off and on side by side; each pooled from 2 interleaved windows.
  assert.deepEqual(rows.map((r) => `${r.model}/${r.batching}/${r.concurrency}`), ['mlp/off/1', 'mlp/on/1', 'mlp/off/4', 'mlp/on/4']);
  for (const r of rows) {
    assert.equal(r.errors, 0, `errors in ${JSON.stringify(r)}`);
    assert.ok((r.requests as number) > 0);
    for (const k of ['throughput_rps', 'p50_ms', 'p99_ms']) assert.ok(isNum(r[k]) && (r[k] as number) > 0, `${k} in ${JSON.stringify(r)}`);
    assert.ok((r.p99_ms as number) >= (r.p50_ms as number));
    const rr = r.round_rps as number[];
    assert.equal(rr.length, 2);
    // The pooled throughput is the windows' mean (equal windows).
    assert.ok(Math.abs((r.throughput_rps as number) - (rr[0]! + rr[1]!) / 2) <= 0.2, JSON.stringify(r));
    const cpu = r.cpu_us_per_request as Record<string, number | null>;
    for (const k of ['executor', 'client', 'machine']) assert.ok(isNum(cpu[k]) && (cpu[k] as number) > 0, `cpu ${k} in ${JSON.stringify(r)}`);
  }
  assert.match(stdout, /throughput_rps/);
  assert.match(stdout, /executor_cpu_us/);
});

test('mesh suite: gateway and direct paths through the full mesh, with the overhead summary', async () => {
  const { json } = await bench(['--suite', 'mesh', '--concurrency', '1,2', '--duration', '0.3', '--warmup', '0.1', '--rounds', '2']);
  assert.equal(json.suite, 'mesh');
  const rows = json.results as Array<Record<string, unknown>>;
  assert.deepEqual(rows.map((r) => `${r.path}/${r.concurrency}`).sort(), ['direct/1', 'direct/2', 'gateway/1', 'gateway/2']);
  for (const r of rows) {
    assert.equal(r.errors, 0, `errors in ${JSON.stringify(r)}`);
    assert.ok((r.requests as number) > 0);
    assert.ok(isNum(r.p50_ms) && isNum(r.p99_ms) && isNum(r.throughput_rps));
    assert.equal((r.round_rps as number[]).length, 2);
    // CPU per request: the gateway's own only on the gateway path (it idles during direct windows).
    const cpu = r.cpu_us_per_request as Record<string, number | null>;
    for (const k of ['gateway', 'executor', 'client', 'machine']) assert.ok(isNum(cpu[k]), `cpu ${k} in ${JSON.stringify(r)}`);
    if (r.path === 'gateway') assert.ok((cpu.gateway as number) > 0 && (cpu.executor as number) > 0);
  }
  const o = json.overhead as Record<string, unknown>;
  assert.ok(isNum(o.p50_added_ms_c1));
  assert.ok(isNum(o.throughput_ratio_c64) && (o.throughput_ratio_c64 as number) > 0);
  assert.equal((o.round_ratios as number[]).length, 2);
});

test('fairness suite: a quiet tenant alone and beside a paused and resumed heavy tenant, pooled p99s', async () => {
  const { json, stdout } = await bench(['--suite', 'fairness', '--model', 'mlp', '--device-ms', '2', '--requests', '15', '--rounds', '2']);
  assert.equal(json.suite, 'fairness');
  assert.equal(json.device_ms, 2);
  const phases = json.phases as Array<Record<string, unknown>>;
  // Two rounds, the order alternating: alone/shared, then shared/alone.
  assert.deepEqual(phases.map((p) => `${p.round}/${p.phase}`), ['1/alone', '1/shared', '2/shared', '2/alone']);
  for (const p of phases) {
    assert.equal(p.requests, 15, JSON.stringify(p));
    assert.equal(p.errors, 0, JSON.stringify(p));
    assert.ok(isNum(p.p99_ms) && (p.p99_ms as number) >= (p.p50_ms as number) && (p.p50_ms as number) > 0);
    // The heavy tenant is paused while the quiet one is alone, and answered while they share.
    if (p.phase === 'alone') assert.equal(p.heavy_requests, 0, JSON.stringify(p));
    else assert.ok((p.heavy_requests as number) > 0 && isNum(p.heavy_p50_ms), JSON.stringify(p));
    // CPU priority: only the heavy tenant (10 requests against its share of one slot while the
    // quiet tenant is active) runs at the executors' background priority, the quiet one never.
    if (p.phase === 'alone') assert.equal(p.background_requests, 0, JSON.stringify(p));
    else assert.ok((p.background_requests as number) > 0 && (p.background_requests as number) <= (p.heavy_requests as number), JSON.stringify(p));
    assert.equal(p.heavy_errors, 0, JSON.stringify(p));
    // Each process's CPU over the phase: every service, both tenants' clients; the heavy tenant's
    // only while it runs (its process is paused, not gone, while the quiet tenant is alone).
    const cpu = p.cpu_pct as Record<string, number | null>;
    for (const k of ['gateway', 'gpu-executor-1', 'cpu-executor-1', 'placement-scheduler', 'policy', 'telemetry', 'quiet_client', 'heavy_client']) assert.ok(isNum(cpu[k]), `cpu ${k} in ${JSON.stringify(cpu)}`);
    assert.ok(cpu.quiet_client! > 0 && cpu.gateway! > 0, JSON.stringify(cpu));
    if (p.phase === 'shared') assert.ok(cpu.heavy_client! > 0, JSON.stringify(cpu));
    assert.ok(isNum(p.steal_pct) && (p.steal_pct as number) >= 0, JSON.stringify(p.steal_pct));
  }
  const steal = json.steal_pct as Record<string, number>;
  assert.ok(isNum(steal.alone) && isNum(steal.shared), JSON.stringify(steal));
  assert.match(stdout, /hypervisor steal: [\d.]+% of the machine's CPU time alone, [\d.]+% shared/);
  assert.match(stdout, /gateway_cpu_%.*steal_%|steal_%.*gateway_cpu_%/);
  const alone = json.alone as Record<string, number>, shared = json.shared as Record<string, number>;
  assert.equal(alone.requests, 30);
  assert.equal(shared.requests, 30);
  assert.ok(Math.abs((json.p99_ratio as number) - shared.p99_ms! / alone.p99_ms!) < 0.01, JSON.stringify(json.p99_ratio));
  assert.equal((json.round_ratios as number[]).length, 2);
  assert.match(stdout, /quiet p99 with the heavy tenant \/ alone: [\d.]+ \(target <= 1.5\)/);
});

// Two meshes each (telemetry on and off, or both off): the suite's shape and its paired estimate.
const telemetryArgs = ['--suite', 'telemetry', '--model', 'mlp', '--concurrency', '4', '--slices', '3', '--duration', '0.3', '--warmup', '0.1'];

test('telemetry suite: alternating on/off slices, the paired ratio with its interval, traces exported only by "on"', async () => {
  const { json, stdout } = await bench(telemetryArgs);
  assert.equal(json.suite, 'telemetry');
  assert.equal(json.calibration, false);
  assert.equal(json.otlp_export, true);
  assert.equal(json.sample_ratio, 0.1);
  const rows = json.results as Array<Record<string, unknown>>;
  // Slice 1 off then on, slice 2 on then off, slice 3 off then on.
  assert.deepEqual(rows.map((r) => `${r.slice}/${r.mode}`), ['1/off', '1/on', '2/on', '2/off', '3/off', '3/on']);
  for (const r of rows) {
    assert.equal(r.errors, 0, JSON.stringify(r));
    assert.ok((r.requests as number) > 0 && isNum(r.throughput_rps), JSON.stringify(r));
  }
  const p = (json.paired_on_over_off as Record<string, { pairs: number; geo_mean: number; ci95: [number, number] }>)['4']!;
  assert.equal(p.pairs, 3);
  const ratios = [1, 2, 3].map((s) => (rows.find((r) => r.slice === s && r.mode === 'on')!.throughput_rps as number) / (rows.find((r) => r.slice === s && r.mode === 'off')!.throughput_rps as number));
  assert.ok(Math.abs(p.geo_mean - Math.cbrt(ratios[0]! * ratios[1]! * ratios[2]!)) < 1e-3, JSON.stringify({ p, ratios }));
  assert.ok(p.ci95[0] <= p.geo_mean && p.geo_mean <= p.ci95[1], JSON.stringify(p));
  assert.ok(isNum((json.ratio_on_over_off as Record<string, number>)['4']));
  const whole = json.whole_run as Array<Record<string, unknown>>;
  assert.deepEqual(whole.map((w) => w.mode), ['off', 'on']);
  for (const w of whole) {
    assert.ok((w.requests as number) > 0 && isNum(w.mesh_cpu_us_per_request) && (w.mean_batch_size as number) >= 1, JSON.stringify(w));
    // Every service's share, adding up to the mesh's figure (each rounded to 1 µs).
    const by = w.service_cpu_us_per_request as Record<string, number>;
    assert.deepEqual(Object.keys(by).sort(), ['cpu-executor-1', 'gateway', 'gpu-executor-1', 'placement-scheduler', 'policy', 'telemetry']);
    assert.ok(Math.abs(Object.values(by).reduce((a, b) => a + b, 0) - (w.mesh_cpu_us_per_request as number)) <= 4, JSON.stringify(w));
  }
  // The "on" mesh samples one trace in ten and exports them to the suite's sink (within the drain).
  assert.ok((json.otlp_exports_total as number) > 0, JSON.stringify(json.otlp_exports_total));
  assert.match(stdout, /paired by slice \(geometric mean of each slice's on\/off, 95 % interval\): c=4: [\d.]+ \[[\d.]+, [\d.]+\] over 3 pairs/);
});

test('telemetry suite --calibrate --restarts 2: both meshes without telemetry (nothing exported), said so; the estimate across fresh mesh pairs', async () => {
  const { json, stdout } = await bench([...telemetryArgs, '--calibrate', '--restarts', '2', '--prewarm', '0.5']);
  assert.equal(json.calibration, true);
  assert.equal(json.otlp_exports_total, 0);
  assert.equal(json.otlp_export, false);
  assert.equal(json.sample_ratio, 0);
  assert.equal(json.restarts, 2);
  assert.equal((json.paired_on_over_off as Record<string, { pairs: number }>)['4']!.pairs, 6);
  const rows = json.results as Array<Record<string, unknown>>;
  assert.deepEqual(rows.map((r) => `${r.restart}/${r.slice}/${r.mode}`), ['1/1/off', '1/1/on', '1/2/on', '1/2/off', '1/3/off', '1/3/on', '2/1/off', '2/1/on', '2/2/on', '2/2/off', '2/3/off', '2/3/on']);
  // Each restart's estimate is the geometric mean of its own slices; the estimate across restarts that of the restarts'.
  const byRestart = json.by_restart as Array<{ restart: number; concurrency: number; paired: { pairs: number; geo_mean: number }; whole_run_cpu_ratio: number }>;
  assert.deepEqual(byRestart.map((b) => [b.restart, b.concurrency, b.paired.pairs]), [[1, 4, 3], [2, 4, 3]]);
  for (const b of byRestart) {
    const mine = rows.filter((r) => r.restart === b.restart);
    const ratios = [1, 2, 3].map((s) => (mine.find((r) => r.slice === s && r.mode === 'on')!.throughput_rps as number) / (mine.find((r) => r.slice === s && r.mode === 'off')!.throughput_rps as number));
    assert.ok(Math.abs(b.paired.geo_mean - Math.cbrt(ratios[0]! * ratios[1]! * ratios[2]!)) < 1e-3, JSON.stringify({ b, ratios }));
    assert.ok(isNum(b.whole_run_cpu_ratio));
  }
  const across = (json.across_restarts_on_over_off as Record<string, { pairs: number; geo_mean: number; ci95: [number, number] }>)['4']!;
  assert.equal(across.pairs, 2);
  assert.ok(Math.abs(across.geo_mean - Math.sqrt(byRestart[0]!.paired.geo_mean * byRestart[1]!.paired.geo_mean)) < 1e-3, JSON.stringify({ across, byRestart }));
  assert.ok(across.ci95[0] <= across.geo_mean && across.geo_mean <= across.ci95[1]);
  assert.deepEqual((json.whole_run as Array<{ restart: number }>).map((w) => w.restart), [1, 1, 2, 2]);
  assert.match(stdout, /calibration \(--calibrate\): both meshes ran WITHOUT telemetry/);
  assert.match(stdout, /across restarts \(geometric mean of the restarts' paired estimates, 95 % interval on them\): c=4: [\d.]+ \[[\d.]+, [\d.]+\] over 2 restarts/);
});

test('bad arguments: exit code 2 with the usage', async () => {
  await assert.rejects(bench(['--suite', 'nope']), /--suite must be executor, placement, mesh, telemetry, onnxruntime or fairness/);
  await assert.rejects(bench(['--suite', 'telemetry', '--restarts', '1.5']), /--restarts must be a whole number >= 1, got 1.5/);
});

test('span-cost: spans made with and without OTLP export, all exported to the sink', async () => {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['tools/bench/span-cost.ts', '600'], { cwd: root, timeout: 60_000 }, (err, out, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(out)));
  });
  const rows = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(rows.map((r) => r.mode), ['none', 'otlp']);
  for (const r of rows) assert.ok(isNum(r.cpu_us_per_span) && (r.cpu_us_per_span as number) > 0);
  assert.equal(rows[0]!.otlp_posts, 0);
  assert.ok((rows[1]!.otlp_posts as number) > 0 && (rows[1]!.otlp_bytes_per_span as number) > 100, JSON.stringify(rows[1]));
});
