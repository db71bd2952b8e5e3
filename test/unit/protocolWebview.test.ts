import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isExtensionToWebviewMessage, isWebviewToExtensionMessage, WEBVIEW_PROTOCOL_VERSION } from '../../src/protocol/webview';

describe('webview protocol guards', () => {
  it('accept the ready handshake and error reports from the webview', () => {
    assert.equal(isWebviewToExtensionMessage({ type: 'ready' }), true);
    assert.equal(isWebviewToExtensionMessage({ type: 'error', message: 'boom' }), true);
  });

  it('reject anything else from the webview', () => {
    for (const m of [null, undefined, 'ready', { type: 'READY' }, { type: 'error' }, { type: 'error', message: 1 }, { type: 'init', protocolVersion: 1 }]) {
      assert.equal(isWebviewToExtensionMessage(m), false, JSON.stringify(m));
    }
  });

  it('check messages sent to the webview', () => {
    assert.equal(isExtensionToWebviewMessage({ type: 'init', protocolVersion: WEBVIEW_PROTOCOL_VERSION }), true);
    assert.equal(isExtensionToWebviewMessage({ type: 'init' }), false);
    assert.equal(isExtensionToWebviewMessage({ type: 'showNode', node: null }), false);
    assert.equal(isExtensionToWebviewMessage({ type: 'ready' }), false);
  });
});
