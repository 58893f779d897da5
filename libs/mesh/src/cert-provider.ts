// A certificate provider that only ever hands gRPC a usable state: a CA that parses and a
// certificate and key that belong together.
//
// grpc-js's FileWatcherCertificateProvider re-reads the CA, certificate and key files on a timer and
// passes every read straight on. Two kinds of read must not reach grpc-js:
//  - a certificate and key that do not match. A rotation writes two files (each atomically, but not
//    both at once), so a read that falls between the two renames sees the new key with the old
//    certificate; setSecureContext throws on such a pair.
//  - a failed read, which the file watcher reports as null (ENOENT/ESTALE on volumes that replace
//    files non-atomically, EMFILE, a permissions change, ...).
// Either one makes grpc-js's server mark its credentials invalid and destroy every new connection
// before the TLS handshake (clients see "Client network socket disconnected before secure TLS
// connection was established") until the next good read: `refreshIntervalMs` later, 5 s by
// default. A client in the same state fails its connections with "Failed to load credentials".
//
// This provider sits between the file watcher and grpc-js. It subscribes to the inner provider once,
// validates each read once, and passes on only changes of the validated state. A bad read keeps the
// last good state (as gRPC core does: its TLS connectors keep their last credentials when the
// provider reports an error) and is reported through the callbacks; null is passed on only while
// nothing good has been loaded yet. A listener added later is given the current validated state,
// never the inner provider's raw last read.

import crypto from 'node:crypto';
import * as grpc from '@grpc/grpc-js';

type Provider = grpc.experimental.CertificateProvider;
type IdentityUpdate = grpc.experimental.IdentityCertificateUpdate;
type CaUpdate = grpc.experimental.CaCertificateUpdate;
type IdentityListener = grpc.experimental.IdentityCertificateUpdateListener;
type CaListener = grpc.experimental.CaCertificateUpdateListener;

/** True when `update` holds a parseable certificate whose public key matches the private key. */
export function isMatchingPair(update: IdentityUpdate): boolean {
  try {
    const cert = new crypto.X509Certificate(update.certificate);
    return cert.checkPrivateKey(crypto.createPrivateKey(update.privateKey));
  } catch {
    return false;
  }
}

/** True when `update` starts with a parseable certificate. */
export function isParseableCa(update: CaUpdate): boolean {
  try {
    new crypto.X509Certificate(update.caCertificate);
    return true;
  } catch {
    return false;
  }
}

export interface CertificateProviderEvents {
  /** The certificate and key read do not match (a rotation in progress?); the previous pair, if
   *  any, stays in use and the next read retries. */
  onMismatch?: () => void;
  /** A read failed (or the CA did not parse). `kept`: a previous good state stays in use; if false,
   *  nothing good has been loaded yet and gRPC has been told so (it refuses TLS connections). */
  onBadRead?: (what: 'identity' | 'ca', kept: boolean) => void;
}

export class PairCheckingCertificateProvider implements Provider {
  readonly #inner: Provider;
  readonly #events: CertificateProviderEvents;
  readonly #identityListeners = new Set<IdentityListener>();
  readonly #caListeners = new Set<CaListener>();
  /** undefined: nothing decided yet; null: reads failed and nothing good was ever loaded. */
  #identity: IdentityUpdate | null | undefined;
  #ca: CaUpdate | null | undefined;
  #subscribed = false;
  #loadedWaiters: Array<() => void> = [];

  constructor(inner: Provider, events: CertificateProviderEvents = {}) {
    this.#inner = inner;
    this.#events = events;
  }

  /** Resolves once both a CA and an identity have been handed on (good ones, or null because the
   *  files could not be read). A listener subscribed before then has received them by then. */
  whenLoaded(): Promise<void> {
    if (this.#isLoaded()) return Promise.resolve();
    return new Promise((resolve) => this.#loadedWaiters.push(resolve));
  }

  addCaCertificateListener(listener: CaListener): void {
    this.#caListeners.add(listener);
    this.#subscribe();
    const current = this.#ca;
    // Asynchronously, like grpc-js's own providers: its server credentials subscribe before they
    // register the watcher that applies updates to the TLS server.
    if (current !== undefined) {
      process.nextTick(() => {
        if (this.#caListeners.has(listener) && this.#ca === current) listener(current);
      });
    }
  }

  removeCaCertificateListener(listener: CaListener): void {
    this.#caListeners.delete(listener);
    this.#maybeUnsubscribe();
  }

  addIdentityCertificateListener(listener: IdentityListener): void {
    this.#identityListeners.add(listener);
    this.#subscribe();
    const current = this.#identity;
    if (current !== undefined) {
      process.nextTick(() => {
        if (this.#identityListeners.has(listener) && this.#identity === current) listener(current);
      });
    }
  }

  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.#identityListeners.delete(listener);
    this.#maybeUnsubscribe();
  }

  readonly #onInnerIdentity: IdentityListener = (update) => {
    const current = this.#identity;
    if (update && current && update.certificate.equals(current.certificate) && update.privateKey.equals(current.privateKey)) return;
    let next: IdentityUpdate | null;
    if (update === null) {
      this.#events.onBadRead?.('identity', Boolean(current));
      if (current) return; // keep serving the last good pair
      next = null;
    } else if (!isMatchingPair(update)) {
      // Mid-rotation (or a broken pair): keep the last good pair; the next read retries.
      this.#events.onMismatch?.();
      return;
    } else {
      next = update;
    }
    if (next === current) return;
    this.#identity = next;
    for (const l of [...this.#identityListeners]) l(next);
    this.#notifyLoaded();
  };

  readonly #onInnerCa: CaListener = (update) => {
    const current = this.#ca;
    if (update && current && update.caCertificate.equals(current.caCertificate)) return;
    let next: CaUpdate | null;
    if (update === null || !isParseableCa(update)) {
      this.#events.onBadRead?.('ca', Boolean(current));
      if (current) return; // keep the last good CA
      next = null;
    } else {
      next = update;
    }
    if (next === current) return;
    this.#ca = next;
    for (const l of [...this.#caListeners]) l(next);
    this.#notifyLoaded();
  };

  #isLoaded(): boolean {
    return this.#identity !== undefined && this.#ca !== undefined;
  }

  #notifyLoaded(): void {
    if (!this.#isLoaded() || this.#loadedWaiters.length === 0) return;
    const waiters = this.#loadedWaiters;
    this.#loadedWaiters = [];
    for (const w of waiters) w();
  }

  #subscribe(): void {
    if (this.#subscribed) return;
    this.#subscribed = true;
    this.#inner.addCaCertificateListener(this.#onInnerCa);
    this.#inner.addIdentityCertificateListener(this.#onInnerIdentity);
  }

  #maybeUnsubscribe(): void {
    if (!this.#subscribed || this.#identityListeners.size > 0 || this.#caListeners.size > 0) return;
    this.#subscribed = false;
    // The inner file watcher stops when it has no listeners left. The last good state is kept for
    // a later subscriber (the watcher re-reads as soon as it is watched again).
    this.#inner.removeCaCertificateListener(this.#onInnerCa);
    this.#inner.removeIdentityCertificateListener(this.#onInnerIdentity);
  }
}

/** The file-watching provider both servers and clients use: re-reads every `refreshIntervalMs`,
 *  hands on only a parseable CA and a matching certificate/key pair, and keeps the last good ones
 *  through a bad read. */
export function fileCertificateProvider(
  files: { caFile: string; certFile: string; keyFile: string },
  refreshIntervalMs: number,
  events: CertificateProviderEvents = {},
): PairCheckingCertificateProvider {
  const inner = new grpc.experimental.FileWatcherCertificateProvider({
    caCertificateFile: files.caFile,
    certificateFile: files.certFile,
    privateKeyFile: files.keyFile,
    refreshIntervalMs,
  });
  return new PairCheckingCertificateProvider(inner, events);
}
