/**
 * The Captures panel's memory on the extension side: the last `maxEvents`
 * capture events in a ring buffer, plus pinned events outside it (they survive
 * Clear and are never evicted). Inline tensor values are moved out of the
 * events into `Float32Array`s, so what is replayed to the webview is small and
 * values travel only as buffers on request.
 *
 * Plain TypeScript (no `vscode`), so it is unit-tested in Node.
 */
import type { CaptureEvent, CapturedTensor, PanelEvent } from '../../protocol';

/** One event and the values the extension holds for its tensors (inline values, or copies made when pinned). */
export interface LogEntry {
  panel: PanelEvent;
  /** Per slot: the full flat values, or `null` when only the server has them. */
  readonly values: (Float32Array | null)[];
}

/** Removes `values` from a summary; keeps everything else. */
function withoutValues(t: CapturedTensor): CapturedTensor {
  if (!t.summary || t.summary.values === undefined) return t;
  const { values: _values, ...summary } = t.summary;
  return { ...t, summary };
}

export class EventLog {
  /** Unpinned entries, oldest first; `head` is the index of the oldest live one. */
  private ring: LogEntry[] = [];
  private head = 0;
  private readonly pinnedEntries = new Map<number, LogEntry>();
  private nextId = 1;
  private evictedCount = 0;

  /** @param maxEvents - most unpinned events kept (at least 1) */
  constructor(private maxEvents: number) {
    this.maxEvents = Math.max(1, Math.floor(maxEvents));
  }

  get capacity(): number {
    return this.maxEvents;
  }

  /** Events dropped by the ring buffer so far (not those removed by Clear). */
  get evicted(): number {
    return this.evictedCount;
  }

  get size(): number {
    return this.ring.length - this.head + this.pinnedEntries.size;
  }

  /**
   * Adds an event, numbering it, and evicts the oldest unpinned ones beyond the capacity.
   * @returns the panel's view of the event and the entries evicted to make room
   */
  add(event: CaptureEvent, model: string): { entry: LogEntry; evicted: LogEntry[] } {
    const values = event.tensors.map((t) => (t.summary?.values ? Float32Array.from(t.summary.values) : null));
    const panel: PanelEvent = { id: this.nextId++, pinned: false, model, event: { ...event, tensors: event.tensors.map(withoutValues) } };
    const entry: LogEntry = { panel, values };
    this.ring.push(entry);
    return { entry, evicted: this.trim() };
  }

  /** Changes the capacity; shrinking evicts at once. */
  resize(maxEvents: number): LogEntry[] {
    this.maxEvents = Math.max(1, Math.floor(maxEvents));
    return this.trim();
  }

  /** The entry with this id, pinned or not. */
  get(id: number): LogEntry | undefined {
    const pinned = this.pinnedEntries.get(id);
    if (pinned) return pinned;
    const i = this.indexOf(id);
    return i < 0 ? undefined : this.ring[i];
  }

  /** Every entry, in id order. */
  entries(): LogEntry[] {
    const live = this.ring.slice(this.head);
    if (this.pinnedEntries.size === 0) return live;
    return [...live, ...this.pinnedEntries.values()].sort((a, b) => a.panel.id - b.panel.id);
  }

  /** Every event, in id order. */
  events(): PanelEvent[] {
    return this.entries().map((e) => e.panel);
  }

  /**
   * Pins (moves out of the ring) or unpins (back into it, in id order) an event.
   * @returns the entry, and what unpinning evicted; `undefined` for an unknown id
   */
  setPinned(id: number, pinned: boolean): { entry: LogEntry; evicted: LogEntry[] } | undefined {
    if (pinned) {
      if (this.pinnedEntries.has(id)) return { entry: this.pinnedEntries.get(id)!, evicted: [] };
      const i = this.indexOf(id);
      if (i < 0) return undefined;
      const [entry] = this.ring.splice(i, 1);
      entry.panel = { ...entry.panel, pinned: true };
      this.pinnedEntries.set(id, entry);
      return { entry, evicted: [] };
    }
    const entry = this.pinnedEntries.get(id);
    if (!entry) {
      const i = this.indexOf(id);
      return i < 0 ? undefined : { entry: this.ring[i], evicted: [] };
    }
    this.pinnedEntries.delete(id);
    entry.panel = { ...entry.panel, pinned: false };
    this.compact();
    this.ring.splice(this.insertionPoint(id), 0, entry);
    return { entry, evicted: this.trim() };
  }

  /** Drops every unpinned event (not counted as evicted); returns them. */
  clear(): LogEntry[] {
    const dropped = this.ring.slice(this.head);
    this.ring = [];
    this.head = 0;
    return dropped;
  }

  /** The entry and slot holding a captured tensor, by the server's tensor id. */
  findTensor(tensorId: string): { entry: LogEntry; slot: number } | undefined {
    const all = this.entries();
    for (let i = all.length - 1; i >= 0; i--) {
      const slot = all[i].panel.event.tensors.findIndex((t) => t.tensorId === tensorId);
      if (slot >= 0) return { entry: all[i], slot };
    }
    return undefined;
  }

  /** Entries of one run, in id order. */
  run(runId: number): LogEntry[] {
    return this.entries().filter((e) => e.panel.event.runId === runId);
  }

  private trim(): LogEntry[] {
    const evicted: LogEntry[] = [];
    while (this.ring.length - this.head > this.maxEvents) {
      evicted.push(this.ring[this.head]);
      this.head++;
    }
    this.evictedCount += evicted.length;
    // Shift the array only now and then, so eviction stays O(1) amortized.
    if (this.head > 1024 && this.head * 2 > this.ring.length) this.compact();
    return evicted;
  }

  private compact(): void {
    if (this.head === 0) return;
    this.ring = this.ring.slice(this.head);
    this.head = 0;
  }

  /** Index in `ring` of the live entry with this id, by binary search (ids increase), or -1. */
  private indexOf(id: number): number {
    const i = this.insertionPoint(id);
    return i < this.ring.length && this.ring[i].panel.id === id ? i : -1;
  }

  /** First index in `ring` (from `head`) whose id is at least `id`. */
  private insertionPoint(id: number): number {
    let lo = this.head;
    let hi = this.ring.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ring[mid].panel.id < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
