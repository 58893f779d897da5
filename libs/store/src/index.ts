// The Redis adapter: one client per process, reconnect forever with logs, keys named
// sy:v1:<domain>:... (every key has an owner service and a TTL or a written reason not to).
import { Redis } from 'ioredis';
import type { Logger } from '@switchyard/log';

export { Redis };

export function redisKey(domain: string, ...parts: string[]): string {
  return ['sy', 'v1', domain, ...parts].join(':');
}

export async function connectRedis(url: string, log: Logger, name: string, opts: { commandTimeoutMs?: number } = {}): Promise<Redis> {
  const client = new Redis(url, {
    connectionName: name,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    // A Redis that stops answering on an open connection (a paused process, a partition) must not
    // hold commands, and the callers waiting on them, for ever.
    commandTimeout: opts.commandTimeoutMs ?? 2000,
    // Commands issued in the same tick share one round trip (the quota check runs per request).
    enableAutoPipelining: true,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  let wasReady = false;
  client.on('ready', () => {
    log.info({ redis: url.replace(/\/\/[^@]*@/, '//') }, wasReady ? 'redis reconnected' : 'redis connected');
    wasReady = true;
  });
  client.on('error', (e: Error) => log.warn({ err: e.message }, 'redis error'));
  client.on('end', () => log.info('redis connection closed'));
  await client.connect();
  return client;
}

/**
 * Closes the client at shutdown: QUIT (replies in flight are answered first) while connected;
 * otherwise (Redis already gone or reconnecting) just drops the connection, since there is
 * nothing to flush and QUIT would fail with the offline queue off.
 */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    await client.quit();
    return;
  }
  client.disconnect();
}

/**
 * Fixed-window request counter per tenant: one atomic round trip (INCR + PEXPIRE in a Lua
 * script). Returns the count in the current window and the window's remaining ms. The
 * gateway owns these keys (sy:v1:quota:<tenant>:<window>), each with a TTL of one window.
 */
const WINDOW_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}
`;

export interface WindowCount { count: number; resetMs: number }

export function defineWindowCounter(client: Redis): (tenant: string, windowMs: number, nowMs: number) => Promise<WindowCount> {
  client.defineCommand('syWindowIncr', { numberOfKeys: 1, lua: WINDOW_SCRIPT });
  return async (tenant, windowMs, nowMs) => {
    const window = Math.floor(nowMs / windowMs);
    const key = redisKey('quota', tenant, String(window));
    const [count, ttl] = (await (client as unknown as { syWindowIncr(k: string, a: number): Promise<[number, number]> }).syWindowIncr(key, windowMs));
    return { count, resetMs: ttl > 0 ? ttl : windowMs };
  };
}

/**
 * Token buckets for the policy quotas, two per call checked and charged atomically in one Lua
 * script (one round trip per request): a request bucket (tokens = requests, refilled at
 * `rate`/s up to `burst`) and an executor-time bucket (tokens = GPU seconds). A bucket with
 * rate <= 0 is not checked. Time is Redis's own clock (TIME), so several gateways share one
 * clock. Keys (owner: gateway) are hashes {t: tokens, ts: µs} whose TTL is the time to refill
 * completely plus 1 s (an expired key is a full bucket). A cost larger than the bucket is
 * admitted when the bucket is full and leaves it in debt, so one long request is never refused
 * forever. Returns [allowed 1|0, which bucket refused (0 none, 1 requests, 2 executor time),
 * retry-after ms, request tokens left ×1000].
 */
const BUCKETS_SCRIPT = `
local now = redis.call('TIME')
local nowus = tonumber(now[1]) * 1000000 + tonumber(now[2])
local state = {}
for i = 1, 2 do
  local rate = tonumber(ARGV[(i - 1) * 3 + 1])
  local burst = tonumber(ARGV[(i - 1) * 3 + 2])
  local cost = tonumber(ARGV[(i - 1) * 3 + 3])
  if rate > 0 then
    local h = redis.call('HMGET', KEYS[i], 't', 'ts')
    local tokens = burst
    if h[1] then
      local elapsed = math.max(0, nowus - tonumber(h[2])) / 1000000
      tokens = math.min(burst, tonumber(h[1]) + elapsed * rate)
    end
    local need = math.min(cost, burst)
    if tokens < need then
      return {0, i, math.ceil((need - tokens) / rate * 1000), 0}
    end
    state[i] = {tokens - cost, math.ceil(burst / rate * 1000) + 1000}
  end
end
local left = -1
for i = 1, 2 do
  if state[i] then
    redis.call('HSET', KEYS[i], 't', tostring(state[i][1]), 'ts', tostring(nowus))
    redis.call('PEXPIRE', KEYS[i], state[i][2])
    if i == 1 then left = state[i][1] end
  end
end
return {1, 0, 0, math.floor(left * 1000)}
`;

export interface BucketSpec { key: string; rate: number; burst: number; cost: number }
export interface BucketResult { allowed: boolean; refusedBy: 'requests' | 'executor-time' | undefined; retryAfterMs: number; requestTokensLeft: number }

/** Defines the two-bucket quota script on `client`; the returned function is one atomic call. */
export function defineTokenBuckets(client: Redis): (requests: BucketSpec | undefined, time: BucketSpec | undefined) => Promise<BucketResult> {
  client.defineCommand('syTokenBuckets', { numberOfKeys: 2, lua: BUCKETS_SCRIPT });
  const none = { key: redisKey('quota', 'none'), rate: 0, burst: 0, cost: 0 };
  return async (a, b) => {
    const x = a ?? none, y = b ?? none;
    const r = await (client as unknown as { syTokenBuckets(...args: (string | number)[]): Promise<[number, number, number, number]> })
      .syTokenBuckets(x.key, y.key, x.rate, x.burst, x.cost, y.rate, y.burst, y.cost);
    return { allowed: r[0] === 1, refusedBy: r[1] === 1 ? 'requests' : r[1] === 2 ? 'executor-time' : undefined, retryAfterMs: r[2], requestTokensLeft: r[3] / 1000 };
  };
}

/** The quota bucket keys: sy:v1:quota:req:<tenant> and sy:v1:quota:time:<tenant>:<pool>. */
export function quotaKeys(tenant: string, pool: string): { requests: string; time: string } {
  return { requests: redisKey('quota', 'req', tenant), time: redisKey('quota', 'time', tenant, pool) };
}
export { QuotaLeases, redisLeaseStore, type LeaseStore, type LeaseGrant, type QuotaLeasesOptions } from './leases.ts';
export { guardStore, StoreUnavailableError, type GuardOptions } from './guard.ts';
