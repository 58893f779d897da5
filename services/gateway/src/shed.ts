// Overload shedding by priority. The gateway counts its own in-flight requests per route (model
// name) and compares them with the route's capacity estimate, taken from the placement table:
//   capacity = perSlot x sum over the route's usable executors of max(1, max_batch_size)
// (perSlot in-flight requests per batch slot, default 4: a full batch running, one queued, and
// headroom). Priority levels follow Triton's convention (controls.ts): level 1 is the highest and
// is never shed here — the placement filters (queue-bound, deadline) still refuse what cannot
// run. A request of level p >= 2 (requests without a priority are at the default level 2) is
// shed with RESOURCE_EXHAUSTED "shed: overload, priority p" when
//   inFlight(route) >= capacity x (1 - (p - 1) / 30)
// so the default level is shed at ~97 % of capacity and level 15 already at ~53 %: lower
// priorities go first, and the top level always gets the last of the capacity. A route with no usable
// executor (capacity unknown) sheds nothing: placement then refuses precisely.
import * as grpc from '@grpc/grpc-js';
import { StatusError } from './errors.ts';

export const DEFAULT_PER_SLOT = 4;

export function shedLimit(capacity: number, priority: number): number {
  if (priority <= 1) return Infinity;
  return capacity * (1 - (priority - 1) / 30);
}

export class LoadShedder {
  private readonly inFlight = new Map<string, number>();
  readonly perSlot: number;
  shed = 0;

  constructor(opts: { perSlot?: number } = {}) {
    this.perSlot = opts.perSlot ?? DEFAULT_PER_SLOT;
  }

  capacityOf(slots: number): number {
    return this.perSlot * slots;
  }

  current(route: string): number {
    return this.inFlight.get(route) ?? 0;
  }

  /**
   * Admits (counting the request in flight; call the returned release exactly once when it ends)
   * or throws RESOURCE_EXHAUSTED. `slots` = sum of max(1, max_batch_size) over usable executors.
   */
  enter(route: string, priority: number, slots: number): () => void {
    const n = this.current(route);
    // No usable executor known: nothing to protect here; placement answers precisely
    // (NOT_FOUND / UNAVAILABLE) instead of a misleading "overload".
    const capacity = slots > 0 ? this.capacityOf(slots) : Infinity;
    const limit = shedLimit(capacity, priority);
    if (n >= limit) {
      this.shed++;
      throw new StatusError(grpc.status.RESOURCE_EXHAUSTED, `shed: overload, priority ${priority} (${n} in flight for '${route}' >= ${Math.floor(limit)} of capacity ${capacity}; priority 1 still admitted)`);
    }
    this.inFlight.set(route, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const m = (this.inFlight.get(route) ?? 1) - 1;
      if (m <= 0) this.inFlight.delete(route); else this.inFlight.set(route, m);
    };
  }
}
