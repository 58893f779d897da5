// A certificate provider that never hands gRPC a certificate and key that do not belong together.
//
// grpc-js's FileWatcherCertificateProvider re-reads the certificate and key files on a timer. A
// rotation writes two files (each atomically, but not both at once), so a read that falls between
// the two renames sees the new key with the old certificate; TLS contexts built from that pair fail
// every handshake until the next read. This wrapper forwards an identity update only when the key
// matches the certificate's public key and otherwise keeps the last good pair, so a rotation is
// seamless. CA updates pass through unchanged.

import crypto from 'node:crypto';
import * as grpc from '@grpc/grpc-js';

type Provider = grpc.experimental.CertificateProvider;
type IdentityUpdate = grpc.experimental.IdentityCertificateUpdate;
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

export class PairCheckingCertificateProvider implements Provider {
  readonly #inner: Provider;
  readonly #wrapped = new Map<IdentityListener, IdentityListener>();
  #lastGood: IdentityUpdate | undefined;
  readonly #onMismatch: (() => void) | undefined;

  constructor(inner: Provider, onMismatch?: () => void) {
    this.#inner = inner;
    this.#onMismatch = onMismatch;
  }

  addCaCertificateListener(listener: CaListener): void {
    this.#inner.addCaCertificateListener(listener);
  }

  removeCaCertificateListener(listener: CaListener): void {
    this.#inner.removeCaCertificateListener(listener);
  }

  addIdentityCertificateListener(listener: IdentityListener): void {
    const wrapped: IdentityListener = (update) => {
      if (update === null) {
        listener(null);
        return;
      }
      if (this.#lastGood && update.certificate.equals(this.#lastGood.certificate) && update.privateKey.equals(this.#lastGood.privateKey)) {
        listener(this.#lastGood);
        return;
      }
      if (!isMatchingPair(update)) {
        // Mid-rotation (or a broken pair): keep serving the last good pair; the next read retries.
        this.#onMismatch?.();
        if (this.#lastGood) listener(this.#lastGood);
        return;
      }
      this.#lastGood = update;
      listener(update);
    };
    this.#wrapped.set(listener, wrapped);
    this.#inner.addIdentityCertificateListener(wrapped);
  }

  removeIdentityCertificateListener(listener: IdentityListener): void {
    const wrapped = this.#wrapped.get(listener);
    if (!wrapped) return;
    this.#wrapped.delete(listener);
    this.#inner.removeIdentityCertificateListener(wrapped);
  }
}

/** The file-watching provider both servers and clients use: re-reads every `refreshIntervalMs`,
 *  forwards only matching certificate/key pairs. */
export function fileCertificateProvider(
  files: { caFile: string; certFile: string; keyFile: string },
  refreshIntervalMs: number,
  onMismatch?: () => void,
): Provider {
  const inner = new grpc.experimental.FileWatcherCertificateProvider({
    caCertificateFile: files.caFile,
    certificateFile: files.certFile,
    privateKeyFile: files.keyFile,
    refreshIntervalMs,
  });
  return new PairCheckingCertificateProvider(inner, onMismatch);
}
