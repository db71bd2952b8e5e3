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

/**
 * Who waits for values: `visible` for what is on screen now (the values grid), `bulk` for
 * whole-tensor reads (heatmaps, channel grids, diffs, the non-finite scan).
 */
export type ValuePriority = 'visible' | 'bulk';

/** How many value requests are out at once; the rest wait here, visible ones first. */
export const MAX_VALUE_REQUESTS_IN_FLIGHT = 2;

interface QueuedRequest {
  readonly key: string;
  readonly message: WebviewToExtensionMessage & { requestId: number };
  priority: ValuePriority;
}

/**
 * Outstanding value requests, answered in any order. At most
 * {@link MAX_VALUE_REQUESTS_IN_FLIGHT} are sent at once, and queued ones go out visible first:
 * the 62 pages a heatmap of a 1M-element tensor reads must not keep the values grid's one
 * page waiting behind them on the model server, which answers in order.
 */
export class ValueRequests {
  private next = 1;
  private readonly pending = new Map<number, { resolve(v: Float32Array): void; reject(e: Error): void }>();
  private readonly queued: QueuedRequest[] = [];
  /** The requests sent and not yet answered, by id, with their priority. */
  private readonly sent = new Map<number, ValuePriority>();

  constructor(private readonly send: (m: WebviewToExtensionMessage) => void = post) {}

  /** Values `[start, end)` of tensor `slot` of event `eventId`; the extension caps `end - start` at `PANEL_PAGE_SIZE`. */
  request(eventId: number, slot: number, start: number, end: number, priority: ValuePriority = 'bulk'): Promise<Float32Array> {
    const requestId = this.next++;
    return this.enqueue(`e:${eventId}:${slot}:${start}:${end}`, { type: 'getValues', requestId, eventId, slot, start, end }, priority);
  }

  /** Values `[start, end)` of a snapshot (a tensor shown outside the event list). */
  requestSnapshot(snapshotId: number, start: number, end: number, priority: ValuePriority = 'bulk'): Promise<Float32Array> {
    const requestId = this.next++;
    return this.enqueue(`s:${snapshotId}:${start}:${end}`, { type: 'getSnapshotValues', requestId, snapshotId, start, end }, priority);
  }

  /** A request still waiting to be sent moves ahead of the bulk ones (the grid now shows its values). */
  promote(eventId: number, slot: number, start: number, end: number): void {
    const q = this.queued.find((r) => r.key === `e:${eventId}:${slot}:${start}:${end}`);
    if (q) q.priority = 'visible';
  }

  private enqueue(key: string, message: QueuedRequest['message'], priority: ValuePriority): Promise<Float32Array> {
    let settle!: { resolve(v: Float32Array): void; reject(e: Error): void };
    const promise = new Promise<Float32Array>((resolve, reject) => { settle = { resolve, reject }; });
    this.pending.set(message.requestId, settle);
    this.queued.push({ key, message, priority });
    this.pump();
    return promise;
  }

  private pump(): void {
    while (this.sent.size < MAX_VALUE_REQUESTS_IN_FLIGHT && this.queued.length) {
      const i = this.queued.findIndex((r) => r.priority === 'visible');
      // Bulk reads wait while the screen's values are on their way: both would share one server.
      if (i < 0 && [...this.sent.values()].includes('visible')) return;
      const [next] = this.queued.splice(i >= 0 ? i : 0, 1);
      this.sent.set(next.message.requestId, next.priority);
      this.send(next.message);
    }
  }

  /** Settles the request a `values` or `valuesError` message answers. */
  settle(m: ValuesMessage | ValuesErrorMessage): void {
    const p = this.pending.get(m.requestId);
    if (!p) return;
    this.pending.delete(m.requestId);
    this.sent.delete(m.requestId);
    if (m.type === 'values') p.resolve(new Float32Array(m.values));
    else p.reject(new Error(m.message));
    this.pump();
  }

  /** Fails every outstanding request (the extension's log was replaced). */
  abandon(reason: string): void {
    for (const p of this.pending.values()) p.reject(new Error(reason));
    this.pending.clear();
    this.queued.length = 0;
    this.sent.clear();
  }
}
