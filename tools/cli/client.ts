// Client helpers shared by the CLI commands, the demo workload and benchmarks: an mTLS
// channel to the gateway with the development token, and tensors made from model metadata.
import * as grpc from '@grpc/grpc-js';
import { createClient, type MeshIdentity } from '@switchyard/mesh';
import { inference } from '@switchyard/proto';
import type { GRPCInferenceServiceClient, ModelInferRequest, ModelInferResponse__Output, ModelMetadataResponse__Output } from '@switchyard/proto';
import type { Endpoints } from '@switchyard/launcher';

export interface GatewayConn {
  client: GRPCInferenceServiceClient;
  metadata: grpc.Metadata;
  call<Res>(method: string, req: unknown, deadlineMs?: number): Promise<Res>;
  close(): void;
}

export function connectGateway(ep: Endpoints, token = ep.token): GatewayConn {
  const identity: MeshIdentity = { name: 'client', spiffeId: 'spiffe://switchyard.local/client', caFile: ep.ca, certFile: ep.clientCert, keyFile: ep.clientKey };
  const client = createClient<GRPCInferenceServiceClient>(inference.GRPCInferenceService, ep.gateway, identity, { serverSpiffeId: 'spiffe://switchyard.local/gateway', defaultDeadlineMs: 30_000 });
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return {
    client,
    metadata,
    call<Res>(method: string, req: unknown, deadlineMs = 30_000): Promise<Res> {
      const fn = (client as unknown as Record<string, (r: unknown, m: grpc.Metadata, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r?: Res) => void) => void>)[method]!;
      return new Promise((resolve, reject) => fn.call(client, req, metadata, { deadline: Date.now() + deadlineMs }, (e, r) => (e ? reject(e) : resolve(r as Res))));
    },
    close: () => client.close(),
  };
}

const BYTES_PER: Record<string, number> = { FP32: 4, FP64: 8, INT32: 4, INT64: 8, INT16: 2, UINT16: 2, INT8: 1, UINT8: 1, UINT32: 4, UINT64: 8, BOOL: 1, FP16: 2 };

/** Concrete shapes for the bundled models' variable dimensions (others: 1). */
export const DEMO_SHAPES: Record<string, Record<string, number[]>> = {
  ocr_cls: { x: [1, 3, 48, 192] },
  ocr_det: { x: [1, 3, 320, 320] },
};

/** A request with deterministic pseudo-random raw inputs shaped from the model's metadata. */
export function makeRequest(md: ModelMetadataResponse__Output, opts: { shapes?: Record<string, number[]>; seed?: number; parameters?: ModelInferRequest['parameters']; id?: string } = {}): ModelInferRequest {
  let s = opts.seed ?? 1;
  const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const inputs: NonNullable<ModelInferRequest['inputs']> = [];
  const raws: Buffer[] = [];
  for (const t of md.inputs) {
    const shape = opts.shapes?.[t.name] ?? DEMO_SHAPES[md.name]?.[t.name] ?? t.shape.map((d) => (d < 0 ? 1 : d));
    const n = shape.reduce((a, b) => a * b, 1);
    const size = BYTES_PER[t.datatype];
    if (!size) throw new Error(`input '${t.name}': datatype ${t.datatype} is not supported by this tool`);
    const buf = Buffer.alloc(n * size);
    for (let i = 0; i < n; i++) {
      if (t.datatype === 'FP32') buf.writeFloatLE(rnd(), i * 4);
      else if (t.datatype === 'FP64') buf.writeDoubleLE(rnd(), i * 8);
      else if (size === 1) buf.writeUInt8(Math.floor(rnd() * (t.datatype === 'BOOL' ? 2 : 100)), i);
    }
    inputs.push({ name: t.name, datatype: t.datatype, shape });
    raws.push(buf);
  }
  return { model_name: md.name, model_version: '', id: opts.id ?? '', inputs, raw_input_contents: raws, ...(opts.parameters ? { parameters: opts.parameters } : {}) };
}

/** Decodes FP32 raw outputs (other types: byte counts) for printing. */
export function describeOutputs(res: ModelInferResponse__Output, max = 8): Array<{ name: string; datatype: string; shape: number[]; values: string }> {
  return res.outputs.map((o, i) => {
    const raw = res.raw_output_contents[i];
    let values: string;
    if (raw && o.datatype === 'FP32') {
      const f = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
      values = `[${[...f.slice(0, max)].map((v) => v.toFixed(4)).join(', ')}${f.length > max ? `, … (${f.length})` : ''}]`;
    } else if (raw) values = `${raw.length} bytes`;
    else values = JSON.stringify(o.contents ?? {}).slice(0, 120);
    return { name: o.name, datatype: o.datatype, shape: o.shape, values };
  });
}

export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

/** A plain text table. */
export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? (Number.isInteger(c) ? String(c) : c.toFixed(2)) : c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  const line = (r: Array<string | number>) => r.map((c, i) => String(c).padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}
