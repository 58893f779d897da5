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

test('a process with a mesh client frees short-lived tensor buffers without full mark-compacts', async () => {
  const tuned = await collections({});
  const untuned = await collections({ SY_V8_EXTERNAL_MEMORY_IN_GLOBAL_LIMIT: 'false' });
  // 550 MB of 110 KB buffers: V8's default starts a mark-compact per 64 MiB of them (5-6 seen);
  // tuned, scavenges free them (0 seen).
  assert.ok(untuned.major >= 3, `untuned: expected V8's default to mark-compact repeatedly, got ${JSON.stringify(untuned)}`);
  assert.ok(tuned.major <= 1, `tuned: expected at most 1 mark-compact, got ${JSON.stringify(tuned)}`);
});
