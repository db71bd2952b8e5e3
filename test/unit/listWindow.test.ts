/** The event list's windowing math (webview/listWindow.ts): offsets, hit-testing and windows. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RowOffsets } from '../../webview/listWindow';

describe('RowOffsets', () => {
  it('uniform rows: tops, the row at a y, and the window around a view', () => {
    const o = new RowOffsets(2000, 23);
    assert.equal(o.total, 46000);
    assert.equal(o.top(10), 230);
    assert.equal(o.rowAt(0), 0);
    assert.equal(o.rowAt(22.9), 0);
    assert.equal(o.rowAt(23), 1);
    assert.equal(o.rowAt(1e9), 2000);
    assert.deepEqual(o.window(230, 230 + 92), { first: 10, last: 14, above: 230, below: 46000 - 14 * 23, total: 46000 });
    assert.deepEqual(o.window(-500, 46), { first: 0, last: 2, above: 0, below: 46000 - 46, total: 46000 });
    assert.deepEqual(o.window(50000, 51000), { first: 2000, last: 2000, above: 46000, below: 0, total: 46000 });
  });

  it('rows with their own height (expanded) shift everything after them', () => {
    const own = new Map([[2, 300], [5, 100]]);
    const o = new RowOffsets(10, 20, (i) => own.get(i));
    assert.equal(o.top(2), 40);
    assert.equal(o.top(3), 340);
    assert.equal(o.top(6), 340 + 40 + 100);
    assert.equal(o.total, 8 * 20 + 300 + 100);
    assert.equal(o.rowAt(339), 2, 'inside the tall row');
    assert.equal(o.rowAt(340), 3);
    const w = o.window(100, 350);
    assert.deepEqual([w.first, w.last], [2, 4]);
    assert.equal(w.above + (o.top(w.last) - o.top(w.first)) + w.below, o.total);
  });

  it('an empty list has an empty window', () => {
    assert.deepEqual(new RowOffsets(0, 23).window(0, 900), { first: 0, last: 0, above: 0, below: 0, total: 0 });
  });
});
