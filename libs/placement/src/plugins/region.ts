// Filter `region`: the executor's region matches the request's region prefix ('ae' matches 'ae' and
// 'ae-*', never 'aex-*' or 'eu-*') and, when given, one of the allowed regions (same prefix rule).
// A candidate without a region never satisfies a region constraint.
import type { Candidate, FilterPlugin, PlacementRequest } from '../types.ts';
import { OK } from './healthy.ts';
import { BUILTIN, builtin, KIND_REGION } from './builtin.ts';

/** True when `region` is `prefix` or starts with `prefix-`. An empty prefix matches everything. */
export function regionMatches(prefix: string, region: string): boolean {
  const p = prefix.length;
  if (p === 0) return true;
  if (region.length === p) return region === prefix;
  return region.length > p && region.charCodeAt(p) === 45 /* '-' */ && region.startsWith(prefix);
}

function allowed(list: readonly string[] | undefined, region: string): boolean {
  if (list === undefined || list.length === 0) return true;
  for (let i = 0; i < list.length; i++) if (regionMatches(list[i]!, region)) return true;
  return false;
}

export function regionOk(req: PlacementRequest, cand: Candidate): boolean {
  const r = req.region;
  if (r !== undefined && r !== '' && !regionMatches(r, cand.region)) return false;
  return allowed(req.allowedRegions, cand.region);
}

export function regionFilter(): FilterPlugin {
  const check = regionOk;
  return builtin({
    [BUILTIN]: { kind: KIND_REGION, param: 0 },
    name: 'region',
    failCode: 'FAILED_PRECONDITION',
    check,
    passesAll: (req) => (req.region === undefined || req.region === '') && (req.allowedRegions === undefined || req.allowedRegions.length === 0),
    filter(req, cand) {
      const r = req.region;
      if (r !== undefined && r !== '' && !regionMatches(r, cand.region)) {
        return { ok: false, reason: `region '${cand.region}' does not match the required region prefix '${r}' (rule: '${r}' or '${r}-*')` };
      }
      if (!allowed(req.allowedRegions, cand.region)) {
        return { ok: false, reason: `region '${cand.region}' is not in the allowed regions [${req.allowedRegions!.join(', ')}]` };
      }
      return OK;
    },
    explainFailure(req, rejected) {
      const seen = [...new Set(rejected.map((c) => c.region || '(none)'))].sort().join(', ');
      const rules: string[] = [];
      if (req.region) rules.push(`region prefix '${req.region}' ('${req.region}' or '${req.region}-*')`);
      if (req.allowedRegions?.length) rules.push(`allowed regions [${req.allowedRegions.join(', ')}]`);
      return `no executor for ${req.model}:${req.version} satisfies the region rule: ${rules.join(' and ')}; executors are in: ${seen}`;
    },
  });
}
