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
import type { CaptureEvent, RunStateParams } from './runs';

/** Bumped whenever a message below changes shape; checked on `init`. */
export const WEBVIEW_PROTOCOL_VERSION = 2;

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

/** Every message the webview sends. */
export type WebviewToExtensionMessage =
  | ReadyMessage | WebviewErrorMessage | GetValuesMessage | SetPinnedMessage | ClearMessage
  | RunControlMessage | ExportTensorMessage | ExportRunMessage | ExportEventsMessage;

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

/** Every message the extension sends. */
export type ExtensionToWebviewMessage = InitMessage | ResetMessage | CaptureMessage | RunStateMessage | ValuesMessage | ValuesErrorMessage;

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
    default: return false;
  }
}
