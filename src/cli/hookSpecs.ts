/**
 * `--hook PATH[:pre|:forward|:backward]` and `--all-hooks`: which hooks `run` registers where.
 */
import type { Module } from '../nn';
import { CliError, UsageError } from './cliError';

/** The hook kinds the CLI reports, named as in its JSON events. */
export type EventKind = 'pre' | 'forward' | 'backward';

const KINDS: readonly EventKind[] = ['pre', 'forward', 'backward'];

/** One `--hook` flag: a dotted module path ('' is the root) and a kind. */
export interface HookSpec {
  path: string;
  kind: EventKind;
}

/** Parses one `--hook` value; the kind defaults to `forward`. */
export function parseHookSpec(text: string): HookSpec {
  const colon = text.lastIndexOf(':');
  if (colon < 0) {
    return { path: text, kind: 'forward' };
  }
  const kind = text.slice(colon + 1);
  if (!(KINDS as readonly string[]).includes(kind)) {
    throw new UsageError(`--hook ${text}: unknown hook kind "${kind}", expected one of ${KINDS.join(', ')}`);
  }
  return { path: text.slice(0, colon), kind: kind as EventKind };
}

/**
 * Turns the flags into `[path, module, kind]` triples, checking every path against the model.
 * `--all-hooks` means every module with pre and forward hooks, plus backward ones with `--backward`.
 *
 * @throws CliError naming the unknown path and the closest existing ones
 */
export function resolveHooks(
  file: string,
  model: Module,
  specs: readonly HookSpec[],
  all: boolean,
  backward: boolean,
): Array<{ path: string; module: Module; kind: EventKind }> {
  const modules = new Map(model.namedModules());
  const out: Array<{ path: string; module: Module; kind: EventKind }> = [];
  const seen = new Set<string>();
  const add = (path: string, module: Module, kind: EventKind) => {
    if (!seen.has(`${kind}:${path}`)) {
      seen.add(`${kind}:${path}`);
      out.push({ path, module, kind });
    }
  };
  if (all) {
    for (const [path, module] of modules) {
      for (const kind of KINDS) {
        if (kind !== 'backward' || backward) add(path, module, kind);
      }
    }
  }
  for (const spec of specs) {
    const module = modules.get(spec.path);
    if (!module) {
      throw new CliError(file, `--hook: no module at path ${JSON.stringify(spec.path)}${suggest(spec.path, [...modules.keys()])}`);
    }
    add(spec.path, module, spec.kind);
  }
  return out;
}

/** ` (close matches: a, b)`, or the first few paths when nothing is close. */
function suggest(path: string, paths: string[]): string {
  const named = paths.filter((p) => p !== '');
  const scored = named
    .map((p) => ({ p, d: distance(path.toLowerCase(), p.toLowerCase()) }))
    .filter(({ p, d }) => d <= Math.max(2, Math.floor(p.length / 3)) || p.endsWith(`.${path}`) || p.startsWith(path))
    .sort((a, b) => a.d - b.d || a.p.localeCompare(b.p))
    .slice(0, 5)
    .map(({ p }) => p);
  if (scored.length > 0) {
    return ` (close matches: ${scored.join(', ')})`;
  }
  const shown = named.slice(0, 8);
  return shown.length === 0
    ? ' (the model has no submodules; use "" for the root)'
    : ` (module paths: ${shown.join(', ')}${named.length > shown.length ? ', …' : ''})`;
}

/** Levenshtein distance, for close-match suggestions. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
