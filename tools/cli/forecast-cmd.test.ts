import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from './forecast-cmd.ts';
import { parseSeriesCsv } from './series-csv.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sy-forecast-'));
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
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 5);

test('forecasts an hourly ISO series with a daily season into a file', async () => {
  const rows = ['timestamp,value'];
  for (let t = 0; t < 24 * 7; t++) rows.push(`${new Date(T0 + t * HOUR).toISOString()},${(100 + 40 * Math.sin((2 * Math.PI * t) / 24)).toFixed(3)}`);
  const input = file('hourly.csv', `${rows.join('\r\n')}\r\n`);
  const output = path.join(dir, 'out.csv');
  const c = io();
  assert.equal(await run(['--input', input, '--horizon', '12', '--output', output], c.io), 0, c.err());
  const lines = readFileSync(output, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'timestamp,mean,lower,upper');
  assert.equal(lines.length, 13);
  lines.slice(1).forEach((l, i) => {
    const [ts, mean, lower, upper] = l.split(',');
    const t = 24 * 7 + i;
    assert.equal(ts, new Date(T0 + t * HOUR).toISOString());
    assert.ok(Number(lower) <= Number(mean) && Number(mean) <= Number(upper));
    assert.ok(Math.abs(Number(mean) - (100 + 40 * Math.sin((2 * Math.PI * t) / 24))) < 5, `step ${i + 1}: ${mean}`);
  });
  assert.match(c.err(), /seasons \[24\], leader holt-winters/);
  assert.equal(c.out(), '');
});

test('epoch-second input gives epoch-second output on stdout; --level widens', async () => {
  const rows = ['value,timestamp,note'];
  for (let t = 0; t < 50; t++) rows.push(`${10 + t + (t % 2)},${1_700_000_000 + t * 60},"x, ""y"""`);
  const input = file('epoch.csv', rows.join('\n'));
  const a = io();
  assert.equal(await run(['--input', input, '--horizon', '3'], a.io), 0, a.err());
  const lines = a.out().trim().split('\n');
  assert.deepEqual(lines.slice(1).map((l) => l.split(',')[0]), ['1700003000', '1700003060', '1700003120']);
  const b = io();
  assert.equal(await run(['--input', input, '--horizon', '3', '--level', '0.5'], b.io), 0);
  const w = (s: string) => { const [, , lo, hi] = s.trim().split('\n')[1]!.split(','); return Number(hi) - Number(lo); };
  assert.ok(w(b.out()) < w(a.out()));
});

test('malformed CSV: the error names the line and column, exit code 2', async () => {
  const cases: Array<[string, RegExp]> = [
    ['timestamp,value\n2026-01-01T00:00:00Z,1\n2026-01-01T01:00:00Z,abc\n', /line 3, column 2: value is not a finite number: "abc"/],
    ['timestamp,value\n2026-01-01T00:00:00Z,1\nyesterday,2\n', /line 3, column 1: not an ISO-8601/],
    ['timestamp,value\n2026-01-01T00:00:00Z,1\n2026-01-01T01:00:00Z,2,3\n', /line 3, column 3: expected 2 fields, got 3/],
    ['time,val\n1,2\n', /line 1, column 1: the header must name/],
    ['timestamp,value\n100,1\n50,2\n', /line 3, column 1: timestamp "50" does not come after line 2/],
    ['timestamp,value\n100,1\n"200,2\n', /line 3, column 1: unterminated quoted field/],
    ['timestamp,value\n100,1\n2026-01-01,2\n', /line 3, column 1: .*is iso, but line 2 set the file's format to epoch-s/],
  ];
  for (const [text, re] of cases) {
    const c = io();
    assert.equal(await run(['--input', file('bad.csv', text)], c.io), 2, text);
    assert.match(c.err(), re);
  }
});

test('usage errors exit 2', async () => {
  for (const argv of [[], ['--input', path.join(dir, 'missing.csv')], ['--input', 'x', '--horizon', '0'], ['--input', 'x', '--level', '1'], ['--bogus'], ['--input', 'x', '--season-length', '1']]) {
    const c = io();
    assert.equal(await run(argv, c.io), 2, argv.join(' '));
    assert.match(c.err(), /switchyard forecast: /);
  }
  const one = io();
  assert.equal(await run(['--input', file('one.csv', 'timestamp,value\n1,1\n')], one.io), 2);
  assert.match(one.err(), /at least 2 data rows/);
});

test('parseSeriesCsv: BOM, blank lines, ms epochs, zone-less ISO is UTC', () => {
  assert.deepEqual(parseSeriesCsv('\uFEFFtimestamp,value\n\n1700000000000,1\n').rows.map((r) => [r.t, r.value]), [[1_700_000_000_000, 1]]);
  assert.equal(parseSeriesCsv('timestamp,value\n2026-01-01 06:00,1\n').rows[0]!.t, Date.UTC(2026, 0, 1, 6));
  assert.equal(parseSeriesCsv('timestamp,value\n2026-01-01T06:00:00+02:00,1\n').rows[0]!.t, Date.UTC(2026, 0, 1, 4));
});
