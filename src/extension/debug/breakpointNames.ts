/**
 * Function breakpoints are named by module path, as `named_modules()` prints
 * it, with an optional hook kind: `submodel_3.0` (after forward),
 * `submodel_2:pre` (before forward), `submodel_2:backward`. `*` stands for
 * every module: `*` with the condition `output.hasNaN` stops at the first
 * module whose output has a NaN.
 */
import type { HookKind } from '../../protocol';

/** The module path and hook kind a function breakpoint name stands for, or a reason it is malformed. */
export function parseFunctionBreakpoint(name: string): { path: string; kind: HookKind } | { error: string } {
  const trimmed = name.trim();
  const m = /^(\*|[^:\s*]*)(?::(pre|forward|backward))?$/.exec(trimmed);
  if (!m) return { error: `"${name}" is not a module path; use e.g. submodel_2, submodel_2:pre or submodel_2:backward` };
  const path = m[1] === '<root>' ? '' : m[1];
  if (path.split('.').some((s) => s === '') && path !== '') return { error: `"${name}" has an empty path segment` };
  return { path, kind: (m[2] as HookKind | undefined) ?? 'forward' };
}
