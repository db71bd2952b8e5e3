/**
 * Starts the real model server as a child process over real Node IPC, as the
 * extension's language client does, and collects its notifications.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter, ResponseError, type MessageConnection } from 'vscode-jsonrpc/node';

export const repo = path.resolve(__dirname, '..', '..', '..');
export const compiledServer = path.join(repo, 'out', 'src', 'server', 'server.js');

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly conn: MessageConnection;
  /** Every notification received, in order, as [method, params]. */
  readonly notifications: [string, any][];
  /** Resolves with the first notification (existing or future) matching `pred`. */
  waitFor(method: string, pred?: (p: any) => boolean, timeoutMs?: number): Promise<any>;
  /** Graceful shutdown, then kill whatever is left. */
  dispose(): Promise<void>;
  stderr(): string;
}

export async function startServer(initializationOptions: Record<string, unknown> = {}, entry = compiledServer): Promise<ServerProcess> {
  const child = fork(entry, ['--node-ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (d) => { stderr += String(d); });
  const conn = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  const notifications: [string, any][] = [];
  const waiters: { method: string; pred: (p: any) => boolean; resolve: (p: any) => void }[] = [];
  conn.onNotification((method, params) => {
    notifications.push([method, params]);
    for (const w of [...waiters]) {
      if (w.method === method && w.pred(params)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(params);
      }
    }
  });
  conn.listen();
  await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions });
  conn.sendNotification('initialized', {});
  return {
    child,
    conn,
    notifications,
    waitFor(method, pred = () => true, timeoutMs = 20_000) {
      const found = notifications.find(([m, p]) => m === method && pred(p));
      if (found) return Promise.resolve(found[1]);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no ${method} notification within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
        waiters.push({ method, pred, resolve: (p) => { clearTimeout(t); resolve(p); } });
      });
    },
    async dispose() {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          await Promise.race([conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
          conn.sendNotification('exit');
        } catch { /* already gone */ }
        await new Promise((r) => setTimeout(r, 200));
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      conn.dispose();
    },
    stderr: () => stderr,
  };
}

/** The error a request failed with. */
export async function errorOf(p: Promise<unknown>): Promise<ResponseError<unknown>> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ResponseError) return err;
    throw err;
  }
  throw new Error('expected the request to fail');
}
