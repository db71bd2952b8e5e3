/**
 * "Show in Panel" in plain Node: where a focus lands in the event list (the recorded stream),
 * the exact-path filter it sets, the saved focus and snapshot in the view state, the command
 * targets the extension accepts, and the snapshot store that serves a parameter's values as
 * they were when it was shown.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CaptureEvent, FocusTarget, GetTensorParams, RunResult, TensorSnapshot } from '../../src/protocol';
import { isExtensionToWebviewMessage, isWebviewToExtensionMessage, MAX_TENSOR_PAGE, PANEL_PAGE_SIZE } from '../../src/protocol';
import { parsePanelTarget } from '../../src/extension/captures/panelTarget';
import { SnapshotStore } from '../../src/extension/captures/snapshots';
import { EventLog } from '../../src/extension/captures/eventLog';
import { resolveFocus } from '../../src/extension/captures/focusResolution';
import { RunHistory } from '../../src/extension/captures/runHistory';
import type { TensorReader } from '../../src/extension/captures/tensorValues';
import { CaptureState } from '../../webview/state';
import { eventMatcher, isGlob, NO_FILTER, pathMatcher } from '../../webview/filters';
import { focusSlot, moduleFilter, moduleName, newestEventOf, planFocus } from '../../webview/focus';
import { forLog, initialViewState, restoreViewState } from '../../webview/viewState';
import { recordedMessages, resetMessage } from './webviewPage';

function replay(): CaptureState {
  const s = new CaptureState();
  s.apply(resetMessage() as Parameters<CaptureState['apply']>[0]);
  for (const m of recordedMessages().messages) if (m.type === 'capture' || m.type === 'runState') s.apply(m);
  return s;
}

const summary = (size: number) => ({ shape: [size], dtype: 'float32', size, stats: { min: 0, max: 1, mean: 0.5, std: 0.1, nan: 0, inf: 0, zeros: 0 }, histogram: { min: 0, max: 1, counts: [1] } });

describe('the exact path filter', () => {
  it('`=path` matches that module only; `=` alone the root', () => {
    const m = pathMatcher('=conv_1');
    assert.equal(m('conv_1'), true);
    assert.equal(m('conv_10'), false);
    assert.equal(m('a.conv_1'), false);
    assert.equal(pathMatcher('=')(''), true);
    assert.equal(pathMatcher('=')('fc'), false);
    assert.equal(isGlob('=features.*'), false, 'an exact path is not a glob');
    assert.equal(pathMatcher('=features.*')('features.0'), false);
  });
});

describe('where a focus lands', () => {
  const s = replay();
  const get = (id: number) => s.get(id);
  const modelId = s.events[0].event.modelId;

  it('a module: its newest event, the output card, and a filter for exactly it', () => {
    const plan = planFocus(s.events, { kind: 'module', modelId, model: 'NanNet', path: 'log' }, NO_FILTER, get);
    assert.equal(plan.kind, 'event');
    if (plan.kind !== 'event') return;
    const ev = s.get(plan.eventId)!;
    assert.equal(ev.event.path, 'log');
    assert.equal(ev.id, Math.max(...s.events.filter((e) => e.event.path === 'log').map((e) => e.id)), 'the newest');
    assert.equal(ev.event.tensors[plan.slot].slot, 'output');
    assert.deepEqual(plan.filter, moduleFilter(modelId, 'log'));
    assert.equal(plan.filter.path, '=log');
    assert.deepEqual(s.events.filter(eventMatcher(plan.filter)).map((e) => e.event.path), s.events.filter((e) => e.event.path === 'log').map(() => 'log'));
  });

  it('a module without events: no event, with its filter (the panel says so)', () => {
    const plan = planFocus(s.events, { kind: 'module', modelId, model: 'NanNet', path: 'nowhere.0' }, NO_FILTER, get);
    assert.deepEqual(plan, { kind: 'noEvents', filter: moduleFilter(modelId, 'nowhere.0') });
    assert.equal(moduleName('NanNet', ''), 'NanNet (root)');
    assert.equal(moduleName('NanNet', 'nowhere.0'), 'nowhere.0');
  });

  it('an event card: keeps a filter that shows it, clears one that hides it; a gone event is reported', () => {
    const ev = s.events[3];
    const showing = { ...NO_FILTER, path: ev.event.path };
    assert.deepEqual(planFocus(s.events, { kind: 'event', eventId: ev.id, slot: 0 }, showing, get), { kind: 'event', eventId: ev.id, slot: 0, filter: showing });
    const hiding = { ...NO_FILTER, path: '=no.such.module' };
    assert.deepEqual(planFocus(s.events, { kind: 'event', eventId: ev.id, slot: 99 }, hiding, get), { kind: 'event', eventId: ev.id, slot: ev.event.tensors.length - 1, filter: NO_FILTER });
    assert.equal(planFocus(s.events, { kind: 'event', eventId: 10_000, slot: 0 }, hiding, get).kind, 'gone');
  });

  it('pre and backward events land on their first card', () => {
    const ev = s.events[0];
    assert.equal(focusSlot({ ...ev, event: { ...ev.event, kind: 'pre' } }), 0);
    assert.equal(focusSlot(ev), ev.event.tensors.findIndex((t) => t.slot === 'output'));
    assert.equal(newestEventOf(s.events, 'other-model', 'log'), undefined);
  });
});

describe('the saved focus', () => {
  const snapshot: TensorSnapshot = { id: 3, source: 'parameter', modelId: 'm1', model: 'Net', name: 'fc.weight', afterRun: 2, pausedRun: null, summary: summary(6) };

  it('survives a reload (setState → getState), checked field by field', () => {
    const focus: FocusTarget = { kind: 'snapshot', snapshot };
    const v = { ...initialViewState(), logId: 'L', focus, snapshot, awaiting: { modelId: 'm1', path: 'fc' } };
    const restored = restoreViewState(JSON.parse(JSON.stringify(v)));
    assert.deepEqual(restored.focus, focus);
    assert.deepEqual(restored.snapshot, snapshot);
    assert.deepEqual(restored.awaiting, { modelId: 'm1', path: 'fc' });
    const bad = restoreViewState({ ...v, focus: { kind: 'event', eventId: 'x' }, snapshot: { id: 1 } });
    assert.equal(bad.focus, null);
    assert.equal(bad.snapshot, null);
  });

  it('a new log keeps a module focus, drops event and snapshot ids', () => {
    const v = { ...initialViewState(), logId: 'L', focus: { kind: 'module', modelId: 'm1', model: 'Net', path: 'fc' } as FocusTarget, snapshot };
    assert.deepEqual(forLog(v, 'L2').focus, v.focus);
    assert.equal(forLog(v, 'L2').snapshot, null);
    assert.equal(forLog({ ...v, focus: { kind: 'event', eventId: 1, slot: 0 } }, 'L2').focus, null);
  });
});

describe('the focus messages are checked on arrival', () => {
  it('accepts well-formed focus, snapshot, attach and report messages; refuses the rest', () => {
    assert.ok(isExtensionToWebviewMessage({ type: 'focus', target: { kind: 'module', modelId: 'm', model: 'Net', path: '' } }));
    assert.ok(isExtensionToWebviewMessage({ type: 'focus', target: { kind: 'event', eventId: 3, slot: 1 } }));
    assert.ok(!isExtensionToWebviewMessage({ type: 'focus', target: { kind: 'event', eventId: -3, slot: 1 } }));
    assert.ok(!isExtensionToWebviewMessage({ type: 'focus', target: { kind: 'snapshot', snapshot: { id: 1 } } }));
    assert.ok(isWebviewToExtensionMessage({ type: 'getSnapshotValues', requestId: 1, snapshotId: 2, start: 0, end: PANEL_PAGE_SIZE }));
    assert.ok(!isWebviewToExtensionMessage({ type: 'getSnapshotValues', requestId: 1, snapshotId: 2, start: 0, end: PANEL_PAGE_SIZE + 1 }));
    assert.ok(isWebviewToExtensionMessage({ type: 'attachHook', modelId: 'm', path: 'fc', kind: 'forward' }));
    assert.ok(!isWebviewToExtensionMessage({ type: 'attachHook', modelId: 'm', path: 'fc', kind: 'sideways' }));
    assert.ok(isWebviewToExtensionMessage({ type: 'exportSnapshot', snapshotId: 4 }));
    assert.ok(isWebviewToExtensionMessage({ type: 'focusShown', target: 'module', shown: 'none', eventId: null, slot: null, filter: '=fc', text: 'No captures of fc yet' }));
    assert.ok(!isWebviewToExtensionMessage({ type: 'focusShown', target: 'elsewhere', shown: 'none', eventId: null, slot: null, filter: '', text: '' }));
  });
});

describe('Show in Panel targets', () => {
  it('reads tree nodes and plain objects; refuses anything else', () => {
    assert.deepEqual(parsePanelTarget({ kind: 'module', modelId: 'm', path: 'a.b', type: 'Linear' }), { kind: 'module', modelId: 'm', path: 'a.b' });
    assert.deepEqual(parsePanelTarget({ modelId: 'm', path: '' }), { kind: 'module', modelId: 'm', path: '' });
    assert.deepEqual(parsePanelTarget({ kind: 'parameter', modelId: 'm', path: 'fc.weight', name: 'weight' }), { kind: 'parameter', modelId: 'm', path: 'fc.weight' });
    assert.deepEqual(parsePanelTarget({ kind: 'buffer', modelId: 'm', path: 'bn.running_mean' }), { kind: 'buffer', modelId: 'm', path: 'bn.running_mean' });
    assert.deepEqual(parsePanelTarget({ kind: 'capture', tensorId: 't1', slot: 1 }), { kind: 'capture', tensorId: 't1', event: undefined, slot: 1 });
    assert.deepEqual(parsePanelTarget({ eventId: 4, slot: 0 }), { kind: 'event', eventId: 4, slot: 0 });
    for (const bad of [undefined, null, 'fc', { kind: 'group', modelId: 'm', path: 'fc' }, { eventId: -1, slot: 0 }, { kind: 'capture' }]) {
      assert.equal(parsePanelTarget(bad), undefined, JSON.stringify(bad));
    }
  });
});

describe('snapshots of parameters and buffers', () => {
  /** A parameter of `size` values whose value at i is i + version; the version bumps like a training step. */
  function fakeParameter(size: number) {
    const state = { version: 0, calls: [] as GetTensorParams[] };
    const read: TensorReader = async (p) => {
      state.calls.push(p);
      const start = p.start ?? 0;
      const end = Math.min(size, p.end ?? size);
      return { summary: summary(size), start, values: Array.from({ length: Math.max(0, end - start) }, (_, k) => start + k + state.version) };
    };
    return { read, state };
  }

  it('keeps the values as they were when taken, served in exact-size pages', async () => {
    const { read, state } = fakeParameter(10);
    const store = new SnapshotStore();
    const snap = await store.take({ modelId: 'm', name: 'fc.weight' }, { source: 'parameter', modelId: 'm', model: 'Net', name: 'fc.weight', afterRun: 1, pausedRun: null }, read);
    assert.equal(snap.summary.size, 10);
    assert.equal(snap.afterRun, 1);
    state.version = 100;
    const page = await store.read(snap.id, 2, 5, read);
    assert.deepEqual([...page], [2, 3, 4]);
    assert.equal(page.buffer.byteLength, 3 * 4, 'the buffer is exactly the values');
    assert.deepEqual([...await store.read(snap.id, 8, 50, read)], [8, 9], 'shorter at the end');
    assert.equal(state.calls.length, 1, 'one read from the server, when taken');
  });

  it('reads a tensor too large to copy from the server, page by page', async () => {
    const size = MAX_TENSOR_PAGE + 5;
    const { read, state } = fakeParameter(size);
    const store = new SnapshotStore();
    const snap = await store.take({ modelId: 'm', name: 'big' }, { source: 'buffer', modelId: 'm', model: 'Net', name: 'big', afterRun: null, pausedRun: null }, read, 16);
    const tail = await store.read(snap.id, MAX_TENSOR_PAGE - 1, size, read);
    assert.equal(tail.length, 6);
    assert.equal(tail[0], MAX_TENSOR_PAGE - 1);
    assert.ok(state.calls.length >= 2);
  });

  it('forgets the oldest beyond its limit, and says so', async () => {
    const { read } = fakeParameter(2);
    const store = new SnapshotStore(2);
    const label = { source: 'parameter' as const, modelId: 'm', model: 'Net', name: 'w', afterRun: null, pausedRun: null };
    const a = await store.take({ modelId: 'm', name: 'w' }, label, read);
    await store.take({ modelId: 'm', name: 'w' }, label, read);
    await store.take({ modelId: 'm', name: 'w' }, label, read);
    assert.equal(store.get(a.id), undefined);
    await assert.rejects(store.read(a.id, 0, 2, read), /no longer kept/);
  });
});

describe('resolving a Show in Panel target on the extension side', () => {
  const event = (runId: number, tensorId: string): CaptureEvent => ({
    runId, seq: 1, modelId: 'm1', path: 'fc', kind: 'forward', hookId: 1, atMs: 1,
    tensors: [{ slot: 'args[0]', tensorId: `${tensorId}.in`, summary: summary(3) }, { slot: 'output', tensorId, summary: summary(3) }],
  });
  const ended = (runId: number): RunResult => ({ runId, state: 'finished', events: 1, durationMs: 1 });

  function sources() {
    const reads: GetTensorParams[] = [];
    const read: TensorReader = async (p) => {
      reads.push(p);
      return { summary: summary(3), start: p.start ?? 0, values: [1, 2, 3].slice(p.start ?? 0, p.end ?? 3) };
    };
    const runs = new RunHistory();
    return { log: new EventLog(10), snapshots: new SnapshotStore(), runs, read, reads, modelName: async (id: string) => (id === 'm1' ? 'Net' : id) };
  }

  it('a captured tensor the log holds is its event and slot; one it does not is a snapshot read by id', async () => {
    const from = sources();
    const { entry } = from.log.add(event(1, 't1'), 'Net');
    assert.deepEqual(await resolveFocus({ kind: 'capture', tensorId: 't1' }, from), { kind: 'event', eventId: entry.panel.id, slot: 1 });
    const alone = await resolveFocus({ kind: 'capture', tensorId: 't9', event: event(4, 't9'), slot: 1 }, from);
    assert.equal(alone.kind, 'snapshot');
    if (alone.kind !== 'snapshot') return;
    assert.deepEqual({ ...alone.snapshot, summary: undefined }, { id: 1, source: 'capture', modelId: 'm1', model: 'Net', name: 'output of fc (forward hook)', afterRun: 4, pausedRun: null, summary: undefined });
    assert.deepEqual(from.reads.map((p) => 'tensorId' in p && p.tensorId), ['t9']);
  });

  it('a parameter is a snapshot labelled with the last ended run, or the paused one', async () => {
    const from = sources();
    const param = { kind: 'parameter' as const, modelId: 'm1', path: 'fc.weight' };
    const first = await resolveFocus(param, from);
    assert.ok(first.kind === 'snapshot' && first.snapshot.afterRun === null && first.snapshot.pausedRun === null);
    from.runs.record({ state: 'running', runId: 2, modelId: 'm1', kind: 'forward' });
    from.runs.record({ state: 'finished', runId: 2, result: ended(2) });
    from.runs.record({ state: 'running', runId: 3, modelId: 'm1', kind: 'forward' });
    from.runs.record({ state: 'paused', runId: 3, location: { modelId: 'm1', path: 'fc', kind: 'forward', hookId: 1, stack: [], event: null } });
    const during = await resolveFocus(param, from);
    assert.ok(during.kind === 'snapshot');
    if (during.kind !== 'snapshot') return;
    assert.deepEqual([during.snapshot.afterRun, during.snapshot.pausedRun, during.snapshot.name, during.snapshot.model], [2, 3, 'fc.weight', 'Net']);
    assert.deepEqual(from.reads.at(-1), { modelId: 'm1', name: 'fc.weight', start: 0, end: MAX_TENSOR_PAGE });
    assert.equal(from.runs.pausedRun('m2'), null, 'a pause belongs to its model');
  });

  it('a module keeps its path, with the model\'s name', async () => {
    assert.deepEqual(await resolveFocus({ kind: 'module', modelId: 'm1', path: '' }, sources()), { kind: 'module', modelId: 'm1', model: 'Net', path: '' });
  });
});
