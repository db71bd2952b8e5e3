import type { Locator, Page } from 'playwright-core';

/** What every e2e step gets. */
export interface E2eContext {
  page: Page;
  /** Saves a screenshot as `test-results/<name>.png` and returns its path. */
  shot(name: string): Promise<string>;
  /** Pids of the model server processes the installed extension is running now. */
  modelServerPids(): number[];
}

/** One step of an e2e scenario; steps run in order and stop at the first failure. */
export interface E2eStep {
  title: string;
  run(ctx: E2eContext): Promise<void>;
}

/**
 * Waits until `locator` is visible, or fails with a message naming `what` a person would look
 * for, instead of Playwright's selector dump.
 */
export async function expectVisible(locator: Locator, what: string, timeoutMs = 30_000): Promise<Locator> {
  try {
    await locator.first().waitFor({ state: 'visible', timeout: timeoutMs });
  } catch {
    throw new Error(`could not find ${what} within ${timeoutMs / 1000} s`);
  }
  return locator.first();
}

/** Rows of the tree views in the side bar whose text contains `label`. */
export function treeRow(page: Page, label: string): Locator {
  return page.locator('.part.sidebar .monaco-list-row').filter({ hasText: label });
}

/** Expands a tree row unless it is already expanded. */
export async function expand(row: Locator): Promise<void> {
  if ((await row.getAttribute('aria-expanded')) === 'false') await row.locator('.monaco-tl-twistie').click();
}

/** Runs a command by its palette title ("Category: Title") through F1. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = await expectVisible(page.locator('.quick-input-widget input'), 'the command palette');
  await input.pressSequentially(title);
  const item = page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: title });
  await expectVisible(item, `"${title}" in the command palette`, 10_000);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
}

/** The text of every error notification currently shown. */
export async function errorNotifications(page: Page): Promise<string[]> {
  const toasts = page.locator('.notification-toast').filter({ has: page.locator('.codicon-error') });
  return toasts.allInnerTexts();
}

/** Drags the side bar's right edge to `width` pixels, so tree rows show their descriptions. */
export async function widenSideBar(page: Page, width: number): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box) return;
  const edge = box.x + box.width;
  const y = box.y + box.height / 2;
  await page.mouse.move(edge - 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + width, y, { steps: 5 });
  await page.mouse.up();
}
