/**
 * Rows of the Hooks view, built from the server's {@link HookInfo}s. Pure (no
 * `vscode` import), so labels, context values and checkbox states are
 * unit-tested; `hooksTreeProvider.ts` maps them onto `vscode.TreeItem`s.
 */
import type { HookInfo, HookKind } from '../protocol';

/** A hook as the Hooks view lists it: the server's hook, or one the user disabled (detached, kept listed). */
export interface HookEntry extends HookInfo {
  /** The root type of the hook's model, shown when several models are open. */
  readonly modelName?: string;
}

/** One row of the Hooks view. */
export interface HookItemSpec {
  readonly id: string;
  readonly label: string;
  readonly description: string;
  readonly tooltip: string;
  /** `hook.enabled` / `hook.disabled`, then `.breakpoint` and `.missing` when they apply. */
  readonly contextValue: string;
  readonly checked: boolean;
  readonly icon: string;
  readonly iconColor?: string;
}

const KIND_WORDS: Readonly<Record<HookKind, readonly [string, string]>> = {
  pre: ['forward pre-hook', 'forward pre-hook breakpoint'],
  forward: ['forward hook', 'forward breakpoint'],
  backward: ['backward hook', 'backward breakpoint'],
};

/** `forward hook`, `forward pre-hook breakpoint`, `backward breakpoint`, … */
export function hookKindText(kind: HookKind, breakpoint: boolean): string {
  return KIND_WORDS[kind][breakpoint ? 1 : 0];
}

/**
 * The row of one hook.
 *
 * @param hook - the hook, with its hit count
 * @param showModel - several models are open, so the row names its model
 */
export function buildHookItem(hook: HookEntry, showModel = false): HookItemSpec {
  const kind = hookKindText(hook.kind, hook.breakpoint);
  const hits = `${hook.hits} hit${hook.hits === 1 ? '' : 's'}`;
  const state = hook.missing ? 'module missing' : hook.enabled ? '' : 'disabled';
  const where = hook.path === '' ? (hook.modelName ?? 'root') : hook.path;
  const extras = [hook.condition ? `if ${hook.condition}` : '', hook.hitCondition ? `hits ${hook.hitCondition}` : '', hook.logMessage ? `log "${hook.logMessage}"` : '']
    .filter(Boolean);
  return {
    id: `hook:${hook.hookId}`,
    label: where,
    description: [kind, hits, ...(state ? [state] : []), ...(showModel && hook.modelName ? [hook.modelName] : [])].join(' · '),
    tooltip: [
      `${kind[0].toUpperCase()}${kind.slice(1)} on ${hook.path === '' ? 'the root module' : hook.path}${hook.modelName ? ` of ${hook.modelName}` : ''}`,
      ...extras,
      `${hits} since attached${hook.enabled ? '' : ' (disabled: detached from the module until re-enabled)'}`,
      ...(hook.missing ? ['The module disappeared when the model was reloaded; the hook cannot fire.'] : []),
    ].join('\n'),
    contextValue: `hook.${hook.enabled ? 'enabled' : 'disabled'}${hook.breakpoint ? '.breakpoint' : ''}${hook.missing ? '.missing' : ''}`,
    checked: hook.enabled,
    icon: hook.breakpoint ? (hook.enabled ? 'debug-breakpoint' : 'debug-breakpoint-disabled') : 'symbol-event',
    iconColor: hook.breakpoint && hook.enabled ? 'debugIcon.breakpointForeground' : undefined,
  };
}
