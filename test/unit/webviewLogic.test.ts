/**
 * The Captures panel's logic in plain Node, on the message stream recorded from the model
 * server: the state (replay, ring eviction mirrored from the extension's log, pins, Clear),
 * "go to first non-finite", diff candidates and math, filters and globs, heatmap slices, the
 * values grid layout, value paging, and the saved view state.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PanelEvent } from '../../src/protocol';
import { CaptureState, diffCandidates, firstNonFinite, hasNonFinite } from '../../webview/state';
import { eventMatcher, globToRegExp, isEmptyFilter, modelsOf, NO_FILTER, pathMatcher } from '../../webview/filters';
import { asMatrix, deltaValues, diffStats, sameShape } from '../../webview/diff';
import { clampView, GridLayout, pagesFor, sliceGrid, strides, unravel } from '../../webview/slicing';
import { formatNumber } from '../../webview/format';
import { colorOf, finiteRange, NAN_COLOR } from '../../webview/colormap';
import { PAGE, TensorValues } from '../../webview/tensorValues';
import { MAX_VALUE_REQUESTS_IN_FLIGHT, ValueRequests } from '../../webview/messages';
import { forLog, initialViewState, pruneViewState, restoreViewState } from '../../webview/viewState';
import { recordedMessages, resetMessage } from './webviewPage';

function replay(maxEvents = 2000): CaptureState {
  const s = new CaptureState();
  s.apply(resetMessage(maxEvents) as Parameters<CaptureState['apply']>[0]);
  for (const m of recordedMessages(maxEvents).messages) {
    if (m.type === 'capture' || m.type === 'runState') s.apply(m);
  }
  return s;
}

const label = (e: PanelEvent | undefined) => e && `${e.event.runId}#${e.event.seq} ${e.event.path}`;

describe('panel state over the recorded stream', () => {
  it('holds every event in order, with the last run state', () => {
    const s = replay();
    assert.equal(s.events.length, 17);
    assert.deepEqual(s.events.map((e) => e.id), Array.from({ length: 17 }, (_, i) => i + 1));
    assert.equal(s.runState?.state, 'finished');
    assert.equal(s.events.filter(hasNonFinite).length, 6);
  });

  it('evicts exactly as the extension\'s ring buffer does', () => {
    for (const max of [1, 4, 16]) {
      const { log } = recordedMessages(max);
      const s = replay(max);
      assert.deepEqual(s.events.map((e) => e.id), log.events().map((e) => e.id), `maxEvents ${max}`);
      assert.equal(s.evicted, log.evicted);
    }
  });

  it('keeps pinned events through eviction and Clear', () => {
    const s = replay();
    assert.deepEqual(s.apply({ type: 'pin', eventId: 2, pinned: true }), { kind: 'event', eventId: 2 });
    assert.equal(s.apply({ type: 'pin', eventId: 2, pinned: true }).kind, 'none');
    s.apply({ type: 'clearLocal' });
    assert.deepEqual(s.events.map((e) => [e.id, e.pinned]), [[2, true]]);
    const small = replay(3);
    const last = small.events[0].id;
    small.apply({ type: 'pin', eventId: last, pinned: true });
    const extra = { ...small.events[1], id: 100, event: { ...small.events[1].event, seq: 100 } };
    const change = small.apply({ type: 'capture', event: extra, evicted: 20 });
    assert.equal(change.kind, 'added');
    assert.ok(small.get(last), 'the pinned event stays');
    assert.equal(small.events.filter((e) => !e.pinned).length, 3);
    assert.equal(small.evicted, 20);
  });

  it('ignores a duplicate event', () => {
    const s = replay();
    assert.equal(s.apply({ type: 'capture', event: s.events[0], evicted: 0 }).kind, 'none');
  });

  it('"go to first non-finite" finds the first NaN event of the newest run that has one', () => {
    const s = replay();
    assert.equal(label(firstNonFinite(s.events)), '3#4 log', 'run 4 (the CNN) is finite, so run 3');
    assert.equal(label(firstNonFinite(s.events, 1)), '1#4 log');
    assert.equal(firstNonFinite(s.events, 4), undefined);
    assert.equal(firstNonFinite(s.events.filter((e) => !hasNonFinite(e))), undefined);
  });

  it('offers diffs with the same module and kind in other runs', () => {
    const s = replay();
    const act2 = s.events.find((e) => e.event.runId === 2 && e.event.path === 'act')!;
    assert.deepEqual(diffCandidates(s.events, act2).map(label), ['1#2 act', '3#2 act']);
    const fcBackward = s.events.find((e) => e.event.kind === 'backward')!;
    assert.deepEqual(diffCandidates(s.events, fcBackward), []);
  });
});

describe('filters', () => {
  it('globs match whole dotted paths', () => {
    const m = (g: string, p: string) => globToRegExp(g).test(p);
    assert.equal(m('features.*', 'features.0'), true);
    assert.equal(m('features.*', 'features.0.conv'), false);
    assert.equal(m('features.**', 'features.0.conv'), true);
    assert.equal(m('**.conv', 'conv'), true);
    assert.equal(m('**.conv', 'a.b.conv'), true);
    assert.equal(m('**.conv', 'a.bconv'), false);
    assert.equal(m('layer?', 'layer1'), true);
    assert.equal(m('layer?', 'layer12'), false);
    assert.equal(m('a+b(c)', 'a+b(c)'), true, 'regex characters are literal');
    assert.equal(m('FC', 'fc'), true, 'case-insensitive');
  });

  it('text without * or ? is a substring', () => {
    assert.equal(pathMatcher('conv')('features.0.Conv2'), true);
    assert.equal(pathMatcher('')('anything'), true);
    assert.equal(pathMatcher(' x ')('abc'), false);
  });

  it('combine model, path and kind over the recorded stream', () => {
    const s = replay();
    const count = (f: Parameters<typeof eventMatcher>[0]) => s.events.filter(eventMatcher(f)).length;
    assert.equal(count(NO_FILTER), 17);
    assert.equal(isEmptyFilter(NO_FILTER), true);
    assert.equal(count({ ...NO_FILTER, model: 'm2' }), 1);
    assert.equal(count({ ...NO_FILTER, kinds: ['backward'] }), 1);
    assert.equal(count({ ...NO_FILTER, path: 'f?' }), 4);
    assert.equal(count({ ...NO_FILTER, path: 'h', kinds: ['forward'] }), 6, 'shift and head');
    assert.deepEqual(modelsOf(s.events), [['m1', 'NanNet'], ['m2', 'Sequential']]);
  });
});

describe('diff math', () => {
  it('max and mean |Δ| and the count over a tolerance', () => {
    const a = Float32Array.from([0, 1, 2, 3]);
    const b = Float32Array.from([0, 1.5, 2, 1]);
    assert.deepEqual(diffStats(a, b, 0.1), { count: 4, maxAbs: 2, meanAbs: 0.625, argMax: 3, overTolerance: 2, nonFiniteMismatch: 0 });
    assert.equal(diffStats(a, b, 1).overTolerance, 1);
    assert.equal(diffStats(a, b, -5).overTolerance, 2, 'a negative tolerance is 0');
    assert.deepEqual(Array.from(deltaValues(a, b)), [0, 0.5, 0, -2]);
  });

  it('equal non-finite values match; a non-finite against anything else is a mismatch', () => {
    const a = Float32Array.from([NaN, Infinity, NaN, 1, -Infinity]);
    const b = Float32Array.from([NaN, Infinity, 1, Infinity, Infinity]);
    const d = diffStats(a, b, 0);
    assert.equal(d.nonFiniteMismatch, 3);
    assert.equal(d.overTolerance, 3);
    assert.equal(d.maxAbs, 0);
    const delta = Array.from(deltaValues(a, b));
    assert.deepEqual(delta.slice(0, 2), [0, 0]);
    assert.ok(delta.slice(2).every(Number.isNaN));
  });

  it('refuses different lengths; compares shapes', () => {
    assert.throws(() => diffStats(new Float32Array(2), new Float32Array(3), 0));
    assert.equal(sameShape([2, 3], [2, 3]), true);
    assert.equal(sameShape([2, 3], [3, 2]), false);
    assert.equal(sameShape([6], [6, 1]), false);
  });
});

describe('heatmap slices and the values grid layout', () => {
  it('strides and unravel are row-major', () => {
    assert.deepEqual(strides([2, 3, 4]), [12, 4, 1]);
    assert.deepEqual(unravel(23, [2, 3, 4]), [1, 2, 3]);
    assert.deepEqual(unravel(0, []), []);
  });

  it('picks any two dimensions of an NHWC tensor, with the others fixed', () => {
    const shape = [1, 32, 32, 8];
    const hw = sliceGrid(shape, { rowDim: 1, colDim: 2, fixed: [0, 0, 0, 5] });
    assert.deepEqual([hw.R, hw.C, hw.rows, hw.cols], [32, 32, 32, 32]);
    assert.equal(hw.index[0], 5);
    assert.equal(hw.index[1], 5 + 8);
    assert.equal(hw.index[32], 5 + 32 * 8);
    const swapped = sliceGrid(shape, { rowDim: 2, colDim: 1, fixed: [0, 0, 0, 0] });
    assert.equal(swapped.index[1], 32 * 8);
  });

  it('samples slices larger than maxSide and lists the pages they need', () => {
    const g = sliceGrid([1000, 1000], { rowDim: 0, colDim: 1, fixed: [0, 0] }, 100);
    assert.deepEqual([g.rows, g.cols], [100, 100]);
    assert.equal(g.index[1], 10);
    assert.equal(g.index[100], 10 * 1000);
    assert.equal(pagesFor(g.index, 16384).length, 61, "pages 0 to 60");
  });

  it('repairs invalid views', () => {
    assert.deepEqual(clampView([2, 3, 4], { rowDim: 1, colDim: 1, fixed: [9, -1, 2.7] }), { rowDim: 1, colDim: 2, fixed: [1, 0, 2] });
  });

  it('the grid puts up to 16 values of the last dimension on a line', () => {
    const small = new GridLayout([3, 4], 12);
    assert.deepEqual([small.cols, small.rows], [4, 3]);
    assert.deepEqual(small.row(2), { start: 8, count: 4 });
    const wide = new GridLayout([2, 40], 80);
    assert.deepEqual([wide.cols, wide.chunksPerLine, wide.rows], [16, 3, 6]);
    assert.deepEqual(wide.row(2), { start: 32, count: 8 });
    assert.deepEqual(wide.row(3), { start: 40, count: 16 });
    assert.deepEqual(wide.locate(75), { row: 5, col: 3 });
    const huge = new GridLayout([10_000_000], 10_000_000);
    assert.equal(huge.rows, 625_000);
    assert.deepEqual(new GridLayout([], 1).row(0), { start: 0, count: 1 });
  });
});

describe('the diff picture', () => {
  it('splits a tensor where rows × columns is closest to square', () => {
    assert.deepEqual(asMatrix([1, 32, 32, 8]), [32, 256]);
    assert.deepEqual(asMatrix([3, 4]), [3, 4]);
    assert.deepEqual(asMatrix([1000]), [1, 1000]);
    assert.deepEqual(asMatrix([2, 3, 5, 7]), [30, 7]);
    assert.deepEqual(asMatrix([0, 4]), [0, 4]);
  });
});

describe('values paging in the webview', () => {
  function fake(size: number, fail?: (start: number) => boolean) {
    const asked: [number, number][] = [];
    const requests = new ValueRequests((m) => {
      if (m.type !== 'getValues') return;
      asked.push([m.start, m.end]);
      setImmediate(() => {
        if (fail?.(m.start)) {
          requests.settle({ type: 'valuesError', requestId: m.requestId, message: 'released' });
          return;
        }
        const f = Float32Array.from({ length: m.end - m.start }, (_, i) => (m.start + i === size - 3 ? NaN : m.start + i));
        requests.settle({ type: 'values', requestId: m.requestId, start: m.start, values: f.buffer });
      });
    });
    return { values: new TensorValues(1, 0, size, requests, 4), asked };
  }

  it('sends at most a few requests at once, the page on screen before a heatmap\'s bulk pages', async () => {
    const sent: number[] = [];
    const requests = new ValueRequests((m) => { if (m.type === 'getValues') sent.push(m.start); });
    const values = new TensorValues(1, 0, PAGE * 64, requests);
    const bulk = values.gather(Array.from({ length: 64 }, (_, p) => p * PAGE + 1));
    assert.equal(sent.length, MAX_VALUE_REQUESTS_IN_FLIGHT, 'the rest wait in the webview');
    // The grid's page 40 (queued as bulk) is promoted; page 63 is not.
    const screen = values.page(40, 'visible');
    // Requests are numbered as they are made: page p of the gather is request p + 1.
    const answer = (start: number) => requests.settle({ type: 'values', requestId: start / PAGE + 1, start, values: new Float32Array(PAGE).buffer });
    answer(sent[0]);
    assert.equal(sent.at(-1), 40 * PAGE, 'the freed slot goes to the visible page');
    answer(sent[1]);
    assert.equal(sent.at(-1), 40 * PAGE, 'no bulk page is sent while the visible one is on its way');
    answer(40 * PAGE);
    await screen;
    const answered = new Set([sent[0], sent[1], 40 * PAGE]);
    for (let i = 0; i < sent.length; i++) {
      if (answered.has(sent[i])) continue;
      answered.add(sent[i]);
      answer(sent[i]);
    }
    assert.equal((await bulk).length, 64);
    assert.equal(new Set(sent).size, 64, 'each page asked for once');
  });

  it('fetches just a screen of values ahead of its page, and peeks into it', async () => {
    const { values, asked } = fake(PAGE * 4);
    await values.visible(1024, 2048);
    assert.deepEqual(asked, [[1024, 2048]], 'a screen-sized request, not the 16,384-value page');
    assert.equal(values.peek(1500), 1500);
    assert.equal(values.peek(3000), undefined);
    await Promise.all([values.visible(0, 1024), values.visible(0, 1024)]);
    assert.equal(asked.length, 2, 'the same range is asked for once');
  });

  it('fetches pages once, assembles ranges, and keeps a bounded cache', async () => {
    const { values, asked } = fake(PAGE * 10);
    assert.equal(values.peek(5), undefined);
    const r = await values.range(PAGE - 2, PAGE + 2);
    assert.deepEqual(Array.from(r), [PAGE - 2, PAGE - 1, PAGE, PAGE + 1]);
    await Promise.all([values.page(0), values.page(0)]);
    assert.equal(asked.length, 2, 'pages 0 and 1, each once');
    assert.equal(values.peek(5), 5);
    for (let p = 2; p < 8; p++) await values.page(p);
    assert.equal(values.has(0), false, 'least recently used pages are dropped');
    const g = await values.gather([3, PAGE * 9 + 1]);
    assert.deepEqual(Array.from(g), [3, PAGE * 9 + 1]);
  });

  it('finds the first non-finite value, and reports failures', async () => {
    const { values } = fake(PAGE * 3);
    assert.equal(await values.firstNonFinite(), PAGE * 3 - 3);
    const broken = fake(PAGE * 2, (start) => start >= PAGE).values;
    await assert.rejects(broken.range(0, PAGE * 2), /released/);
    assert.equal(broken.error, 'released');
  });
});

describe('formatting, colours and the saved view state', () => {
  it('formats numbers for people', () => {
    assert.deepEqual([NaN, Infinity, -Infinity, null, 0, 1.234567, 123456, 0.00001234].map(formatNumber), ['NaN', '+Inf', '-Inf', '—', '0', '1.2346', '1.2346e+5', '1.234e-5']);
  });

  it('colours non-finite values apart from the scale', () => {
    assert.deepEqual(colorOf(NaN, 0, 1, 'sequential'), NAN_COLOR);
    assert.deepEqual(colorOf(0, -1, 1, 'diverging'), [247, 247, 247]);
    assert.deepEqual(finiteRange([NaN, 2, -Infinity, -1]), [-1, 2]);
    assert.deepEqual(finiteRange([NaN]), [0, 0]);
  });

  it('restores a saved state defensively, and drops event ids of another log', () => {
    assert.deepEqual(restoreViewState(undefined), initialViewState());
    assert.deepEqual(restoreViewState({ version: 2 }), initialViewState());
    const v = restoreViewState({ version: 1, logId: 'a', filter: { model: '', path: 'fc', kinds: ['forward', 'bogus'] }, expanded: [1, 'x', 2], diffs: { 1: 2 }, tolerance: -1, slices: { '1:0': { rowDim: 0, colDim: 1, fixed: [0, 0] } } });
    assert.deepEqual(v.filter, { model: '', path: 'fc', kinds: ['forward'] });
    assert.deepEqual(v.expanded, [1, 2]);
    assert.equal(v.tolerance, 1e-6);
    assert.equal(forLog(v, 'a'), v);
    const other = forLog(v, 'b');
    assert.deepEqual([other.expanded, other.diffs, other.slices, other.filter.path], [[], {}, {}, 'fc']);
    const pruned = pruneViewState(v, (id) => id !== 2);
    assert.deepEqual([pruned.expanded, pruned.diffs, Object.keys(pruned.slices)], [[1], {}, ['1:0']]);
  });
});
