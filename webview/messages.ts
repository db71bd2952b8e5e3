/**
 * The webview's side of the transport: the VS Code API object (acquired once),
 * typed `post`, persisted view state, and tensor value requests answered by
 * `values` / `valuesError` messages carrying `ArrayBuffer`s.
 */
import type { ValuesErrorMessage, ValuesMessage, WebviewToExtensionMessage } from '../src/protocol/webview';

/** The part of the webview API this script uses. */
export interface VsCodeApi {
  postMessage(message: WebviewToExtensionMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

let api: VsCodeApi | undefined;

/** `acquireVsCodeApi()` may be called only once per page. */
export function vscodeApi(): VsCodeApi {
  api ??= acquireVsCodeApi();
  return api;
}

export function post(message: WebviewToExtensionMessage): void {
  vscodeApi().postMessage(message);
}

/** Outstanding value requests, answered in any order. */
export class ValueRequests {
  private next = 1;
  private readonly pending = new Map<number, { resolve(v: Float32Array): void; reject(e: Error): void }>();

  constructor(private readonly send: (m: WebviewToExtensionMessage) => void = post) {}

  /** Values `[start, end)` of tensor `slot` of event `eventId`; the extension caps `end - start` at `PANEL_PAGE_SIZE`. */
  request(eventId: number, slot: number, start: number, end: number): Promise<Float32Array> {
    const requestId = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject });
      this.send({ type: 'getValues', requestId, eventId, slot, start, end });
    });
  }

  /** Values `[start, end)` of a snapshot (a tensor shown outside the event list). */
  requestSnapshot(snapshotId: number, start: number, end: number): Promise<Float32Array> {
    const requestId = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject });
      this.send({ type: 'getSnapshotValues', requestId, snapshotId, start, end });
    });
  }

  /** Settles the request a `values` or `valuesError` message answers. */
  settle(m: ValuesMessage | ValuesErrorMessage): void {
    const p = this.pending.get(m.requestId);
    if (!p) return;
    this.pending.delete(m.requestId);
    if (m.type === 'values') p.resolve(new Float32Array(m.values));
    else p.reject(new Error(m.message));
  }

  /** Fails every outstanding request (the extension's log was replaced). */
  abandon(reason: string): void {
    for (const p of this.pending.values()) p.reject(new Error(reason));
    this.pending.clear();
  }
}
