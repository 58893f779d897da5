// The policy service's signing-key rotation: on request (RotateKeys, `switchyard keys rotate`) and
// every `rotateEveryMs`, with overlap on both sides (libs/auth keystore.ts): the next key is in the
// JWKS `publishDelayMs` before it signs, and the key it replaces verifies for `overlapMs` more, the
// longest lifetime of a token the service issues. A timer moves rotations on by the clock. Every
// rotation is audited as an admin change, and every change of the JWKS is announced (NATS KV
// sy-policy/signing-keys), so gateways fetch it again at once.
import { randomUUID } from 'node:crypto';
import type { KeyStore, RotationPlan } from '@switchyard/auth';
import type { Logger } from '@switchyard/log';
import type { AuditEvent } from '@switchyard/proto';

export interface KeyRotationOptions {
  keys: KeyStore;
  log: Logger;
  publishDelayMs: number;
  overlapMs: number;
  /** Automatic rotation period since the current key started signing (0 = only on request). */
  rotateEveryMs: number;
  /** Admin audit (none without NATS). */
  audit?: (ev: AuditEvent) => Promise<void>;
  /** Told the JWKS's kids (signing key first) after every change, to announce it (none without NATS). */
  announce?: (kids: string[]) => Promise<void>;
  now?: () => number;
  /** How often the rotation is moved on (default 1000 ms). */
  tickMs?: number;
}

export class KeyRotation {
  private readonly o: KeyRotationOptions;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(o: KeyRotationOptions) {
    this.o = o;
    this.now = o.now ?? Date.now;
  }

  /** Starts a rotation (throws KeyRotationError when one cannot start now). */
  async rotate(actor: string, force: boolean): Promise<RotationPlan> {
    const plan = await this.o.keys.beginRotation({ publishDelayMs: this.o.publishDelayMs, overlapMs: this.o.overlapMs, force });
    const reason = `key ${plan.nextKid} published, signs from ${new Date(plan.signsFromMs).toISOString()}; key ${plan.currentKid} verifies until ${new Date(plan.previousUntilMs).toISOString()}${plan.droppedKid ? `; forced: key ${plan.droppedKid} dropped when the new key signs` : ''}`;
    this.o.log.info({ actor, next_kid: plan.nextKid, current_kid: plan.currentKid, signs_from_ms: plan.signsFromMs, previous_until_ms: plan.previousUntilMs, dropped_kid: plan.droppedKid ?? null }, 'key rotation started');
    await this.o.audit?.({ id: randomUUID(), at_ms: this.now(), kind: 'admin', actor, tenant: '', rule: 'keys', decision: force ? 'rotate-forced' : 'rotate', code: 'OK', reason, trace_id: '', model: '', request_id: '', policy_version: 0, source: 'policy' });
    await this.announce();
    return plan;
  }

  /** Announces the JWKS's current kids (at start, and after every change). */
  async announce(): Promise<void> {
    try {
      await this.o.announce?.(this.o.keys.jwks().keys.map((k) => k.kid!));
    } catch (e) {
      this.o.log.warn({ err: (e as Error).message }, 'signing keys change not announced (gateways will see it on their next JWKS fetch)');
    }
  }

  /** One step: promote or retire by the clock, and start the periodic rotation when it is due. */
  async step(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const changed = await this.o.keys.tick();
      if (changed.promoted) this.o.log.info({ kid: changed.promoted }, 'signing with the new key');
      if (changed.retired) this.o.log.info({ kid: changed.retired }, 'previous key retired from the JWKS');
      if (changed.promoted || changed.retired) await this.announce();
      const r = this.o.keys.rotation;
      if (this.o.rotateEveryMs > 0 && this.o.keys.nextKid === undefined && r.previousKid === undefined
        && r.currentSinceMs !== undefined && this.now() - r.currentSinceMs >= this.o.rotateEveryMs) {
        await this.rotate('policy (periodic rotation)', false);
      }
    } finally {
      this.busy = false;
    }
  }

  start(): void {
    this.timer = setInterval(() => {
      this.step().catch((e: unknown) => this.o.log.error({ err: (e as Error).message }, 'key rotation step failed'));
    }, this.o.tickMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
