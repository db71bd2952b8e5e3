/**
 * The banner shown while a run is paused at a hook breakpoint: where it
 * stopped, and Continue, Step and Stop.
 */
import type { RunStateParams } from '../src/protocol/runs';
import type { RunControlMessage } from '../src/protocol/webview';
import { button, h, replaceChildren } from './dom';

export class PausedBanner {
  readonly element = h('div', { class: 'ml-paused', attrs: { role: 'status', hidden: true } });

  constructor(private readonly control: (action: RunControlMessage['action']) => void) {}

  /** Shows the banner for a paused run, hides it otherwise. */
  update(state: RunStateParams | null): void {
    if (state?.state !== 'paused') {
      this.element.hidden = true;
      replaceChildren(this.element);
      return;
    }
    const at = state.location;
    const wasFocused = this.element.contains(document.activeElement);
    replaceChildren(this.element,
      h('span', { class: 'ml-paused-text' },
        h('strong', null, 'Paused'), ` in run ${state.runId} at `,
        h('code', null, at.path || '(root)'), ` (${at.kind} hook)`),
      h('span', { class: 'ml-paused-actions' },
        button('Continue', () => this.control('continue'), { title: 'Continue the run', icon: 'debug-continue' }),
        button('Step', () => this.control('step'), { title: 'Pause again at the next module boundary', icon: 'debug-step-over' }),
        button('Stop', () => this.control('stop'), { title: 'Stop the run', icon: 'debug-stop' })));
    this.element.hidden = false;
    if (wasFocused) (this.element.querySelector('button') as HTMLButtonElement | null)?.focus();
  }
}
