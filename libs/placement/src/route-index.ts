// Index of a PlacementTable for the per-request fast path: built once per received table, then
// each request looks up only its route's candidates (no scan over the whole table). Lookups are
// nested Maps (no key strings built per request). Region-narrowed candidate lists are memoised per
// (route, region prefix) on first use, so a region-pinned request only sees that region's executors.
import type { PlacementTable__Output } from '@switchyard/proto';
import type { Candidate } from './types.ts';
import { regionMatches } from './plugins/region.ts';
import { warmCandidate } from './predict.ts';

interface Route {
  candidates: Candidate[];
  byRegion: Map<string, Candidate[]>;
}

export class RouteIndex {
  readonly version: number;
  readonly generatedAtMs: number;
  #routes = new Map<string, Map<string, Route>>();
  #latest = new Map<string, string>();

  constructor(table: PlacementTable__Output) {
    this.version = Number(table.version ?? 0);
    this.generatedAtMs = Number(table.generated_at_ms ?? 0);
    for (const r of table.routes ?? []) {
      let versions = this.#routes.get(r.model_name);
      if (versions === undefined) { versions = new Map(); this.#routes.set(r.model_name, versions); }
      const existing = versions.get(r.model_version);
      if (existing !== undefined) existing.candidates.push(...(r.candidates ?? []));
      else versions.set(r.model_version, { candidates: [...(r.candidates ?? [])], byRegion: new Map() });
    }
    for (const versions of this.#routes.values()) for (const r of versions.values()) for (const c of r.candidates) warmCandidate(c);
    for (const [model, version] of Object.entries(table.latest_versions ?? {})) this.#latest.set(model, version);
  }

  /** The latest version of `model` that some executor serves (from the table), if any. */
  latestVersion(model: string): string | undefined {
    return this.#latest.get(model);
  }

  #route(model: string, version: string): Route | undefined {
    const versions = this.#routes.get(model);
    if (versions === undefined) return undefined;
    const v = version === '' ? this.#latest.get(model) : version;
    return v === undefined ? undefined : versions.get(v);
  }

  /** Candidates of (model, version); version '' means the latest version. undefined = no such route. */
  routeFor(model: string, version: string): Candidate[] | undefined {
    return this.#route(model, version)?.candidates;
  }

  /**
   * Candidates of (model, version) already narrowed to a region prefix (same rule as the region
   * filter), memoised. The placer's region filter still runs; this only shortens the scan.
   */
  candidatesFor(model: string, version: string, region?: string): Candidate[] | undefined {
    const route = this.#route(model, version);
    if (route === undefined) return undefined;
    if (region === undefined || region === '') return route.candidates;
    let list = route.byRegion.get(region);
    if (list === undefined) {
      list = route.candidates.filter((c) => regionMatches(region, c.region));
      route.byRegion.set(region, list);
    }
    return list;
  }

  /** Model names with at least one route. */
  models(): string[] {
    return [...this.#routes.keys()];
  }

  /** Versions of `model` with a route. */
  versions(model: string): string[] {
    return [...(this.#routes.get(model)?.keys() ?? [])];
  }
}

export function indexTable(table: PlacementTable__Output): RouteIndex {
  return new RouteIndex(table);
}
