/**
 * What the webview remembers across reloads with `getState`/`setState`: the
 * filters, expanded events, open diffs, the diff tolerance, the heatmap
 * slices and channel grids, the last "Show in Panel" focus (applied again after a reload) and the
 * snapshot card it opened. Event and snapshot ids belong to one extension log,
 * so id-keyed parts are dropped when the log changes. Pure, unit-tested in Node.
 */
import type { FocusTarget, TensorSnapshot } from '../src/protocol/webview';
import { NO_FILTER, type EventFilter } from './filters';
import { HOOK_KINDS_LIST } from './kinds';
import { validChannelView, type ChannelView } from './channels';
import type { SliceView } from './slicing';

export interface ViewState {
  readonly version: 1;
  logId: string;
  filter: EventFilter;
  expanded: number[];
  /** Open diffs: event id → the event it is compared with. */
  diffs: Record<string, number>;
  tolerance: number;
  slices: Record<string, SliceView>;
  /** Channel grids by `eventId:slot` (absent: the card shows the slice). */
  channels: Record<string, ChannelView>;
  /** The last focus the extension asked for; a reloaded page brings it into view again. */
  focus: FocusTarget | null;
  /** The snapshot card shown above the list, if any. */
  snapshot: TensorSnapshot | null;
  /** A focused module that had no events yet: its first event is brought into view when it arrives. */
  awaiting: { readonly modelId: string; readonly path: string } | null;
}

export function initialViewState(): ViewState {
  return { version: 1, logId: '', filter: NO_FILTER, expanded: [], diffs: {}, tolerance: 1e-6, slices: {}, channels: {}, focus: null, snapshot: null, awaiting: null };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function restoreSnapshot(s: unknown): TensorSnapshot | null {
  if (!isRecord(s) || !Number.isSafeInteger(s.id) || typeof s.name !== 'string' || typeof s.modelId !== 'string' || typeof s.model !== 'string') return null;
  if (s.source !== 'parameter' && s.source !== 'buffer' && s.source !== 'capture') return null;
  const summary = s.summary;
  if (!isRecord(summary) || !Array.isArray(summary.shape) || !isRecord(summary.stats) || !isRecord(summary.histogram) || typeof summary.size !== 'number') return null;
  return s as unknown as TensorSnapshot;
}

function restoreFocus(f: unknown): FocusTarget | null {
  if (!isRecord(f)) return null;
  if (f.kind === 'module' && typeof f.modelId === 'string' && typeof f.path === 'string' && typeof f.model === 'string') return { kind: 'module', modelId: f.modelId, model: f.model, path: f.path };
  if (f.kind === 'event' && Number.isSafeInteger(f.eventId) && Number.isSafeInteger(f.slot)) return { kind: 'event', eventId: f.eventId as number, slot: f.slot as number };
  if (f.kind === 'snapshot') {
    const snapshot = restoreSnapshot(f.snapshot);
    return snapshot ? { kind: 'snapshot', snapshot } : null;
  }
  return null;
}

/** A saved state, checked field by field (it may come from an older build). */
export function restoreViewState(saved: unknown): ViewState {
  const v = initialViewState();
  if (typeof saved !== 'object' || saved === null || (saved as { version?: unknown }).version !== 1) return v;
  const s = saved as Partial<ViewState>;
  if (typeof s.logId === 'string') v.logId = s.logId;
  const f = s.filter;
  if (f && typeof f.model === 'string' && typeof f.path === 'string' && Array.isArray(f.kinds)) {
    v.filter = { model: f.model, path: f.path, kinds: HOOK_KINDS_LIST.filter((k) => f.kinds.includes(k)) };
  }
  if (Array.isArray(s.expanded)) v.expanded = s.expanded.filter((n) => Number.isSafeInteger(n));
  if (s.diffs && typeof s.diffs === 'object') v.diffs = { ...s.diffs };
  if (typeof s.tolerance === 'number' && s.tolerance >= 0) v.tolerance = s.tolerance;
  if (s.slices && typeof s.slices === 'object') v.slices = { ...s.slices };
  if (s.channels && typeof s.channels === 'object') {
    for (const [k, c] of Object.entries(s.channels)) {
      const valid = validChannelView(c);
      if (valid) v.channels[k] = valid;
    }
  }
  v.focus = restoreFocus(s.focus);
  v.snapshot = restoreSnapshot(s.snapshot);
  const a = s.awaiting;
  if (isRecord(a) && typeof a.modelId === 'string' && typeof a.path === 'string') v.awaiting = { modelId: a.modelId, path: a.path };
  return v;
}

/**
 * The state for a (possibly new) log: the same log keeps everything; a new one keeps the
 * filters, the tolerance and a module focus (paths outlive logs), not what names events or snapshots.
 */
export function forLog(v: ViewState, logId: string): ViewState {
  if (v.logId === logId) return v;
  return { ...v, logId, expanded: [], diffs: {}, slices: {}, channels: {}, snapshot: null, focus: v.focus?.kind === 'module' ? v.focus : null };
}

/** Forgets id-keyed state of events that are gone. */
export function pruneViewState(v: ViewState, live: (id: number) => boolean): ViewState {
  const diffs: Record<string, number> = {};
  for (const [k, other] of Object.entries(v.diffs)) if (live(Number(k)) && live(other)) diffs[k] = other;
  const slices: Record<string, SliceView> = {};
  for (const [k, s] of Object.entries(v.slices)) if (k.startsWith('snapshot:') || live(Number(k.split(':')[0]))) slices[k] = s;
  const channels: Record<string, ChannelView> = {};
  for (const [k, c] of Object.entries(v.channels)) if (k.startsWith('snapshot:') || live(Number(k.split(':')[0]))) channels[k] = c;
  return { ...v, expanded: v.expanded.filter(live), diffs, slices, channels };
}
