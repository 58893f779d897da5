import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from './anomaly-cmd.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sy-anomaly-'));
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

test('scores every point; the spike scores highest and above 0.5', async () => {
  const rows = ['timestamp,value'];
  for (let t = 0; t < 300; t++) rows.push(`${1_700_000_000_000 + t * 1000},${t === 250 ? 95 : 50 + ((t * 7919) % 11) / 5}`);
  const input = file('s.csv', rows.join('\n'));
  const output = path.join(dir, 'scores.csv');
  const c = io();
  assert.equal(await run(['--input', input, '--output', output], c.io), 0, c.err());
  const lines = readFileSync(output, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'timestamp,value,anomaly_score');
  assert.equal(lines.length, 301);
  const scores = lines.slice(1).map((l) => Number(l.split(',')[2]));
  assert.ok(scores.every((s) => s >= 0 && s <= 1));
  assert.equal(scores.indexOf(Math.max(...scores)), 250);
  assert.ok(scores[250]! >= 0.5);
  assert.equal(lines[251], '1700000250000,95,' + scores[250]!.toFixed(4));
  assert.ok(scores.filter((s) => s >= 0.5).length <= 3, 'few flags on the steady part');
});

test('seasonal input (hourly ISO, two weeks): the daily peak is normal, a trough spike is not', async () => {
  const rows = ['timestamp,value'];
  const T0 = Date.UTC(2026, 0, 5);
  for (let t = 0; t < 24 * 14; t++) {
    const v = 100 + 40 * Math.sin((2 * Math.PI * t) / 24) + ((t * 7919) % 7) / 7 + (t === 24 * 12 + 18 ? 30 : 0);
    rows.push(`${new Date(T0 + t * 3_600_000).toISOString()},${v.toFixed(3)}`);
  }
  const c = io();
  assert.equal(await run(['--input', file('season.csv', rows.join('\n'))], c.io), 0, c.err());
  assert.match(c.err(), /seasons \[24\]/);
  const scores = c.out().trim().split('\n').slice(1).map((l) => Number(l.split(',')[2]));
  assert.ok(scores[24 * 12 + 18]! >= 0.5, `trough spike ${scores[24 * 12 + 18]}`);
  assert.ok(scores[24 * 12 + 6]! < 0.5 && scores[24 * 11 + 6]! < 0.5, 'peaks are normal');
});

test('malformed CSV and usage errors exit 2 with the line and column', async () => {
  const c = io();
  assert.equal(await run(['--input', file('bad.csv', 'timestamp,value\n1,2\n2,\n')], c.io), 2);
  assert.match(c.err(), /bad\.csv: line 3, column 2: value is not a finite number: ""/);
  const q = io();
  assert.equal(await run(['--input', file('bad2.csv', 'timestamp,value\n1,2\n2,"3"x\n')], q.io), 2);
  assert.match(q.err(), /line 3, column 2: unexpected character "x" after a quoted field/);
  const u = io();
  assert.equal(await run([], u.io), 2);
  assert.match(u.err(), /--input is required/);
  const e = io();
  assert.equal(await run(['--input', file('empty.csv', '')], e.io), 2);
  assert.match(e.err(), /line 1, column 1: empty file/);
});
