/**
 * Polls `probe` every 50 ms until it gives a truthy value, and resolves with it; fails naming
 * `what` after `timeoutMs`. For state the extension reaches asynchronously (a webview's
 * `ready`, a restarted server, an event in the panel's log).
 */
export async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
