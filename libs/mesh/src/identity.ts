// Workload identities: SPIFFE IDs in the switchyard.local trust domain, and the parsing of a peer
// certificate's URI SAN (SPIFFE X509-SVID: exactly one URI SAN).

export const TRUST_DOMAIN = 'switchyard.local';

/** Names of every workload with a certificate in the dev PKI. */
export const WORKLOADS = [
  'gateway',
  'placement-scheduler',
  'gpu-executor',
  'cpu-executor',
  'telemetry',
  'policy',
  'client',
] as const;

export type WorkloadName = (typeof WORKLOADS)[number];

export function spiffeIdOf(name: string): string {
  return `spiffe://${TRUST_DOMAIN}/${name}`;
}

/** Workload name from a SPIFFE ID of our trust domain, or undefined. */
export function workloadOf(spiffeId: string): string | undefined {
  const prefix = `spiffe://${TRUST_DOMAIN}/`;
  if (!spiffeId.startsWith(prefix)) return undefined;
  const path = spiffeId.slice(prefix.length);
  return SPIFFE_PATH.test(path) ? path : undefined;
}

// SPIFFE path segments: letters, digits, '.', '-', '_'; no empty, '.' or '..' segments.
const SPIFFE_PATH = /^(?!\.{1,2}(?:\/|$))(?:[A-Za-z0-9._-]+)(?:\/(?!\.{1,2}(?:\/|$))[A-Za-z0-9._-]+)*$/;

/** Splits Node's `subjectaltname` string ("DNS:a, URI:b, IP Address:c") into entries. Node quotes
 *  values containing ',' or other specials as JSON strings; handle both forms. */
function sanEntries(san: string): Array<{ type: string; value: string }> {
  const out: Array<{ type: string; value: string }> = [];
  let i = 0;
  while (i < san.length) {
    while (san[i] === ' ' || san[i] === ',') i++;
    if (i >= san.length) break;
    const colon = san.indexOf(':', i);
    if (colon < 0) break;
    const type = san.slice(i, colon);
    i = colon + 1;
    let value: string;
    if (san[i] === '"') {
      // JSON-quoted value: find the closing quote, honouring escapes.
      let j = i + 1;
      while (j < san.length && san[j] !== '"') j += san[j] === '\\' ? 2 : 1;
      try {
        value = JSON.parse(san.slice(i, j + 1)) as string;
      } catch {
        value = san.slice(i + 1, j);
      }
      i = j + 1;
    } else {
      const comma = san.indexOf(', ', i);
      const end = comma < 0 ? san.length : comma;
      value = san.slice(i, end);
      i = end;
    }
    out.push({ type, value });
  }
  return out;
}

/** SPIFFE ID from a peer certificate (tls.PeerCertificate.subjectaltname), or undefined if it has
 *  zero or more than one URI SAN or it is not spiffe://switchyard.local/... */
export function spiffeIdFromPeer(cert: { subjectaltname?: string } | undefined): string | undefined {
  const san = cert?.subjectaltname;
  if (!san) return undefined;
  const uris = sanEntries(san).filter((e) => e.type === 'URI');
  if (uris.length !== 1) return undefined;
  const id = uris[0]!.value;
  return workloadOf(id) === undefined ? undefined : id;
}
