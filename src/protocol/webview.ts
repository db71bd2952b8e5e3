/**
 * Messages between the extension and its webview panel, sent with
 * `webview.postMessage` / `acquireVsCodeApi().postMessage`. The webview bundle
 * imports this file alone, so it must stay free of Node, VS Code and JSON-RPC.
 *
 * Handshake: the webview posts {@link ReadyMessage} once its script has run and
 * its listener is attached; the extension sends nothing before that, because
 * messages posted to a webview that is not listening yet are lost.
 */
import type { NodeInfo } from './model';

/** Bumped whenever a message below changes shape; checked on `init`. */
export const WEBVIEW_PROTOCOL_VERSION = 1;

/** Webview → extension: the script is loaded and listening. */
export interface ReadyMessage {
  readonly type: 'ready';
}

/** Webview → extension: something failed inside the webview; the extension logs it. */
export interface WebviewErrorMessage {
  readonly type: 'error';
  readonly message: string;
}

/** Every message the webview sends. */
export type WebviewToExtensionMessage = ReadyMessage | WebviewErrorMessage;

/** Extension → webview: the answer to `ready`. */
export interface InitMessage {
  readonly type: 'init';
  readonly protocolVersion: number;
}

/** Extension → webview: show this node of the module tree. */
export interface ShowNodeMessage {
  readonly type: 'showNode';
  readonly node: NodeInfo;
}

/** Every message the extension sends. */
export type ExtensionToWebviewMessage = InitMessage | ShowNodeMessage;

/**
 * Checks a message received from the webview before the extension acts on it:
 * the webview runs page script, so its messages are untrusted input.
 */
export function isWebviewToExtensionMessage(m: unknown): m is WebviewToExtensionMessage {
  if (typeof m !== 'object' || m === null) return false;
  const msg = m as { type?: unknown; message?: unknown };
  return msg.type === 'ready' || (msg.type === 'error' && typeof msg.message === 'string');
}

/** Checks a message received from the extension before the webview acts on it. */
export function isExtensionToWebviewMessage(m: unknown): m is ExtensionToWebviewMessage {
  if (typeof m !== 'object' || m === null) return false;
  const msg = m as { type?: unknown; protocolVersion?: unknown; node?: unknown };
  return (msg.type === 'init' && typeof msg.protocolVersion === 'number')
    || (msg.type === 'showNode' && typeof msg.node === 'object' && msg.node !== null);
}
