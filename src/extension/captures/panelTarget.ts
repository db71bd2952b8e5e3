/**
 * What "Show in Panel" can bring into view, as commands receive it: a module
 * (tree row or `{modelId, path}`), a parameter or buffer (tree row or
 * `{kind: 'parameter' | 'buffer', modelId, path}` with the state-dict name as
 * `path`), a captured tensor by server id (with the event it belongs to, when
 * known), or a tensor card of an event in the panel. Plain TypeScript.
 */
import type { CaptureEvent } from '../../protocol';

/** A target of `moduleLens.showInPanel`, resolved by the Captures panel into a `focus` message. */
export type PanelTarget =
  | { readonly kind: 'module'; readonly modelId: string; readonly path: string }
  | { readonly kind: 'parameter' | 'buffer'; readonly modelId: string; readonly path: string }
  | { readonly kind: 'capture'; readonly tensorId: string; readonly event?: CaptureEvent; readonly slot?: number }
  | { readonly kind: 'event'; readonly eventId: number; readonly slot: number };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Reads a command argument as a target (a tree node, or one of the plain shapes above); `undefined` if it is none. */
export function parsePanelTarget(arg: unknown): PanelTarget | undefined {
  if (!isRecord(arg)) return undefined;
  const { kind } = arg;
  if (typeof arg.modelId === 'string' && typeof arg.path === 'string') {
    if (kind === undefined || kind === 'module') return { kind: 'module', modelId: arg.modelId, path: arg.path };
    if (kind === 'parameter' || kind === 'buffer') return { kind, modelId: arg.modelId, path: arg.path };
  }
  if ((kind === 'capture' || kind === undefined) && typeof arg.tensorId === 'string') {
    const event = isRecord(arg.event) && Array.isArray(arg.event.tensors) ? arg.event as unknown as CaptureEvent : undefined;
    return { kind: 'capture', tensorId: arg.tensorId, event, slot: isIndex(arg.slot) ? arg.slot : undefined };
  }
  if ((kind === 'event' || kind === undefined) && isIndex(arg.eventId) && isIndex(arg.slot)) return { kind: 'event', eventId: arg.eventId, slot: arg.slot };
  return undefined;
}
