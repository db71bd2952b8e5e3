/**
 * Building elements without `innerHTML`: text is always added as text nodes,
 * attributes with `setAttribute`, and event handlers with `addEventListener`,
 * so no user string (a module name, a path, a file name) is ever parsed as HTML.
 */

type Child = Node | string | number | null | undefined | false;

export interface Props {
  readonly class?: string;
  /** Attributes; `on…` names are refused (handlers go through `on`). */
  readonly attrs?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly on?: { readonly [K in keyof HTMLElementEventMap]?: (ev: HTMLElementEventMap[K]) => void };
}

/** Creates `<tag>` with props and children (strings become text nodes). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props | null = null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props?.class) el.className = props.class;
  for (const [name, value] of Object.entries(props?.attrs ?? {})) {
    if (/^on/i.test(name)) throw new Error(`refusing inline handler attribute ${name}`);
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const [type, fn] of Object.entries(props?.on ?? {})) el.addEventListener(type, fn as EventListener);
  append(el, ...children);
  return el;
}

/** Appends children; strings and numbers as text. */
export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces an element's children. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/**
 * A codicon (VS Code's icon font, `@vscode/codicons`, shipped in dist/ and linked by the
 * panel's HTML), hidden from screen readers: the control it decorates carries the words.
 */
export function icon(name: string, extraClass?: string): HTMLElement {
  return h('span', { class: `codicon codicon-${name}${extraClass ? ` ${extraClass}` : ''}`, attrs: { 'aria-hidden': 'true' } });
}

/** A push button with a visible label, an optional codicon before it, and an optional tooltip. */
export function button(label: string, onClick: () => void, props: { title?: string; class?: string; pressed?: boolean; icon?: string } = {}): HTMLButtonElement {
  return h('button', {
    class: props.class ?? 'ml-button',
    attrs: { type: 'button', title: props.title, 'aria-pressed': props.pressed === undefined ? undefined : String(props.pressed) },
    on: { click: (e) => { e.stopPropagation(); onClick(); } },
  }, props.icon ? icon(props.icon) : null, label);
}

/** A theme colour from a `--vscode-*` variable, for canvas drawing. */
export function themeColor(variable: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(variable).trim();
  return v || fallback;
}

/** Sizes a canvas's backing store for the device pixel ratio; returns its 2-D context in CSS pixels. */
export function sizeCanvas(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D {
  const ratio = Math.max(1, Math.min(3, window.devicePixelRatio || 1));
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return ctx;
}
