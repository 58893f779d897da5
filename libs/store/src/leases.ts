// Quota leases: token buckets in Redis, spent locally.
//
// The bucket itself stays in Redis (one per tenant, and per tenant × pool for GPU seconds; see
// defineTokenBuckets for the refill rule), so every gateway replica draws from the same budget.
// Instead of one Redis call per request, a gateway takes a *lease* — up to `leaseSize` tokens at
// once, atomically — and spends it in memory. Requests that find enough local tokens are admitted
// without any I/O; when the local balance falls below half a lease, the next lease is fetched in
// the background. Only a request that finds too few local tokens waits for Redis.
//
//   leaseSize = max(1 request, rate × leaseWindow)   (default window 50 ms)
//
// so a tenant at 2,000 requests/s leases 100 at a time, and a tenant at 0.5/s leases one token per
// request: slow tenants keep exact, per-request accounting (no background prefetch below two
// tokens per lease). Tokens a gateway holds but does not use are given back to the bucket after
// `idleReturnMs` without use. Bounds: the tokens held by G gateways are at most G × leaseSize per
// bucket, so a tenant can run ahead of its rate by at most that much, and never by more than the
// bucket's burst (a lease never takes more than the bucket holds).
//
// Clock is passed in; Redis is behind the `LeaseStore` interface (redisLeaseStore below).

import type { Redis } from 'ioredis';
import type { BucketResult, BucketSpec } from './index.ts';

export interface LeaseGrant { granted: number; retryAfterMs: number }

export interface LeaseStore {
  /** Atomically takes between `need` and `want` tokens from the bucket (as many as it holds up to
   *  `want`), or none (granted 0) when it holds fewer than `need`, with the time until it will. */
  lease(spec: { key: string; rate: number; burst: number }, want: number, need: number): Promise<LeaseGrant>;
  /** Gives unused tokens back (capped at the burst). */
  giveBack(spec: { key: string; rate: number; burst: number }, amount: number): Promise<void>;
}

export interface QuotaLeasesOptions {
  store: LeaseStore;
  /** Seconds of the bucket's rate leased at once (default 0.05). */
  leaseWindowS?: number;
  /** Unused local tokens go back to Redis after this long without use (default 1000 ms). */
  idleReturnMs?: number;
  now?: () => number;
  /** Told about background lease failures (the request path reports its own). */
  onBackgroundError?: (e: Error) => void;
}

interface Local {
  spec: { key: string; rate: number; burst: number };
  balance: number;
  lastUsedMs: number;
  fetching: Promise<void> | undefined;
}

const EPS = 1e-9;

export class QuotaLeases {
  private readonly o: Required<Omit<QuotaLeasesOptions, 'onBackgroundError'>> & Pick<QuotaLeasesOptions, 'onBackgroundError'>;
  private readonly local = new Map<string, Local>();
  /** Redis calls made on the request path / in the background (for tests and status). */
  readonly calls = { sync: 0, background: 0, giveBack: 0 };

  constructor(o: QuotaLeasesOptions) {
    this.o = { leaseWindowS: 0.05, idleReturnMs: 1000, now: Date.now, ...o };
  }

  leaseSize(spec: { rate: number; burst: number }): number {
    return Math.max(1, Math.min(spec.burst, spec.rate * this.o.leaseWindowS));
  }

  private entry(spec: BucketSpec): Local {
    let l = this.local.get(spec.key);
    if (!l) {
      l = { spec: { key: spec.key, rate: spec.rate, burst: spec.burst }, balance: 0, lastUsedMs: this.o.now(), fetching: undefined };
      this.local.set(spec.key, l);
    } else if (l.spec.rate !== spec.rate || l.spec.burst !== spec.burst) {
      // The policy changed the quota: keep what is held (it was granted), lease by the new size.
      l.spec = { key: spec.key, rate: spec.rate, burst: spec.burst };
      if (l.balance > l.spec.burst) l.balance = l.spec.burst;
    }
    return l;
  }

  /** Spends `cost` from the local balance, leasing synchronously when it is short. */
  private async spend(spec: BucketSpec): Promise<LeaseGrant> {
    const l = this.entry(spec);
    l.lastUsedMs = this.o.now();
    // A cost above the burst could never be paid: it is admitted from a full bucket and charged as the whole burst.
    const cost = Math.min(spec.cost, spec.burst);
    if (l.balance + EPS < cost && l.fetching) await l.fetching;
    if (l.balance + EPS < cost) {
      const need = cost - Math.max(0, l.balance);
      const want = Math.max(need, this.leaseSize(spec));
      this.calls.sync++;
      const g = await this.o.store.lease(l.spec, want, need);
      if (g.granted + EPS < need) return { granted: 0, retryAfterMs: g.retryAfterMs };
      l.balance += g.granted;
    }
    l.balance -= cost;
    this.maybePrefetch(l);
    return { granted: cost, retryAfterMs: 0 };
  }

  private maybePrefetch(l: Local): void {
    const size = this.leaseSize(l.spec);
    if (size < 2 || l.fetching || l.balance >= size / 2) return;
    this.calls.background++;
    l.fetching = this.o.store.lease(l.spec, size, EPS).then(
      (g) => { l.balance += g.granted; },
      (e: Error) => this.o.onBackgroundError?.(e),
    ).finally(() => { l.fetching = undefined; });
  }

  /** Gives the cost back locally (the second bucket refused: the first is not charged). */
  private refund(spec: BucketSpec, charged: number): void {
    const l = this.local.get(spec.key);
    if (l) l.balance += charged;
  }

  /**
   * Charges one request against its buckets (either may be undefined = not limited). Same result
   * shape as defineTokenBuckets. Throws when Redis is unreachable and no local tokens cover it.
   */
  take = async (requests: BucketSpec | undefined, time: BucketSpec | undefined): Promise<BucketResult> => {
    const specs = [requests, time].filter((s): s is BucketSpec => s !== undefined && s.rate > 0);
    const charged: number[] = [];
    for (let i = 0; i < specs.length; i++) {
      const s = specs[i]!;
      const g = await this.spend(s);
      charged.push(g.granted);
      if (g.granted === 0) {
        for (let j = 0; j < i; j++) this.refund(specs[j]!, charged[j]!);
        return { allowed: false, refusedBy: s === requests ? 'requests' : 'executor-time', retryAfterMs: g.retryAfterMs, requestTokensLeft: 0 };
      }
    }
    const left = requests && requests.rate > 0 ? Math.max(0, this.local.get(requests.key)?.balance ?? 0) : -1;
    return { allowed: true, refusedBy: undefined, retryAfterMs: 0, requestTokensLeft: left };
  };

  /** Returns tokens unused for `idleReturnMs` to Redis; call periodically. Resolves when done. */
  async returnIdle(): Promise<void> {
    const now = this.o.now();
    const work: Array<Promise<void>> = [];
    for (const [key, l] of this.local) {
      if (now - l.lastUsedMs < this.o.idleReturnMs || l.fetching) continue;
      const amount = l.balance;
      this.local.delete(key);
      if (amount > EPS) {
        this.calls.giveBack++;
        work.push(this.o.store.giveBack(l.spec, amount).catch((e: Error) => this.o.onBackgroundError?.(e)));
      }
    }
    await Promise.all(work);
  }

  /** Tokens held locally for a bucket key (tests, status). */
  balance(key: string): number {
    return this.local.get(key)?.balance ?? 0;
  }

  /** Gives every held token back (shutdown). */
  async close(): Promise<void> {
    for (const l of this.local.values()) l.lastUsedMs = -Infinity;
    await Promise.all([...this.local.values()].map((l) => l.fetching));
    await this.returnIdle();
  }
}

/**
 * Lease and give-back as Lua scripts over the same bucket hashes defineTokenBuckets uses
 * ({t: tokens, ts: µs}, Redis's clock, TTL = time to refill + 1 s).
 */
const LEASE_SCRIPT = `
local now = redis.call('TIME')
local nowus = tonumber(now[1]) * 1000000 + tonumber(now[2])
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local need = tonumber(ARGV[4])
local giveback = tonumber(ARGV[5])
local h = redis.call('HMGET', KEYS[1], 't', 'ts')
local tokens = burst
if h[1] then
  local elapsed = math.max(0, nowus - tonumber(h[2])) / 1000000
  tokens = math.min(burst, tonumber(h[1]) + elapsed * rate)
end
local granted = 0
if giveback > 0 then
  tokens = math.min(burst, tokens + giveback)
else
  if tokens < need then
    return {0, math.ceil((need - tokens) / rate * 1000)}
  end
  granted = math.min(want, tokens)
  if granted < need then granted = need end
  tokens = tokens - granted
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'ts', tostring(nowus))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return {tostring(granted), 0}
`;

export function redisLeaseStore(client: Redis): LeaseStore {
  client.defineCommand('syQuotaLease', { numberOfKeys: 1, lua: LEASE_SCRIPT });
  const call = (key: string, ...args: number[]) =>
    (client as unknown as { syQuotaLease(k: string, ...a: number[]): Promise<[string | number, number]> }).syQuotaLease(key, ...args);
  return {
    async lease(spec, want, need) {
      const [g, retry] = await call(spec.key, spec.rate, spec.burst, want, need, 0);
      return { granted: Number(g), retryAfterMs: Number(retry) };
    },
    async giveBack(spec, amount) {
      await call(spec.key, spec.rate, spec.burst, 0, 0, amount);
    },
  };
}
