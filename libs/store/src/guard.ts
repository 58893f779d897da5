// A quota store that fails fast: every call is bounded by `timeoutMs`, and after a failure the
// store is not asked again for `openMs` (each call in that time fails at once, naming the last
// error), then one call at a time probes it. Without this a Redis that stops answering but keeps
// its connections open (a paused process, a network partition) would hold every request that
// needs a lease until the caller's deadline, in either quota fail mode; with it the gateway's
// quotaFailMode decides within `timeoutMs`. Clock and timers are passed in.
import type { LeaseStore } from './leases.ts';

export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

export interface GuardOptions {
  /** Longest wait for one call (ms). */
  timeoutMs: number;
  /** How long calls fail at once after a failure (ms). */
  openMs: number;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => () => void;
  /** Told when the store goes from answering to failing, and back. */
  onChange?: (up: boolean, err?: Error) => void;
}

const defaultTimer = (fn: () => void, ms: number): (() => void) => {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
};

export function guardStore(store: LeaseStore, o: GuardOptions): LeaseStore & { readonly up: boolean } {
  const now = o.now ?? Date.now;
  const setTimer = o.setTimer ?? defaultTimer;
  let openUntil = 0;
  let lastError: Error | undefined;
  let probing = false;

  async function guarded<T>(call: () => Promise<T>): Promise<T> {
    const t = now();
    if (lastError && (t < openUntil || probing)) {
      throw new StoreUnavailableError(`quota store unavailable (${lastError.message}); ${t < openUntil ? `not asked again for ${openUntil - t} ms` : 'being probed'}`);
    }
    const wasDown = lastError !== undefined;
    if (wasDown) probing = true;
    let cancel: () => void = () => {};
    try {
      const r = await Promise.race([
        call(),
        new Promise<never>((_, reject) => { cancel = setTimer(() => reject(new StoreUnavailableError(`quota store did not answer within ${o.timeoutMs} ms`)), o.timeoutMs); }),
      ]);
      if (wasDown) { lastError = undefined; o.onChange?.(true); }
      return r;
    } catch (e) {
      const first = lastError === undefined;
      lastError = e as Error;
      openUntil = now() + o.openMs;
      if (first) o.onChange?.(false, lastError);
      throw e;
    } finally {
      cancel();
      if (wasDown) probing = false;
    }
  }

  return {
    lease: (spec, want, need) => guarded(() => store.lease(spec, want, need)),
    giveBack: (spec, amount) => guarded(() => store.giveBack(spec, amount)),
    get up() { return lastError === undefined; },
  };
}
