/**
 * The event stream: one row per hook event (run, sequence number, model,
 * module path, hook kind, time since the run started, a NaN/Inf badge, pin),
 * expandable into the event's tensor cards. Rows are reconciled by event id,
 * so a new event adds one row instead of redrawing the list. Keyboard: one tab
 * stop for the list; ↑/↓/Home/End move between rows, Enter/Space expands, P pins.
 */
import type { PanelEvent } from '../src/protocol/webview';
import { h } from './dom';
import { formatMs } from './format';
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
  readonly pin: HTMLButtonElement;
  details: HTMLElement | undefined;
}

export class EventList {
  readonly element = h('div', { class: 'ml-events', attrs: { role: 'list', 'aria-label': 'Hook events' } });
  private readonly rows = new Map<number, Row>();
  private focusedId: number | undefined;

  constructor(private readonly ctx: ListContext) {
    this.element.addEventListener('keydown', (e) => this.onKey(e));
  }

  /** Shows exactly these events, in this order, reusing existing rows. */
  update(events: readonly PanelEvent[]): void {
    const keep = new Set(events.map((e) => e.id));
    for (const [id, row] of this.rows) {
      if (!keep.has(id)) {
        row.item.remove();
        this.rows.delete(id);
      }
    }
    let cursor: ChildNode | null = this.element.firstChild;
    for (const ev of events) {
      let row = this.rows.get(ev.id);
      if (!row) {
        row = this.build(ev);
        this.rows.set(ev.id, row);
      } else if (row.ev !== ev) {
        this.refreshRow(row, ev);
      }
      if (row.item !== cursor) this.element.insertBefore(row.item, cursor);
      else cursor = cursor.nextSibling;
    }
    if (this.focusedId === undefined || !this.rows.has(this.focusedId)) this.setFocusable(events[0]?.id);
  }

  /** Redraws one row (its pin state or expansion changed). */
  refresh(ev: PanelEvent): void {
    const row = this.rows.get(ev.id);
    if (row) this.refreshRow(row, ev);
  }

  /** Redraws the expanded content of every open row (e.g. after the diff candidates changed). */
  refreshDetails(): void {
    for (const row of this.rows.values()) if (row.details) this.refreshRow(row, row.ev, true);
  }

  /** Scrolls an event's row into view and focuses it. */
  reveal(id: number): void {
    const row = this.rows.get(id);
    if (!row) return;
    this.setFocusable(id);
    row.head.focus();
    row.item.scrollIntoView({ block: 'start' });
  }

  /** The card of tensor `slot` of an expanded event, if it is drawn. */
  card(id: number, slot: number): HTMLElement | undefined {
    return this.rows.get(id)?.details?.querySelector<HTMLElement>(`.ml-card[data-slot-index="${slot}"]`) ?? undefined;
  }

  private build(ev: PanelEvent): Row {
    const head = h('button', { class: 'ml-row-head', attrs: { type: 'button', tabindex: -1 }, on: { click: () => this.ctx.toggle(ev.id) } });
    const pin = h('button', { class: 'ml-pin', attrs: { type: 'button', tabindex: -1 } });
    pin.addEventListener('click', () => {
      const row = this.rows.get(ev.id);
      if (row) this.ctx.pin(ev.id, !row.ev.pinned);
    });
    const item = h('div', { class: 'ml-row', attrs: { role: 'listitem', 'data-event-id': ev.id } }, h('div', { class: 'ml-row-line' }, head, pin));
    const row: Row = { ev, item, head, pin, details: undefined };
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
      row.head.replaceChildren(
        h('span', { class: 'ml-twistie', attrs: { 'aria-hidden': 'true' } }, expanded ? '▾' : '▸'),
        h('span', { class: 'ml-col-run' }, `run ${e.runId}`),
        h('span', { class: 'ml-col-seq' }, `#${e.seq}`),
        h('span', { class: 'ml-col-model' }, ev.model),
        h('span', { class: 'ml-col-path' }, e.path || '(root)'),
        h('span', { class: `ml-col-kind ml-kind-${e.kind}` }, e.kind),
        h('span', { class: 'ml-col-time' }, formatMs(e.atMs)),
        h('span', { class: 'ml-col-flags' }, bad ? h('span', { class: 'ml-badge ml-nonfinite' }, 'NaN/Inf') : null));
      row.head.setAttribute('aria-label', `run ${e.runId}, event ${e.seq}, ${ev.model} ${e.path || '(root)'} ${e.kind}${bad ? ', has NaN or Inf' : ''}${ev.pinned ? ', pinned' : ''}`);
      row.pin.textContent = ev.pinned ? 'Unpin' : 'Pin';
      row.pin.setAttribute('aria-pressed', String(ev.pinned));
      row.pin.title = ev.pinned ? 'Unpin: Clear will remove this event' : 'Pin: keep this event through Clear';
      row.item.classList.toggle('ml-pinned', ev.pinned);
      row.item.classList.toggle('ml-has-nonfinite', bad);
    }
    row.head.setAttribute('aria-expanded', String(expanded));
    row.item.classList.toggle('ml-expanded', expanded);
    (row.head.firstChild as HTMLElement).textContent = expanded ? '▾' : '▸';
    if (expanded && (!row.details || changed)) {
      row.details?.remove();
      row.details = this.ctx.details(ev);
      row.item.append(row.details);
    } else if (!expanded && row.details) {
      row.details.remove();
      row.details = undefined;
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
    const heads = [...this.element.querySelectorAll<HTMLElement>(':scope > .ml-row')];
    const at = heads.findIndex((item) => item.contains(target));
    let next = -1;
    if (e.key === 'ArrowDown') next = Math.min(heads.length - 1, at + 1);
    else if (e.key === 'ArrowUp') next = Math.max(0, at - 1);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = heads.length - 1;
    else if (e.key === 'p' || e.key === 'P') {
      const id = Number(heads[at]?.dataset.eventId);
      const row = this.rows.get(id);
      if (row) this.ctx.pin(id, !row.ev.pinned);
      e.preventDefault();
      return;
    } else return;
    e.preventDefault();
    const id = Number(heads[next]?.dataset.eventId);
    if (Number.isFinite(id)) this.reveal(id);
  }
}
