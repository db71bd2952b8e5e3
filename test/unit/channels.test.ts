/** The channel grid's index math (webview/channels.ts): NCHW, NHWC, CHW, paging and sampling. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { channelDimChoices, channelLayout, channelPage, hasChannels, validChannelView } from '../../webview/channels';
import { forLog, pruneViewState, restoreViewState } from '../../webview/viewState';

describe('channel pages', () => {
  it('NCHW: batch item 1 of [2, 3, 2, 2] is channels 0–2, each a contiguous 2 × 2 block', () => {
    const shape = [2, 3, 2, 2];
    const layout = channelLayout(shape);
    assert.deepEqual(layout, { batchDim: 0, channelDim: 1, rowDim: 2, colDim: 3 });
    const p = channelPage(shape, layout, 1, 0);
    assert.deepEqual(p.channels, [0, 1, 2]);
    assert.deepEqual([p.R, p.C, p.rows, p.cols, p.total], [2, 2, 2, 2, 3]);
    assert.deepEqual(Array.from(p.index), [12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]);
  });

  it('NHWC: channels are the last dimension, so a channel image strides over it', () => {
    const shape = [1, 2, 3, 4];
    const layout = channelLayout(shape, 3);
    assert.deepEqual(layout, { batchDim: 0, channelDim: 3, rowDim: 1, colDim: 2 });
    const p = channelPage(shape, layout, 0, 0);
    assert.deepEqual(p.channels, [0, 1, 2, 3]);
    // Channel 1: (h, w) = (0,0) (0,1) (0,2) (1,0) … at flat (h*3 + w)*4 + 1.
    assert.deepEqual(Array.from(p.index.subarray(6, 12)), [1, 5, 9, 13, 17, 21]);
  });

  it('CHW: a 3-D tensor has no batch; a bad channel dimension falls back to the first choice', () => {
    assert.deepEqual(channelDimChoices([3, 4, 5]), [0, 2]);
    assert.deepEqual(channelLayout([3, 4, 5], 1), { batchDim: -1, channelDim: 0, rowDim: 1, colDim: 2 });
    const p = channelPage([3, 4, 5], channelLayout([3, 4, 5]), 7, 2);
    assert.deepEqual(p.channels, [2]);
    assert.equal(p.index[0], 40);
  });

  it('pages of at most 64 channels, and batch and first channel clamped', () => {
    const shape = [2, 512, 1, 1];
    const layout = channelLayout(shape);
    const first = channelPage(shape, layout, 0, 0);
    assert.equal(first.channels.length, 64);
    const last = channelPage(shape, layout, 5, 500);
    assert.deepEqual([last.channels[0], last.channels.length, last.index[0]], [500, 12, 512 + 500]);
  });

  it('large images are sampled down to 64 a side', () => {
    const p = channelPage([1, 1, 256, 128], channelLayout([1, 1, 256, 128]), 0, 0);
    assert.deepEqual([p.rows, p.cols], [64, 64]);
    assert.equal(p.index[1], 2, 'every 2nd column');
    assert.equal(p.index[64], 4 * 128, 'every 4th row');
  });

  it('channel grids are kept in the saved view state, checked on restore, dropped with their events', () => {
    const good = { shown: true, channelDim: 3, batch: 2, first: 64 };
    assert.deepEqual(validChannelView(good), good);
    assert.equal(validChannelView({ ...good, batch: -1 }), undefined);
    assert.equal(validChannelView({ ...good, shown: 'yes' }), undefined);
    const v = restoreViewState({ version: 1, logId: 'a', filter: { model: '', path: '', kinds: [] }, expanded: [1, 2], diffs: {}, tolerance: 0, slices: {}, channels: { '1:0': good, '2:0': { shown: true }, '3:1': 'x' } });
    assert.deepEqual(v.channels, { '1:0': good });
    assert.deepEqual(restoreViewState({ version: 1, logId: 'a' }).channels, {}, 'a state saved before channel grids existed');
    assert.deepEqual(pruneViewState(v, (id) => id !== 1).channels, {});
    assert.deepEqual(forLog(v, 'b').channels, {});
    assert.deepEqual(forLog(v, 'a').channels, { '1:0': good });
  });

  it('draws only 3-D and 4-D shapes with no empty dimension', () => {
    assert.deepEqual([[2, 3], [1, 2, 3], [1, 2, 3, 4], [1, 0, 3, 4], [1, 1, 1, 1, 1]].map(hasChannels), [false, true, true, false, false]);
  });
});
