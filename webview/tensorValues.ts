/**
 * The values of captured tensors, fetched from the extension page by page and
 * kept in a small cache per tensor (least recently used pages go first). The
 * grid peeks at values it has and asks for the pages it lacks; the heatmap and
 * the diff gather the values they need. No DOM: unit-tested in Node.
 */
import type { ValuePriority, ValueRequests } from './messages';

/** Values per page: small enough to answer fast, large enough that a grid screen is one page. */
export const PAGE = 16384;

/** Screen-sized ranges kept per tensor (see {@link TensorValues.visible}). */
const MAX_FRAGMENTS = 32;

/** Most values one diff or full read brings into the webview. */
export const MAX_FULL_READ = 4 * 1024 * 1024;

export class TensorValues {
  private readonly pages = new Map<number, Float32Array>();
  private readonly inflight = new Map<number, Promise<Float32Array>>();
  /** The last failure (e.g. the server released the tensor). */
  error: string | undefined;

  constructor(
    readonly eventId: number,
    readonly slot: number,
    readonly size: number,
    private readonly requests: Pick<ValueRequests, 'request'> & Partial<Pick<ValueRequests, 'promote'>>,
    private readonly maxPages = 256,
  ) {}

  get pageCount(): number {
    return Math.ceil(this.size / PAGE);
  }

  /** Small ranges fetched for the screen ahead of their pages: start → values. */
  private readonly fragments = new Map<number, Float32Array>();
  private readonly fragmentsInflight = new Map<string, Promise<void>>();

  /** The value at a flat index if its page (or a fragment holding it) is here, else `undefined`. */
  peek(i: number): number | undefined {
    const p = this.pages.get(Math.floor(i / PAGE));
    if (p) return p[i % PAGE];
    for (const [start, values] of this.fragments) if (i >= start && i < start + values.length) return values[i - start];
    return undefined;
  }

  /**
   * Fetches just `[start, end)` for the screen, ahead of any page: a screen of the values grid
   * is a few hundred values, and its whole page would be 16,384 to send and decode.
   */
  visible(start: number, end: number): Promise<void> {
    const key = `${start}:${end}`;
    const pending = this.fragmentsInflight.get(key);
    if (pending) return pending;
    const p = this.requests.request(this.eventId, this.slot, start, Math.min(end, this.size), 'visible').then((values) => {
      this.fragmentsInflight.delete(key);
      this.fragments.set(start, values);
      while (this.fragments.size > MAX_FRAGMENTS) this.fragments.delete(this.fragments.keys().next().value as number);
    }, (err: Error) => {
      this.fragmentsInflight.delete(key);
      this.error = err.message;
      throw err;
    });
    this.fragmentsInflight.set(key, p);
    return p;
  }

  /** True when the page is cached. */
  has(page: number): boolean {
    return this.pages.has(page);
  }

  /** One page, from the cache or the extension; `visible` when it is on screen now. */
  page(page: number, priority: ValuePriority = 'bulk'): Promise<Float32Array> {
    const cached = this.pages.get(page);
    if (cached) {
      // Refresh its place in the LRU order.
      this.pages.delete(page);
      this.pages.set(page, cached);
      return Promise.resolve(cached);
    }
    const start = page * PAGE;
    const end = Math.min(this.size, start + PAGE);
    const pending = this.inflight.get(page);
    if (pending) {
      if (priority === 'visible') this.requests.promote?.(this.eventId, this.slot, start, end);
      return pending;
    }
    const p = this.requests.request(this.eventId, this.slot, start, end, priority).then(
      (values) => {
        this.inflight.delete(page);
        this.pages.set(page, values);
        while (this.pages.size > this.maxPages) this.pages.delete(this.pages.keys().next().value as number);
        return values;
      },
      (err: Error) => {
        this.inflight.delete(page);
        this.error = err.message;
        throw err;
      },
    );
    this.inflight.set(page, p);
    return p;
  }

  /** Values `[start, end)`, fetching missing pages. */
  async range(start: number, end: number): Promise<Float32Array> {
    const s = Math.max(0, start);
    const e = Math.min(this.size, end);
    const out = new Float32Array(Math.max(0, e - s));
    if (e <= s) return out;
    const first = Math.floor(s / PAGE);
    const last = Math.floor((e - 1) / PAGE);
    const pages = await Promise.all(Array.from({ length: last - first + 1 }, (_, k) => this.page(first + k)));
    pages.forEach((values, k) => {
      const pageStart = (first + k) * PAGE;
      const from = Math.max(s, pageStart);
      const to = Math.min(e, pageStart + values.length);
      if (to > from) out.set(values.subarray(from - pageStart, to - pageStart), from - s);
    });
    return out;
  }

  /** Every value (refused beyond {@link MAX_FULL_READ}). */
  all(): Promise<Float32Array> {
    if (this.size > MAX_FULL_READ) return Promise.reject(new Error(`${this.size} values are more than the ${MAX_FULL_READ} the panel reads at once`));
    return this.range(0, this.size);
  }

  /** The values at the given flat indices, fetching the pages they fall in. */
  async gather(index: ArrayLike<number>): Promise<Float32Array> {
    const needed = new Set<number>();
    for (let i = 0; i < index.length; i++) needed.add(Math.floor(index[i] / PAGE));
    const got = new Map<number, Float32Array>();
    await Promise.all([...needed].map(async (p) => got.set(p, await this.page(p))));
    const out = new Float32Array(index.length);
    for (let i = 0; i < index.length; i++) {
      const flat = index[i];
      out[i] = got.get(Math.floor(flat / PAGE))![flat % PAGE];
    }
    return out;
  }

  /** Flat index of the first NaN or ±Inf at or after `from`, scanning page by page; -1 if none. */
  async firstNonFinite(from = 0): Promise<number> {
    for (let page = Math.floor(from / PAGE); page < this.pageCount; page++) {
      const values = await this.page(page);
      for (let k = Math.max(0, from - page * PAGE); k < values.length; k++) {
        if (!Number.isFinite(values[k])) return page * PAGE + k;
      }
    }
    return -1;
  }
}

/** One {@link TensorValues} per captured tensor the panel has looked at. */
export class ValueCache {
  private readonly tensors = new Map<string, TensorValues>();

  constructor(private readonly requests: Pick<ValueRequests, 'request'> & Partial<Pick<ValueRequests, 'promote'>>) {}

  get(eventId: number, slot: number, size: number): TensorValues {
    const key = `${eventId}:${slot}`;
    let t = this.tensors.get(key);
    if (!t) {
      t = new TensorValues(eventId, slot, size, this.requests);
      this.tensors.set(key, t);
    }
    return t;
  }

  /** Forgets the tensors of events no longer shown. */
  drop(eventIds: Iterable<number>): void {
    const gone = new Set(eventIds);
    for (const [key, t] of this.tensors) if (gone.has(t.eventId)) this.tensors.delete(key);
  }

  /** Keeps only the tensors of events for which `live` holds. */
  retain(live: (eventId: number) => boolean): void {
    for (const [key, t] of this.tensors) if (!live(t.eventId)) this.tensors.delete(key);
  }

  clear(): void {
    this.tensors.clear();
  }
}
