/**
 * Where a "Show in Panel" focus lands in the event list: which event to expand,
 * which of its cards to scroll to, and which filter shows it. Pure, unit-tested
 * in Node; `app.ts` does the drawing.
 */
import type { FocusTarget, PanelEvent } from '../src/protocol/webview';
import { eventMatcher, exactPathFilter, NO_FILTER, type EventFilter } from './filters';

/** The outcome of planning a list focus. */
export type FocusPlan =
  /** Expand `eventId`, scroll to card `slot`, with `filter` in the toolbar. */
  | { readonly kind: 'event'; readonly eventId: number; readonly slot: number; readonly filter: EventFilter }
  /** The module has no event in the panel: show `filter` (it matches none) and say so. */
  | { readonly kind: 'noEvents'; readonly filter: EventFilter }
  /** The event is no longer in the panel (evicted or cleared). */
  | { readonly kind: 'gone'; readonly filter: EventFilter };

/** The filter that shows exactly one module of one model, every hook kind. */
export function moduleFilter(modelId: string, path: string): EventFilter {
  return { model: modelId, path: exactPathFilter(path), kinds: NO_FILTER.kinds };
}

/** The card a module focus scrolls to: a forward event's `output`, else the first card. */
export function focusSlot(ev: PanelEvent): number {
  if (ev.event.kind !== 'forward') return 0;
  return Math.max(0, ev.event.tensors.findIndex((t) => t.slot === 'output'));
}

/** The newest event of a module (events are in id order). */
export function newestEventOf(events: readonly PanelEvent[], modelId: string, path: string): PanelEvent | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.event.modelId === modelId && e.event.path === path) return e;
  }
  return undefined;
}

/**
 * Plans a module or event focus over the events the panel holds. A module gets a filter for
 * exactly it (the user sees it in the toolbar and can clear it); an event keeps the current
 * filter when it already shows the event, and clears it otherwise.
 */
export function planFocus(events: readonly PanelEvent[], target: Exclude<FocusTarget, { kind: 'snapshot' }>, current: EventFilter, get: (id: number) => PanelEvent | undefined): FocusPlan {
  if (target.kind === 'module') {
    const filter = moduleFilter(target.modelId, target.path);
    const ev = newestEventOf(events, target.modelId, target.path);
    return ev ? { kind: 'event', eventId: ev.id, slot: focusSlot(ev), filter } : { kind: 'noEvents', filter };
  }
  const ev = get(target.eventId);
  if (!ev) return { kind: 'gone', filter: current };
  const slot = Math.min(Math.max(0, target.slot), Math.max(0, ev.event.tensors.length - 1));
  return { kind: 'event', eventId: ev.id, slot, filter: eventMatcher(current)(ev) ? current : NO_FILTER };
}

/** How a module is named in the panel's notices: its path, or the model's name for the root. */
export function moduleName(model: string, path: string): string {
  return path === '' ? `${model} (root)` : path;
}
