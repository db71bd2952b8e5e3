/**
 * The panel's data: the events it shows (a mirror of the extension's ring
 * buffer), the eviction count and the last run state. Every message that
 * changes it goes through {@link CaptureState.apply}, an exhaustive switch, so
 * replaying a recorded message stream reproduces the panel. No DOM here: the
 * unit tests run it in Node.
 */
import { assertNever } from '../src/protocol/assertNever';
import type { RunStateParams } from '../src/protocol/runs';
import type { CaptureMessage, PanelEvent, ResetMessage, RunStateMessage } from '../src/protocol/webview';

/** Pin or unpin locally (the extension is told separately). */
export interface PinAction {
  readonly type: 'pin';
  readonly eventId: number;
  readonly pinned: boolean;
}

/** Clear locally: drop every unpinned event at once, before the extension's `reset` confirms it. */
export interface ClearAction {
  readonly type: 'clearLocal';
}

/** Everything that changes the panel's data. */
export type StateAction = ResetMessage | CaptureMessage | RunStateMessage | PinAction | ClearAction;

/** What an action changed, so the view redraws only that. */
export type StateChange =
  | { readonly kind: 'all' }
  | { readonly kind: 'added'; readonly event: PanelEvent; readonly removed: readonly number[] }
  | { readonly kind: 'event'; readonly eventId: number }
  | { readonly kind: 'runState' }
  | { readonly kind: 'none' };

/** True when a tensor summary counts any NaN or ±Inf. */
export function hasNonFinite(e: PanelEvent): boolean {
  return e.event.tensors.some((t) => t.summary !== null && (t.summary.stats.nan > 0 || t.summary.stats.inf > 0));
}

export class CaptureState {
  private list: PanelEvent[] = [];
  private byId = new Map<number, PanelEvent>();
  private evictedCount = 0;
  private capacity = 2000;
  private run: RunStateParams | null = null;
  private log = '';

  /** Events, oldest first. */
  get events(): readonly PanelEvent[] {
    return this.list;
  }

  get evicted(): number {
    return this.evictedCount;
  }

  get maxEvents(): number {
    return this.capacity;
  }

  get runState(): RunStateParams | null {
    return this.run;
  }

  /** The extension's log the event ids belong to (empty before the first `reset`). */
  get logId(): string {
    return this.log;
  }

  get(id: number): PanelEvent | undefined {
    return this.byId.get(id);
  }

  /** Applies one action; returns what changed. */
  apply(action: StateAction): StateChange {
    switch (action.type) {
      case 'reset':
        this.log = action.logId;
        this.list = [...action.events].sort((a, b) => a.id - b.id);
        this.byId = new Map(this.list.map((e) => [e.id, e]));
        this.evictedCount = action.evicted;
        this.capacity = Math.max(1, action.maxEvents);
        this.run = action.runState;
        return { kind: 'all' };
      case 'capture': {
        const e = action.event;
        if (this.byId.has(e.id)) return { kind: 'none' };
        this.list.push(e);
        this.byId.set(e.id, e);
        const removed = this.trim();
        this.evictedCount = Math.max(this.evictedCount, action.evicted);
        return { kind: 'added', event: e, removed };
      }
      case 'runState':
        this.run = action.state;
        return { kind: 'runState' };
      case 'pin': {
        const e = this.byId.get(action.eventId);
        if (!e || e.pinned === action.pinned) return { kind: 'none' };
        const next = { ...e, pinned: action.pinned };
        this.byId.set(e.id, next);
        this.list[this.list.indexOf(e)] = next;
        // Unpinning puts it back in the ring, which may now be over capacity.
        return this.trim().length ? { kind: 'all' } : { kind: 'event', eventId: e.id };
      }
      case 'clearLocal':
        this.list = this.list.filter((e) => e.pinned);
        this.byId = new Map(this.list.map((e) => [e.id, e]));
        return { kind: 'all' };
      default:
        return assertNever(action, 'state action');
    }
  }

  /** Drops the oldest unpinned events beyond the capacity, as the extension's ring buffer does. */
  private trim(): number[] {
    let unpinned = 0;
    for (const e of this.list) if (!e.pinned) unpinned++;
    const removed: number[] = [];
    if (unpinned <= this.capacity) return removed;
    // The usual case while streaming, one event over: drop the oldest in place instead of
    // copying the whole list for every event (2,000 events a second made that a hot spot).
    if (unpinned === this.capacity + 1) {
      const at = this.list.findIndex((e) => !e.pinned);
      const [gone] = this.list.splice(at, 1);
      this.byId.delete(gone.id);
      return [gone.id];
    }
    let excess = unpinned - this.capacity;
    this.list = this.list.filter((e) => {
      if (excess > 0 && !e.pinned) {
        excess--;
        removed.push(e.id);
        this.byId.delete(e.id);
        return false;
      }
      return true;
    });
    return removed;
  }
}

/** The runs present, newest first. */
export function runIds(events: readonly PanelEvent[]): number[] {
  return [...new Set(events.map((e) => e.event.runId))].sort((a, b) => b - a);
}

/**
 * "Go to first non-finite": the first event (by sequence) whose tensors hold NaN or Inf, in
 * run `runId` when given, else in the newest run that has one.
 */
export function firstNonFinite(events: readonly PanelEvent[], runId?: number): PanelEvent | undefined {
  const runs = runId === undefined ? runIds(events) : [runId];
  for (const run of runs) {
    let best: PanelEvent | undefined;
    for (const e of events) {
      if (e.event.runId === run && hasNonFinite(e) && (!best || e.event.seq < best.event.seq)) best = e;
    }
    if (best) return best;
  }
  return undefined;
}

/** Events another event can be diffed with: same model, module and hook kind, any other run or pinned. */
export function diffCandidates(events: readonly PanelEvent[], of: PanelEvent): PanelEvent[] {
  const e = of.event;
  return events.filter((o) => o.id !== of.id && o.event.modelId === e.modelId && o.event.path === e.path && o.event.kind === e.kind
    && (o.event.runId !== e.runId || o.pinned || of.pinned));
}
