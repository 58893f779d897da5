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
