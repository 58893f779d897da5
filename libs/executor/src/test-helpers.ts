// Helpers shared by the executor tests (not exported from the package).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ModelInferRequest__Output, InferTensorContents } from '@switchyard/proto';

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `sy-${prefix}-`));
}

export interface InputSpec {
  name: string;
  datatype: string;
  shape: number[];
  contents?: Partial<InferTensorContents>;
}

/** A ModelInferRequest__Output as the gRPC loader would hand it over (defaults filled). */
export function request(model: string, inputs: InputSpec[], o: { version?: string; raw?: Buffer[]; outputs?: string[]; parameters?: Record<string, unknown> } = {}): ModelInferRequest__Output {
  return {
    model_name: model,
    model_version: o.version ?? '',
    id: 'test',
    parameters: (o.parameters ?? {}) as ModelInferRequest__Output['parameters'],
    inputs: inputs.map((i) => ({
      name: i.name,
      datatype: i.datatype,
      shape: i.shape,
      parameters: {},
      contents: i.contents ? ({ bool_contents: [], int_contents: [], int64_contents: [], uint_contents: [], uint64_contents: [], fp32_contents: [], fp64_contents: [], bytes_contents: [], ...i.contents } as unknown as NonNullable<ModelInferRequest__Output['inputs'][number]['contents']>) : null,
    })),
    outputs: (o.outputs ?? []).map((name) => ({ name, parameters: {} })),
    raw_input_contents: o.raw ?? [],
  };
}

export function writeModel(repo: string, name: string, version: number, bytes: Uint8Array, config: string): void {
  fs.mkdirSync(path.join(repo, name, String(version)), { recursive: true });
  fs.writeFileSync(path.join(repo, name, String(version), 'model.onnx'), bytes);
  fs.writeFileSync(path.join(repo, name, 'config.yaml'), config);
}

export function f32bytes(a: ArrayLike<number>): Buffer {
  return Buffer.from(Float32Array.from(a).buffer);
}
