import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { createLogger } from '@switchyard/log';
import { runShutdown, onShutdown } from './shutdown.ts';

const here = path.dirname(new URL(import.meta.url).pathname);

test('every grpc option key we set or allow is one grpc-js actually reads', () => {
  const grpcDir = path.dirname(createRequire(import.meta.url).resolve('@grpc/grpc-js'));
  const grpcSource = fs.readdirSync(grpcDir).filter((f) => f.endsWith('.js')).map((f) => fs.readFileSync(path.join(grpcDir, f), 'utf8')).join('\n');
  const ours = ['options.ts', 'server.ts', 'client.ts'].map((f) => fs.readFileSync(path.join(here, f), 'utf8')).join('\n');
  const keys = new Set([...ours.matchAll(/'(grpc(?:-node)?\.[a-z0-9_.]+)'/g)].map((m) => m[1]!));
  assert.ok(keys.size >= 10, `found ${keys.size} keys`);
  for (const key of keys) {
    if (key.startsWith('grpc.health.') || key.startsWith('grpc.reflection.')) continue; // service names, not options
    assert.ok(grpcSource.includes(`'${key}'`), `grpc-js does not read ${key}`);
  }
});

test('runShutdown runs steps in order, bounds each, reports failure', async () => {
  const log = createLogger({ service: 't', level: 'silent' });
  const order: string[] = [];
  const ok = await runShutdown(log, [
    { name: 'a', run: async () => void order.push('a') },
    { name: 'b', run: async () => void order.push('b') },
  ]);
  assert.equal(ok, 0);
  assert.deepEqual(order, ['a', 'b']);
  const failed = await runShutdown(log, [
    { name: 'throws', run: async () => { throw new Error('x'); } },
    { name: 'after', run: async () => void order.push('after') },
  ]);
  assert.equal(failed, 1);
  assert.equal(order.at(-1), 'after', 'later steps still run');
  const hung = await runShutdown(log, [{ name: 'hangs', run: () => new Promise<void>(() => {}) }], 100);
  assert.equal(hung, 1);
});

test('onShutdown reacts once to the signal and exits with the code', async () => {
  const log = createLogger({ service: 't', level: 'silent' });
  let runs = 0;
  const codes: number[] = [];
  const exited = new Promise<void>((resolve) => {
    onShutdown(log, [{ name: 'count', run: async () => void runs++ }], {
      signals: ['SIGHUP'],
      exit: (c) => {
        codes.push(c);
        resolve();
      },
    });
  });
  process.kill(process.pid, 'SIGHUP');
  process.kill(process.pid, 'SIGHUP');
  await exited;
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(runs, 1);
  assert.deepEqual(codes, [0]);
});
