// The policy document: tenants, roles, model access, priority ceilings, quotas, fair-share
// weights and data residency. Parsed from YAML or JSON and validated with zod; every error
// names the path of the offending value (e.g. `tenants.acme.quota.burst`).
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** Triton's convention: level 1 is the highest priority, larger numbers are lower. */
export const MAX_PRIORITY_LEVEL = 15;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;
const name = z.string().regex(NAME, 'must be 1-128 characters of [A-Za-z0-9._:@-]');
/** `model`, `model@version`, globs with `*` and `?` in either part. */
const modelPattern = z.string().regex(/^[A-Za-z0-9._*?-]+(@[A-Za-z0-9._*?-]+)?$/, "must be 'model' or 'model@version' (globs * and ? allowed)");
/** A region prefix: 'ae' matches 'ae' and 'ae-*'. */
const regionPrefix = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "must be a region prefix like 'ae' or 'eu-west'");
const priorityLevel = z.number().int().min(1).max(MAX_PRIORITY_LEVEL);

const quotaSchema = z.strictObject({
  /** Sustained requests per second (token-bucket refill rate). */
  requestsPerSecond: z.number().positive().optional(),
  /** Bucket size in requests (default: one second's worth, at least 1). */
  burst: z.number().positive().optional(),
  /** Sustained GPU executor seconds per second (charged with the predicted time of each request placed on a GPU). */
  gpuSecondsPerSecond: z.number().positive().optional(),
  /** Bucket size in GPU seconds (default: one second's worth). */
  gpuBurstSeconds: z.number().positive().optional(),
});

const roleSchema = z.strictObject({
  /** The highest priority (lowest level number) a holder of this role may ask for. */
  maxPriority: priorityLevel.optional(),
  /** Extra model patterns a holder of this role may call (on top of the tenant's). */
  models: z.array(modelPattern).optional(),
});

const tenantSchema = z.strictObject({
  /** Model patterns the tenant may call; none = no model. */
  models: z.array(modelPattern).default([]),
  /** The highest priority (lowest level number) the tenant may ask for; default 2 (the default level). */
  maxPriority: priorityLevel.optional(),
  /** Fair-share weight under contention (default 1). */
  weight: z.number().positive().max(1000).default(1),
  quota: quotaSchema.optional(),
  /** Classification of this tenant's data when a request names none (overrides defaults.classification). */
  classification: name.optional(),
  /** Per-role overrides inside this tenant. */
  roles: z.record(name, roleSchema).optional(),
});

export const policySchema = z.strictObject({
  /** Schema version of the document. */
  apiVersion: z.literal('switchyard.policy/v1').default('switchyard.policy/v1'),
  defaults: z
    .strictObject({
      classification: name.optional(),
      maxPriority: priorityLevel.default(2),
    })
    .default({ maxPriority: 2 }),
  /** Roles valid for every tenant. */
  roles: z.record(name, roleSchema).default({}),
  tenants: z.record(name, tenantSchema).default({}),
  /** Data classification -> allowed region prefixes; an empty list = any region. */
  residency: z.record(name, z.array(regionPrefix)).default({}),
});

export type PolicyDocument = z.infer<typeof policySchema>;
export type TenantPolicy = PolicyDocument['tenants'][string];
export type QuotaPolicy = NonNullable<TenantPolicy['quota']>;

export class PolicyError extends Error {
  override name = 'PolicyError';
  /** Each problem as `path: message`. */
  readonly issues: string[];
  constructor(issues: string[]) {
    super(`invalid policy: ${issues.join('; ')}`);
    this.issues = issues;
  }
}

function pathOf(p: readonly PropertyKey[]): string {
  return p.length === 0 ? '(document)' : p.map(String).join('.');
}

/** Parse and validate a policy document (YAML, or JSON which is YAML). Throws PolicyError naming every bad path. */
export function parsePolicy(text: string): PolicyDocument {
  if (text.length > 1_000_000) throw new PolicyError(['(document): larger than 1 MB']);
  let raw: unknown;
  try {
    raw = parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    throw new PolicyError([`(document): not valid YAML/JSON: ${(e as Error).message.split('\n')[0]}`]);
  }
  if (raw === null || raw === undefined) raw = {};
  return validatePolicy(raw);
}

/** Validate an already-parsed document. */
export function validatePolicy(raw: unknown): PolicyDocument {
  const r = policySchema.safeParse(raw);
  if (!r.success) throw new PolicyError(r.error.issues.map((i) => `${pathOf(i.path)}: ${i.message}`));
  const doc = r.data;
  const issues: string[] = [];
  const classes = new Set(Object.keys(doc.residency));
  if (doc.defaults.classification !== undefined && !classes.has(doc.defaults.classification)) {
    issues.push(`defaults.classification: '${doc.defaults.classification}' has no residency rule`);
  }
  for (const [t, tp] of Object.entries(doc.tenants)) {
    if (tp.classification !== undefined && !classes.has(tp.classification)) issues.push(`tenants.${t}.classification: '${tp.classification}' has no residency rule`);
    const q = tp.quota;
    if (q?.burst !== undefined && q.requestsPerSecond === undefined) issues.push(`tenants.${t}.quota.burst: needs requestsPerSecond`);
    if (q?.gpuBurstSeconds !== undefined && q.gpuSecondsPerSecond === undefined) issues.push(`tenants.${t}.quota.gpuBurstSeconds: needs gpuSecondsPerSecond`);
  }
  if (issues.length) throw new PolicyError(issues);
  return doc;
}
