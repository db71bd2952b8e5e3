import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isExtensionToWebviewMessage, isWebviewToExtensionMessage, PANEL_PAGE_SIZE, WEBVIEW_PROTOCOL_VERSION } from '../../src/protocol/webview';

describe('webview protocol guards', () => {
  it('accept every message the webview may send', () => {
    for (const m of [
      { type: 'ready' },
      { type: 'error', message: 'boom' },
      { type: 'getValues', requestId: 1, eventId: 2, slot: 0, start: 0, end: 4096 },
      { type: 'setPinned', eventId: 3, pinned: true },
      { type: 'clear' },
      { type: 'runControl', action: 'step' },
      { type: 'exportTensor', eventId: 1, slot: 1 },
      { type: 'exportRun', runId: 4 },
      { type: 'exportEvents' },
    ]) assert.equal(isWebviewToExtensionMessage(m), true, JSON.stringify(m));
  });

  it('reject anything else from the webview', () => {
    for (const m of [
      null, undefined, 'ready', { type: 'READY' }, { type: 'error' }, { type: 'error', message: 1 }, { type: 'init', protocolVersion: 1 },
      { type: 'getValues', requestId: 1, eventId: 2, slot: 0, start: 10, end: 5 },
      { type: 'getValues', requestId: 1, eventId: 2, slot: 0, start: 0, end: PANEL_PAGE_SIZE + 1 },
      { type: 'getValues', requestId: 1, eventId: -2, slot: 0, start: 0, end: 1 },
      { type: 'getValues', requestId: 1, eventId: 2, slot: 0.5, start: 0, end: 1 },
      { type: 'setPinned', eventId: 3, pinned: 'yes' },
      { type: 'runControl', action: 'reboot' },
      { type: 'exportRun', runId: '1' },
    ]) assert.equal(isWebviewToExtensionMessage(m), false, JSON.stringify(m));
  });

  it('check messages sent to the webview', () => {
    assert.equal(isExtensionToWebviewMessage({ type: 'init', protocolVersion: WEBVIEW_PROTOCOL_VERSION }), true);
    assert.equal(isExtensionToWebviewMessage({ type: 'init' }), false);
    assert.equal(isExtensionToWebviewMessage({ type: 'reset', logId: 'a', events: [], evicted: 0, maxEvents: 2000, runState: null }), true);
    assert.equal(isExtensionToWebviewMessage({ type: 'values', requestId: 1, start: 0, values: new Float32Array(3).buffer }), true);
    assert.equal(isExtensionToWebviewMessage({ type: 'values', requestId: 1, start: 0, values: [1, 2, 3] }), false, 'values are never JSON arrays');
    assert.equal(isExtensionToWebviewMessage({ type: 'values', requestId: 1, start: 0, values: new ArrayBuffer(3) }), false, 'whole float32s only');
    assert.equal(isExtensionToWebviewMessage({ type: 'showNode', node: {} }), false);
    assert.equal(isExtensionToWebviewMessage({ type: 'ready' }), false);
  });
});
