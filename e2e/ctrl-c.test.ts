// `npm start` stopped with Ctrl-C: a terminal sends SIGINT to its whole foreground process group,
// that is `switchyard up`, the services it started, and (before they got a group of their own)
// NATS and Redis, which then died under the services' own orderly shutdown (Redis gone before the
// services closed their connections: exit code 1, "services that did not exit cleanly").
// Here `switchyard up` runs in a process group of its own, as under a terminal, and the test sends
// the SIGINT to the group.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function descendants(pid: number): number[] {
  let out: string;
  try {
    out = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  } catch {
    return [];
  }
  const kids = new Map<number, number[]>();
  for (const line of out.trim().split('\n')) {
    const [c, p] = line.trim().split(/\s+/).map(Number);
    if (c === undefined || p === undefined) continue;
    kids.set(p, [...(kids.get(p) ?? []), c]);
  }
  const all: number[] = [];
  const walk = (p: number) => { for (const c of kids.get(p) ?? []) { all.push(c); walk(c); } };
  walk(pid);
  return all;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('Ctrl-C on `switchyard up` (SIGINT to its process group) stops every service cleanly, NATS and Redis last', { timeout: 150_000 }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sy-ctrl-c-'));
  try {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'tools/cli/switchyard.ts'), 'up', '--requests', '0', '--state-dir', dir], {
      cwd: REPO_ROOT,
      detached: true, // a process group of its own, as a terminal's foreground job
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SY_LOG_LEVEL: 'info' },
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.stdout!.resume();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const ready = await new Promise<boolean>((resolve) => {
      const t = setInterval(() => {
        if (stderr.includes('serving; Ctrl-C to stop')) { clearInterval(t); resolve(true); }
        if (child.exitCode !== null) { clearInterval(t); resolve(false); }
      }, 200);
    });
    assert.ok(ready, `switchyard up did not come up:\n${stderr}`);
    const started = descendants(child.pid!);
    const names = started.map((p) => { try { return readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' '); } catch { return ''; } });
    assert.ok(names.some((n) => n.includes('nats-server')) && names.some((n) => n.includes('redis-server')), `NATS and Redis among up's children:\n${names.join('\n')}`);
    assert.equal(names.filter((n) => /services\/[a-z-]+\/src\/main\.ts/.test(n)).length, 6, 'six services');

    process.kill(-child.pid!, 'SIGINT');
    const code = await exited;
    assert.equal(code, 0, `exit code of switchyard up after Ctrl-C:\n${stderr.split('\n').slice(-8).join('\n')}`);
    assert.doesNotMatch(stderr, /did not exit cleanly/);
    // Every service ran its shutdown steps with NATS and Redis still there: none failed.
    const logs = readdirSync(path.join(dir, 'logs')).filter((f) => f.endsWith('.log'));
    assert.equal(logs.length, 6, `service logs: ${logs.join(', ')}`);
    for (const f of logs) {
      const lines = readFileSync(path.join(dir, 'logs', f), 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; code?: number; step?: string; err?: string });
      const failed = lines.filter((l) => l.msg === 'shutdown: step failed');
      assert.deepEqual(failed.map((l) => `${l.step}: ${l.err}`), [], `${f}: failed shutdown steps`);
      const done = lines.find((l) => l.msg === 'shutdown: complete');
      assert.equal(done?.code, 0, `${f}: shutdown complete with code 0`);
    }
    // Nothing left running.
    const mesh = started.filter((_, i) => /nats-server|redis-server|services\/[a-z-]+\/src\/main\.ts/.test(names[i]!));
    assert.deepEqual(mesh.filter(alive), [], 'mesh processes left after switchyard up exited');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
