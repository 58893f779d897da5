import { test } from 'node:test';
import assert from 'node:assert/strict';
import { guardStore, StoreUnavailableError } from './guard.ts';
import type { LeaseStore } from './leases.ts';

const spec = { key: 'k', rate: 10, burst: 10 };

/** A store whose behaviour is switched by the test, and timers fired by hand. */
function harness() {
  const clock = { ms: 0 };
  let mode: 'ok' | 'hang' | 'fail' = 'ok';
  let calls = 0;
  const store: LeaseStore = {
    lease: () => { calls++; return mode === 'ok' ? Promise.resolve({ granted: 1, retryAfterMs: 0 }) : mode === 'fail' ? Promise.reject(new Error('connect ECONNREFUSED')) : new Promise(() => {}); },
    giveBack: () => { calls++; return mode === 'ok' ? Promise.resolve() : new Promise(() => {}); },
  };
  const timers: Array<{ at: number; fn: () => void; live: boolean }> = [];
  const changes: string[] = [];
  const g = guardStore(store, {
    timeoutMs: 250, openMs: 1000, now: () => clock.ms,
    setTimer: (fn, ms) => { const t = { at: clock.ms + ms, fn, live: true }; timers.push(t); return () => { t.live = false; }; },
    onChange: (up, err) => changes.push(up ? 'up' : `down: ${err?.message}`),
  });
  const advance = async (ms: number) => {
    clock.ms += ms;
    for (const t of timers) if (t.live && t.at <= clock.ms) { t.live = false; t.fn(); }
    await new Promise((r) => setImmediate(r));
  };
  return { g, clock, advance, changes, set: (m: typeof mode) => { mode = m; }, calls: () => calls };
}

test('a store that stops answering: the call fails after the timeout, then calls fail at once until the probe', async () => {
  const h = harness();
  assert.deepEqual(await h.g.lease(spec, 1, 1), { granted: 1, retryAfterMs: 0 });
  h.set('hang');
  const p = h.g.lease(spec, 1, 1);
  let settled = false;
  p.catch(() => {}).finally(() => { settled = true; });
  await h.advance(249);
  assert.equal(settled, false);
  await h.advance(1);
  await assert.rejects(p, (e: Error) => e instanceof StoreUnavailableError && e.message === 'quota store did not answer within 250 ms');
  assert.equal(h.g.up, false);
  assert.deepEqual(h.changes, ['down: quota store did not answer within 250 ms']);
  // Open: no call reaches the store, each fails at once naming the cause.
  const before = h.calls();
  await assert.rejects(h.g.lease(spec, 1, 1), /^StoreUnavailableError: quota store unavailable \(quota store did not answer within 250 ms\); not asked again for 1000 ms$/);
  await assert.rejects(h.g.giveBack(spec, 1), StoreUnavailableError);
  assert.equal(h.calls(), before);
  // After openMs one probe goes through; while it is out, others still fail at once.
  h.set('ok');
  await h.advance(1000);
  const probe = h.g.lease(spec, 1, 1);
  await assert.rejects(h.g.lease(spec, 1, 1), /being probed/);
  assert.deepEqual(await probe, { granted: 1, retryAfterMs: 0 });
  assert.equal(h.g.up, true);
  assert.deepEqual(h.changes.slice(1), ['up']);
  assert.deepEqual(await h.g.lease(spec, 1, 1), { granted: 1, retryAfterMs: 0 });
});

test('a refused connection fails at once and opens the guard too; a failed probe keeps it open', async () => {
  const h = harness();
  h.set('fail');
  await assert.rejects(h.g.lease(spec, 1, 1), /ECONNREFUSED/);
  await assert.rejects(h.g.lease(spec, 1, 1), /quota store unavailable \(connect ECONNREFUSED\)/);
  await h.advance(1000);
  await assert.rejects(h.g.lease(spec, 1, 1), /ECONNREFUSED/); // the probe
  await assert.rejects(h.g.lease(spec, 1, 1), /not asked again for 1000 ms/);
  assert.equal(h.changes.length, 1);
});
