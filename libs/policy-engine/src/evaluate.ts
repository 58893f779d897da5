// The pure policy decision: given a compiled bundle and one request (who, which model and
// version, which data classification, which priority), allow or refuse, and say which rule
// decided, which regions the request may run in, and which quota applies. No clock, no I/O.
import { createHash } from 'node:crypto';
import { parsePolicy, validatePolicy, type PolicyDocument, type QuotaPolicy } from './policy.ts';

export interface Bundle {
  /** Monotonic version assigned by the policy service (0 = built locally, e.g. tests). */
  version: number;
  sha256: string;
  doc: PolicyDocument;
  /** Compiled model patterns (glob -> RegExp), one per distinct pattern. */
  patterns: Map<string, { name: RegExp; version: RegExp | undefined }>;
}

export interface EvalPrincipal {
  tenant: string;
  roles: readonly string[];
  subject?: string;
}

export interface EvalRequest {
  principal: EvalPrincipal;
  model: string;
  /** The concrete version ('' when unknown: only version-less patterns match). */
  version: string;
  /** The request's data classification; none = the tenant's (or the policy's) default. */
  classification?: string;
  /** Triton priority level, 1 (highest) .. 15. */
  priority: number;
}

export type DenyCode = 'PERMISSION_DENIED' | 'FAILED_PRECONDITION' | 'INVALID_ARGUMENT';

export interface QuotaLimits {
  requestsPerSecond?: number;
  burst?: number;
  gpuSecondsPerSecond?: number;
  gpuBurstSeconds?: number;
}

export interface Decision {
  allow: boolean;
  code?: DenyCode;
  /** The rule that decided, as a path into the document (e.g. `tenants.acme.models`). */
  rule: string;
  reason: string;
  /** Region prefixes the request may run in; undefined = any region. */
  allowedRegions?: string[];
  /** The classification in force (the request's or the default), if any. */
  classification?: string;
  /** The residency rule that set allowedRegions (`residency.<classification>`). */
  residencyRule?: string;
  quota: QuotaLimits;
  /** Fair-share weight of the tenant. */
  weight: number;
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** A bundle from a validated document: patterns compiled once, not per request. */
export function compileBundle(doc: PolicyDocument, version = 0, hash?: string): Bundle {
  const patterns = new Map<string, { name: RegExp; version: RegExp | undefined }>();
  const add = (p: string) => {
    if (patterns.has(p)) return;
    const at = p.indexOf('@');
    patterns.set(p, at < 0 ? { name: globToRegExp(p), version: undefined } : { name: globToRegExp(p.slice(0, at)), version: globToRegExp(p.slice(at + 1)) });
  };
  for (const r of Object.values(doc.roles)) for (const p of r.models ?? []) add(p);
  for (const t of Object.values(doc.tenants)) {
    for (const p of t.models) add(p);
    for (const r of Object.values(t.roles ?? {})) for (const p of r.models ?? []) add(p);
  }
  return { version, sha256: hash ?? sha256(JSON.stringify(doc)), doc, patterns };
}

/** Parse, validate and compile in one step (YAML or JSON text). */
export function bundleFromText(text: string, version = 0): Bundle {
  return compileBundle(parsePolicy(text), version);
}

/** A bundle from the JSON a policy service published (validated again: never trust the wire). */
export function bundleFromJson(json: string, version: number, hash?: string): Bundle {
  return compileBundle(validatePolicy(JSON.parse(json)), version, hash);
}

export function matchModel(b: Bundle, pattern: string, model: string, version: string): boolean {
  const c = b.patterns.get(pattern);
  if (!c) return false;
  if (!c.name.test(model)) return false;
  if (c.version === undefined) return true;
  return version !== '' && c.version.test(version);
}

function deny(code: DenyCode, rule: string, reason: string, weight = 1): Decision {
  return { allow: false, code, rule, reason, quota: {}, weight };
}

export function evaluate(b: Bundle, req: EvalRequest): Decision {
  const { doc } = b;
  const t = req.principal.tenant;
  const tp = Object.hasOwn(doc.tenants, t) ? doc.tenants[t] : undefined;
  if (!tp) return deny('PERMISSION_DENIED', 'tenants', `tenant '${t}' is not in the policy (version ${b.version})`);
  const weight = tp.weight;

  // Roles the principal holds: global role definitions, then the tenant's overrides.
  const roleDefs: Array<{ rule: string; maxPriority?: number; models?: string[] }> = [];
  for (const r of req.principal.roles) {
    if (Object.hasOwn(doc.roles, r)) roleDefs.push({ rule: `roles.${r}`, ...doc.roles[r]! });
    if (tp.roles && Object.hasOwn(tp.roles, r)) roleDefs.push({ rule: `tenants.${t}.roles.${r}`, ...tp.roles[r]! });
  }

  // Model access.
  const versionText = req.version ? `${req.model}@${req.version}` : req.model;
  let accessRule: string | undefined;
  for (const p of tp.models) {
    if (matchModel(b, p, req.model, req.version)) { accessRule = `tenants.${t}.models[${p}]`; break; }
  }
  if (!accessRule) {
    for (const rd of roleDefs) {
      for (const p of rd.models ?? []) {
        if (matchModel(b, p, req.model, req.version)) { accessRule = `${rd.rule}.models[${p}]`; break; }
      }
      if (accessRule) break;
    }
  }
  if (!accessRule) return deny('PERMISSION_DENIED', `tenants.${t}.models`, `tenant '${t}' may not call model '${versionText}'`, weight);

  // Priority ceiling: the most generous of the tenant's (or default) and the held roles'.
  let maxPriority = tp.maxPriority ?? doc.defaults.maxPriority;
  let priorityRule = tp.maxPriority !== undefined ? `tenants.${t}.maxPriority` : 'defaults.maxPriority';
  for (const rd of roleDefs) {
    if (rd.maxPriority !== undefined && rd.maxPriority < maxPriority) { maxPriority = rd.maxPriority; priorityRule = `${rd.rule}.maxPriority`; }
  }
  if (req.priority < maxPriority) {
    return deny('PERMISSION_DENIED', priorityRule, `priority ${req.priority} is above the highest priority tenant '${t}' may use (${maxPriority}; 1 is the highest)`, weight);
  }

  // Residency.
  const classification = req.classification || tp.classification || doc.defaults.classification;
  let allowedRegions: string[] | undefined;
  let residencyRule: string | undefined;
  if (classification) {
    if (!Object.hasOwn(doc.residency, classification)) {
      return deny('INVALID_ARGUMENT', 'residency', `unknown data classification '${classification}' (known: ${Object.keys(doc.residency).sort().join(', ') || 'none'})`, weight);
    }
    const regions = doc.residency[classification]!;
    residencyRule = `residency.${classification}`;
    if (regions.length > 0) allowedRegions = [...regions];
  }

  const quota: QuotaLimits = {};
  const q: QuotaPolicy | undefined = tp.quota;
  if (q?.requestsPerSecond !== undefined) {
    quota.requestsPerSecond = q.requestsPerSecond;
    quota.burst = q.burst ?? Math.max(1, q.requestsPerSecond);
  }
  if (q?.gpuSecondsPerSecond !== undefined) {
    quota.gpuSecondsPerSecond = q.gpuSecondsPerSecond;
    quota.gpuBurstSeconds = q.gpuBurstSeconds ?? q.gpuSecondsPerSecond;
  }
  const d: Decision = { allow: true, rule: accessRule, reason: `allowed by ${accessRule}`, quota, weight };
  if (allowedRegions) d.allowedRegions = allowedRegions;
  if (classification) d.classification = classification;
  if (residencyRule) d.residencyRule = residencyRule;
  return d;
}
