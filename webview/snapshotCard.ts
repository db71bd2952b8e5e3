/**
 * A tensor shown above the event list, on its own: a parameter's or buffer's
 * value as it was when "Show in Panel" asked for it, or a captured tensor
 * whose event the panel does not hold. A normal tensor card under a heading
 * that says what it is a snapshot of, with a Close button.
 */
import type { TensorSnapshot } from '../src/protocol/webview';
import { button, h } from './dom';
import type { ValueRequests } from './messages';
import { cardView, type CardContext } from './tensorCard';
import { TensorValues } from './tensorValues';

/** The heading of a snapshot card: what it is, of which model, and when it was taken. */
export function snapshotHeading(s: TensorSnapshot): string {
  const what = s.source === 'parameter' ? 'Parameter snapshot' : s.source === 'buffer' ? 'Buffer snapshot' : 'Captured tensor';
  const when = s.source === 'capture'
    ? (s.afterRun === null ? '' : ` · run ${s.afterRun}`)
    : s.pausedRun !== null ? ` · taken while run ${s.pausedRun} was paused`
      : s.afterRun === null ? ' · taken before any run' : ` · taken after run ${s.afterRun}`;
  return `${what}: ${s.name} · ${s.model}${when}`;
}

/** What the snapshot card needs from the panel. */
export interface SnapshotContext extends Pick<CardContext, 'sliceOf' | 'setSlice' | 'channelsOf' | 'setChannels'> {
  readonly requests: Pick<ValueRequests, 'requestSnapshot'>;
  exportSnapshot(id: number): void;
  close(): void;
}

/** The snapshot's values, paged from the extension like an event's. */
export function snapshotValues(s: TensorSnapshot, requests: Pick<ValueRequests, 'requestSnapshot'>): TensorValues {
  // TensorValues pages by (event, slot); a snapshot is one tensor, so its id stands for both.
  return new TensorValues(s.id, 0, s.summary.size, { request: (_event, _slot, start, end, priority) => requests.requestSnapshot(s.id, start, end, priority) });
}

/** The snapshot's heading (with Close) over a full tensor card. */
export function snapshotCard(s: TensorSnapshot, ctx: SnapshotContext): HTMLElement {
  const heading = snapshotHeading(s);
  const card = cardView({
    label: s.name,
    ariaLabel: heading,
    summary: s.summary,
    values: snapshotValues(s, ctx.requests),
    sliceKey: `snapshot:${s.id}`,
    exportTensor: () => ctx.exportSnapshot(s.id),
  }, ctx);
  card.dataset.slot = s.name;
  return h('div', { class: 'ml-snapshot', attrs: { 'data-snapshot-id': s.id, 'data-source': s.source } },
    h('div', { class: 'ml-snapshot-head' },
      h('strong', { class: 'ml-snapshot-title' }, heading),
      button('Close', () => ctx.close(), { title: 'Hide this snapshot', icon: 'close' })),
    card);
}
