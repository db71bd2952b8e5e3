/**
 * "Show in Panel" in the real bundle in Chromium (see webviewPage.ts): a `focus` message
 * filters to a module and opens its newest event at the output card; a module without events
 * gets a notice whose button asks the extension to attach a hook, and its first event opens
 * when it arrives; an event's card is scrolled to and highlighted; a parameter snapshot is a
 * full tensor card fed by `getSnapshotValues`; and a reloaded page brings its focus back.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ExtensionToWebviewMessage, PanelEvent, TensorSnapshot } from '../../src/protocol';
import { browserSkipReason, recordedMessages, resetMessage, PanelSession, type PanelPage } from './webviewPage';

const skip = browserSkipReason();
if (skip) console.log(`# webview browser tests skipped: ${skip}`);

const captured = (messages: ExtensionToWebviewMessage[]): PanelEvent[] =>
  messages.filter((m): m is Extract<ExtensionToWebviewMessage, { type: 'capture' }> => m.type === 'capture').map((m) => m.event);

async function focusReports(p: PanelPage): Promise<any[]> {
  return (await p.posted()).filter((m) => m.type === 'focusShown');
}

const snapshot: TensorSnapshot = {
  id: 7, source: 'parameter', modelId: 'm-snap', model: 'CustomLinearLayer', name: 'submodel_1.weight', afterRun: 3, pausedRun: null,
  summary: { shape: [4, 5], dtype: 'float32', size: 20, stats: { min: 0, max: 19, mean: 9.5, std: 5.77, nan: 0, inf: 0, zeros: 1 }, histogram: { min: 0, max: 19, counts: [5, 5, 5, 5] } },
};

describe('"Show in Panel" focus in Chromium', { skip }, () => {
  const session = new PanelSession(before, after);

  const panel = (values = recordedMessages().values, state?: unknown): Promise<PanelPage> =>
    session.panel({ ...values, 'snapshot:7': Array.from({ length: 20 }, (_, i) => i) }, state);

  const closeClean = (p: PanelPage): Promise<void> => session.closeClean(p);

  it('a module: filters to exactly it, opens its newest event at the output card, and reports it', async () => {
    const { messages } = recordedMessages();
    const events = captured(messages);
    const p = await panel();
    await p.send(resetMessage(), ...messages);
    const modelId = events[0].event.modelId;
    await p.send({ type: 'focus', target: { kind: 'module', modelId, model: 'NanNet', path: 'log' } });
    assert.equal(await p.page.locator('.ml-path-filter').inputValue(), '=log', 'the filter is visible in the toolbar');
    const logEvents = events.filter((e) => e.event.path === 'log' && e.event.modelId === modelId);
    assert.equal(await p.page.locator('.ml-row').count(), logEvents.length, 'only that module\'s events are listed');
    const newest = logEvents.at(-1)!;
    const row = p.page.locator(`.ml-row[data-event-id="${newest.id}"]`);
    assert.equal(await row.locator('.ml-row-head').getAttribute('aria-expanded'), 'true');
    const card = row.locator('.ml-card[data-slot="output"]');
    assert.ok(await card.evaluate((el) => el.classList.contains('ml-flash')), 'the output card is highlighted');
    assert.ok(await card.isVisible());
    const [report] = await focusReports(p);
    assert.deepEqual({ ...report, text: undefined }, { type: 'focusShown', target: 'module', shown: 'event', eventId: newest.id, slot: 'output', filter: '=log', text: undefined });
    assert.equal(report.text, 'output of log');
    // The highlight is brief.
    await p.page.waitForFunction(() => !(globalThis as any).document.querySelector('.ml-flash'), undefined, { timeout: 5000 });
    await closeClean(p);
  });

  it('a module without events: a notice and an Attach Forward Hook button; its first event opens when it comes', async () => {
    const p = await panel({});
    await p.send(resetMessage());
    await p.send({ type: 'focus', target: { kind: 'module', modelId: 'mx', model: 'Net', path: 'encoder.0' } });
    const notice = p.page.locator('.ml-focus-notice');
    assert.match(await notice.innerText(), /No captures of encoder\.0 yet — attach a forward hook and run/);
    assert.equal(await p.page.locator('.ml-empty').isVisible(), false, 'the notice replaces the generic empty line');
    assert.equal((await focusReports(p))[0].shown, 'none');
    await notice.getByRole('button', { name: 'Attach Forward Hook' }).click();
    assert.deepEqual((await p.posted()).filter((m) => m.type === 'attachHook'), [{ type: 'attachHook', modelId: 'mx', path: 'encoder.0', kind: 'forward' }]);
    assert.match(await notice.innerText(), /run the model/);
    const ev: PanelEvent = {
      id: 1, pinned: false, model: 'Net',
      event: { runId: 1, seq: 1, modelId: 'mx', path: 'encoder.0', kind: 'forward', hookId: 1, atMs: 1, tensors: [
        { slot: 'args[0]', tensorId: null, summary: snapshot.summary }, { slot: 'output', tensorId: null, summary: snapshot.summary }] },
    };
    await p.send({ type: 'capture', event: ev, evicted: 0 });
    assert.equal(await notice.isVisible(), false);
    assert.equal(await p.page.locator('.ml-row[data-event-id="1"] .ml-row-head').getAttribute('aria-expanded'), 'true');
    const reports = await focusReports(p);
    assert.deepEqual([reports.at(-1).shown, reports.at(-1).slot], ['event', 'output']);
    await closeClean(p);
  });

  it('an event card: clears a filter that hides it, expands it, highlights the card', async () => {
    const { messages } = recordedMessages();
    const events = captured(messages);
    const p = await panel();
    await p.send(resetMessage(), ...messages);
    await p.page.locator('.ml-path-filter').fill('=no.such.module');
    const target = events[2];
    await p.send({ type: 'focus', target: { kind: 'event', eventId: target.id, slot: 0 } });
    assert.equal(await p.page.locator('.ml-path-filter').inputValue(), '');
    const card = p.page.locator(`.ml-row[data-event-id="${target.id}"] .ml-card[data-slot-index="0"]`);
    assert.ok(await card.evaluate((el) => el.classList.contains('ml-flash')));
    assert.equal((await focusReports(p))[0].slot, target.event.tensors[0].slot);
    await p.send({ type: 'focus', target: { kind: 'event', eventId: 9999, slot: 0 } });
    assert.match(await p.page.locator('.ml-focus-notice').innerText(), /no longer in the panel/);
    await closeClean(p);
  });

  it('a parameter snapshot: a full tensor card with its label, values from getSnapshotValues, export', async () => {
    const p = await panel();
    await p.send(resetMessage());
    await p.send({ type: 'focus', target: { kind: 'snapshot', snapshot } });
    const box = p.page.locator('.ml-snapshot[data-snapshot-id="7"]');
    assert.equal(await box.locator('.ml-snapshot-title').innerText(), 'Parameter snapshot: submodel_1.weight · CustomLinearLayer · taken after run 3');
    const card = box.locator('.ml-card');
    assert.match(await card.locator('.ml-stats').innerText(), /shape\s+\[4, 5\]/);
    await card.locator('.ml-heatmap-status').filter({ hasText: '4 × 5 slice' }).waitFor();
    await card.locator('.ml-grid-cell').filter({ hasText: /^19$/ }).first().waitFor();
    const asked = (await p.posted()).filter((m) => m.type === 'getSnapshotValues');
    assert.ok(asked.length >= 1 && asked.every((m) => m.snapshotId === 7 && m.end - m.start <= 65536));
    await card.getByRole('button', { name: 'Export .npy' }).click();
    assert.deepEqual((await p.posted()).filter((m) => m.type === 'exportSnapshot'), [{ type: 'exportSnapshot', snapshotId: 7 }]);
    assert.equal((await focusReports(p))[0].shown, 'snapshot');
    await box.getByRole('button', { name: 'Close' }).click();
    assert.equal(await p.page.locator('.ml-snapshot').count(), 0);
    await closeClean(p);
  });

  it('a reloaded page shows its snapshot and brings its module focus back after the reset', async () => {
    const { messages } = recordedMessages();
    const events = captured(messages);
    const p = await panel();
    await p.send(resetMessage(), ...messages);
    await p.send({ type: 'focus', target: { kind: 'snapshot', snapshot } });
    await p.send({ type: 'focus', target: { kind: 'module', modelId: events[0].event.modelId, model: 'NanNet', path: 'fc' } });
    const state = await p.savedState();
    await closeClean(p);

    const again = await panel(undefined, state);
    assert.equal(await again.page.locator('.ml-snapshot').count(), 0, 'nothing is drawn or asked for before the reset');
    await again.send({ type: 'reset', logId: 'log-1', events, evicted: 0, maxEvents: 2000, runState: null });
    await again.page.locator('.ml-snapshot[data-snapshot-id="7"] .ml-grid-cell').filter({ hasText: /^19$/ }).first().waitFor();
    assert.equal(await again.page.locator('.ml-path-filter').inputValue(), '=fc');
    const reports = await focusReports(again);
    assert.equal(reports.length, 1);
    assert.equal(reports[0].target, 'module');
    const newestFc = events.filter((e) => e.event.path === 'fc').at(-1)!;
    assert.equal(reports[0].eventId, newestFc.id);
    await closeClean(again);

    const queued = await panel(undefined, state);
    await queued.send({ type: 'reset', logId: 'log-1', events, evicted: 0, maxEvents: 2000, runState: null, focusFollows: true },
      { type: 'focus', target: { kind: 'module', modelId: events[0].event.modelId, model: 'NanNet', path: 'log' } });
    assert.deepEqual((await focusReports(queued)).map((r) => r.filter), ['=log'], 'a focus that follows the reset replaces the saved one');
    await closeClean(queued);
  });
});
