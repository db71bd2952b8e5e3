import { Browser, chromium, Page } from 'playwright-core';
import { onShutdown, which } from './processes';

/**
 * Flags for Debian's chromium: no sandbox (CI runs as root), no GPU, and nothing that reaches
 * out to the network on its own.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * The system chromium (`command -v chromium`), or `CHROMIUM_PATH` when set. Playwright's own
 * browser download cannot work offline, so the harness never uses it.
 */
export function chromiumPath(): string {
  const found = process.env.CHROMIUM_PATH || which('chromium');
  if (!found) throw new Error('chromium is not installed: apt-get install -y chromium');
  return found;
}

/** Launches headless chromium; it is closed when the harness ends. */
export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: CHROMIUM_ARGS,
    // The harness's own signal handlers close the browser after stopping code-server.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  onShutdown({ graceful: () => browser.close() });
  return browser;
}

/** An open workbench page and the browser console errors seen so far. */
export interface Workbench {
  page: Page;
  consoleErrors: string[];
}

/**
 * Opens the VS Code workbench at `url` and waits until it has rendered. Opening it is what
 * makes code-server start the extension host.
 */
export async function openWorkbench(browser: Browser, url: string): Promise<Workbench> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  const consoleErrors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(err.message));
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  return { page, consoleErrors };
}
