/**
 * The Captures panel's real bundle (`dist/webview.js`) in a real Chromium page,
 * for the webview tests. The page is the panel's own HTML from `panelHtml`,
 * served from a fake origin with its CSP in force; `acquireVsCodeApi` is a fake
 * extension that records what the page posts, keeps its `setState`, and
 * answers `getValues` (keys `eventId:slot`) and `getSnapshotValues` (keys
 * `snapshot:id`) from a table of values with exact-size `ArrayBuffer`s.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { makeNonce, panelHtml } from '../../src/extension/captures/panelHtml';
import { CHROMIUM_ARGS, chromiumPath } from '../harness/browser';
import { EventLog } from '../../src/extension/captures/eventLog';
import type { CaptureEvent, ExtensionToWebviewMessage, RunStateParams } from '../../src/protocol';
import { WEBVIEW_PROTOCOL_VERSION } from '../../src/protocol/webview';
import { repo } from './serverProcess';
import type { RecordedStream } from './recordCaptureStream';

const ORIGIN = 'http://panel.test';
/** The page that holds the panel in an iframe, as VS Code's workbench does (another site: its own process). */
export const HOST_ORIGIN = 'http://host.test';
export const STREAM_FILE = path.join(repo, 'test', 'fixtures', 'captures', 'stream.json');
const BUNDLE = path.join(repo, 'dist', 'webview.js');

/** Why the browser tests cannot run here, or `undefined` when they can. */
export function browserSkipReason(): string | undefined {
  if (!fs.existsSync(BUNDLE)) return 'dist/webview.js is not built (npm run bundle)';
  try {
    chromiumPath();
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
}

/** Values are kept as JSON: NaN as null, ±Inf as strings. */
export type JsonValues = Record<string, (number | string | null)[]>;

/** The recorded stream as the extension would send it, through the real {@link EventLog}. */
export function recordedMessages(maxEvents = 2000): { messages: ExtensionToWebviewMessage[]; values: JsonValues; log: EventLog } {
  const stream = JSON.parse(fs.readFileSync(STREAM_FILE, 'utf8')) as RecordedStream;
  const log = new EventLog(maxEvents);
  const messages: ExtensionToWebviewMessage[] = [];
  const values: JsonValues = {};
  for (const [method, params] of stream.messages) {
    if (method === 'moduleLens/runState') {
      messages.push({ type: 'runState', state: params as RunStateParams });
      continue;
    }
    const e = params as CaptureEvent;
    const { entry } = log.add(e, stream.models[e.modelId] ?? e.modelId);
    e.tensors.forEach((t, slot) => {
      if (t.tensorId && stream.values[t.tensorId]) values[`${entry.panel.id}:${slot}`] = stream.values[t.tensorId] as JsonValues[string];
    });
    messages.push({ type: 'capture', event: entry.panel, evicted: log.evicted });
  }
  return { messages, values, log };
}

export function resetMessage(maxEvents = 2000, logId = 'log-1'): ExtensionToWebviewMessage {
  return { type: 'reset', logId, events: [], evicted: 0, maxEvents, runState: null };
}

export interface PanelPage {
  readonly page: Page;
  /** The panel's frame: the page itself, or its iframe when opened with `inFrame`. */
  readonly frame: Frame;
  /** Sends messages as the extension would, in order. */
  send(...messages: ExtensionToWebviewMessage[]): Promise<void>;
  /** Resolves once whatever the panel scheduled has been drawn. */
  redrawn(): Promise<void>;
  /** Everything the page posted so far. */
  posted(): Promise<any[]>;
  /** The page's last `setState`. */
  savedState(): Promise<unknown>;
  /** CSP violations and page errors seen so far. */
  readonly problems: string[];
  close(): Promise<void>;
}

/** Answers a page's `getValues` from outside the page (the bench reads a real server's tensors). */
export type ValuesSource = (eventId: number, slot: number, start: number, end: number) => Promise<(number | null)[]>;

/**
 * Opens the panel page. `values` answers `getValues` (keys `eventId:slot`); `state` is what
 * `getState()` returns, as after a reload; `bundle` replaces dist/webview.js (the benchmark
 * compares an older build with it); `inFrame` loads the panel in a cross-site iframe of a host
 * page, so what drives it runs in another renderer process, as the workbench does;
 * `fetchValues` answers `getValues` for what `values` lacks.
 */
export async function openPanel(
  browser: Browser, values: JsonValues = {}, state?: unknown, bundle = BUNDLE, inFrame = false, fetchValues?: ValuesSource,
): Promise<PanelPage> {
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  if (fetchValues) await page.exposeFunction('__fetchValues', fetchValues);
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  // Page functions run in the browser; this file compiles without DOM types, hence `any`.
  await page.addInitScript(({ values: table, state: initial }) => {
    const w = globalThis as any;
    const window = w;
    w.__posted = [];
    w.__state = initial;
    w.__violations = [];
    w.document.addEventListener('securitypolicyviolation', (e: any) => w.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
    const decode = (v: number | string | null) => (v === null ? NaN : typeof v === 'string' ? Number(v) : v);
    w.acquireVsCodeApi = () => ({
      postMessage(m: any) {
        w.__posted.push(m);
        if (m.type !== 'getValues' && m.type !== 'getSnapshotValues') return;
        const all = table[m.type === 'getValues' ? `${m.eventId}:${m.slot}` : `snapshot:${m.snapshotId}`];
        if (!all && m.type === 'getValues' && w.__fetchValues) {
          w.__fetchValues(m.eventId, m.slot, m.start, m.end).then(
            (vs: (number | null)[]) => window.postMessage({ type: 'values', requestId: m.requestId, start: m.start, values: new Float32Array(vs.map(decode)).buffer }, '*'),
            (e: Error) => window.postMessage({ type: 'valuesError', requestId: m.requestId, message: String(e?.message ?? e) }, '*'));
          return;
        }
        setTimeout(() => {
          if (!all) {
            window.postMessage({ type: 'valuesError', requestId: m.requestId, message: 'tensor released' }, '*');
            return;
          }
          // A fresh Float32Array: its buffer is exactly the values asked for.
          const f = new Float32Array(all.slice(m.start, m.end).map(decode));
          window.postMessage({ type: 'values', requestId: m.requestId, start: m.start, values: f.buffer }, '*');
        }, 1);
      },
      getState: () => w.__state,
      setState: (s: unknown) => { w.__state = s; },
    });
  }, { values, state });
  const nonce = makeNonce();
  const html = panelHtml({ cspSource: ORIGIN, nonce, scriptUri: `${ORIGIN}/dist/webview.js`, styleUri: `${ORIGIN}/media/captures.css`, codiconsUri: `${ORIGIN}/dist/codicon.css` });
  await page.route(`${ORIGIN}/**`, (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/index.html') return route.fulfill({ contentType: 'text/html', body: html });
    if (url.pathname === '/dist/webview.js') return route.fulfill({ contentType: 'text/javascript', body: fs.readFileSync(bundle) });
    // The icon font as the bundle ships it (webpack copies it into dist/).
    if (url.pathname === '/dist/codicon.css') return route.fulfill({ contentType: 'text/css', body: fs.readFileSync(path.join(repo, 'dist', 'codicon.css')) });
    if (url.pathname === '/dist/codicon.ttf') return route.fulfill({ contentType: 'font/ttf', body: fs.readFileSync(path.join(repo, 'dist', 'codicon.ttf')) });
    if (url.pathname === '/media/captures.css') return route.fulfill({ contentType: 'text/css', body: fs.readFileSync(path.join(repo, 'media', 'captures.css')) });
    return route.fulfill({ status: 404, body: '' });
  });
  let frame = page.mainFrame();
  if (inFrame) {
    await page.route(`${HOST_ORIGIN}/**`, (route) => route.fulfill({
      contentType: 'text/html',
      body: `<!DOCTYPE html><html><body style="margin:0"><iframe id="panel" src="${ORIGIN}/index.html" style="border:0;width:100vw;height:100vh"></iframe></body></html>`,
    }));
    await page.goto(`${HOST_ORIGIN}/index.html`);
    const child = page.frames().find((f) => f.url().startsWith(ORIGIN));
    if (!child) throw new Error('the panel iframe did not load');
    frame = child;
  } else {
    await page.goto(`${ORIGIN}/index.html`);
  }
  await frame.waitForFunction(() => (globalThis as any).__posted.some((m: any) => m.type === 'ready'));
  // New events are drawn at most every 50 ms (the panel's STREAM_REDRAW_MS): wait past that, then for a frame.
  const redrawn = () => frame.evaluate(() => new Promise<void>((r) => setTimeout(() => (globalThis as any).requestAnimationFrame(() => r()), 60)));
  const send = async (...messages: ExtensionToWebviewMessage[]) => {
    await frame.evaluate((ms) => { for (const m of ms) (globalThis as any).postMessage(m, '*'); }, messages);
    await redrawn();
  };
  await send({ type: 'init', protocolVersion: WEBVIEW_PROTOCOL_VERSION });
  return {
    page,
    frame,
    send,
    redrawn,
    posted: () => frame.evaluate(() => (globalThis as any).__posted),
    savedState: () => frame.evaluate(() => (globalThis as any).__state),
    problems,
    async close() {
      const violations: string[] = await frame.evaluate(() => (globalThis as any).__violations);
      problems.push(...violations.map((v) => `csp: ${v}`));
      await page.close();
    },
  };
}

/** Counts pixels of a canvas that are not fully transparent and not the first pixel's colour. */
export function nonBlankPixels(page: Page, selector: string): Promise<number> {
  return page.$eval(selector, (el) => {
    const c = el as any;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0) n++;
    return n;
  });
}

/**
 * The panel pages one test file opens in one browser: launched before its tests, every page
 * closed after them. `closeClean` closes a page and checks it saw no CSP violation, page
 * error or dialog.
 */
export class PanelSession {
  private browser: Browser | undefined;
  private readonly open: PanelPage[] = [];

  /** Registers the browser's launch and the cleanup with the test file's `before` and `after`. */
  constructor(before: (fn: () => Promise<void>) => void, after: (fn: () => Promise<void>) => void) {
    before(async () => { this.browser = await launch(); });
    after(async () => {
      for (const p of this.open) await p.close().catch(() => undefined);
      await this.browser?.close();
    });
  }

  /** Opens the panel's real HTML and bundle with `values` served for `getValues`. */
  async panel(values: JsonValues = {}, state?: unknown): Promise<PanelPage> {
    const p = await openPanel(this.browser!, values, state);
    this.open.push(p);
    return p;
  }

  async closeClean(p: PanelPage): Promise<void> {
    await p.close();
    this.open.splice(this.open.indexOf(p), 1);
    assert.deepEqual(p.problems, [], 'no CSP violation, page error or dialog');
  }
}
