/**
 * Holds the extension's requests while a crashed model server is restarted and
 * its session replayed. A new server numbers models and hooks from the start,
 * so a request that reached it before the restore (opening a model, attaching
 * a hook) could take an id the restore is about to bring back, and the two
 * would clash. No `vscode` import, so it is unit-tested in Node.
 */
// vscode-jsonrpc is the one copy the language client is built on, so its error classes are the ones it throws.
import { ConnectionError, ConnectionErrors, ErrorCodes, ResponseError } from 'vscode-jsonrpc';

/** Longest a request waits for a restore: a restart that never completes must not hang every caller. */
export const RESTORE_WAIT_MS = 60_000;

/** A gate requests pass while it is open; closed from a crash until the restore is done. */
export class RestoreGate {
  private closed: { promise: Promise<void>; open: () => void } | undefined;

  /** Whether requests are being held. */
  get isClosed(): boolean {
    return this.closed !== undefined;
  }

  /** Starts holding requests (again closing a closed gate changes nothing). */
  close(): void {
    if (this.closed) return;
    let open!: () => void;
    const promise = new Promise<void>((resolve) => { open = resolve; });
    this.closed = { promise, open };
  }

  /** Lets every held request go. */
  open(): void {
    const closed = this.closed;
    this.closed = undefined;
    closed?.open();
  }

  /** Resolves at once when open; else when opened, or after `timeoutMs` at the latest. */
  async pass(timeoutMs = RESTORE_WAIT_MS): Promise<void> {
    const closed = this.closed;
    if (!closed) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed.promise, new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); })]);
    clearTimeout(timer);
  }
}

/**
 * Whether a request failed because the connection to the server went away
 * under it (the process died), rather than because the server refused it.
 */
export function connectionLost(err: unknown): boolean {
  if (err instanceof ResponseError) return err.code === ErrorCodes.PendingResponseRejected || err.code === ErrorCodes.ConnectionInactive;
  // A request written to a connection that is already closed or disposed.
  return err instanceof ConnectionError && (err.code === ConnectionErrors.Closed || err.code === ConnectionErrors.Disposed);
}
