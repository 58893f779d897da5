import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MainThreadPriority, type PriorityOps } from './cpu-priority.ts';

/** A thread's nice value as the kernel keeps it: lowering priority is always allowed; raising it only with `canRaise`. */
function thread(canRaise: boolean, start = 0): PriorityOps & { nice: number; calls: number[]; timers: Array<{ fn: () => void; ms: number; cancelled: boolean }>; fire(): void } {
  const t = {
    nice: start,
    calls: [] as number[],
    timers: [] as Array<{ fn: () => void; ms: number; cancelled: boolean }>,
    schedule: (fn: () => void, ms: number) => {
      const e = { fn, ms, cancelled: false };
      t.timers.push(e);
      return () => { e.cancelled = true; };
    },
    fire: () => { for (const e of t.timers.splice(0)) if (!e.cancelled) e.fn(); },
    get: () => t.nice,
    set: (n: number) => {
      if (n < t.nice && !canRaise) throw new Error('EACCES');
      t.calls.push(n);
      t.nice = n;
    },
  };
  return t;
}

test('the main thread drops to the background nice value while only background requests are in flight, and between them until idle', () => {
  const t = thread(true);
  const p = new MainThreadPriority(10, t, 1000);
  assert.equal(p.enabled, true);
  assert.equal(t.nice, 0, 'the probe leaves it where it was');
  p.enter('background');
  assert.equal(t.nice, 10);
  p.enter('background');
  p.enter('foreground');
  assert.equal(t.nice, 0, 'a foreground request in flight: normal priority at once');
  p.leave('foreground');
  assert.equal(t.nice, 10);
  p.leave('background');
  p.leave('background');
  assert.equal(t.nice, 10, 'held between requests (the next one is received in the gap)');
  assert.deepEqual(t.timers.map((e) => e.ms), [1000]);
  // The next background request comes before the hold ends: still lowered, the timer cancelled.
  p.enter('background');
  p.leave('background');
  assert.equal(t.timers.filter((e) => !e.cancelled).length, 1);
  t.fire();
  assert.equal(t.nice, 0, 'idle for holdMs: normal priority');
  // Idle at normal priority: a foreground request changes nothing.
  p.enter('foreground');
  p.leave('foreground');
  assert.equal(t.nice, 0);
  assert.equal(p.changes, 4);
});

test('without the right to raise its priority again the thread is left alone', () => {
  const t = thread(false);
  const p = new MainThreadPriority(10, t);
  assert.equal(p.enabled, false);
  p.enter('background');
  assert.equal(t.nice, 0);
  assert.deepEqual(t.calls, []);
  // A process started at the background value or lower has nothing to do either.
  assert.equal(new MainThreadPriority(10, thread(true, 10)).enabled, false);
});
