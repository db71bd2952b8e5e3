/**
 * The Captures panel's real bundle in a real Chromium page (see webviewPage.ts): the recorded
 * message stream renders rows and cards, canvases get drawn, filters, the NaN jump, pins and
 * Clear, the diff, eviction, the paused banner and restored state work, a module named like
 * HTML stays text, and the CSP is never violated.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CaptureEvent, ExtensionToWebviewMessage, PanelEvent } from '../../src/protocol';
import { browserSkipReason, nonBlankPixels, recordedMessages, resetMessage, PanelSession, type PanelPage } from './webviewPage';

const skip = browserSkipReason();
if (skip) console.log(`# webview browser tests skipped: ${skip}`);

const INJECTED = '<img src=x onerror=alert(1)>';

/** A synthetic event (for the injection fixture and eviction). */
function panelEvent(id: number, path: string, runId = 9, extra: Partial<CaptureEvent> = {}): PanelEvent {
  return {
    id, pinned: false, model: `<b>Model</b>${id}`,
    event: {
      runId, seq: id, modelId: 'mx', path, kind: 'forward', hookId: 1, atMs: 1.5,
      tensors: [{ slot: 'output', tensorId: null, summary: { shape: [2, 3], dtype: 'float32', size: 6, stats: { min: 0, max: 5, mean: 2.5, std: 1.87, nan: 0, inf: 0, zeros: 1 }, histogram: { min: 0, max: 5, counts: [1, 1, 2, 2] } } }],
      ...extra,
    },
  };
}

describe('the Captures panel in Chromium', { skip }, () => {
  const session = new PanelSession(before, after);

  const panel = (values = recordedMessages().values, state?: unknown): Promise<PanelPage> => session.panel(values, state);

  const closeClean = (p: PanelPage): Promise<void> => session.closeClean(p);

  it('renders the recorded stream as rows: run, seq, model, path, kind, time', async () => {
    const { messages } = recordedMessages();
    const p = await panel();
    await p.send(resetMessage(), ...messages);
    const rows = p.page.locator('.ml-row');
    assert.equal(await rows.count(), 17);
    const first = await rows.first().locator('.ml-row-head').innerText();
    assert.match(first, /run 1\s+#1\s+NanNet\s+fc\s+forward\s+[\d.]+ ms/);
    assert.match(await p.page.locator('.ml-status').innerText(), /^17 events$/);
    // NaN appears first at `log` in each run, so that row is flagged.
    assert.equal(await p.page.locator('.ml-row.ml-has-nonfinite').count(), 3 * 2);
    await closeClean(p);
  });

  it('shows a module named like HTML as text, and never runs it', async () => {
    const p = await panel({});
    await p.send(resetMessage(), { type: 'capture', event: panelEvent(1, INJECTED), evicted: 0 });
    assert.equal(await p.page.locator('.ml-col-path').first().innerText(), INJECTED);
    assert.equal(await p.page.locator('.ml-col-model').first().innerText(), '<b>Model</b>1');
    await p.page.locator('.ml-row-head').first().click();
    assert.match(await p.page.locator('.ml-card').first().getAttribute('aria-label') ?? '', /<img src=x/);
    assert.equal(await p.page.locator('#captures-root img, #captures-root b').count(), 0, 'no element was made from the name');
    await p.page.waitForTimeout(100);
    await closeClean(p);
  });

  it('expands an event into tensor cards with numbers, a drawn histogram, a heatmap and values', async () => {
    const { messages } = recordedMessages();
    const p = await panel();
    await p.send(resetMessage(), ...messages);
    const row = p.page.locator('.ml-row').filter({ hasText: 'log' }).first();
    await row.locator('.ml-row-head').click();
    assert.equal(await row.locator('.ml-row-head').getAttribute('aria-expanded'), 'true');
    const out = row.locator('.ml-card[data-slot="output"]');
    await out.waitFor();
    const stats = await out.locator('.ml-stats').innerText();
    assert.match(stats, /NaN\s+8/);
    assert.equal(await out.locator('dd.ml-nonfinite').count(), 1, 'the NaN count is highlighted');
    const cardId = await row.getAttribute('data-event-id');
    const sel = `.ml-row[data-event-id="${cardId}"] .ml-card[data-slot="args[0]"]`;
    assert.ok(await nonBlankPixels(p.page, `${sel} .ml-histogram-canvas`) > 50, 'the histogram has bars');
    await p.page.locator(`${sel} .ml-heatmap-status`).filter({ hasText: 'slice' }).waitFor();
    assert.ok(await nonBlankPixels(p.page, `${sel} .ml-heatmap-canvas`) >= 8, 'the heatmap is drawn');
    // The values grid: 2 × 4 values, NaNs marked.
    await out.locator('.ml-grid-cell.ml-nonfinite').first().waitFor();
    assert.equal(await out.locator('.ml-grid-cell.ml-nonfinite').count(), 8);
    assert.equal(await row.locator('.ml-card[data-slot="args[0]"] .ml-grid-cell').count(), 8);
    await closeClean(p);
  });

  it('picks heatmap dimensions and slices of a 4-D NHWC feature map', async () => {
    const { messages } = recordedMessages();
    const p = await panel();
    await p.send(resetMessage(), ...messages);
    const row = p.page.locator('.ml-row').filter({ hasText: 'conv_1' });
    await row.locator('.ml-row-head').click();
    const card = row.locator('.ml-card[data-slot="output"]');
    await card.locator('.ml-heatmap-status').filter({ hasText: '32 × 8 slice' }).waitFor();
    // Rows: dim 1 (height), columns: dim 2 (width); the channel (dim 3) gets an index.
    await card.locator('select[aria-label="rows dimension"]').selectOption('1');
    await card.locator('select[aria-label="columns dimension"]').selectOption('2');
    await card.locator('.ml-heatmap-status').filter({ hasText: '32 × 32 slice' }).waitFor();
    const channel = card.locator('input[aria-label="index in dim 3"]');
    await channel.fill('5');
    await channel.dispatchEvent('change');
    await card.locator('.ml-heatmap-status').filter({ hasText: '32 × 32 slice' }).waitFor();
    assert.ok(await nonBlankPixels(p.page, '.ml-card[data-slot="output"] .ml-heatmap-canvas') >= 32 * 32);
    const saved = (await p.savedState()) as { slices: Record<string, { rowDim: number; colDim: number; fixed: number[] }> };
    assert.deepEqual(Object.values(saved.slices)[0], { rowDim: 1, colDim: 2, fixed: [0, 0, 0, 5] });
    // The grid scrolls 8192 values virtually: few rows in the DOM.
    assert.ok(await card.locator('.ml-grid-row').count() < 20);
    await card.locator('input[aria-label="Go to flat index"]').fill('8000');
    await card.locator('input[aria-label="Go to flat index"]').press('Enter');
    await card.locator('.ml-grid-cell.ml-target').waitFor();
    assert.match(await card.locator('.ml-grid-bar').innerText(), /\[0, 31, 8, 0\]|\[0, 31, 8, 0\] \(flat 8000\)/);
    await closeClean(p);
  });

  it('filters by module path (substring and glob), kind and model', async () => {
    const { messages } = recordedMessages();
    const p = await panel();
    await p.send(resetMessage(), ...messages);
    const path = p.page.locator('.ml-path-filter');
    await path.fill('sh');
    await p.redrawn();
    assert.equal(await p.page.locator('.ml-row').count(), 3);
    await path.fill('f?');
    await p.redrawn();
    assert.equal(await p.page.locator('.ml-row').count(), 4, 'fc: three forward, one backward');
    await path.fill('*_1');
    await p.redrawn();
    assert.equal(await p.page.locator('.ml-row').count(), 1, 'conv_1');
    await path.fill('');
    await p.page.locator('.ml-kinds input').nth(1).uncheck();
    await p.redrawn();
    assert.equal(await p.page.locator('.ml-row').count(), 1, 'only the backward event');
    await p.page.locator('.ml-kinds input').nth(1).check();
    assert.deepEqual(await p.page.locator('select[aria-label="Model"] option').allInnerTexts(), ['All models', 'NanNet', 'Sequential']);
    await p.page.locator('select[aria-label="Model"]').selectOption({ label: 'Sequential' });
    await p.redrawn();
    assert.equal(await p.page.locator('.ml-row').count(), 1);
    assert.match(await p.page.locator('.ml-status').innerText(), /1 event shown, 16 hidden by filters/);
    await closeClean(p);
  });

  it('"Go to first non-finite" opens the first NaN event of the newest run, clearing filters that hide it', async () => {
    const { messages } = recordedMessages();
    const nanRuns = messages.filter((m) => !(m.type === 'capture' && m.event.event.runId === 4) && !(m.type === 'runState' && m.state.runId === 4));
    const p = await panel();
    await p.send(resetMessage(), ...nanRuns);
    await p.page.locator('.ml-path-filter').fill('head');
    await p.page.getByRole('button', { name: 'Go to first non-finite' }).click();
    const focused = p.page.locator('.ml-row-head:focus');
    assert.match(await focused.innerText(), /run 3\s+#4\s+NanNet\s+log/);
    assert.equal(await focused.getAttribute('aria-expanded'), 'true');
    assert.equal(await p.page.locator('.ml-path-filter').inputValue(), '');
    await closeClean(p);
  });

  it('pins an event, keeps it through Clear, and tells the extension', async () => {
    const { messages } = recordedMessages();
    const p = await panel();
    await p.send(resetMessage(), ...messages);
    const row = p.page.locator('.ml-row').nth(2);
    const id = Number(await row.getAttribute('data-event-id'));
    await row.locator('.ml-pin').click();
    await p.page.getByRole('button', { name: 'Clear', exact: true }).click();
    await p.redrawn();
    assert.equal(await p.page.locator('.ml-row').count(), 1);
    assert.equal(await p.page.locator('.ml-row.ml-pinned').getAttribute('data-event-id'), String(id));
    const posted = await p.posted();
    assert.deepEqual(posted.filter((m) => m.type === 'setPinned' || m.type === 'clear'), [{ type: 'setPinned', eventId: id, pinned: true }, { type: 'clear' }]);
    await closeClean(p);
  });

  it('diffs two runs of a module: delta heatmap, max/mean |Δ|, count over an editable tolerance', async () => {
    const { messages } = recordedMessages();
    const p = await panel();
    await p.send(resetMessage(), ...messages);
    const row = p.page.locator('.ml-row').filter({ hasText: 'run 2' }).filter({ hasText: 'act' });
    await row.locator('.ml-row-head').click();
    const picker = row.locator('.ml-diff-picker');
    await picker.focus();
    const options = await picker.locator('option').allInnerTexts();
    assert.deepEqual(options, ['Diff with…', 'run 1 #2', 'run 3 #2']);
    await picker.selectOption({ label: 'run 1 #2' });
    const diff = p.page.locator('.ml-row').filter({ hasText: 'run 2' }).filter({ hasText: 'act' }).locator('.ml-diff');
    const out = diff.locator('.ml-diff-slot[data-slot="output"]');
    await out.locator('.ml-diff-stats').waitFor();
    const text = await out.locator('.ml-diff-stats').innerText();
    assert.match(text, /max \|Δ\|\s+\S+/);
    assert.match(text, /> tolerance\s+8 of 8/, 'random inputs differ everywhere');
    await diff.locator('.ml-tolerance').fill('1000');
    await out.locator('.ml-diff-stats').filter({ hasText: /> tolerance\s*0 of 8/ }).waitFor();
    assert.ok(await nonBlankPixels(p.page, '.ml-diff-slot[data-slot="output"] canvas') >= 8, 'the delta heatmap is drawn');
    await closeClean(p);
  });

  it('keeps maxEvents rows and shows how many older events were evicted', async () => {
    const p = await panel({});
    const events: ExtensionToWebviewMessage[] = [1, 2, 3, 4, 5].map((i) => ({ type: 'capture', event: panelEvent(i, `layer${i}`), evicted: Math.max(0, i - 3) }));
    await p.send(resetMessage(3), ...events);
    assert.deepEqual(await p.page.locator('.ml-col-path').allInnerTexts(), ['layer3', 'layer4', 'layer5']);
    assert.match(await p.page.locator('.ml-status').innerText(), /2 older evicted \(keeping 3\)/);
    await closeClean(p);
  });

  it('shows the paused banner with Continue, Step and Stop', async () => {
    const p = await panel({});
    await p.send(resetMessage(), {
      type: 'runState',
      state: { state: 'paused', runId: 7, location: { modelId: 'm1', path: INJECTED, kind: 'forward', hookId: 1, stack: [], event: null } },
    });
    const banner = p.page.locator('.ml-paused');
    assert.equal(await banner.isVisible(), true);
    assert.match(await banner.innerText(), /Paused in run 7 at <img src=x onerror=alert\(1\)> \(forward hook\)/);
    await banner.getByRole('button', { name: 'Step' }).click();
    await banner.getByRole('button', { name: 'Continue' }).click();
    await banner.getByRole('button', { name: 'Stop' }).click();
    const controls = (await p.posted()).filter((m) => m.type === 'runControl').map((m) => m.action);
    assert.deepEqual(controls, ['step', 'continue', 'stop']);
    await p.send({ type: 'runState', state: { state: 'stopped', runId: 7, result: { runId: 7, state: 'stopped', events: 0, durationMs: 1 } } });
    assert.equal(await banner.isVisible(), false);
    await closeClean(p);
  });

  it('is keyboard navigable: one tab stop, arrows move, Enter expands, P pins', async () => {
    const { messages } = recordedMessages();
    const p = await panel();
    await p.send(resetMessage(), ...messages);
    await p.page.locator('.ml-row-head').first().focus();
    await p.page.keyboard.press('ArrowDown');
    await p.page.keyboard.press('ArrowDown');
    assert.match(await p.page.locator('.ml-row-head:focus').innerText(), /#3\s+NanNet\s+shift/);
    assert.equal(await p.page.locator('.ml-row-head[tabindex="0"]').count(), 1);
    await p.page.keyboard.press('Enter');
    assert.equal(await p.page.locator('.ml-row-head:focus').getAttribute('aria-expanded'), 'true');
    await p.page.keyboard.press('p');
    assert.equal(await p.page.locator('.ml-row.ml-pinned').count(), 1);
    await p.page.keyboard.press('End');
    assert.match(await p.page.locator('.ml-row-head:focus').innerText(), /conv_1/);
    await closeClean(p);
  });

  it('restores filters and expanded rows from getState after a reload of the same log, not of a new one', async () => {
    const { messages } = recordedMessages();
    const p = await panel();
    await p.send(resetMessage(), ...messages);
    await p.page.locator('.ml-path-filter').fill('log');
    await p.page.locator('.ml-row-head').first().click();
    await p.redrawn();
    const state = await p.savedState();
    await closeClean(p);

    const events = messages.filter((m): m is Extract<ExtensionToWebviewMessage, { type: 'capture' }> => m.type === 'capture').map((m) => m.event);
    const again = await panel(undefined, state);
    await again.send({ type: 'reset', logId: 'log-1', events, evicted: 0, maxEvents: 2000, runState: null });
    assert.equal(await again.page.locator('.ml-path-filter').inputValue(), 'log');
    assert.equal(await again.page.locator('.ml-row').count(), 3);
    assert.equal(await again.page.locator('.ml-row.ml-expanded').count(), 1);
    await again.send({ type: 'reset', logId: 'log-2', events, evicted: 0, maxEvents: 2000, runState: null });
    assert.equal(await again.page.locator('.ml-row.ml-expanded').count(), 0, 'ids of another log are not reused');
    await closeClean(again);
  });
});
