/**
 * Which events the list shows: by model, by module path (a substring, a glob
 * when the text has `*` or `?`, or one exact path after `=`), and by hook kind.
 * Pure functions, unit-tested in Node.
 */
import { HOOK_KINDS_LIST } from './kinds';
import type { HookKind } from '../src/protocol/runs';
import type { PanelEvent } from '../src/protocol/webview';

/** The filter bar's settings; the default shows everything. */
export interface EventFilter {
  /** A `modelId`, or `''` for every model. */
  readonly model: string;
  /** Substring or glob over the dotted module path, or `=path` for exactly one module (`=` alone: the root); `''` matches all. */
  readonly path: string;
  /** Kinds shown. */
  readonly kinds: readonly HookKind[];
}

export const NO_FILTER: EventFilter = { model: '', path: '', kinds: HOOK_KINDS_LIST };

/** True when the text is a glob rather than a substring (or an exact `=path`). */
export function isGlob(text: string): boolean {
  return !text.trim().startsWith('=') && /[*?]/.test(text);
}

/**
 * A glob over dotted module paths, matched against the whole path, case-insensitively:
 * `**` any characters, `*` any characters but `.`, `?` one character but `.`.
 * `features.*` matches `features.0` but not `features.0.conv`; `**.conv` matches both `a.conv` and `a.b.conv`.
 */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      // `**.` also matches nothing at all, so `**.conv` matches a top-level `conv`.
      if (glob[i + 2] === '.') {
        re += '(?:.*\\.)?';
        i += 2;
      } else {
        re += '.*';
        i++;
      }
    } else if (c === '*') re += '[^.]*';
    else if (c === '?') re += '[^.]';
    else re += c.replace(/[\\^$+?.()|[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'i');
}

/** The path box's text that matches exactly one module path (`''`, the root, is `=`). */
export function exactPathFilter(path: string): string {
  return `=${path}`;
}

/** A predicate over module paths for the path box's text. */
export function pathMatcher(text: string): (path: string) => boolean {
  const t = text.trim();
  if (!t) return () => true;
  if (t.startsWith('=')) {
    const exact = t.slice(1).trim();
    return (p) => p === exact;
  }
  if (isGlob(t)) {
    const re = globToRegExp(t);
    return (p) => re.test(p);
  }
  const lower = t.toLowerCase();
  return (p) => p.toLowerCase().includes(lower);
}

/** A predicate over events for the whole filter. */
export function eventMatcher(f: EventFilter): (e: PanelEvent) => boolean {
  const path = pathMatcher(f.path);
  const kinds = new Set(f.kinds);
  return (e) => (!f.model || e.event.modelId === f.model) && kinds.has(e.event.kind) && path(e.event.path);
}

/** True when the filter hides nothing. */
export function isEmptyFilter(f: EventFilter): boolean {
  return !f.model && !f.path.trim() && HOOK_KINDS_LIST.every((k) => f.kinds.includes(k));
}

/** The models present, as `[modelId, display name]`, in first-seen order. */
export function modelsOf(events: readonly PanelEvent[]): [string, string][] {
  const seen = new Map<string, string>();
  for (const e of events) if (!seen.has(e.event.modelId)) seen.set(e.event.modelId, e.model);
  return [...seen];
}
