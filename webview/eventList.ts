/**
 * The event stream: one row per hook event (run, sequence number, model,
 * module path, hook kind, time since the run started, a NaN/Inf badge, pin),
 * expandable into the event's tensor cards. The list is virtualized: only the
 * rows on screen (and a screen's worth around them) are in the DOM, between two
 * spacers, and rows are reused by event id, so 2,000 events streaming in cost a
 * screen of rows per frame rather than a list-long style and layout pass
 * (docs/benchmarks.md, part 7). Keyboard: one tab stop for the list; ↑/↓/Home/End
 * move between rows, Enter/Space expands, P pins.
 */
import type { PanelEvent } from '../src/protocol/webview';
import { h, icon } from './dom';
import { formatMs } from './format';
import { RowOffsets } from './listWindow';
import { hasNonFinite } from './state';

/** What the list asks of the panel. */
export interface ListContext {
  isExpanded(id: number): boolean;
  toggle(id: number): void;
  pin(id: number, pinned: boolean): void;
  /** The expanded content of an event (its cards, diff picker, run export). */
  details(ev: PanelEvent): HTMLElement;
}

interface Row {
  ev: PanelEvent;
  readonly item: HTMLElement;
  readonly head: HTMLButtonElement;
  readonly twistie: HTMLElement;
  /** The columns, made once and refilled when the row shows another event. */
  readonly cols: { readonly run: Text; readonly seq: Text; readonly model: Text; readonly path: Text; readonly kind: HTMLElement; readonly time: Text; readonly flags: HTMLElement };
  readonly pin: HTMLButtonElement;
  readonly pinLabel: HTMLElement;
  details: HTMLElement | undefined;
}

/** Pixels drawn beyond the visible part of the list, above and below. */
const OVERSCAN_PX = 120;
/** A collapsed row's height until one is measured (the CSS `--ml-row-height` plus its border). */
const DEFAULT_ROW_PX = 23;
/** Most collapsed rows kept for reuse once scrolled or evicted out of the window. */
const POOL_SIZE = 200;

export class EventList {
  readonly element = h('div', { class: 'ml-events', attrs: { role: 'list', 'aria-label': 'Hook events' } });
  private readonly above = h('div', { class: 'ml-spacer', attrs: { 'aria-hidden': 'true' } });
  private readonly below = h('div', { class: 'ml-spacer', attrs: { 'aria-hidden': 'true' } });
  /** Rows in the DOM, and expanded rows scrolled out of it (kept, so their cards keep their state). */
  private readonly rows = new Map<number, Row>();
  /**
   * Collapsed rows out of the DOM, refilled for the next event that needs one: while events
   * stream in, the window's rows change every redraw, and refilling text costs less than
   * building and styling new elements.
   */
  private readonly pool: Row[] = [];
  /** Heights of rows that differ from a collapsed row's (expanded ones), by event id. */
  private readonly heights = new Map<number, number>();
  private events: readonly PanelEvent[] = [];
  private position = new Map<number, number>();
  private rowHeight = DEFAULT_ROW_PX;
  private measuredRowHeight = false;
  private focusedId: number | undefined;
  private frame = 0;
  private readonly resized = new ResizeObserver((entries) => this.onResize(entries));

  constructor(private readonly ctx: ListContext) {
    this.element.append(this.above, this.below);
    this.element.addEventListener('keydown', (e) => this.onKey(e));
    window.addEventListener('scroll', () => this.schedule(), { passive: true });
    window.addEventListener('resize', () => {
      this.measuredRowHeight = false;
      this.schedule();
    });
  }

  /** Shows exactly these events, in this order, reusing existing rows; draws the rows on screen now. */
  update(events: readonly PanelEvent[]): void {
    this.events = events;
    this.position = new Map(events.map((e, i) => [e.id, i]));
    for (const [id, row] of this.rows) {
      const at = this.position.get(id);
      if (at === undefined) this.dropRow(id, row);
      else if (events[at] !== row.ev) this.refreshRow(row, events[at]);
    }
    for (const id of this.heights.keys()) if (!this.position.has(id)) this.heights.delete(id);
    this.draw();
  }

  /** Redraws one row (its pin state or expansion changed). */
  refresh(ev: PanelEvent): void {
    const row = this.rows.get(ev.id);
    if (row) this.refreshRow(row, ev);
    this.schedule();
  }

  /** Redraws the expanded content of every open row (e.g. after the diff candidates changed). */
  refreshDetails(): void {
    for (const row of this.rows.values()) if (row.details) this.refreshRow(row, row.ev, true);
  }

  /** Scrolls an event's row into view and focuses it. */
  reveal(id: number): void {
    const at = this.position.get(id);
    if (at === undefined) return;
    const offsets = this.offsets();
    const listTop = this.element.getBoundingClientRect().top + window.scrollY;
    window.scrollTo({ top: listTop + offsets.top(at) });
    this.draw();
    const row = this.rows.get(id);
    if (!row) return;
    this.setFocusable(id);
    row.head.focus({ preventScroll: true });
    row.item.scrollIntoView({ block: 'start' });
  }

  /** The card of tensor `slot` of an expanded event, if it is drawn. */
  card(id: number, slot: number): HTMLElement | undefined {
    return this.rows.get(id)?.details?.querySelector<HTMLElement>(`.ml-card[data-slot-index="${slot}"]`) ?? undefined;
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private offsets(): RowOffsets {
    const heights = this.heights;
    return new RowOffsets(this.events.length, this.rowHeight, heights.size ? (i) => heights.get(this.events[i].id) : undefined);
  }

  /** Puts the rows on screen between the spacers, then measures them (one layout of a screen of rows). */
  private draw(): void {
    const offsets = this.offsets();
    const top = this.element.getBoundingClientRect().top;
    const viewTop = Math.max(0, -top);
    const win = offsets.window(viewTop - OVERSCAN_PX, viewTop + window.innerHeight + OVERSCAN_PX);
    const shown = new Set<number>();
    let cursor: ChildNode | null = this.above.nextSibling;
    for (let i = win.first; i < win.last; i++) {
      const ev = this.events[i];
      shown.add(ev.id);
      let row = this.rows.get(ev.id);
      if (!row) {
        row = this.pool.pop();
        if (row) this.refill(row, ev);
        else row = this.build(ev);
        this.rows.set(ev.id, row);
      }
      if (row.item !== cursor) this.element.insertBefore(row.item, cursor);
      else cursor = cursor.nextSibling;
    }
    // What is left between the drawn rows and the lower spacer scrolled out of the window.
    while (cursor && cursor !== this.below) {
      const next = cursor.nextSibling;
      const id = Number((cursor as HTMLElement).dataset.eventId);
      const row = this.rows.get(id);
      if (row) this.detach(id, row);
      else cursor.remove();
      cursor = next;
    }
    this.above.style.height = `${win.above}px`;
    this.below.style.height = `${win.below}px`;
    this.setFocusable(this.focusedId !== undefined && shown.has(this.focusedId) ? this.focusedId : this.events[win.first]?.id);
    this.measure(win.first, win.last);
  }

  /**
   * Measures a collapsed row once (every collapsed row has its height): measuring every drawn row
   * each frame forced a layout per frame. Expanded rows are measured by the ResizeObserver.
   */
  private measure(first: number, last: number): void {
    if (this.measuredRowHeight) return;
    for (let i = first; i < last; i++) {
      const row = this.rows.get(this.events[i].id);
      if (!row || row.details) continue;
      const height = row.item.offsetHeight;
      if (height <= 0) return;
      this.measuredRowHeight = true;
      if (height !== this.rowHeight) {
        this.rowHeight = height;
        this.schedule();
      }
      return;
    }
  }

  /** New heights of expanded rows (drawn, grown as their values arrived, or collapsed). */
  private onResize(entries: readonly ResizeObserverEntry[]): void {
    let changed = false;
    for (const entry of entries) {
      const id = Number((entry.target as HTMLElement).dataset.eventId);
      const height = entry.borderBoxSize?.[0]?.blockSize ?? (entry.target as HTMLElement).offsetHeight;
      if (height <= 0 || !this.rows.get(id)?.details || this.heights.get(id) === height) continue;
      this.heights.set(id, height);
      changed = true;
    }
    if (changed) this.schedule();
  }

  /** Takes a row out of the DOM; an expanded one is kept for when it scrolls back. */
  private detach(id: number, row: Row): void {
    row.item.remove();
    if (!row.details) this.dropRow(id, row);
  }

  private dropRow(id: number, row: Row): void {
    row.item.remove();
    this.rows.delete(id);
    if (row.details) {
      this.resized.unobserve(row.item);
      return;
    }
    if (this.pool.length < POOL_SIZE) this.pool.push(row);
  }

  /** Makes a pooled row show `ev`. */
  private refill(row: Row, ev: PanelEvent): void {
    row.item.dataset.eventId = String(ev.id);
    row.head.tabIndex = -1;
    row.pin.tabIndex = -1;
    this.refreshRow(row, ev, true);
  }

  private build(ev: PanelEvent): Row {
    const text = () => document.createTextNode('');
    const cols = { run: text(), seq: text(), model: text(), path: text(), kind: h('span', { class: 'ml-col-kind' }), time: text(), flags: h('span', { class: 'ml-col-flags' }) };
    const twistie = icon('chevron-right', 'ml-twistie');
    const head = h('button', { class: 'ml-row-head', attrs: { type: 'button', tabindex: -1 } },
      twistie,
      h('span', { class: 'ml-col-run' }, cols.run),
      h('span', { class: 'ml-col-seq' }, cols.seq),
      h('span', { class: 'ml-col-model' }, cols.model),
      h('span', { class: 'ml-col-path' }, cols.path),
      cols.kind,
      h('span', { class: 'ml-col-time' }, cols.time),
      cols.flags);
    const pinLabel = h('span', { class: 'ml-pin-label' });
    const pin = h('button', { class: 'ml-pin', attrs: { type: 'button', tabindex: -1 } }, icon('pin'), pinLabel);
    const item = h('div', { class: 'ml-row', attrs: { role: 'listitem', 'data-event-id': ev.id } }, h('div', { class: 'ml-row-line' }, head, pin));
    const row: Row = { ev, item, head, twistie, cols, pin, pinLabel, details: undefined };
    // The row may show another event later (pooled): read its event when clicked.
    head.addEventListener('click', () => this.ctx.toggle(row.ev.id));
    pin.addEventListener('click', () => this.ctx.pin(row.ev.id, !row.ev.pinned));
    this.refreshRow(row, ev, true);
    return row;
  }

  private refreshRow(row: Row, ev: PanelEvent, force = false): void {
    const changed = force || row.ev !== ev;
    row.ev = ev;
    const e = ev.event;
    const expanded = this.ctx.isExpanded(ev.id);
    if (changed) {
      const bad = hasNonFinite(ev);
      const c = row.cols;
      c.run.data = `run ${e.runId}`;
      c.seq.data = `#${e.seq}`;
      c.model.data = ev.model;
      c.path.data = e.path || '(root)';
      c.kind.className = `ml-col-kind ml-kind-${e.kind}`;
      c.kind.textContent = e.kind;
      c.time.data = formatMs(e.atMs);
      if (bad !== (c.flags.firstChild !== null)) c.flags.replaceChildren(...(bad ? [h('span', { class: 'ml-badge ml-nonfinite' }, 'NaN/Inf')] : []));
      row.head.setAttribute('aria-label', `run ${e.runId}, event ${e.seq}, ${ev.model} ${e.path || '(root)'} ${e.kind}${bad ? ', has NaN or Inf' : ''}${ev.pinned ? ', pinned' : ''}`);
      row.pinLabel.textContent = ev.pinned ? 'Unpin' : 'Pin';
      (row.pin.firstChild as HTMLElement).className = `codicon codicon-${ev.pinned ? 'pinned' : 'pin'}`;
      row.pin.setAttribute('aria-pressed', String(ev.pinned));
      row.pin.title = ev.pinned ? 'Unpin: Clear will remove this event' : 'Pin: keep this event through Clear';
      row.item.classList.toggle('ml-pinned', ev.pinned);
      row.item.classList.toggle('ml-has-nonfinite', bad);
    }
    row.head.setAttribute('aria-expanded', String(expanded));
    row.item.classList.toggle('ml-expanded', expanded);
    row.twistie.className = `codicon codicon-chevron-${expanded ? 'down' : 'right'} ml-twistie`;
    if (expanded && (!row.details || changed)) {
      row.details?.remove();
      row.details = this.ctx.details(ev);
      row.item.append(row.details);
      // Cards grow as their values arrive: the list re-measures the row then.
      this.resized.observe(row.item, { box: 'border-box' });
    } else if (!expanded && row.details) {
      row.details.remove();
      row.details = undefined;
      this.resized.unobserve(row.item);
      this.heights.delete(ev.id);
    }
  }

  private setFocusable(id: number | undefined): void {
    if (this.focusedId !== undefined) {
      const old = this.rows.get(this.focusedId);
      if (old) {
        old.head.tabIndex = -1;
        old.pin.tabIndex = -1;
      }
    }
    this.focusedId = id;
    const row = id === undefined ? undefined : this.rows.get(id);
    if (row) {
      row.head.tabIndex = 0;
      row.pin.tabIndex = 0;
    }
  }

  private onKey(e: KeyboardEvent): void {
    const target = e.target as HTMLElement;
    if (!target.classList.contains('ml-row-head') && !target.classList.contains('ml-pin')) return;
    const id = Number(target.closest<HTMLElement>('.ml-row')?.dataset.eventId);
    const at = this.position.get(id);
    if (at === undefined) return;
    const n = this.events.length;
    let next = -1;
    if (e.key === 'ArrowDown') next = Math.min(n - 1, at + 1);
    else if (e.key === 'ArrowUp') next = Math.max(0, at - 1);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = n - 1;
    else if (e.key === 'p' || e.key === 'P') {
      const row = this.rows.get(id);
      if (row) this.ctx.pin(id, !row.ev.pinned);
      e.preventDefault();
      return;
    } else return;
    e.preventDefault();
    const to = this.events[next];
    if (to) this.reveal(to.id);
  }
}
