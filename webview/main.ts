/**
 * Webview entry (bundled to dist/webview.js): builds the Captures panel,
 * listens for the extension's messages, and only then posts `ready`, so the
 * extension never talks to a page that is not listening.
 */
import { isExtensionToWebviewMessage } from '../src/protocol/webview';
import { App } from './app';
import { post, vscodeApi } from './messages';
import { restoreViewState } from './viewState';

const root = document.getElementById('captures-root') ?? document.body;
const api = vscodeApi();
const app = new App(root, restoreViewState(api.getState()), {
  post,
  saveState: (v) => api.setState(v),
});

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (!isExtensionToWebviewMessage(event.data)) return;
  try {
    app.onMessage(event.data);
  } catch (err) {
    post({ type: 'error', message: (err as Error).stack ?? String(err) });
  }
});
window.addEventListener('error', (e) => post({ type: 'error', message: `${e.message} (${e.filename}:${e.lineno})` }));
// Last, so the listener above is in place before the extension starts talking.
post({ type: 'ready' });
