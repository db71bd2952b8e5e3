/**
 * Messages between the extension and the Captures panel webview, sent with
 * `webview.postMessage` / `acquireVsCodeApi().postMessage`. The webview bundle
 * imports this file (and types only from `./runs`), so it must stay free of
 * Node, VS Code and JSON-RPC values.
 *
 * Handshake: the webview posts {@link ReadyMessage} once its script has run and
 * its listener is attached; the extension sends nothing before that, because
 * messages posted to a webview that is not listening yet are lost. It answers
 * with `init` and a `reset` that replays what it holds.
 *
 * Tensor values never travel as JSON arrays: a {@link ValuesMessage} carries
 * them as an `ArrayBuffer` of exactly `4 × n` bytes (a fresh `Float32Array`'s
 * buffer, never a view into a larger one), fetched page by page on request.
 */
import type { CaptureEvent, HookKind, RunStateParams, TensorSummaryJson } from './runs';

/** Bumped whenever a message below changes shape; checked on `init`. */
export const WEBVIEW_PROTOCOL_VERSION = 3;

/** Most values the webview asks for in one {@link GetValuesMessage}. */
export const PANEL_PAGE_SIZE = 1 << 16;

/**
 * A capture event as the panel holds it: numbered by the extension in arrival
 * order, with every summary's inline `values` removed (values travel as
 * `ArrayBuffer`s on request).
 */
export interface PanelEvent {
  /** Increases by one per event the extension received; unique within a window. */
  readonly id: number;
  /** Pinned events survive Clear and are never evicted. */
  readonly pinned: boolean;
  /** The model's display name (its root module's class), or its id when the extension does not know it. */
  readonly model: string;
  readonly event: CaptureEvent;
}

/**
 * A tensor the panel shows on its own, outside the event list: the current value of a
 * parameter or buffer, or a captured tensor whose event the panel's log does not hold (it
 * arrived before the panel opened). Its values are served by the extension under `id`.
 */
export interface TensorSnapshot {
  /** Names the snapshot in {@link GetSnapshotValuesMessage}; unique within the panel's log. */
  readonly id: number;
  readonly source: 'parameter' | 'buffer' | 'capture';
  readonly modelId: string;
  /** The model's display name (its root module's class). */
  readonly model: string;
  /** The state-dict name (`fc.weight`), or for a capture its slot and module (`output of fc`). */
  readonly name: string;
  /** The last run of the model that had ended when the snapshot was taken (the capture's run for a capture), or `null` before any run. */
  readonly afterRun: number | null;
  /** The run that was paused at a breakpoint when the snapshot was taken, if any. */
  readonly pausedRun: number | null;
  readonly summary: TensorSummaryJson;
}

/** What a {@link FocusMessage} brings into view. */
export type FocusTarget =
  /** The newest event of a module (the list is filtered to it); a notice and an "attach hook" button when it has none. */
  | { readonly kind: 'module'; readonly modelId: string; readonly model: string; readonly path: string }
  /** One tensor card of an event in the list, highlighted briefly. */
  | { readonly kind: 'event'; readonly eventId: number; readonly slot: number }
  /** A tensor shown as a card of its own above the list. */
  | { readonly kind: 'snapshot'; readonly snapshot: TensorSnapshot };

// ---------------------------------------------------------------- webview → extension

/** The script is loaded and listening. */
export interface ReadyMessage {
  readonly type: 'ready';
}

/** Something failed inside the webview; the extension logs it. */
export interface WebviewErrorMessage {
  readonly type: 'error';
  readonly message: string;
}

/** Values `[start, end)` of tensor `slot` (its index in `event.tensors`) of event `eventId`. */
export interface GetValuesMessage {
  readonly type: 'getValues';
  readonly requestId: number;
  readonly eventId: number;
  readonly slot: number;
  readonly start: number;
  readonly end: number;
}

/** Pin or unpin an event. */
export interface SetPinnedMessage {
  readonly type: 'setPinned';
  readonly eventId: number;
  readonly pinned: boolean;
}

/** Drop every event that is not pinned, and release the server's captured tensors. */
export interface ClearMessage {
  readonly type: 'clear';
}

/** The paused banner's buttons. */
export interface RunControlMessage {
  readonly type: 'runControl';
  readonly action: 'continue' | 'step' | 'stop';
}

/** Save one tensor as `.npy` (the extension asks where). */
export interface ExportTensorMessage {
  readonly type: 'exportTensor';
  readonly eventId: number;
  readonly slot: number;
}

/** Save every tensor of a run as `.safetensors`, keyed `<path>/<kind>/<slot>`. */
export interface ExportRunMessage {
  readonly type: 'exportRun';
  readonly runId: number;
}

/** Save the event list (summaries, no values) as JSON. */
export interface ExportEventsMessage {
  readonly type: 'exportEvents';
}

/** Values `[start, end)` of snapshot `snapshotId`; answered like {@link GetValuesMessage}. */
export interface GetSnapshotValuesMessage {
  readonly type: 'getSnapshotValues';
  readonly requestId: number;
  readonly snapshotId: number;
  readonly start: number;
  readonly end: number;
}

/** Save a snapshot's tensor as `.npy` (the extension asks where). */
export interface ExportSnapshotMessage {
  readonly type: 'exportSnapshot';
  readonly snapshotId: number;
}

/** The "attach a hook" button of a module that has no events yet: the extension attaches it as the Modules view would. */
export interface AttachHookMessage {
  readonly type: 'attachHook';
  readonly modelId: string;
  readonly path: string;
  readonly kind: HookKind;
}

/**
 * What a {@link FocusMessage} ended up showing, reported once it is drawn: the extension logs
 * it (and tests read it), so "Show in Panel" can be checked against the page itself.
 */
export interface FocusShownMessage {
  readonly type: 'focusShown';
  readonly target: FocusTarget['kind'];
  /** `event`: a card of an event in the list; `snapshot`: a card above the list; `none`: nothing to show, a notice says why. */
  readonly shown: 'event' | 'snapshot' | 'none';
  readonly eventId: number | null;
  /** The slot of the card brought into view (`output`, `args[0]`, a state-dict name), or `null`. */
  readonly slot: string | null;
  /** The path filter the toolbar shows afterwards. */
  readonly filter: string;
  /** What the user reads: the card's label, or the notice. */
  readonly text: string;
}

/** Every message the webview sends. */
export type WebviewToExtensionMessage =
  | ReadyMessage | WebviewErrorMessage | GetValuesMessage | SetPinnedMessage | ClearMessage
  | RunControlMessage | ExportTensorMessage | ExportRunMessage | ExportEventsMessage
  | GetSnapshotValuesMessage | ExportSnapshotMessage | AttachHookMessage | FocusShownMessage;

// ---------------------------------------------------------------- extension → webview

/** The answer to `ready`. */
export interface InitMessage {
  readonly type: 'init';
  readonly protocolVersion: number;
}

/** Everything the extension holds, oldest first: sent after `init`, after Clear and when the panel is revealed. */
export interface ResetMessage {
  readonly type: 'reset';
  /** Names the log the event ids belong to; a new log (after a window reload) restarts ids at 1. */
  readonly logId: string;
  readonly events: readonly PanelEvent[];
  /** Events dropped by the ring buffer since the panel's log started. */
  readonly evicted: number;
  readonly maxEvents: number;
  /** The last run state seen, or `null` before any run. */
  readonly runState: RunStateParams | null;
  /** A `focus` message comes right after: a reloaded page need not bring its saved focus back. */
  readonly focusFollows?: boolean;
}

/** A new hook event. */
export interface CaptureMessage {
  readonly type: 'capture';
  readonly event: PanelEvent;
  /** The extension's eviction count after adding it. */
  readonly evicted: number;
}

/** A run started, paused or ended. */
export interface RunStateMessage {
  readonly type: 'runState';
  readonly state: RunStateParams;
}

/** The answer to {@link GetValuesMessage}: `values` holds `byteLength / 4` float32 values from `start`. */
export interface ValuesMessage {
  readonly type: 'values';
  readonly requestId: number;
  readonly start: number;
  readonly values: ArrayBuffer;
}

/** {@link GetValuesMessage} failed (the tensor was released, the server is gone, …). */
export interface ValuesErrorMessage {
  readonly type: 'valuesError';
  readonly requestId: number;
  readonly message: string;
}

/**
 * Bring something into view ("Show in Panel", "View in Captures Panel"). Sent after the
 * `reset` that answers `ready`, so the events it names are already there.
 */
export interface FocusMessage {
  readonly type: 'focus';
  readonly target: FocusTarget;
}

/** Every message the extension sends. */
export type ExtensionToWebviewMessage = InitMessage | ResetMessage | CaptureMessage | RunStateMessage | ValuesMessage | ValuesErrorMessage | FocusMessage;

// ---------------------------------------------------------------- guards

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
/** Also true for a buffer made in another realm (a webview's frames each have their own `ArrayBuffer`). */
export const isArrayBuffer = (v: unknown): v is ArrayBuffer => Object.prototype.toString.call(v) === '[object ArrayBuffer]';

/**
 * Checks a message received from the webview before the extension acts on it:
 * the webview runs page script, so its messages are untrusted input.
 */
export function isWebviewToExtensionMessage(m: unknown): m is WebviewToExtensionMessage {
  if (!isObject(m)) return false;
  switch (m.type) {
    case 'ready': case 'clear': case 'exportEvents': return true;
    case 'error': return typeof m.message === 'string';
    case 'getValues':
      return isIndex(m.requestId) && isIndex(m.eventId) && isIndex(m.slot) && isIndex(m.start) && isIndex(m.end)
        && m.end >= m.start && m.end - m.start <= PANEL_PAGE_SIZE;
    case 'setPinned': return isIndex(m.eventId) && typeof m.pinned === 'boolean';
    case 'runControl': return m.action === 'continue' || m.action === 'step' || m.action === 'stop';
    case 'exportTensor': return isIndex(m.eventId) && isIndex(m.slot);
    case 'exportRun': return isIndex(m.runId);
    case 'getSnapshotValues':
      return isIndex(m.requestId) && isIndex(m.snapshotId) && isIndex(m.start) && isIndex(m.end)
        && m.end >= m.start && m.end - m.start <= PANEL_PAGE_SIZE;
    case 'exportSnapshot': return isIndex(m.snapshotId);
    case 'attachHook': return typeof m.modelId === 'string' && typeof m.path === 'string' && (m.kind === 'pre' || m.kind === 'forward' || m.kind === 'backward');
    case 'focusShown':
      return (m.target === 'module' || m.target === 'event' || m.target === 'snapshot') && (m.shown === 'event' || m.shown === 'snapshot' || m.shown === 'none')
        && (m.eventId === null || isIndex(m.eventId)) && (m.slot === null || typeof m.slot === 'string')
        && typeof m.filter === 'string' && typeof m.text === 'string';
    default: return false;
  }
}

function isFocusTarget(t: unknown): t is FocusTarget {
  if (!isObject(t)) return false;
  switch (t.kind) {
    case 'module': return typeof t.modelId === 'string' && typeof t.model === 'string' && typeof t.path === 'string';
    case 'event': return isIndex(t.eventId) && isIndex(t.slot);
    case 'snapshot': return isObject(t.snapshot) && isIndex(t.snapshot.id) && isObject(t.snapshot.summary) && typeof t.snapshot.name === 'string';
    default: return false;
  }
}

/** Checks a message received from the extension before the webview acts on it. */
export function isExtensionToWebviewMessage(m: unknown): m is ExtensionToWebviewMessage {
  if (!isObject(m)) return false;
  switch (m.type) {
    case 'init': return typeof m.protocolVersion === 'number';
    case 'reset': return typeof m.logId === 'string' && Array.isArray(m.events) && isIndex(m.evicted) && isIndex(m.maxEvents) && (m.runState === null || isObject(m.runState));
    case 'capture': return isObject(m.event) && isObject(m.event.event) && isIndex(m.evicted);
    case 'runState': return isObject(m.state) && typeof m.state.state === 'string';
    case 'values': return isIndex(m.requestId) && isIndex(m.start) && isArrayBuffer(m.values) && m.values.byteLength % 4 === 0;
    case 'valuesError': return isIndex(m.requestId) && typeof m.message === 'string';
    case 'focus': return isFocusTarget(m.target);
    default: return false;
  }
}
