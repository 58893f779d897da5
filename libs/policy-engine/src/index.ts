// @switchyard/policy-engine: the policy document (zod-validated YAML/JSON), the pure policy
// decision, and the weighted fair-share slot allocator. NATS adapters live in ./nats.
export { parsePolicy, validatePolicy, policySchema, PolicyError, MAX_PRIORITY_LEVEL, type PolicyDocument, type TenantPolicy, type QuotaPolicy } from './policy.ts';
export {
  evaluate, compileBundle, bundleFromText, bundleFromJson, matchModel,
  type Bundle, type EvalPrincipal, type EvalRequest, type Decision, type DenyCode, type QuotaLimits,
} from './evaluate.ts';
export { FairShare, QueueFullError, type Ticket, type FairShareStats } from './fair.ts';

/** NATS KV bucket and key the policy service publishes bundles to. */
export const POLICY_BUCKET = 'sy-policy';
export const POLICY_KEY = 'bundle';
/** Key of the sy-policy bucket announcing JWKS changes (SigningKeysChanged). */
export const SIGNING_KEYS_KEY = 'signing-keys';
/** JetStream stream of audit records, and its subjects. */
export const AUDIT_STREAM = 'SY_AUDIT';
export const AUDIT_SUBJECTS = { all: 'sy.v1.audit.>', deny: 'sy.v1.audit.deny', admin: 'sy.v1.audit.admin' } as const;
