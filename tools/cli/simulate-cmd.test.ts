import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseGenerateSpec, run } from './simulate-cmd.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sy-simulate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: { write: (s: string) => { out.push(s); return true; } }, stderr: { write: (s: string) => { err.push(s); return true; } } }, out: () => out.join(''), err: () => err.join('') };
}
function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}
const T0 = Date.UTC(2026, 0, 5);

test('--generate with --policy all: a comparison table, a JSON report and an SVG plot', async () => {
  const out = path.join(dir, 'report.json');
  const plot = path.join(dir, 'plot.svg');
  const c = io();
  const code = await run(['--generate', 'days=0.05,rate=8,daily=0.5,bursts=1x2x120,seed=3', '--policy', 'all', '--out', out, '--plot', plot], c.io);
  assert.equal(code, 0, c.err());
  const lines = c.out().trim().split('\n');
  assert.match(lines[0]!, /^policy\s+SLO met\s+p50 ms\s+p99 ms\s+GPU rep-h\s+CPU rep-h\s+rep-h total\s+cost \$\s+scale events\s+spills\s+rejected$/);
  assert.deepEqual(lines.slice(1, 4).map((l) => l.split(/\s+/)[0]), ['predictive', 'reactive', 'static']);
  const report = JSON.parse(readFileSync(out, 'utf8'));
  assert.deepEqual(Object.keys(report.results), ['predictive', 'reactive', 'static']);
  const p = report.results.predictive;
  assert.equal(p.requests, report.requests);
  assert.ok(p.sloAttainment > 0 && p.sloAttainment <= 1);
  assert.ok(p.pools.gpu.replicaHours > 0);
  assert.equal(p.series.arrivals.reduce((s: number, v: number) => s + v, 0), report.requests);
  const svg = readFileSync(plot, 'utf8');
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal((svg.match(/<polyline/g) ?? []).length, 1 + 3 * 2 + 3); // arrivals, GPU+CPU per policy, p99 per policy
  assert.match(svg, /SLO 500 ms/);
});

test('a counts CSV (ISO timestamps) runs with --policy reactive and --slo-ms', async () => {
  const rows = ['timestamp,value'];
  for (let m = 0; m < 30; m++) rows.push(`${new Date(T0 + m * 60_000).toISOString()},${m < 15 ? 300 : 600}`);
  const trace = file('counts.csv', `${rows.join('\n')}\n`);
  const c = io();
  assert.equal(await run(['--trace', trace, '--policy', 'reactive', '--slo-ms', '800'], c.io), 0, c.err());
  assert.match(c.out(), /^policy/);
  assert.match(c.out(), /\nreactive\s+\d+\.\d+%/);
  assert.match(c.out(), /13500 requests, 0\.5 h simulated, SLO 800 ms/);
});

test('a per-request CSV (value 1 per row, epoch ms) is taken as arrival times', async () => {
  const rows = ['timestamp,value'];
  for (let i = 0; i < 500; i++) rows.push(`${1_767_571_200_000 + i * 250},1`);
  const c = io();
  assert.equal(await run(['--trace', file('req.csv', rows.join('\n')), '--policy', 'static'], c.io), 0, c.err());
  assert.match(c.out(), /\n500 requests, /);
});

test('--write-trace with --policy none writes per-minute counts', async () => {
  const w = path.join(dir, 'gen.csv');
  const c = io();
  assert.equal(await run(['--generate', 'days=0.01,rate=5,seed=1,bursts=0', '--write-trace', w, '--policy', 'none'], c.io), 0, c.err());
  const lines = readFileSync(w, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'timestamp,value');
  const total = lines.slice(1).reduce((s, l) => s + Number(l.split(',')[1]), 0);
  assert.match(c.out(), new RegExp(`trace: ${total} requests`));
  // and it reads back as a counts trace
  const d = io();
  assert.equal(await run(['--trace', w, '--policy', 'static'], d.io), 0, d.err());
  assert.match(d.out(), new RegExp(`\\n${total} requests`));
});

test('malformed CSV: the error names the line and column, exit code 2', async () => {
  const c = io();
  const bad = file('bad.csv', 'timestamp,value\n2026-01-05T00:00:00Z,3\n2026-01-05T00:01:00Z,abc\n');
  assert.equal(await run(['--trace', bad], c.io), 2);
  assert.match(c.err(), /bad\.csv: line 3, column 2: value is not a finite number: "abc"/);
  const d = io();
  assert.equal(await run(['--trace', file('neg.csv', 'timestamp,value\n2026-01-05T00:00:00Z,-3\n')], d.io), 2);
  assert.match(d.err(), /line 2, column 2: arrival count must be >= 0/);
});

test('usage errors exit 2 with a precise message', async () => {
  for (const [args, re] of [
    [['--generate', 'days=1', '--policy', 'magic'], /--policy must be predictive, reactive, static, all or none, got magic/],
    [[], /exactly one of --trace FILE or --generate SPEC/],
    [['--generate', 'days=1,foo=2'], /unknown key "foo"/],
    [['--generate', 'bursts=3x2'], /bursts must be COUNTxMULTIPLIERxSECONDS/],
    [['--generate', 'days=1', '--slo-ms', '0'], /--slo-ms must be a number in \[1, 3600000\], got 0/],
    [['--trace', path.join(dir, 'missing.csv')], /cannot read --trace .*missing\.csv: ENOENT/],
  ] as Array<[string[], RegExp]>) {
    const c = io();
    assert.equal(await run(args, c.io), 2, args.join(' '));
    assert.match(c.err(), re);
  }
});

test('parseGenerateSpec', () => {
  assert.deepEqual(parseGenerateSpec('days=7,rate=100,daily=0.5,weekly=0.2,trend=0.05,bursts=4x2.5x300,seed=11'), {
    days: 7, baseRate: 100, dailyAmplitude: 0.5, weeklyAmplitude: 0.2, trendPerDay: 0.05, bursts: { count: 4, multiplier: 2.5, durationS: 300 }, seed: 11,
  });
});
