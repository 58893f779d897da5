/**
 * @switchyard/devstack — starts real infrastructure (nats-server with JetStream, redis-server)
 * on free localhost ports for tests, e2e and `npm start`.
 *
 * Children die with the parent: they are killed on process exit / SIGINT / SIGTERM, and a tiny
 * detached `sh` watchdog kills each one if the parent disappears without running its handlers
 * (for example SIGKILL from a test-timeout).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { accessSync, constants, closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer, createConnection } from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'nats';

/** Ports the machine already uses for its own NATS/Redis: never hand them out. */
const RESERVED_PORTS = new Set([4222, 6222, 8222, 6379]);
const READY_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 3_000;

/** Returns a TCP port that is free right now on `host` (default 127.0.0.1). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.unref();
      srv.once('error', reject);
      srv.listen({ port: 0, host, exclusive: true }, () => {
        const addr = srv.address();
        const p = typeof addr === 'object' && addr ? addr.port : 0;
        srv.close((err) => (err ? reject(err) : resolve(p)));
      });
    });
    if (port > 0 && !RESERVED_PORTS.has(port)) return port;
  }
  throw new Error(`freePort: could not find a free port on ${host}`);
}

const APT_PACKAGE: Record<'nats-server' | 'redis-server', string> = {
  'nats-server': 'nats-server',
  'redis-server': 'redis-server',
};

/** Finds the binaries: PATH, /usr/sbin, /usr/bin, /usr/local/bin. Throws naming the apt package. */
export function findBinary(name: 'nats-server' | 'redis-server'): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/sbin', '/usr/bin', '/usr/local/bin', '/sbin', '/bin'];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  throw new Error(
    `${name} not found (looked in PATH, /usr/sbin, /usr/bin, /usr/local/bin). ` +
      `Install it with: sudo apt-get install -y ${APT_PACKAGE[name]}  (or run: sh tools/bootstrap.sh test, which installs it)`,
  );
}

// ---------------------------------------------------------------------------------------------
// child-process bookkeeping

const live = new Set<ChildProcess>();
let hooksInstalled = false;

function killAllNow(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAllNow);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = (): void => {
      // Someone else handles the signal (graceful shutdown): the 'exit' hook kills the children
      // later. Otherwise keep the default behaviour (die) after killing them.
      if (process.listenerCount(sig) > 1) return;
      killAllNow();
      process.removeListener(sig, handler);
      process.kill(process.pid, sig);
    };
    process.on(sig, handler);
  }
}

/** Detached watchdog: kills `childPid` once this process is gone (covers SIGKILL of the parent). */
function spawnWatchdog(childPid: number): void {
  const script =
    'while kill -0 "$1" 2>/dev/null; do kill -0 "$2" 2>/dev/null || exit 0; sleep 1; done; ' +
    'kill -TERM "$2" 2>/dev/null; sleep 3; kill -KILL "$2" 2>/dev/null; exit 0';
  try {
    const w = spawn('/bin/sh', ['-c', script, 'sy-devstack-watchdog', String(process.pid), String(childPid)], {
      detached: true,
      stdio: 'ignore',
    });
    w.on('error', () => {});
    w.unref();
  } catch {
    // best effort: the exit hooks still cover normal exits
  }
}

interface Managed {
  child: ChildProcess;
  exited: Promise<void>;
  hasExited(): boolean;
  stop(): Promise<void>;
}

function launch(bin: string, args: string[], logFile: string): Managed {
  installExitHooks();
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    // A process group of its own: a terminal's Ctrl-C (SIGINT to the foreground group) then reaches
    // the services, which shut down while NATS and Redis still serve them, and not these; stop()
    // (after the services) or the exit hooks and the watchdog end them.
    child = spawn(bin, args, { stdio: ['ignore', fd, fd], detached: true });
  } finally {
    closeSync(fd);
  }
  let done = false;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      done = true;
      live.delete(child);
      resolve();
    });
    child.once('error', () => {
      done = true;
      live.delete(child);
      resolve();
    });
  });
  live.add(child);
  if (child.pid !== undefined) spawnWatchdog(child.pid);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (done) return;
      child.kill('SIGTERM');
      const timer = sleep(STOP_GRACE_MS, 'timeout' as const, { ref: false });
      const r = await Promise.race([exited.then(() => 'exited' as const), timer]);
      if (r === 'timeout' && !done) {
        child.kill('SIGKILL');
        await exited;
      }
    })();
    return stopping;
  };
  return { child, exited, hasExited: () => done, stop };
}

function logTail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function waitReady(m: Managed, name: string, logFile: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (m.hasExited()) {
      throw new Error(`${name} exited during start-up (exit code ${m.child.exitCode}); log ${logFile}:\n${logTail(logFile)}`);
    }
    if (await probe().catch(() => false)) return;
    await sleep(50);
  }
  await m.stop();
  throw new Error(`${name} did not become ready within ${READY_TIMEOUT_MS} ms; log ${logFile}:\n${logTail(logFile)}`);
}

/** Waits until nothing accepts connections on 127.0.0.1:port (bounded). */
async function waitPortClosed(port: number): Promise<void> {
  for (let i = 0; i < 40; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const s = createConnection({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (!open) return;
    await sleep(50);
  }
}

// ---------------------------------------------------------------------------------------------
// NATS

export interface NatsHandle {
  /** 'nats://127.0.0.1:PORT' */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts nats-server with JetStream on a free port, store dir under dataDir; waits until it
 * accepts connections and JetStream answers. Logs to dataDir/nats.log.
 */
export async function startNats(opts: { dataDir: string; port?: number }): Promise<NatsHandle> {
  const bin = findBinary('nats-server');
  mkdirSync(opts.dataDir, { recursive: true });
  const logFile = join(opts.dataDir, 'nats.log');
  const attempts = opts.port === undefined ? 3 : 1;
  let lastErr: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = opts.port ?? (await freePort());
    const url = `nats://127.0.0.1:${port}`;
    // A unique server name lets the readiness probe tell our server from another on the same port.
    const name = `sy-devstack-${port}-${process.pid}-${randomUUID().slice(0, 8)}`;
    const m = launch(bin, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', join(opts.dataDir, 'jetstream'), '-n', name], logFile);
    try {
      await waitReady(m, 'nats-server', logFile, async () => {
        const nc = await connect({ servers: url, reconnect: false, timeout: 1000 });
        try {
          if (nc.info?.server_name !== name) return false;
          const jsm = await nc.jetstreamManager({ timeout: 1000 });
          await jsm.getAccountInfo();
          return true;
        } finally {
          await nc.close().catch(() => {});
        }
      });
    } catch (err) {
      lastErr = err;
      await m.stop();
      continue; // port race: try another free port
    }
    return {
      url,
      port,
      stop: async () => {
        await m.stop();
        await waitPortClosed(port);
      },
    };
  }
  throw lastErr instanceof Error ? lastErr : new Error(String(lastErr));
}

// ---------------------------------------------------------------------------------------------
// Redis

export interface RedisHandle {
  /** 'redis://127.0.0.1:PORT' */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** PINGs 127.0.0.1:port and checks, via INFO server, that the answering process is `pid`. */
function redisPingPid(port: number, pid: number | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    let buf = '';
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.once('error', () => done(false));
    s.once('connect', () => s.write('PING\r\nINFO server\r\n'));
    s.on('data', (d) => {
      buf += d.toString('latin1');
      if (!buf.startsWith('+PONG') && buf.includes('\r\n')) return done(false);
      const m = /process_id:(\d+)\r\n/.exec(buf);
      if (m) done(Number(m[1]) === pid);
    });
  });
}

/**
 * Starts redis-server on a free port (no persistence: --save '' --appendonly no; or AOF + RDB
 * under dataDir when opts.persist), waits for PING. Logs to dataDir/redis.log.
 */
export async function startRedis(opts: { dataDir: string; port?: number; persist?: boolean }): Promise<RedisHandle> {
  const bin = findBinary('redis-server');
  mkdirSync(opts.dataDir, { recursive: true });
  const logFile = join(opts.dataDir, 'redis.log');
  const attempts = opts.port === undefined ? 3 : 1;
  let lastErr: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = opts.port ?? (await freePort());
    const persistence = opts.persist
      ? ['--save', '60 1', '--appendonly', 'yes', '--appendfsync', 'everysec']
      : ['--save', '', '--appendonly', 'no'];
    const args = [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--daemonize', 'no',
      '--dir', opts.dataDir,
      '--logfile', '',
      ...persistence,
    ];
    const m = launch(bin, args, logFile);
    try {
      await waitReady(m, 'redis-server', logFile, () => redisPingPid(port, m.child.pid));
    } catch (err) {
      lastErr = err;
      await m.stop();
      continue;
    }
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      stop: async () => {
        await m.stop();
        await waitPortClosed(port);
      },
    };
  }
  throw lastErr instanceof Error ? lastErr : new Error(String(lastErr));
}
