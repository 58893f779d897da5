/** One model input as far as batching cares: KServe v2 tensor metadata. */
export interface ShapeInput {
  name: string;
  datatype: string;
  shape: number[];
}

/**
 * Bucket key for a request: every input's name, datatype and non-batch dims (all dims after the
 * first). Requests with equal keys can be concatenated along dim 0; different keys are never mixed.
 * Independent of input order. Inputs with no dims (scalars) contribute an empty dim list.
 */
export function shapeKey(inputs: readonly ShapeInput[]): string {
  const parts = inputs
    .map((i) => [i.name, i.datatype, i.shape.slice(1)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return JSON.stringify(parts);
}
