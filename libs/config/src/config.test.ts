import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, z, hostPort, ConfigError, boolish } from './index.ts';

const shape = {
  port: z.coerce.number().int().min(1).max(65535).default(7400),
  natsUrl: hostPort,
  allowCpuFallback: boolish.default(false),
};

test('flags override environment, defaults fill the rest', () => {
  const c = loadConfig(shape, { argv: ['--port', '7500'], env: { SY_PORT: '7000', SY_NATS_URL: '127.0.0.1:4222', SY_ALLOW_CPU_FALLBACK: 'true' } });
  assert.deepEqual(c, { port: 7500, natsUrl: '127.0.0.1:4222', allowCpuFallback: true });
});

test('a bad setting names the setting, its flag and its variable', () => {
  assert.throws(
    () => loadConfig(shape, { argv: [], env: { SY_PORT: 'eighty', SY_NATS_URL: '127.0.0.1:4222' } }),
    (e: unknown) => e instanceof ConfigError && /setting port \(--port or SY_PORT\)/.test(e.message) && /"eighty"/.test(e.message),
  );
  assert.throws(() => loadConfig(shape, { argv: [], env: {} }), /setting natsUrl \(--nats-url or SY_NATS_URL\)/);
  assert.throws(() => loadConfig(shape, { argv: ['--bogus', 'x'], env: { SY_NATS_URL: 'a:1' } }), /bad command line/);
});
