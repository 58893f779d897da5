import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quotaKeys, type BucketResult, type BucketSpec } from '@switchyard/store';
import { testMeter, sampleValue } from '@switchyard/otel/testing';
import { QuotaUsage, fairShareMetrics, measureTake, registerGatewayMetrics, tenantOfRequestKey } from './metrics.ts';
import { Ejections } from './eject.ts';

const T0 = 1_700_000_000_000; // a whole second
const ratioOf = (u: QuotaUsage, tenant: string, now: number) => u.ratios(now).find((r) => r.tenant === tenant)?.ratio;

test('quota window: steady use at the quota rate reads 1, half the rate 0.5, and it drains when traffic stops', () => {
  const u = new QuotaUsage({ windowMs: 10_000, slotMs: 1000 });
  // acme: 10 req/s quota, sends 10/s; beta: 20 req/s quota, sends 10/s. 30 s of traffic.
  for (let ms = 0; ms < 30_000; ms += 100) {
    u.record('acme', 10, T0 + ms);
    u.record('beta', 20, T0 + ms);
  }
  const now = T0 + 30_000;
  assert.ok(Math.abs(ratioOf(u, 'acme', now)! - 1) < 0.001, `acme ${ratioOf(u, 'acme', now)}`);
  assert.ok(Math.abs(ratioOf(u, 'beta', now)! - 0.5) < 0.001, `beta ${ratioOf(u, 'beta', now)}`);
  // Mid-slot: the current partial slot counts with its elapsed time.
  assert.ok(Math.abs(ratioOf(u, 'acme', T0 + 29_950)! - 1) < 0.02);
  // 5 s of silence: half the 10 s window is empty; after the whole window, 0 (still reported).
  assert.ok(Math.abs(ratioOf(u, 'acme', now + 5000)! - 0.5) < 0.001, `${ratioOf(u, 'acme', now + 5000)}`);
  assert.equal(ratioOf(u, 'acme', now + 12_000), 0);
});

test('quota window: clamped to 1 (a burst admits more than the rate), follows the latest rate, forgets idle tenants, bounded', () => {
  const u = new QuotaUsage({ windowMs: 10_000, slotMs: 1000, forgetMs: 60_000, maxTenants: 2 });
  for (let i = 0; i < 500; i++) u.record('burst', 10, T0 + i);
  assert.equal(ratioOf(u, 'burst', T0 + 1000), 1);
  // A new policy doubles the quota: the same traffic is now half of it.
  u.record('burst', 1000, T0 + 1000);
  assert.ok(ratioOf(u, 'burst', T0 + 1000)! < 0.06);
  // Zero or invalid rates are not tracked (no quota to use).
  u.record('none', 0, T0);
  assert.equal(ratioOf(u, 'none', T0), undefined);
  // Idle past forgetMs: dropped.
  assert.equal(ratioOf(u, 'burst', T0 + 61_001 + 1000), undefined);
  assert.equal(u.size, 0);
  // At most maxTenants: the least recently seen goes first.
  u.record('a', 1, T0); u.record('b', 1, T0 + 1); u.record('a', 1, T0 + 2); u.record('c', 1, T0 + 3);
  assert.deepEqual(u.ratios(T0 + 4).map((r) => r.tenant).sort(), ['a', 'c']);
});

test('measureTake counts admitted requests per tenant from the request bucket, never refusals or calls without one', async () => {
  const u = new QuotaUsage();
  let allow = true;
  const calls: Array<[BucketSpec | undefined, BucketSpec | undefined]> = [];
  const take = async (a: BucketSpec | undefined, b: BucketSpec | undefined): Promise<BucketResult> => {
    calls.push([a, b]);
    return { allowed: allow, refusedBy: allow ? undefined : 'requests', retryAfterMs: allow ? 0 : 50, requestTokensLeft: 0 };
  };
  const now = T0 + 500;
  const measured = measureTake(take, u, () => now);
  const keys = quotaKeys('team:a', 'gpu');
  const req = { key: keys.requests, rate: 4, burst: 4, cost: 1 };
  const time = { key: keys.time, rate: 1, burst: 1, cost: 0.01 };
  for (let i = 0; i < 4; i++) assert.equal((await measured(req, time)).allowed, true);
  allow = false;
  const refused = await measured(req, time);
  assert.deepEqual(refused, { allowed: false, refusedBy: 'requests', retryAfterMs: 50, requestTokensLeft: 0 }, 'result passed through');
  allow = true;
  await measured(undefined, time); // GPU-time quota only: no request quota to measure
  assert.equal(calls.length, 6, 'every call reaches the store');
  // 4 admitted over (10 whole slots + 0.5 s) at 4 req/s.
  assert.ok(Math.abs(ratioOf(u, 'team:a', now)! - 4 / (4 * 10.5)) < 1e-9);
  assert.equal(u.size, 1);
  assert.equal(tenantOfRequestKey('sy:v1:quota:time:acme:gpu'), undefined);
  assert.equal(tenantOfRequestKey(quotaKeys('acme', 'cpu').requests), 'acme');
});

test('exported: switchyard_gateway_ejections_total{executor,reason} counts new ejections; switchyard_quota_used_ratio{tenant}; switchyard_gateway_quota_store_up{fail_mode}', async () => {
  const tm = testMeter('gateway');
  const quota = new QuotaUsage();
  let now = T0;
  let storeUp = true;
  const m = registerGatewayMetrics(tm.meter, { quota, now: () => now, quotaStore: { up: () => storeUp, failMode: 'closed' } });
  const ej = new Ejections({ ejectMs: 3000 });
  ej.onEject = m.ejected;
  ej.eject('cpu-1', T0);
  ej.eject('cpu-1', T0 + 5); // same outage: not a new ejection
  ej.eject('gpu-1', T0 + 5);
  ej.eject('cpu-1', T0 + 4000); // lapsed, lost again
  for (let ms = 0; ms < 20_000; ms += 100) quota.record('acme', 10, T0 + ms);
  now = T0 + 20_000;
  const text = await tm.scrape();
  assert.match(text, /# TYPE switchyard_gateway_ejections_total counter/);
  assert.equal(sampleValue(text, 'switchyard_gateway_ejections_total', { executor: 'cpu-1', reason: 'executor_lost' }), 2);
  assert.equal(sampleValue(text, 'switchyard_gateway_ejections_total', { executor: 'gpu-1', reason: 'executor_lost' }), 1);
  assert.match(text, /# TYPE switchyard_quota_used_ratio gauge/);
  assert.ok(Math.abs(sampleValue(text, 'switchyard_quota_used_ratio', { tenant: 'acme' })! - 1) < 0.001);
  assert.equal(sampleValue(text, 'switchyard_gateway_quota_store_up', { fail_mode: 'closed' }), 1);
  storeUp = false;
  assert.equal(sampleValue(await tm.scrape(), 'switchyard_gateway_quota_store_up', { fail_mode: 'closed' }), 0);
  await tm.shutdown();
});

test('exported: switchyard_gateway_fair_share_wait{tenant,model,cpu_priority}: each tenant\'s waits for a slot, background forwards counted apart', async () => {
  const tm = testMeter('gateway');
  const hook = fairShareMetrics(tm.histograms);
  // quiet: 3 requests with a slot at once; heavy: 4 that waited 30 ms and went out at background
  // priority, 1 that got a slot at once before it was backlogged.
  for (let i = 0; i < 3; i++) hook('quiet', 'ocr_cls', 0, false);
  for (let i = 0; i < 4; i++) hook('heavy', 'ocr_cls', 30, true);
  hook('heavy', 'ocr_cls', 0, false);
  const text = await tm.scrape();
  assert.match(text, /# TYPE switchyard_gateway_fair_share_wait histogram/);
  const at = (tenant: string, cpu: string, name = 'switchyard_gateway_fair_share_wait_count', le?: string) =>
    sampleValue(text, name, { tenant, model: 'ocr_cls', cpu_priority: cpu, ...(le ? { le } : {}) });
  assert.equal(at('quiet', 'normal'), 3);
  assert.equal(at('quiet', 'background'), undefined, 'the quiet tenant never ran at background priority');
  assert.equal(at('heavy', 'background'), 4);
  assert.equal(at('heavy', 'normal'), 1);
  assert.ok(Math.abs(at('heavy', 'background', 'switchyard_gateway_fair_share_wait_sum')! - 0.12) < 1e-9);
  // A slot at once lands in the first bucket; a 30 ms wait above 25 ms.
  assert.equal(at('quiet', 'normal', 'switchyard_gateway_fair_share_wait_bucket', '0.0001'), 3);
  assert.equal(at('heavy', 'background', 'switchyard_gateway_fair_share_wait_bucket', '0.025'), 0);
  assert.equal(at('heavy', 'background', 'switchyard_gateway_fair_share_wait_bucket', '0.05'), 4);
  await tm.shutdown();
});
