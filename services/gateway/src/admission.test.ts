import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import { createLogger } from '@switchyard/log';
import { bundleFromText } from '@switchyard/policy-engine';
import type { AuditEvent, ModelInferRequest__Output } from '@switchyard/proto';
import type { Decision as PlacementDecision } from '@switchyard/placement';
import { Admission, PolicyDenied, type AdmissionOptions } from './admission.ts';

const log = createLogger({ service: 'admission-test', destination: new Writable({ write(_c, _e, cb) { cb(); } }) as never });
const principal = { tenant: 'acme', subject: 'alice', roles: [], expiresAt: 0 };
const ctl = { priority: 2, poolPreference: 'auto' as const, deadlineAtMs: undefined };
const ctx = { requestId: 'r1', traceId: 't1' };
const req = (params: Record<string, unknown> = {}): ModelInferRequest__Output => ({ model_name: 'mlp', model_version: '1', id: '', parameters: params, inputs: [], outputs: [], raw_input_contents: [] }) as unknown as ModelInferRequest__Output;
const gpuPlacement = { placed: true, predictedMs: 250, candidate: { pool: 'POOL_GPU' } } as unknown as PlacementDecision;

function make(over: Partial<AdmissionOptions> = {}): { a: Admission; audits: AuditEvent[] } {
  const audits: AuditEvent[] = [];
  const a = new Admission({
    log, quotaFailMode: 'open', tenantRps: 100, policyRequired: false, fairPerExecutor: 0, executorsFor: () => 1,
    resolveVersion: (_m, v) => v, audit: (e) => audits.push(e), gatewayId: 'gw-test', ...over,
  });
  return { a, audits };
}

test('no policy yet: open by default (legacy per-tenant rps), or UNAVAILABLE with policyRequired; classification needs a policy', () => {
  const { a } = make();
  assert.equal(a.admit(principal, req(), ctl, ctx).allowedRegions, undefined);
  assert.throws(() => a.admit(principal, req({ data_classification: { parameter_choice: 'string_param', string_param: 'pii-ae' } }), ctl, ctx),
    (e: unknown) => e instanceof PolicyDenied && e.code === grpc.status.FAILED_PRECONDITION);
  const strict = make({ policyRequired: true }).a;
  assert.throws(() => strict.admit(principal, req(), ctl, ctx), (e: unknown) => e instanceof PolicyDenied && e.code === grpc.status.UNAVAILABLE);
});

test('bundles: newer versions replace older ones; decisions come from the bundle; bad parameters are INVALID_ARGUMENT', () => {
  const { a } = make();
  assert.equal(a.setBundle(bundleFromText('tenants: { acme: { models: [mlp] } }\nresidency: { pii-ae: [ae] }', 2)), true);
  assert.equal(a.setBundle(bundleFromText('tenants: {}', 1)), false, 'an older bundle is ignored');
  assert.equal(a.policyVersion, 2);
  const ok = a.admit(principal, req({ data_classification: { parameter_choice: 'string_param', string_param: 'pii-ae' } }), ctl, ctx);
  assert.deepEqual([ok.allowedRegions, ok.residencyRule], [['ae'], 'residency.pii-ae']);
  assert.throws(() => a.admit(principal, req({ data_classification: { parameter_choice: 'int64_param', int64_param: 3 } }), ctl, ctx),
    (e: unknown) => (e as PolicyDenied).code === grpc.status.INVALID_ARGUMENT && /data_classification' must be a string/.test((e as Error).message));
  a.setBundle(bundleFromText('tenants: { acme: { models: [] } }', 3));
  assert.throws(() => a.admit(principal, req(), ctl, ctx), (e: unknown) => e instanceof PolicyDenied && e.rule === 'tenants.acme.models');
});

test('quota store unreachable: quotaFailMode open admits, closed refuses with UNAVAILABLE', async () => {
  const down = async () => { throw new Error('connect ECONNREFUSED'); };
  const open = make({ take: down }).a;
  await open.admit(principal, req(), ctl, ctx).charge(gpuPlacement);
  assert.equal(open.counts.quotaStoreErrors, 1);
  const closed = make({ take: down, quotaFailMode: 'closed' }).a;
  await assert.rejects(closed.admit(principal, req(), ctl, ctx).charge(gpuPlacement), (e: unknown) => e instanceof PolicyDenied && e.code === grpc.status.UNAVAILABLE && /quotaFailMode=closed/.test(e.message));
});

test('quota charge: the predicted GPU time goes to the tenant x gpu bucket; a refusal carries retry-after-ms and is audited', async () => {
  const calls: unknown[][] = [];
  const { a, audits } = make({ take: async (r, t) => { calls.push([r, t]); return { allowed: false, refusedBy: 'executor-time', retryAfterMs: 420, requestTokensLeft: 0 }; } });
  a.setBundle(bundleFromText('tenants: { acme: { models: [mlp], quota: { requestsPerSecond: 10, gpuSecondsPerSecond: 0.5 } } }', 1));
  const adm = a.admit(principal, req(), ctl, ctx);
  let denied: PolicyDenied | undefined;
  await assert.rejects(adm.charge(gpuPlacement), (e: unknown) => { denied = e as PolicyDenied; return true; });
  assert.equal(denied!.code, grpc.status.RESOURCE_EXHAUSTED);
  assert.equal(denied!.rule, 'quota.gpuSecondsPerSecond');
  assert.equal(denied!.metadata!.get('retry-after-ms')[0], '420');
  assert.match(denied!.message, /over its GPU time quota of 0\.5 GPU-seconds per second/);
  assert.deepEqual(calls[0], [
    { key: 'sy:v1:quota:req:acme', rate: 10, burst: 10, cost: 1 },
    { key: 'sy:v1:quota:time:acme:gpu', rate: 0.5, burst: 0.5, cost: 0.25 },
  ]);
  a.auditDeny(principal, denied!, 'mlp', ctx);
  assert.deepEqual({ kind: audits[0]!.kind, tenant: audits[0]!.tenant, actor: audits[0]!.actor, rule: audits[0]!.rule, code: audits[0]!.code, trace_id: audits[0]!.trace_id, policy_version: audits[0]!.policy_version },
    { kind: 'deny', tenant: 'acme', actor: 'alice', rule: 'quota.gpuSecondsPerSecond', code: 'RESOURCE_EXHAUSTED', trace_id: 't1', policy_version: 1 });
});

test('fair share: beyond the model capacity a request waits for its turn; a deadline ends the wait', async () => {
  const { a } = make({ fairPerExecutor: 1, executorsFor: () => 1 });
  a.setBundle(bundleFromText('tenants: { acme: { models: [mlp] } }', 1));
  const first = a.admit(principal, req(), ctl, ctx);
  await first.waitTurn();
  const second = a.admit(principal, req(), { ...ctl, deadlineAtMs: Date.now() + 50 }, ctx);
  await assert.rejects(second.waitTurn(), (e: unknown) => (e as PolicyDenied).code === grpc.status.DEADLINE_EXCEEDED);
  second.release();
  const third = a.admit(principal, req(), ctl, ctx);
  let got = false;
  const p = third.waitTurn().then(() => { got = true; });
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(got, false, 'waits while the slot is taken');
  first.release();
  await p;
  assert.equal(got, true);
  third.release();
  assert.equal(a.fair.stats('mlp').inFlight, 0);
});

test('fair share: the slots per executor are handed to placement (none when fair sharing is off)', () => {
  assert.equal(make({ fairPerExecutor: 1 }).a.admit(principal, req(), ctl, ctx).slotsPerExecutor, 1);
  assert.equal(make({ fairPerExecutor: 2.5 }).a.admit(principal, req(), ctl, ctx).slotsPerExecutor, 3);
  assert.equal(make({ fairPerExecutor: 0 }).a.admit(principal, req(), ctl, ctx).slotsPerExecutor, undefined);
});

test('fair share: a request of a tenant over its share while another tenant is active runs at background CPU priority', async () => {
  const { a } = make({ fairPerExecutor: 1, executorsFor: () => 2 });
  a.setBundle(bundleFromText('tenants: { acme: { models: [mlp] }, quiet: { models: [mlp] } }', 1));
  const quiet = { ...principal, tenant: 'quiet' };
  // acme alone holds both slots and queues a third request: nobody to yield to.
  const heavy = [a.admit(principal, req(), ctl, ctx), a.admit(principal, req(), ctl, ctx)];
  for (const h of heavy) await h.waitTurn();
  const waiting = a.admit(principal, req(), ctl, ctx);
  const turn = waiting.waitTurn();
  assert.deepEqual(heavy.map((h) => h.background()), [false, false]);
  // quiet arrives (and waits: acme holds both slots): acme is now over its share of 1.
  const q = a.admit(quiet, req(), ctl, ctx);
  const qTurn = q.waitTurn();
  assert.deepEqual(heavy.map((h) => h.background()), [true, true]);
  assert.equal(q.background(), false);
  heavy[0]!.release();
  await qTurn;
  assert.equal(q.background(), false, 'quiet within its share');
  assert.equal(heavy[1]!.background(), true, 'acme: 1 held + 1 waiting > its share of 1');
  waiting.release(); // leaves the queue (as after its deadline); `turn` never settles
  void turn;
  assert.equal(heavy[1]!.background(), false, 'acme at its share with nothing waiting');
  heavy[1]!.release();
  q.release();
  // Without fair sharing nothing is background.
  const off = make({ fairPerExecutor: 0 }).a.admit(principal, req(), ctl, ctx);
  await off.waitTurn();
  assert.equal(off.background(), false);
});
