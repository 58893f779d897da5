import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, StringCodec } from 'nats';
import { Redis } from 'ioredis';
import { findBinary, freePort, startNats, startRedis } from './index.ts';

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

test('freePort returns a bindable port that is not the machine NATS/Redis port', async () => {
  const p = await freePort();
  assert.ok(p > 0 && p < 65536);
  assert.notEqual(p, 4222);
  assert.notEqual(p, 6379);
  assert.equal(await portOpen(p), false);
});

test('findBinary finds both servers and names the apt package when missing', () => {
  assert.match(findBinary('nats-server'), /nats-server$/);
  assert.match(findBinary('redis-server'), /redis-server$/);
  const saved = process.env.PATH;
  try {
    process.env.PATH = '/nonexistent';
    // both are on the system dirs here, so a bogus name proves the error text
    assert.throws(() => findBinary('no-such-server' as 'nats-server'), /no-such-server not found.*apt-get install -y/s);
  } finally {
    process.env.PATH = saved;
  }
});

test('nats-server with JetStream: stream, publish with PubAck, consume; stop frees the port', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sy-devstack-nats-'));
  const nats = await startNats({ dataDir: dir });
  try {
    assert.notEqual(nats.port, 4222);
    assert.equal(nats.url, `nats://127.0.0.1:${nats.port}`);
    const nc = await connect({ servers: nats.url });
    try {
      const jsm = await nc.jetstreamManager();
      await jsm.streams.add({ name: 'DEVSTACK', subjects: ['sy.v1.test.>'] });
      const js = nc.jetstream();
      const sc = StringCodec();
      const ack = await js.publish('sy.v1.test.hello', sc.encode('hi'), { msgID: 'm-1' });
      assert.equal(ack.stream, 'DEVSTACK');
      assert.equal(ack.seq, 1);
      const dup = await js.publish('sy.v1.test.hello', sc.encode('hi'), { msgID: 'm-1' });
      assert.equal(dup.duplicate, true);
      const msg = await jsm.streams.getMessage('DEVSTACK', { seq: 1 });
      assert.equal(sc.decode(msg.data), 'hi');
      assert.equal(msg.subject, 'sy.v1.test.hello');
    } finally {
      await nc.close();
    }
    assert.ok(existsSync(join(dir, 'nats.log')));
    assert.ok(existsSync(join(dir, 'jetstream')));
  } finally {
    await nats.stop();
    await nats.stop(); // idempotent
  }
  assert.equal(await portOpen(nats.port), false);
  rmSync(dir, { recursive: true, force: true });
});

test('redis-server: SET/GET, no persistence by default; stop frees the port', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sy-devstack-redis-'));
  const redis = await startRedis({ dataDir: dir });
  try {
    assert.notEqual(redis.port, 6379);
    assert.equal(redis.url, `redis://127.0.0.1:${redis.port}`);
    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.connect();
      assert.equal(await client.set('sy:v1:test:k', 'v'), 'OK');
      assert.equal(await client.get('sy:v1:test:k'), 'v');
      assert.equal(await client.config('GET', 'appendonly').then((r) => (r as string[])[1]), 'no');
      assert.equal(await client.config('GET', 'save').then((r) => (r as string[])[1]), '');
    } finally {
      client.disconnect();
    }
  } finally {
    await redis.stop();
  }
  assert.equal(await portOpen(redis.port), false);
  rmSync(dir, { recursive: true, force: true });
});

test('two stacks side by side get different ports', async () => {
  const d1 = mkdtempSync(join(tmpdir(), 'sy-devstack-a-'));
  const d2 = mkdtempSync(join(tmpdir(), 'sy-devstack-b-'));
  const [a, b] = await Promise.all([startRedis({ dataDir: d1 }), startRedis({ dataDir: d2 })]);
  try {
    assert.notEqual(a.port, b.port);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    rmSync(d1, { recursive: true, force: true });
    rmSync(d2, { recursive: true, force: true });
  }
});

test('a fixed port already in use fails with the log tail, not a hang', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sy-devstack-busy-'));
  const first = await startRedis({ dataDir: dir });
  try {
    await assert.rejects(startRedis({ dataDir: join(dir, 'second'), port: first.port }), /redis-server exited during start-up/);
  } finally {
    await first.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a fixed NATS port already in use fails instead of adopting the other server', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sy-devstack-busy-nats-'));
  const first = await startNats({ dataDir: dir });
  try {
    await assert.rejects(startNats({ dataDir: join(dir, 'second'), port: first.port }), /nats-server (exited during start-up|did not become ready)/);
  } finally {
    await first.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('children die with the parent process, even on SIGKILL', async () => {
  const { spawn } = await import('node:child_process');
  const dir = mkdtempSync(join(tmpdir(), 'sy-devstack-orphan-'));
  const script = `
    import { startRedis } from ${JSON.stringify(new URL('./index.ts', import.meta.url).href)};
    const r = await startRedis({ dataDir: ${JSON.stringify(dir)} });
    console.log(r.port);
    // if this test process dies first, stdin closes and the script exits (no stray processes)
    process.stdin.on('end', () => process.exit(0)).resume();
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (d) => resolve(Number(String(d).trim())));
    child.once('exit', (c) => reject(new Error(`child exited ${c}`)));
  });
  assert.equal(await portOpen(port), true);
  child.kill('SIGKILL');
  let open = true;
  for (let i = 0; i < 100 && open; i++) {
    await new Promise((r) => setTimeout(r, 100));
    open = await portOpen(port);
  }
  assert.equal(open, false, 'redis-server outlived its parent');
  rmSync(dir, { recursive: true, force: true });
});
