// NATS adapters shared by the policy service (writer) and the gateway (reader): the policy KV
// bucket and the audit stream, opened with one configuration so whichever process starts first
// creates them identically.
import type { JetStreamClient, JetStreamManager, KV } from 'nats';
import { RetentionPolicy, StorageType } from 'nats';
import { AUDIT_STREAM, AUDIT_SUBJECTS, POLICY_BUCKET } from './index.ts';

/** Opens (creating if needed) the `sy-policy` KV bucket: file storage, last 5 bundles kept. */
export function openPolicyKv(js: JetStreamClient): Promise<KV> {
  return js.views.kv(POLICY_BUCKET, { history: 5, storage: StorageType.File, description: 'Switchyard policy bundles (key: bundle)' });
}

/** Audit records are kept 30 days (or 1 GiB, oldest dropped first). */
export const AUDIT_MAX_AGE_NS = 30 * 24 * 3600 * 1e9;

/** Creates the SY_AUDIT stream (subjects sy.v1.audit.>) when it does not exist. */
export async function ensureAuditStream(jsm: JetStreamManager): Promise<void> {
  try {
    await jsm.streams.info(AUDIT_STREAM);
    return;
  } catch {
    // not there yet
  }
  try {
    await jsm.streams.add({
      name: AUDIT_STREAM, subjects: [AUDIT_SUBJECTS.all], retention: RetentionPolicy.Limits, storage: StorageType.File,
      max_age: AUDIT_MAX_AGE_NS, max_bytes: 1024 * 1024 * 1024, duplicate_window: 120 * 1e9,
    });
  } catch (e) {
    // Another process created it between our two calls.
    if (!/already in use|exists/i.test((e as Error).message)) throw e;
  }
}
