// The gateway's ModelInfer data path without re-encoding tensors.
//
// A request is read through switchyard.gateway.v1.InferRequestHeader, a view of
// inference.ModelInferRequest's leading fields (model_name, model_version, id, parameters — what
// authentication, policy and placement need); its tensors (fields 5-7) are skipped by the decoder,
// not copied. The caller's bytes go to the executor unchanged, with the resolved model_version
// appended (protobuf: the last value of a scalar field wins). The executor's response bytes come
// back unchanged too, with the gateway's parameters (switchyard_*) and the version appended (map
// entries appended to a message are merged into its map). So the gateway's cost per request does
// not grow with tensor size, and what the client gets is byte for byte what the executor computed.
import type * as grpc from '@grpc/grpc-js';
import { codec } from '@switchyard/proto';
import type { InferParameter, InferRequestHeader, InferRequestHeader__Output, ModelInferResponse } from '@switchyard/proto';

/** A ModelInfer request as the gateway holds it: the header fields, and the caller's bytes. */
export interface RawInferRequest extends InferRequestHeader__Output {
  raw: Buffer;
}

const headerCodec = codec<InferRequestHeader, InferRequestHeader__Output>('switchyard.gateway.v1.InferRequestHeader');
const responseCodec = codec<ModelInferResponse, ModelInferResponse>('inference.ModelInferResponse');

/** Reads the header of a serialized ModelInferRequest (tensors skipped) and keeps the bytes. */
export function decodeInferRequest(bytes: Buffer): RawInferRequest {
  const h = headerCodec.decode(bytes) as RawInferRequest;
  h.raw = bytes;
  return h;
}

/** The request bytes for the executor, in pieces: the caller's, and `version` as model_version
 *  when the caller asked for another (or none). The stream's frame writes them one after the
 *  other (not joined here first: a copy of every tensor less per request). */
export function requestForVersion(req: RawInferRequest, version: string): Buffer[] {
  if (req.model_version === version) return [req.raw];
  return [req.raw, Buffer.from(headerCodec.encode({ model_version: version }))];
}

/** The executor's response bytes with model_version and `parameters` merged in. The parameters
 *  are written as they are (encodeWire: one oneof value each, 64-bit ints as numbers). */
export function withResponseExtras(executorResponse: Buffer, version: string, parameters: Record<string, InferParameter>): Buffer {
  return Buffer.concat([executorResponse, Buffer.from(responseCodec.encodeWire({ model_version: version, parameters }))]);
}

/**
 * `inference.GRPCInferenceService`'s definition with ModelInfer reading RawInferRequest and
 * writing a Buffer as it is (other methods unchanged).
 */
export function passthroughDefinition(def: grpc.ServiceDefinition): grpc.ServiceDefinition {
  const mi = def.ModelInfer;
  if (!mi) throw new Error('service definition has no ModelInfer');
  const serialize = mi.responseSerialize as (v: unknown) => Buffer;
  return {
    ...def,
    ModelInfer: {
      ...mi,
      requestDeserialize: decodeInferRequest,
      responseSerialize: (v: unknown) => (Buffer.isBuffer(v) ? v : serialize(v)),
    },
  };
}
