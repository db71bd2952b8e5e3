/**
 * The Captures panel's real bundle in Chromium (see webviewPage.ts), for what it draws: the
 * channel grid of NCHW tensors (cell count, exact colours, paging, only the value pages it
 * needs), int32 and bool cards, the codicon font, and the virtualized event list.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { CaptureEvent, PanelEvent, TensorSummaryJson } from '../../src/protocol';
import { colorOf, NAN_COLOR } from '../../webview/colormap';
import { browserSkipReason, resetMessage, type JsonValues, PanelSession, type PanelPage } from './webviewPage';

const skip = browserSkipReason();
if (skip) console.log(`# webview browser tests skipped: ${skip}`);

function summary(shape: number[], dtype = 'float32', stats: Partial<TensorSummaryJson['stats']> = {}): TensorSummaryJson {
  const size = shape.reduce((a, b) => a * b, 1);
  return { shape, dtype, size, stats: { min: 0, max: 1, mean: 0.5, std: 0.5, nan: 0, inf: 0, zeros: 0, ...stats }, histogram: { min: 0, max: 1, counts: [1, 1] } };
}

function event(id: number, path: string, tensors: CaptureEvent['tensors'], seq = id): PanelEvent {
  return { id, pinned: false, model: 'Net', event: { runId: 1, seq, modelId: 'm', path, kind: 'forward', hookId: 1, atMs: 1, tensors } };
}

/** The RGB of every pixel of a canvas, row-major. */
function pixels(page: Page, selector: string): Promise<[number, number, number][]> {
  return page.$eval(selector, (el) => {
    const c = el as any;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const out: [number, number, number][] = [];
    for (let i = 0; i < d.length; i += 4) out.push([d[i], d[i + 1], d[i + 2]]);
    return out;
  });
}

describe('the Captures panel draws', { skip }, () => {
  const session = new PanelSession(before, after);

  const panel = (values: JsonValues, state?: unknown): Promise<PanelPage> => session.panel(values, state);

  const closeClean = (p: PanelPage): Promise<void> => session.closeClean(p);

  it('an NCHW tensor as one heatmap per channel of the chosen batch item, on one colour scale, NaN highlighted', async () => {
    // [2, 3, 2, 2]: batch item 0 is all 100 (never drawn below); item 1 holds 0…11 with a NaN.
    const flat: (number | null)[] = [...Array(12).fill(100), 0, 1, 2, 3, 4, null, 6, 7, 8, 9, 10, 11];
    const p = await panel({ '1:0': flat });
    await p.send(resetMessage(), { type: 'capture', event: event(1, 'conv', [{ slot: 'output', tensorId: 't1', summary: summary([2, 3, 2, 2], 'float32', { nan: 1 }) }]), evicted: 0 });
    await p.page.locator('.ml-row-head').first().click();
    const card = p.page.locator('.ml-card[data-slot="output"]');
    await card.getByRole('button', { name: 'Channels' }).click();
    assert.equal(await card.getByRole('button', { name: 'Channels' }).getAttribute('aria-pressed'), 'true');
    await card.locator('.ml-channel-status').filter({ hasText: '2 × 2 per channel of batch item 0' }).waitFor();
    const batch = card.locator('input[aria-label="batch index"]');
    await batch.fill('1');
    await batch.dispatchEvent('change');
    await card.locator('.ml-channel-status').filter({ hasText: 'batch item 1' }).waitFor();
    assert.equal(await card.locator('.ml-channel-canvas').count(), 3, 'one image per channel');
    assert.equal(await card.locator('.ml-channel-count').innerText(), '3 channels');
    // One scale over the drawn values, 0…11: 0 is the scale's first colour, 11 its last.
    const range: [number, number] = [0, 11];
    const expected = (v: number | null) => (v === null ? [...NAN_COLOR] : [...colorOf(v, range[0], range[1], 'sequential')]);
    for (let ch = 0; ch < 3; ch++) {
      const got = await pixels(p.page, `.ml-card[data-slot="output"] .ml-channel-canvas[data-channel="${ch}"]`);
      assert.deepEqual(got, flat.slice(12 + ch * 4, 16 + ch * 4).map(expected), `channel ${ch}`);
    }
    assert.deepEqual((await pixels(p.page, '.ml-card[data-slot="output"] .ml-channel-canvas[data-channel="0"]'))[0], [68, 1, 84]);
    assert.deepEqual((await pixels(p.page, '.ml-card[data-slot="output"] .ml-channel-canvas[data-channel="2"]'))[3], [253, 231, 37]);
    assert.deepEqual((await pixels(p.page, '.ml-card[data-slot="output"] .ml-channel-canvas[data-channel="1"]'))[1], [255, 0, 255], 'NaN in its own colour');
    const legend = await card.locator('.ml-channels .ml-legend').innerText();
    assert.match(legend, /^0\s+11\s+NaN ×1$/);
    // The grid is kept in the webview state: a reloaded panel shows it again, batch item 1.
    const saved = (await p.savedState()) as { channels: Record<string, unknown> };
    assert.deepEqual(saved.channels, { '1:0': { shown: true, channelDim: 1, batch: 1, first: 0 } });
    const again = await panel({ '1:0': flat }, saved);
    // As after a reload: the extension's `reset` replays the log it holds.
    await again.send({ ...resetMessage(), events: [event(1, 'conv', [{ slot: 'output', tensorId: 't1', summary: summary([2, 3, 2, 2], 'float32', { nan: 1 }) }])] } as never);
    const restored = again.page.locator('.ml-card[data-slot="output"]');
    await restored.locator('.ml-channel-status').filter({ hasText: 'batch item 1' }).waitFor();
    assert.equal(await restored.getByRole('button', { name: 'Channels' }).getAttribute('aria-pressed'), 'true');
    await closeClean(again);
    // Back to the single slice: the heatmap is still there, and the choice is saved.
    await card.getByRole('button', { name: 'Slice' }).click();
    assert.equal(await card.locator('.ml-channels').count(), 0);
    assert.equal(await card.locator('.ml-heatmap').count(), 1);
    assert.equal(((await p.savedState()) as { channels: Record<string, { shown: boolean }> }).channels['1:0'].shown, false);
    await closeClean(p);
  });

  it('caps the grid at 64 channels with paging, and fetches only the value pages the grid needs', async () => {
    // [4, 128, 16, 16] = 131,072 values = 8 pages of 16,384; channel c of item n starts at (n·128 + c)·256.
    const shape = [4, 128, 16, 16];
    const flat = Array.from({ length: 4 * 128 * 256 }, (_, i) => Math.floor(i / 256) % 128);
    const p = await panel({ '1:0': flat });
    await p.send(resetMessage(), { type: 'capture', event: event(1, 'conv', [{ slot: 'output', tensorId: 't1', summary: summary(shape) }]), evicted: 0 });
    await p.page.locator('.ml-row-head').first().click();
    const card = p.page.locator('.ml-card[data-slot="output"]');
    await card.getByRole('button', { name: 'Channels' }).click();
    const batch = card.locator('input[aria-label="batch index"]');
    await batch.fill('2');
    await batch.dispatchEvent('change');
    await card.locator('.ml-channel-status').filter({ hasText: 'batch item 2' }).waitFor();
    assert.equal(await card.locator('.ml-channel-count').innerText(), 'showing 64 of 128 channels (0–63)');
    assert.equal(await card.locator('.ml-channel-canvas').count(), 64);
    assert.equal(await card.getByRole('button', { name: 'Previous' }).isDisabled(), true);
    await card.getByRole('button', { name: 'Next' }).click();
    await card.locator('.ml-channel-count').filter({ hasText: '(64–127)' }).waitFor();
    await card.locator('.ml-channel-canvas[data-channel="127"]').waitFor();
    assert.equal(await card.locator('.ml-channel-canvas').count(), 64);
    assert.equal(await card.getByRole('button', { name: 'Next' }).isDisabled(), true);
    // Channel 127 is the largest value drawn on this page: every pixel the scale's last colour.
    const top = await pixels(p.page, '.ml-card[data-slot="output"] .ml-channel-canvas[data-channel="127"]');
    assert.equal(top.length, 256);
    assert.ok(top.every((c) => c.join() === '253,231,37'));
    const starts = new Set((await p.posted()).filter((m) => m.type === 'getValues').map((m) => m.start));
    // Page 0: the values grid and the default slice; item 2's channels 0–63 are page 4, 64–127 page 5.
    assert.deepEqual([...starts].sort((a, b) => a - b), [0, 4 * 16384, 5 * 16384]);
    await closeClean(p);
  });

  it('shows int32 and bool tensors in their dtype: whole numbers, true/false, counts for bool', async () => {
    const p = await panel({ '1:0': [3, -7, 0, 123456, 2, 2], '1:1': [1, 0, 1, 1] });
    await p.send(resetMessage(), {
      type: 'capture', evicted: 0, event: event(1, 'embed', [
        { slot: 'output', tensorId: 't1', summary: summary([2, 3], 'int32', { min: -7, max: 123456, mean: 20576, std: 50400.1, zeros: 1 }) },
        { slot: 'mask', tensorId: 't2', summary: summary([4], 'bool', { min: 0, max: 1, mean: 0.75, std: 0.5, zeros: 1 }) },
      ]),
    });
    await p.page.locator('.ml-row-head').first().click();
    const ints = p.page.locator('.ml-card[data-slot="output"]');
    assert.match(await ints.locator('.ml-card-title').innerText(), /\[2, 3\] int32/);
    const intStats = await ints.locator('.ml-stats').innerText();
    assert.match(intStats, /dtype\s+int32/);
    assert.match(intStats, /max\s+123456/);
    assert.doesNotMatch(intStats, /NaN|Inf/, 'an int32 tensor cannot hold NaN or Inf');
    await ints.locator('.ml-grid-cell').filter({ hasText: '123456' }).waitFor();
    assert.deepEqual(await ints.locator('.ml-grid-cell').allInnerTexts(), ['3', '-7', '0', '123456', '2', '2']);
    const bools = p.page.locator('.ml-card[data-slot="mask"]');
    assert.match(await bools.locator('.ml-card-title').innerText(), /\[4\] bool/);
    const boolStats = await bools.locator('.ml-stats').innerText();
    assert.match(boolStats, /true\s+3/);
    assert.match(boolStats, /false\s+1/);
    assert.match(boolStats, /fraction true\s+0\.75/);
    await bools.locator('.ml-grid-cell').filter({ hasText: 'true' }).first().waitFor();
    assert.deepEqual(await bools.locator('.ml-grid-cell').allInnerTexts(), ['true', 'false', 'true', 'true']);
    await closeClean(p);
  });

  it('loads the codicon font from the extension, with every icon button keeping its text label', async () => {
    const p = await panel({});
    await p.send(resetMessage(), { type: 'capture', event: event(1, 'fc', [{ slot: 'output', tensorId: null, summary: summary([2]) }]), evicted: 0 });
    await p.page.evaluate(() => (globalThis as any).document.fonts.ready);
    const loaded = await p.page.evaluate(() => [...(globalThis as any).document.fonts].filter((f: any) => f.family.replace(/"/g, '') === 'codicon').map((f: any) => f.status));
    assert.deepEqual(loaded, ['loaded']);
    const family = await p.page.locator('.ml-toolbar .codicon-clear-all').evaluate((el) => (globalThis as any).getComputedStyle(el).fontFamily);
    assert.match(family, /codicon/);
    for (const name of ['Go to first non-finite', 'Clear', 'Export events']) {
      const b = p.page.getByRole('button', { name, exact: true });
      assert.equal(await b.locator('.codicon[aria-hidden="true"]').count(), 1, `${name} has an icon hidden from screen readers`);
    }
    assert.equal(await p.page.locator('.ml-row .ml-twistie.codicon-chevron-right').count(), 1);
    assert.equal(await p.page.locator('.ml-pin .codicon-pin').count(), 1);
    await closeClean(p);
  });

  it('keeps only a screen of rows in the DOM for 2,000 events, and the keyboard still reaches the last', async () => {
    const p = await panel({});
    const events = Array.from({ length: 2000 }, (_, i) => event(i + 1, `layer${i + 1}`, [], i + 1));
    await p.send({ ...resetMessage(), events } as never);
    assert.match(await p.page.locator('.ml-status').innerText(), /^2,000 events$/);
    const rows = await p.page.locator('.ml-row').count();
    assert.ok(rows > 20 && rows < 120, `${rows} rows in the DOM`);
    await p.page.locator('.ml-row-head').first().focus();
    await p.page.keyboard.press('End');
    assert.match(await p.page.locator('.ml-row-head:focus').innerText(), /#2000\s+Net\s+layer2000/);
    await p.page.keyboard.press('ArrowUp');
    assert.match(await p.page.locator('.ml-row-head:focus').innerText(), /#1999\s/);
    assert.ok(await p.page.locator('.ml-row').count() < 120);
    // The list is as tall as 2,000 rows, so the scroll bar means what it says.
    const height = await p.page.locator('.ml-events').evaluate((el) => (el as any).offsetHeight);
    assert.ok(height >= 2000 * 22, `list height ${height}`);
    await closeClean(p);
  });
});
