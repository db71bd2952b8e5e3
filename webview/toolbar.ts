/**
 * The bar above the event list: the filters (model, module path substring or
 * glob, hook kinds), "Go to first non-finite", Clear, Export events, and a
 * status line with the counts (shown, hidden by filters, evicted).
 */
import type { HookKind } from '../src/protocol/runs';
import { button, h, replaceChildren } from './dom';
import { isGlob, type EventFilter } from './filters';
import { formatCount } from './format';
import { HOOK_KINDS_LIST } from './kinds';

export interface ToolbarActions {
  setFilter(f: EventFilter): void;
  firstNonFinite(): void;
  clear(): void;
  exportEvents(): void;
}

export class Toolbar {
  readonly element: HTMLElement;
  private readonly model: HTMLSelectElement;
  private readonly path: HTMLInputElement;
  private readonly kinds = new Map<HookKind, HTMLInputElement>();
  private readonly status = h('div', { class: 'ml-status', attrs: { 'aria-live': 'polite' } });
  private readonly note = h('div', { class: 'ml-note', attrs: { role: 'status' } });
  private modelsKey = '';

  constructor(private filter: EventFilter, private readonly actions: ToolbarActions) {
    const changed = () => this.emit();
    this.model = h('select', { class: 'ml-select', attrs: { 'aria-label': 'Model' }, on: { change: changed } });
    this.path = h('input', {
      class: 'ml-input ml-path-filter',
      attrs: { type: 'search', placeholder: 'module path, glob (features.*) or =exact.path', 'aria-label': 'Filter by module path: substring, glob, or =path for one module', value: filter.path, spellcheck: 'false' },
      on: { input: changed },
    });
    const kindBoxes = HOOK_KINDS_LIST.map((k) => {
      const box = h('input', { attrs: { type: 'checkbox', checked: filter.kinds.includes(k) }, on: { change: changed } });
      this.kinds.set(k, box);
      return h('label', { class: 'ml-check' }, box, ` ${k}`);
    });
    this.setModels([]);
    this.element = h('div', { class: 'ml-toolbar', attrs: { role: 'toolbar', 'aria-label': 'Captures' } },
      h('div', { class: 'ml-filters' },
        h('label', { class: 'ml-field' }, 'Model ', this.model),
        this.path,
        h('span', { class: 'ml-kinds', attrs: { role: 'group', 'aria-label': 'Hook kinds' } }, ...kindBoxes)),
      h('div', { class: 'ml-actions' },
        button('Go to first non-finite', () => this.actions.firstNonFinite(), { title: 'Jump to the first event of the newest run whose tensors hold NaN or Inf', icon: 'warning' }),
        button('Clear', () => this.actions.clear(), { title: 'Remove every event that is not pinned, and release the captured tensors', icon: 'clear-all' }),
        button('Export events', () => this.actions.exportEvents(), { title: 'Save the event list (summaries) as JSON', icon: 'export' })),
      this.status, this.note);
  }

  /** Fills the model picker, keeping the choice. */
  setModels(models: readonly [string, string][]): void {
    const key = JSON.stringify(models);
    if (key === this.modelsKey) return;
    this.modelsKey = key;
    const all = h('option', { attrs: { value: '' } }, 'All models');
    const options = models.map(([id, name]) => h('option', { attrs: { value: id } }, models.filter(([, n]) => n === name).length > 1 ? `${name} (${id})` : name));
    replaceChildren(this.model, all, ...options);
    this.model.value = models.some(([id]) => id === this.filter.model) || !this.filter.model ? this.filter.model : '';
    if (this.filter.model && !models.some(([id]) => id === this.filter.model)) {
      // The chosen model's events are gone: keep the filter, show it as an option.
      this.model.append(h('option', { attrs: { value: this.filter.model } }, this.filter.model));
      this.model.value = this.filter.model;
    }
  }

  /** Puts a filter into the controls (e.g. after "go to first non-finite" clears it). */
  setFilter(f: EventFilter): void {
    this.filter = f;
    this.model.value = f.model;
    this.path.value = f.path;
    for (const [k, box] of this.kinds) box.checked = f.kinds.includes(k);
    this.path.classList.toggle('ml-glob', isGlob(f.path));
  }

  /** The counts line. */
  setCounts(shown: number, total: number, evicted: number, maxEvents: number): void {
    const hidden = total - shown;
    this.status.textContent = `${formatCount(shown)} event${shown === 1 ? '' : 's'}`
      + (hidden ? ` shown, ${formatCount(hidden)} hidden by filters` : '')
      + (evicted ? ` · ${formatCount(evicted)} older evicted (keeping ${formatCount(maxEvents)})` : '');
  }

  /** A one-line message for the user (empty to hide). */
  say(text: string): void {
    this.note.textContent = text;
  }

  private emit(): void {
    const f: EventFilter = {
      model: this.model.value,
      path: this.path.value,
      kinds: HOOK_KINDS_LIST.filter((k) => this.kinds.get(k)!.checked),
    };
    this.filter = f;
    this.path.classList.toggle('ml-glob', isGlob(f.path));
    this.actions.setFilter(f);
  }
}
