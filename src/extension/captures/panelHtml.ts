/**
 * The Captures panel's HTML: a static shell whose only script is the webview
 * bundle, allowed by a fresh nonce. Plain TypeScript (no `vscode`), so the CSP
 * is unit-tested on the very string the panel uses.
 */
import { randomBytes } from 'node:crypto';

/** What the page may load, as the webview's URIs for the extension's files. */
export interface PanelHtmlOptions {
  /** `webview.cspSource`: the origin the webview serves local resources from. */
  readonly cspSource: string;
  /** `webview.asWebviewUri` of `dist/webview.js`. */
  readonly scriptUri: string;
  /** `webview.asWebviewUri` of `media/captures.css`. */
  readonly styleUri: string;
  /**
   * `webview.asWebviewUri` of `dist/codicon.css` (VS Code's icon font, copied from
   * `@vscode/codicons` at bundle time; its `codicon.ttf` beside it is allowed by `font-src`).
   */
  readonly codiconsUri: string;
  /** A fresh {@link makeNonce} per page load. */
  readonly nonce: string;
}

/** 128 random bits from the OS generator, base64: a CSP nonce. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

const attr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The Content-Security-Policy of the page: nothing but our script, our stylesheets and icon font, and canvases' data URLs. */
export function panelCsp(o: Pick<PanelHtmlOptions, 'cspSource' | 'nonce'>): string {
  return [
    `default-src 'none'`,
    `script-src 'nonce-${o.nonce}'`,
    `style-src ${o.cspSource} 'nonce-${o.nonce}'`,
    `img-src ${o.cspSource} data:`,
    `font-src ${o.cspSource}`,
  ].join('; ');
}

/** The whole document. */
export function panelHtml(o: PanelHtmlOptions): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(panelCsp(o))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" nonce="${attr(o.nonce)}" href="${attr(o.codiconsUri)}">
<link rel="stylesheet" nonce="${attr(o.nonce)}" href="${attr(o.styleUri)}">
<title>Captures</title>
</head>
<body>
<main id="captures-root" aria-label="Captures">Loading…</main>
<script nonce="${attr(o.nonce)}" src="${attr(o.scriptUri)}"></script>
</body>
</html>
`;
}
