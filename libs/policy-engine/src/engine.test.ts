import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bundleFromText, bundleFromJson, evaluate, parsePolicy, PolicyError, FairShare, QueueFullError } from './index.ts';

const DOC = `
defaults: { classification: public, maxPriority: 3 }
roles:
  ops: { maxPriority: 1 }
tenants:
  acme:
    models: ["mlp", "ocr_*@1"]
    weight: 3
    quota: { requestsPerSecond: 50, burst: 100, gpuSecondsPerSecond: 2 }
  beta:
    models: ["ocr_det@*"]
    classification: pii-ae
    roles:
      trainer: { models: ["mlp@2"], maxPriority: 2 }
residency:
  public: []
  pii-ae: [ae]
  pii-eu: [eu-west, eu-central]
`;

const b = bundleFromText(DOC, 7);
const acme = { tenant: 'acme', roles: [] };

test('model access: globs on name and version; other tenants and unknown tenants are refused', () => {
  assert.equal(evaluate(b, { principal: acme, model: 'mlp', version: '2', priority: 3 }).allow, true);
  const ok = evaluate(b, { principal: acme, model: 'ocr_cls', version: '1', priority: 3 });
  assert.deepEqual([ok.allow, ok.rule], [true, 'tenants.acme.models[ocr_*@1]']);
  const v2 = evaluate(b, { principal: acme, model: 'ocr_cls', version: '2', priority: 3 });
  assert.deepEqual([v2.allow, v2.code, v2.rule], [false, 'PERMISSION_DENIED', 'tenants.acme.models']);
  assert.match(v2.reason, /tenant 'acme' may not call model 'ocr_cls@2'/);
  // '' version (unknown) only matches version-less patterns.
  assert.equal(evaluate(b, { principal: acme, model: 'ocr_cls', version: '', priority: 3 }).allow, false);
  const other = evaluate(b, { principal: { tenant: 'beta', roles: [] }, model: 'mlp', version: '1', priority: 3 });
  assert.deepEqual([other.allow, other.code], [false, 'PERMISSION_DENIED']);
  const unknown = evaluate(b, { principal: { tenant: 'mallory', roles: [] }, model: 'mlp', version: '1', priority: 3 });
  assert.deepEqual([unknown.allow, unknown.rule], [false, 'tenants']);
  assert.match(unknown.reason, /not in the policy \(version 7\)/);
  // '__proto__' and friends are not tenants.
  assert.equal(evaluate(b, { principal: { tenant: 'constructor', roles: [] }, model: 'mlp', version: '1', priority: 3 }).allow, false);
});

test('roles add models and raise the priority ceiling', () => {
  const trainer = { tenant: 'beta', roles: ['trainer'] };
  const d = evaluate(b, { principal: trainer, model: 'mlp', version: '2', priority: 2 });
  assert.deepEqual([d.allow, d.rule], [true, 'tenants.beta.roles.trainer.models[mlp@2]']);
  const p1 = evaluate(b, { principal: trainer, model: 'mlp', version: '2', priority: 1 });
  assert.deepEqual([p1.allow, p1.code, p1.rule], [false, 'PERMISSION_DENIED', 'tenants.beta.roles.trainer.maxPriority']);
  const plain = evaluate(b, { principal: acme, model: 'mlp', version: '1', priority: 2 });
  assert.deepEqual([plain.allow, plain.rule], [false, 'defaults.maxPriority']);
  assert.match(plain.reason, /priority 2 is above the highest priority tenant 'acme' may use \(3/);
  assert.equal(evaluate(b, { principal: { tenant: 'acme', roles: ['ops'] }, model: 'mlp', version: '1', priority: 1 }).allow, true);
});

test('residency: classification to allowed regions; tenant and policy defaults; unknown classification', () => {
  const ae = evaluate(b, { principal: acme, model: 'mlp', version: '1', classification: 'pii-ae', priority: 3 });
  assert.deepEqual([ae.allow, ae.allowedRegions, ae.residencyRule], [true, ['ae'], 'residency.pii-ae']);
  const pub = evaluate(b, { principal: acme, model: 'mlp', version: '1', priority: 3 });
  assert.deepEqual([pub.classification, pub.allowedRegions], ['public', undefined]);
  const beta = evaluate(b, { principal: { tenant: 'beta', roles: [] }, model: 'ocr_det', version: '1', priority: 3 });
  assert.deepEqual([beta.classification, beta.allowedRegions], ['pii-ae', ['ae']]);
  const bad = evaluate(b, { principal: acme, model: 'mlp', version: '1', classification: 'secret', priority: 3 });
  assert.deepEqual([bad.allow, bad.code, bad.rule], [false, 'INVALID_ARGUMENT', 'residency']);
  assert.match(bad.reason, /unknown data classification 'secret' \(known: pii-ae, pii-eu, public\)/);
});

test('quota and weight come from the tenant; burst defaults to one second', () => {
  const d = evaluate(b, { principal: acme, model: 'mlp', version: '1', priority: 3 });
  assert.deepEqual(d.quota, { requestsPerSecond: 50, burst: 100, gpuSecondsPerSecond: 2, gpuBurstSeconds: 2 });
  assert.equal(d.weight, 3);
  const beta = evaluate(b, { principal: { tenant: 'beta', roles: [] }, model: 'ocr_det', version: '1', priority: 3 });
  assert.deepEqual([beta.quota, beta.weight], [{}, 1]);
});

test('validation errors name the path', () => {
  const bad = (text: string, re: RegExp) => assert.throws(() => parsePolicy(text), (e: unknown) => e instanceof PolicyError && re.test(e.message));
  bad('tenants: { acme: { quota: { requestsPerSecond: -1 } } }', /tenants\.acme\.quota\.requestsPerSecond:/);
  bad('tenants: { acme: { models: ["a b"] } }', /tenants\.acme\.models\.0:/);
  bad('tenants: { acme: { colour: red } }', /tenants\.acme: .*colour/i);
  bad('residency: { pii: [AE] }', /residency\.pii\.0: must be a region prefix/);
  bad('defaults: { classification: x }', /defaults\.classification: 'x' has no residency rule/);
  bad('tenants: { acme: { quota: { burst: 5 } } }', /tenants\.acme\.quota\.burst: needs requestsPerSecond/);
  bad('tenants: { acme: { maxPriority: 0 } }', /tenants\.acme\.maxPriority:/);
  bad('tenants: [', /not valid YAML/);
  // An empty document is a valid policy that allows nothing.
  assert.equal(evaluate(bundleFromText(''), { principal: acme, model: 'mlp', version: '1', priority: 2 }).allow, false);
});

test('bundles round-trip through JSON (what the policy service publishes) and are validated again', () => {
  const again = bundleFromJson(JSON.stringify(b.doc), 8, b.sha256);
  assert.equal(again.version, 8);
  assert.deepEqual(evaluate(again, { principal: acme, model: 'ocr_cls', version: '1', priority: 3 }), evaluate(b, { principal: acme, model: 'ocr_cls', version: '1', priority: 3 }));
  assert.throws(() => bundleFromJson('{"tenants":{"a":{"weight":-1}}}', 9), PolicyError);
});

test('fair share: under contention slots go by weight; idle capacity is borrowed', async () => {
  const fs = new FairShare();
  const granted: string[] = [];
  const running: Array<() => void> = [];
  // Capacity 1; heavy (weight 1) queues 20 requests first, then quiet (weight 1) queues 2.
  const first = fs.enter('m', 'heavy', 1, 1);
  assert.equal(first.ready, undefined, 'a free slot is taken at once');
  const enq = (tenant: string, w: number) => {
    const t = fs.enter('m', tenant, w, 1);
    void t.ready!.then(() => { granted.push(tenant); running.push(t.release); });
  };
  for (let i = 0; i < 20; i++) enq('heavy', 1);
  enq('quiet', 1);
  enq('quiet', 1);
  assert.deepEqual(fs.stats('m').queuedByTenant, { heavy: 20, quiet: 2 });
  first.release();
  for (let i = 0; i < 6; i++) {
    await Promise.resolve();
    await Promise.resolve();
    running.shift()!();
  }
  await Promise.resolve();
  // The quiet tenant is served within its fair share: both of its requests are among the first 4.
  assert.ok(granted.slice(0, 4).filter((t) => t === 'quiet').length === 2, granted.join(','));

  // Weights: a (3) and b (1) both backlogged: a gets ~3/4 of the slots.
  const w = new FairShare();
  const hold = w.enter('k', 'x', 1, 1);
  const order: string[] = [];
  const rel: Array<() => void> = [];
  for (let i = 0; i < 40; i++) {
    for (const [t, wt] of [['a', 3], ['b', 1]] as const) {
      const tk = w.enter('k', t, wt, 1);
      void tk.ready!.then(() => { order.push(t); rel.push(tk.release); });
    }
  }
  hold.release();
  for (let i = 0; i < 40; i++) { await Promise.resolve(); await Promise.resolve(); rel.shift()!(); }
  const firstForty = order.slice(0, 40);
  const aShare = firstForty.filter((t) => t === 'a').length / firstForty.length;
  assert.ok(aShare > 0.7 && aShare < 0.8, `a got ${aShare}`);

  // A waiter that leaves (deadline) is skipped; queue bounds are enforced.
  const small = new FairShare({ maxQueue: 1 });
  const h = small.enter('z', 't', 1, 1);
  const waiting = small.enter('z', 't', 1, 1);
  assert.throws(() => small.enter('z', 't', 1, 1), QueueFullError);
  waiting.release();
  assert.equal(small.stats('z').queued, 0);
  h.release();
  assert.equal(small.stats('z').inFlight, 0);
  // Unlimited capacity never queues.
  assert.equal(new FairShare().enter('u', 't', 1, 0).ready, undefined);
});

test('fair share: a borrowing tenant leaves a slot for an active quiet tenant, and takes it all when the quiet one is idle', () => {
  let now = 0;
  const fs = new FairShare({ now: () => now, activeWindowMs: 1000 });
  // Quiet sends one request and finishes: it stays active for 1 s.
  fs.enter('m', 'quiet', 1, 4).release();
  const heavy = Array.from({ length: 6 }, () => fs.enter('m', 'heavy', 1, 4));
  // Share 2 each; heavy borrows one more but leaves one free for quiet.
  assert.deepEqual(heavy.map((t) => t.ready === undefined), [true, true, true, false, false, false]);
  const q = fs.enter('m', 'quiet', 1, 4);
  assert.equal(q.ready, undefined, 'the quiet tenant starts at once');
  q.release();
  // Quiet idle past the window: heavy may use every slot (work-conserving) once a slot frees.
  now = 5000;
  heavy[0]!.release();
  assert.deepEqual(fs.stats('m').heldByTenant, { heavy: 4 });
  assert.equal(fs.stats('m').queued, 1);
  for (const t of heavy) t.release();
  assert.deepEqual([fs.stats('m').inFlight, fs.stats('m').queued], [0, 0]);
});

test('fair share: a tenant asking for more than its share while another is active is backlogged; alone, or within its share, it is not', () => {
  let now = 0;
  const fs = new FairShare({ now: () => now, activeWindowMs: 1000 });
  // Alone, heavy holds both slots and queues more: nobody else to yield to.
  const heavy = Array.from({ length: 4 }, () => fs.enter('m', 'heavy', 1, 2));
  assert.deepEqual(heavy.map((t) => t.backlogged()), [false, false, false, false]);
  // Quiet arrives and waits for a slot: heavy (share 1; 2 held, 2 waiting) is backlogged; quiet
  // (one request, within its share, though it waits) is not.
  const q = fs.enter('m', 'quiet', 1, 2);
  assert.notEqual(q.ready, undefined);
  assert.equal(heavy[0]!.backlogged(), true);
  assert.equal(q.backlogged(), false, 'a tenant within its share is not backlogged');
  // Heavy's waiters leave; it still holds 2 slots > its share of 1: still backlogged.
  heavy[2]!.release();
  heavy[3]!.release();
  assert.equal(heavy[0]!.backlogged(), true);
  // A slot frees and goes to quiet: heavy holds its share, nothing waiting: not backlogged.
  heavy[1]!.release();
  assert.deepEqual(fs.stats('m').heldByTenant, { heavy: 1, quiet: 1 });
  assert.equal(heavy[0]!.backlogged(), false);
  // One more request of heavy's waits: 1 held + 1 waiting > 1.
  const more = fs.enter('m', 'heavy', 1, 2);
  assert.equal(more.backlogged(), true);
  more.release();
  // Weights count: at weight 3 (of 4) heavy is entitled to 1.5 slots; 1 held + 1 waiting > 1.5,
  // while quiet's 1 slot is within its 0.5... and over it: quiet asks for more than its share too.
  const w3 = fs.enter('m', 'heavy', 3, 2);
  assert.equal(w3.backlogged(), true);
  assert.equal(q.backlogged(), true, 'quiet holds 1 slot against a share of 0.5');
  w3.release();
  q.release();
  // Quiet idle past the window: heavy is alone again.
  now = 5000;
  assert.equal(fs.enter('m', 'heavy', 1, 2).backlogged(), false);
});
