import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const guard = path.join(import.meta.dirname, 'open-handle-guard.ts');
const fixture = (name: string) => path.join(import.meta.dirname, 'fixtures', name);
// A `node --test` of its own: without this test runner's NODE_TEST_CONTEXT, which would make the
// child report to it instead of running as a top-level run.
const runFile = (file: string, env: Record<string, string>) => {
  const { NODE_TEST_CONTEXT: _inherited, ...parentEnv } = process.env;
  return spawnSync(process.execPath, ['--import', guard, '--test', '--test-reporter=tap', file], { encoding: 'utf8', timeout: 60_000, env: { ...parentEnv, ...env } });
};

test('a test file that leaves a handle open fails after the grace, naming what is open, instead of hanging the run', () => {
  const t0 = Date.now();
  const r = runFile(fixture('leaks-a-timer.ts'), { SY_TEST_EXIT_GRACE_MS: '500' });
  assert.notEqual(r.status, 0, r.stdout);
  assert.match(r.stdout + r.stderr, /still running 0\.5 s after its tests ended; open: .*Timeout/);
  assert.ok(Date.now() - t0 < 30_000);
});

test('a file whose after() hooks close everything within the grace passes', () => {
  const r = runFile(fixture('slow-cleanup.ts'), { SY_TEST_EXIT_GRACE_MS: '2000', CLEANUP_MS: '300' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /# pass 1/);
  assert.match(r.stdout, /# fail 0/);
});
