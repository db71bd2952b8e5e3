/**
 * Webview entry (bundled to dist/webview.js). For now it only completes the
 * handshake: it posts `ready` once its listener is attached, and records the
 * extension's `init`. The panel UI comes later.
 */
import { assertNever } from '../src/protocol/assertNever';
import {
  isExtensionToWebviewMessage, WEBVIEW_PROTOCOL_VERSION,
  type ExtensionToWebviewMessage, type WebviewToExtensionMessage,
} from '../src/protocol/webview';

/** The part of the webview API this script uses. */
interface VsCodeApi {
  postMessage(message: WebviewToExtensionMessage): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

function onMessage(message: ExtensionToWebviewMessage): void {
  switch (message.type) {
    case 'init':
      if (message.protocolVersion !== WEBVIEW_PROTOCOL_VERSION) {
        vscode.postMessage({ type: 'error', message: `webview speaks protocol ${WEBVIEW_PROTOCOL_VERSION}, extension ${message.protocolVersion}` });
      }
      document.body.dataset.state = 'ready';
      break;
    case 'showNode':
      // Drawn by the panel once it exists.
      break;
    default:
      assertNever(message, 'message type');
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (isExtensionToWebviewMessage(event.data)) onMessage(event.data);
});
// Last, so the listener above is in place before the extension starts talking.
vscode.postMessage({ type: 'ready' });
