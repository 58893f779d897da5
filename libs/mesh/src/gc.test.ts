import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const fixture = path.join(import.meta.dirname, 'fixtures', 'gc-churn.ts');

async function collections(env: Record<string, string>): Promise<{ major: number; minor: number }> {
  const { stdout } = await run(process.execPath, [fixture], { env: { ...process.env, ...env }, timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { major: number; minor: number };
}

test('a process with a mesh client frees short-lived tensor buffers with far fewer full mark-compacts', async () => {
  const tuned = await collections({});
  const untuned = await collections({ SY_V8_EXTERNAL_MEMORY_IN_GLOBAL_LIMIT: 'false' });
  // 2.2 GB of 110 KB buffers: V8's default starts a mark-compact per 64 MiB of them (24-26 seen,
  // also with both cores busy); tuned, scavenges free them (1-2 seen on an idle machine, up to 8
  // with both cores busy, when V8's time-based memory reducer steps in).
  assert.ok(untuned.major >= 10, `untuned: expected V8's default to mark-compact repeatedly, got ${JSON.stringify(untuned)}`);
  assert.ok(tuned.major * 2 <= untuned.major, `tuned: expected at most half as many mark-compacts as untuned (${JSON.stringify(untuned)}), got ${JSON.stringify(tuned)}`);
});

interface HelperReport { pid: number; reported: { nice: number; threads: number; failed: number }; threads: Array<{ tid: number; name: string; nice: number }> }

async function helperNice(env: Record<string, string>): Promise<HelperReport> {
  const { stdout } = await run(process.execPath, [path.join(import.meta.dirname, 'fixtures', 'helper-nice.ts')], { env: { ...process.env, ...env }, timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as HelperReport;
}

test('a mesh server lowers its process\'s V8 helper threads (garbage collection) to SY_V8_HELPER_NICE, and nothing else', { skip: process.platform !== 'linux' ? 'thread names and priorities are read from Linux /proc' : false }, async () => {
  // Relative to the nice value this test's process tree runs at (0 unless started under nice).
  const mainNice = (r: HelperReport) => r.threads.find((t) => t.tid === r.pid)!.nice;
  const lowered = await helperNice({ SY_V8_HELPER_NICE: '' });
  const base = mainNice(lowered);
  const helpers = lowered.threads.filter((t) => t.name === 'V8Worker');
  assert.ok(helpers.length >= 1, `expected V8 helper threads, got ${JSON.stringify(lowered.threads)}`);
  // An empty value is the default, 10.
  assert.equal(lowered.reported.nice, 10);
  assert.equal(lowered.reported.threads, helpers.length);
  assert.equal(lowered.reported.failed, 0);
  assert.ok(helpers.every((t) => t.nice === Math.max(base, 10)), JSON.stringify(helpers));
  // The main thread (it serves requests) and every other thread keep their priority.
  const others = lowered.threads.filter((t) => t.name !== 'V8Worker');
  assert.ok(others.length >= 1 && others.every((t) => t.nice === base), JSON.stringify(others));

  const at15 = await helperNice({ SY_V8_HELPER_NICE: '15' });
  assert.ok(at15.threads.filter((t) => t.name === 'V8Worker').every((t) => t.nice === Math.max(base, 15)));

  const off = await helperNice({ SY_V8_HELPER_NICE: '0' });
  assert.deepEqual(off.reported, { nice: 0, threads: 0, failed: 0 });
  assert.ok(off.threads.every((t) => t.nice === base), JSON.stringify(off.threads));
});

test('SY_V8_HELPER_NICE out of range is refused by name; a thread that cannot be lowered is counted, not fatal', async () => {
  const { lowerV8HelperPriority, processThreads } = await import('./gc.ts');
  assert.throws(() => lowerV8HelperPriority({ SY_V8_HELPER_NICE: '25' }), /SY_V8_HELPER_NICE must be an integer from 0 to 19, got '25'/);
  assert.throws(() => lowerV8HelperPriority({ SY_V8_HELPER_NICE: 'low' }), /SY_V8_HELPER_NICE must be an integer from 0 to 19, got 'low'/);
  if (process.platform !== 'linux') return;
  // This process has no mesh server: its helpers are as it started (at 19 already, they count as lowered).
  const helpers = processThreads().filter((t) => t.name === 'V8Worker');
  const below = helpers.filter((t) => t.nice < 19).length;
  const r = lowerV8HelperPriority({ SY_V8_HELPER_NICE: '19' }, () => { throw new Error('EACCES'); });
  assert.deepEqual(r, { nice: 19, threads: helpers.length - below, failed: below });
  assert.ok(helpers.length >= 1);
});
