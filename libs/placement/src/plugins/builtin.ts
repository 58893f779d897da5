// Tags that let the Placer evaluate the built-in filters' fast-path predicates inline (direct,
// inlinable calls instead of a megamorphic call through the plugin list). The predicates are the
// same functions the plugins' `check` uses, so the verdicts cannot diverge.
import type { FilterPlugin } from '../types.ts';

export const BUILTIN = Symbol('switchyard.placement.builtin');
export const KIND_REGION = 1, KIND_POOL = 2, KIND_HEALTHY = 3, KIND_QUEUE = 4;
export interface BuiltinTag { kind: number; param: number }

/** Type helper for a tagged built-in filter literal. */
export function builtin(p: FilterPlugin & { [BUILTIN]: BuiltinTag }): FilterPlugin {
  return p;
}
