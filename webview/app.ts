/**
 * The Captures panel: holds the data ({@link CaptureState}) and the view state,
 * handles every message from the extension (an exhaustive switch), and draws
 * the toolbar, the paused banner, the snapshot card, the focus notice and the
 * event list, batching redraws to one per animation frame, and while events
 * stream in to one per {@link STREAM_REDRAW_MS}, so a fast stream of events
 * stays cheap. A `focus` message ("Show in Panel") filters, expands and
 * scrolls to what it names, and the page reports what it showed.
 */
import { assertNever } from '../src/protocol/assertNever';
import {
  WEBVIEW_PROTOCOL_VERSION, type ExtensionToWebviewMessage, type FocusShownMessage, type FocusTarget, type PanelEvent,
  type WebviewToExtensionMessage,
} from '../src/protocol/webview';
import { diffView, eventLabel } from './diffView';
import { button, h, replaceChildren } from './dom';
import { EventList } from './eventList';
import { eventMatcher, modelsOf, NO_FILTER, type EventFilter } from './filters';
import { focusSlot, moduleName, planFocus } from './focus';
import { ValueRequests } from './messages';
import { PausedBanner } from './pausedBanner';
import { snapshotCard, snapshotHeading } from './snapshotCard';
import { CaptureState, diffCandidates, firstNonFinite, type StateAction } from './state';
import { tensorCard, type CardContext } from './tensorCard';
import { ValueCache } from './tensorValues';
import { Toolbar } from './toolbar';
import { forLog, pruneViewState, type ViewState } from './viewState';

/** How the app reaches the extension and its saved state. */
export interface AppHost {
  post(m: WebviewToExtensionMessage): void;
  saveState(v: ViewState): void;
}

/**
 * Least time between two redraws caused by new events. At 2,000 events/s a redraw every frame
 * replaced a screen of rows 60 times a second, more than anyone reads; 20 a second keeps
 * the list live at a third of the work (docs/benchmarks.md, part 7).
 */
const STREAM_REDRAW_MS = 50;

export class App {
  readonly state = new CaptureState();
  readonly requests: ValueRequests;
  private readonly values: ValueCache;
  private readonly toolbar: Toolbar;
  private readonly banner: PausedBanner;
  private readonly list: EventList;
  private readonly empty = h('p', { class: 'ml-empty ml-muted' });
  /** Says why a focus shows nothing (a module without events), with what to do about it. */
  private readonly notice = h('div', { class: 'ml-focus-notice', attrs: { role: 'status', hidden: true } });
  private readonly snapshotBox = h('div', { class: 'ml-snapshots' });
  private shownSnapshot: number | undefined;
  /** A reloaded page brings its saved focus into view again once the first `reset` has arrived. */
  private restoreFocus: boolean;
  private frame = 0;
  private lastRender = -Infinity;
  /** `frame` is a stream-throttle timeout, not yet an animation frame. */
  private throttled = false;
  private fullRedraw = true;

  constructor(private readonly root: HTMLElement, private view: ViewState, private readonly host: AppHost) {
    this.requests = new ValueRequests((m) => host.post(m));
    this.values = new ValueCache(this.requests);
    this.toolbar = new Toolbar(view.filter, {
      setFilter: (f) => this.setFilter(f),
      firstNonFinite: () => this.goToFirstNonFinite(),
      clear: () => this.clear(),
      exportEvents: () => host.post({ type: 'exportEvents' }),
    });
    this.banner = new PausedBanner((action) => host.post({ type: 'runControl', action }));
    this.list = new EventList({
      isExpanded: (id) => this.view.expanded.includes(id),
      toggle: (id) => this.toggle(id),
      pin: (id, pinned) => this.pin(id, pinned),
      details: (ev) => this.details(ev),
    });
    replaceChildren(root, this.toolbar.element, this.banner.element, this.snapshotBox, this.notice, this.empty, this.list.element);
    root.dataset.state = 'waiting';
    this.restoreFocus = view.focus !== null;
    this.schedule(true);
  }

  /** Every message from the extension. */
  onMessage(m: ExtensionToWebviewMessage): void {
    switch (m.type) {
      case 'init':
        if (m.protocolVersion !== WEBVIEW_PROTOCOL_VERSION) {
          this.host.post({ type: 'error', message: `webview speaks protocol ${WEBVIEW_PROTOCOL_VERSION}, extension ${m.protocolVersion}` });
        }
        this.root.dataset.state = 'ready';
        return;
      case 'reset':
        if (m.logId !== this.state.logId) {
          this.requests.abandon('the panel was reset');
          this.values.clear();
        }
        this.view = forLog(this.view, m.logId);
        this.apply(m);
        // Snapshot values are asked for only now: before `ready` was answered, replies would be lost.
        this.renderSnapshot();
        if (this.restoreFocus) {
          this.restoreFocus = false;
          if (this.view.focus && !m.focusFollows) this.focus(this.view.focus);
        }
        return;
      case 'capture':
      case 'runState':
        this.apply(m);
        return;
      case 'values':
      case 'valuesError':
        this.requests.settle(m);
        return;
      case 'focus':
        this.restoreFocus = false;
        this.view = { ...this.view, focus: m.target };
        this.focus(m.target);
        return;
      default:
        assertNever(m, 'message type');
    }
  }

  private apply(action: StateAction): void {
    const change = this.state.apply(action);
    switch (change.kind) {
      case 'none':
        return;
      case 'runState':
        this.banner.update(this.state.runState);
        return;
      case 'added': {
        if (change.removed.length) this.forget(change.removed);
        const awaited = this.view.awaiting;
        if (awaited && change.event.event.modelId === awaited.modelId && change.event.event.path === awaited.path) {
          // The module focused before it had events has its first one: bring it into view now.
          this.view = { ...this.view, awaiting: null };
          this.hideNotice();
          this.revealCard(change.event.id, focusSlot(change.event));
          this.report('module', 'event', change.event.id, focusSlot(change.event));
          return;
        }
        this.schedule(false);
        return;
      }
      case 'event': {
        const ev = this.state.get(change.eventId);
        if (ev) this.list.refresh(ev);
        return;
      }
      case 'all':
        this.view = pruneViewState(this.view, (id) => this.state.get(id) !== undefined);
        this.values.retain((id) => this.state.get(id) !== undefined);
        this.banner.update(this.state.runState);
        this.schedule(true);
        return;
      default:
        assertNever(change, 'state change');
    }
  }

  private forget(ids: readonly number[]): void {
    this.values.drop(ids);
    const gone = new Set(ids);
    if (this.view.expanded.some((id) => gone.has(id))) this.view = pruneViewState(this.view, (id) => !gone.has(id) && this.state.get(id) !== undefined);
  }

  /** Redraws on the next frame; `full` also rebuilds open rows' details. */
  private schedule(full: boolean): void {
    this.fullRedraw ||= full;
    // A full redraw (a user's filter, pin, expand) does not wait for the stream's next turn.
    if (this.frame && !(full && this.throttled)) return;
    if (this.frame) window.clearTimeout(this.frame);
    const wait = full ? 0 : this.lastRender + STREAM_REDRAW_MS - performance.now();
    const draw = () => {
      this.frame = 0;
      this.lastRender = performance.now();
      this.render();
    };
    this.throttled = wait > 0;
    this.frame = this.throttled
      ? window.setTimeout(() => { this.throttled = false; this.frame = requestAnimationFrame(draw); }, wait)
      : requestAnimationFrame(draw);
  }

  private render(): void {
    const full = this.fullRedraw;
    this.fullRedraw = false;
    const all = this.state.events;
    const match = eventMatcher(this.view.filter);
    const shown = all.filter(match);
    this.toolbar.setModels(modelsOf(all));
    this.toolbar.setCounts(shown.length, all.length, this.state.evicted, this.state.maxEvents);
    this.empty.textContent = all.length === 0
      ? 'No hook events yet. Attach a hook to a module in the Modules view, then run the model.'
      : shown.length === 0 ? 'No event matches the filters.' : '';
    this.empty.hidden = shown.length > 0 || !this.notice.hidden;
    this.list.update(shown);
    if (full) this.list.refreshDetails();
    this.save();
  }

  private save(): void {
    this.host.saveState(this.view);
  }

  private setFilter(f: EventFilter): void {
    // The user took over the filter: a notice about a focused module no longer applies.
    this.view = { ...this.view, filter: f, awaiting: null };
    this.hideNotice();
    this.schedule(false);
  }

  /** Brings a focus target into view and reports what it showed. */
  focus(target: FocusTarget): void {
    this.hideNotice();
    if (target.kind === 'snapshot') {
      this.view = { ...this.view, snapshot: target.snapshot, awaiting: null };
      this.renderSnapshot();
      const card = this.snapshotBox.querySelector<HTMLElement>('.ml-card');
      if (card) {
        card.scrollIntoView({ block: 'start' });
        flash(card);
      }
      this.save();
      this.post({ type: 'focusShown', target: 'snapshot', shown: 'snapshot', eventId: null, slot: target.snapshot.name, filter: this.view.filter.path, text: snapshotHeading(target.snapshot) });
      return;
    }
    const plan = planFocus(this.state.events, target, this.view.filter, (id) => this.state.get(id));
    this.view = { ...this.view, filter: plan.filter, awaiting: null };
    this.toolbar.setFilter(plan.filter);
    switch (plan.kind) {
      case 'event':
        this.revealCard(plan.eventId, plan.slot);
        this.report(target.kind, 'event', plan.eventId, plan.slot);
        return;
      case 'noEvents': {
        if (target.kind !== 'module') return;
        const name = moduleName(target.model, target.path);
        this.view = { ...this.view, awaiting: { modelId: target.modelId, path: target.path } };
        const attach = button('Attach Forward Hook', () => {
          this.post({ type: 'attachHook', modelId: target.modelId, path: target.path, kind: 'forward' });
          attach.disabled = true;
          this.showNotice(`A forward hook on ${name} was asked for: run the model, and its first event opens here.`);
        }, { title: `Attach a forward hook to ${name}, as the Modules view does` });
        this.showNotice(`No captures of ${name} yet — attach a forward hook and run the model.`, attach);
        this.render();
        this.report(target.kind, 'none', null, null);
        return;
      }
      case 'gone':
        this.showNotice('That event is no longer in the panel: it was cleared, or evicted by newer events.');
        this.render();
        this.report(target.kind, 'none', null, null);
        return;
      default:
        assertNever(plan, 'focus plan');
    }
  }

  /** Expands an event, scrolls its card `slot` into view and highlights it briefly. */
  private revealCard(eventId: number, slot: number): void {
    const ev = this.state.get(eventId);
    if (!ev) return;
    if (!this.view.expanded.includes(eventId)) this.view = { ...this.view, expanded: [...this.view.expanded, eventId] };
    this.render();
    this.list.refresh(ev);
    this.list.reveal(eventId);
    const card = this.list.card(eventId, slot);
    if (card) {
      card.scrollIntoView({ block: 'start' });
      flash(card);
    }
  }

  /** Tells the extension what a focus showed, in the words the user reads. */
  private report(target: FocusTarget['kind'], shown: FocusShownMessage['shown'], eventId: number | null, slot: number | null): void {
    const card = eventId === null || slot === null ? undefined : this.list.card(eventId, slot);
    const text = card?.getAttribute('aria-label') ?? this.notice.textContent ?? '';
    const slotName = eventId === null || slot === null ? null : this.state.get(eventId)?.event.tensors[slot]?.slot ?? null;
    this.post({ type: 'focusShown', target, shown, eventId, slot: slotName, filter: this.view.filter.path, text });
  }

  private post(m: WebviewToExtensionMessage): void {
    this.host.post(m);
  }

  private showNotice(text: string, action?: HTMLElement): void {
    replaceChildren(this.notice, h('span', null, text), action);
    this.notice.hidden = false;
    this.empty.hidden = true;
  }

  private hideNotice(): void {
    if (this.notice.hidden) return;
    this.notice.hidden = true;
    replaceChildren(this.notice);
  }

  /** Draws the snapshot card of the view state, if it is not drawn yet. */
  private renderSnapshot(): void {
    const s = this.view.snapshot;
    if (s?.id === this.shownSnapshot && (s === null) === (this.snapshotBox.childElementCount === 0)) return;
    this.shownSnapshot = s?.id;
    replaceChildren(this.snapshotBox, s && snapshotCard(s, {
      requests: this.requests,
      exportSnapshot: (id) => this.post({ type: 'exportSnapshot', snapshotId: id }),
      close: () => {
        this.view = { ...this.view, snapshot: null, focus: this.view.focus?.kind === 'snapshot' ? null : this.view.focus };
        this.renderSnapshot();
        this.save();
      },
      ...this.cardViewState(),
    }));
  }

  /** How cards read and save their heatmap slices and channel grids in the view state. */
  private cardViewState(): Pick<CardContext, 'sliceOf' | 'setSlice' | 'channelsOf' | 'setChannels'> {
    return {
      sliceOf: (key) => this.view.slices[key],
      setSlice: (key, v) => {
        this.view = { ...this.view, slices: { ...this.view.slices, [key]: v } };
        this.save();
      },
      channelsOf: (key) => this.view.channels[key],
      setChannels: (key, v) => {
        this.view = { ...this.view, channels: { ...this.view.channels, [key]: v } };
        this.save();
      },
    };
  }

  private toggle(id: number): void {
    const open = this.view.expanded.includes(id);
    this.view = { ...this.view, expanded: open ? this.view.expanded.filter((x) => x !== id) : [...this.view.expanded, id] };
    const ev = this.state.get(id);
    if (ev) this.list.refresh(ev);
    this.save();
  }

  private pin(id: number, pinned: boolean): void {
    this.host.post({ type: 'setPinned', eventId: id, pinned });
    this.apply({ type: 'pin', eventId: id, pinned });
  }

  private clear(): void {
    this.host.post({ type: 'clear' });
    this.apply({ type: 'clearLocal' });
  }

  /** Expands and scrolls to the first event with NaN/Inf in the newest run that has one. */
  goToFirstNonFinite(): PanelEvent | undefined {
    const target = firstNonFinite(this.state.events);
    if (!target) {
      this.toolbar.say('No captured tensor holds NaN or Inf.');
      return undefined;
    }
    if (!eventMatcher(this.view.filter)(target)) {
      this.view = { ...this.view, filter: NO_FILTER };
      this.toolbar.setFilter(NO_FILTER);
      this.toolbar.say('Filters were cleared to show the event.');
    } else {
      this.toolbar.say('');
    }
    if (!this.view.expanded.includes(target.id)) this.view = { ...this.view, expanded: [...this.view.expanded, target.id] };
    this.render();
    this.list.refresh(target);
    this.list.reveal(target.id);
    return target;
  }

  private setDiff(id: number, other: number | undefined): void {
    const diffs = { ...this.view.diffs };
    if (other === undefined) delete diffs[id];
    else diffs[id] = other;
    this.view = { ...this.view, diffs };
    const ev = this.state.get(id);
    if (ev) this.list.refresh({ ...ev });
    this.save();
  }

  /** The expanded part of a row: run actions, the diff picker and diff, and the tensor cards. */
  private details(ev: PanelEvent): HTMLElement {
    const picker = h('select', { class: 'ml-select ml-diff-picker', attrs: { 'aria-label': 'Diff with another event of this module' } });
    const fillPicker = () => {
      const current = this.view.diffs[ev.id];
      const candidates = diffCandidates(this.state.events, ev);
      replaceChildren(picker,
        h('option', { attrs: { value: '' } }, candidates.length ? 'Diff with…' : 'Diff: no other run of this module'),
        ...candidates.map((c) => {
          const o = h('option', { attrs: { value: c.id } }, eventLabel(c));
          o.selected = c.id === current;
          return o;
        }));
    };
    fillPicker();
    // Runs arrive while the row is open: refresh the choices when the picker is used.
    picker.addEventListener('focus', fillPicker);
    picker.addEventListener('mousedown', fillPicker);
    picker.addEventListener('change', () => this.setDiff(ev.id, picker.value ? Number(picker.value) : undefined));
    const box = h('div', { class: 'ml-details' },
      h('div', { class: 'ml-details-actions' },
        picker,
        button(`Export run ${ev.event.runId}`, () => this.host.post({ type: 'exportRun', runId: ev.event.runId }), { title: 'Save every tensor of this run as .safetensors (keys <path>/<kind>/<slot>)' })));
    const otherId = this.view.diffs[ev.id];
    const other = otherId === undefined ? undefined : this.state.get(otherId);
    if (other) {
      box.append(diffView(ev, other, this.values, this.view.tolerance, (t) => {
        this.view = { ...this.view, tolerance: t };
        this.save();
      }, () => this.setDiff(ev.id, undefined)));
    }
    const cards = h('div', { class: 'ml-cards' });
    ev.event.tensors.forEach((_, slot) => cards.append(tensorCard(ev, slot, {
      values: this.values,
      exportTensor: (eventId, s) => this.host.post({ type: 'exportTensor', eventId, slot: s }),
      ...this.cardViewState(),
    })));
    if (ev.event.tensors.length === 0) cards.append(h('p', { class: 'ml-muted' }, 'This hook received no tensors.'));
    box.append(cards);
    return box;
  }
}

/** Highlights an element for two seconds (the card a focus landed on). */
function flash(el: HTMLElement): void {
  el.classList.remove('ml-flash');
  el.classList.add('ml-flash');
  setTimeout(() => el.classList.remove('ml-flash'), 2000);
}
