// Policy administration: the document lives in Redis (sy:v1:policy:document, owner policy, no
// TTL: it is the source of truth, not a cache), every change is published as a versioned bundle
// to the NATS KV bucket sy-policy (key bundle) that gateways watch, and audited on SY_AUDIT.
import { randomUUID, createHash } from 'node:crypto';
import type { KV, JetStreamClient } from 'nats';
import type { Redis } from '@switchyard/store';
import { redisKey } from '@switchyard/store';
import type { Logger } from '@switchyard/log';
import { parsePolicy, PolicyError, POLICY_KEY, AUDIT_SUBJECTS } from '@switchyard/policy-engine';
import { codec } from '@switchyard/proto';
import type { AuditEvent, AuditEvent__Output, PolicyBundle, PolicyBundle__Output } from '@switchyard/proto';

export const POLICY_DOC_KEY = redisKey('policy', 'document');

const bundleCodec = codec<PolicyBundle, PolicyBundle__Output>('switchyard.policy.v1.PolicyBundle');
const auditCodec = codec<AuditEvent, AuditEvent__Output>('switchyard.policy.v1.AuditEvent');

// Bump the version and replace the document in one atomic step.
const STORE_SCRIPT = `
local v = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('HSET', KEYS[1], 'source', ARGV[1], 'json', ARGV[2], 'sha256', ARGV[3], 'applied_at_ms', ARGV[4], 'applied_by', ARGV[5])
return v
`;

export interface StoredPolicy { version: number; source: string; json: string; sha256: string; appliedAtMs: number; appliedBy: string }

export class PolicyAdmin {
  private readonly redis: Redis;
  private readonly kv: KV;
  private readonly js: JetStreamClient;
  private readonly log: Logger;

  constructor(opts: { redis: Redis; kv: KV; js: JetStreamClient; log: Logger }) {
    this.redis = opts.redis;
    this.kv = opts.kv;
    this.js = opts.js;
    this.log = opts.log;
    this.redis.defineCommand('syPolicyStore', { numberOfKeys: 1, lua: STORE_SCRIPT });
  }

  async get(): Promise<StoredPolicy | undefined> {
    const h = await this.redis.hgetall(POLICY_DOC_KEY);
    if (!h.version) return undefined;
    return { version: Number(h.version), source: h.source ?? '', json: h.json ?? '{}', sha256: h.sha256 ?? '', appliedAtMs: Number(h.applied_at_ms ?? 0), appliedBy: h.applied_by ?? '' };
  }

  /** Validates (throws PolicyError naming the path), stores, publishes, audits. */
  async apply(source: string, actor: string): Promise<StoredPolicy> {
    const doc = parsePolicy(source);
    const json = JSON.stringify(doc);
    const sha256 = createHash('sha256').update(json).digest('hex');
    const at = Date.now();
    const version = Number(await (this.redis as unknown as { syPolicyStore(k: string, ...a: string[]): Promise<number> }).syPolicyStore(POLICY_DOC_KEY, source, json, sha256, String(at), actor));
    const stored = { version, source, json, sha256, appliedAtMs: at, appliedBy: actor };
    await this.publish(stored);
    this.log.info({ version, sha256, actor, tenants: Object.keys(doc.tenants).length }, 'policy applied');
    await this.audit({ id: randomUUID(), at_ms: at, kind: 'admin', actor, tenant: '', rule: 'policy', decision: 'apply', code: 'OK', reason: `policy version ${version} applied (sha256 ${sha256.slice(0, 12)}, tenants: ${Object.keys(doc.tenants).sort().join(', ') || 'none'})`, trace_id: '', model: '', request_id: '', policy_version: version, source: 'policy' });
    return stored;
  }

  /** Publishes the stored document as the current bundle (at start: the KV may have been lost). */
  async publish(p: StoredPolicy): Promise<void> {
    await this.kv.put(POLICY_KEY, bundleCodec.encode({ version: p.version, document_json: p.json, sha256: p.sha256, applied_at_ms: p.appliedAtMs, applied_by: p.appliedBy }));
  }

  /** Re-publishes the stored policy when the KV holds an older version (or none). */
  async republishIfStale(): Promise<number | undefined> {
    const p = await this.get();
    if (!p) return undefined;
    const e = await this.kv.get(POLICY_KEY);
    const cur = e && e.value.length > 0 ? bundleCodec.decode(e.value).version : -1;
    if (cur < p.version) await this.publish(p);
    return p.version;
  }

  async audit(ev: AuditEvent): Promise<void> {
    try {
      await this.js.publish(AUDIT_SUBJECTS.admin, auditCodec.encode(ev), { msgID: ev.id as string });
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 'audit record not written');
    }
  }
}

export { PolicyError };
