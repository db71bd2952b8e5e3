import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';

/** Something to undo when the harness ends. */
export interface Cleanup {
  /** The orderly way, e.g. SIGTERM and a grace period. */
  graceful(): void | Promise<void>;
  /** The synchronous last resort, run from the 'exit' handler, where nothing async runs. */
  now?(): void;
}
const cleanups = new Set<Cleanup>();
let hooked = false;
let stopping = false;

/** True once {@link shutdown} has begun, e.g. after Ctrl-C. */
export function shuttingDown(): boolean {
  return stopping;
}

/**
 * Registers `cleanup` to run when the harness ends, also on Ctrl-C or SIGTERM, so that no
 * code-server or browser outlives it. Returns a function that unregisters it.
 */
export function onShutdown(cleanup: Cleanup): () => void {
  hookSignals();
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** Runs every registered cleanup once, newest first. */
export async function shutdown(): Promise<void> {
  stopping = true;
  const list = [...cleanups].reverse();
  cleanups.clear();
  for (const c of list) {
    try {
      await c.graceful();
    } catch (err) {
      console.error(`cleanup failed: ${(err as Error).message}`);
    }
  }
}

function hookSignals(): void {
  if (hooked) return;
  hooked = true;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      console.error(`\n${sig}: stopping`);
      void shutdown().finally(() => process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1)));
    });
  }
  process.once('exit', () => {
    for (const c of [...cleanups].reverse()) {
      try {
        c.now?.();
      } catch {
        // nothing more can be done while exiting
      }
    }
  });
}

/**
 * All descendants of `pid`, read from /proc. A descendant that started a process group of its
 * own (any detached child) is missed by killing the group, so it is also signalled by pid.
 */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may contain spaces and parentheses: fields start after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // the process ended while we looked
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/**
 * Stops a process, the process group it leads (when started with `detached: true`) and every
 * descendant: SIGTERM first, SIGKILL for whatever is left after `graceMs`.
 */
export async function killTree(pid: number, graceMs = 5000): Promise<void> {
  const pids = [pid, ...descendants(pid)];
  signal(-pid, 'SIGTERM');
  for (const p of pids) signal(p, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && pids.some(alive)) {
    await new Promise((r) => setTimeout(r, 100));
  }
  killTreeNow(pid, pids);
}

/** Synchronous SIGKILL of a process group and the given pids, usable from an 'exit' handler. */
export function killTreeNow(pid: number, known: number[] = []): void {
  const pids = new Set([pid, ...known, ...safeDescendants(pid)]);
  signal(-pid, 'SIGKILL');
  for (const p of pids) signal(p, 'SIGKILL');
}

function safeDescendants(pid: number): number[] {
  try {
    return descendants(pid);
  } catch {
    return [];
  }
}

/** The path of a command on PATH, like the shell's `command -v`, or undefined. */
export function which(command: string): string | undefined {
  try {
    const out = execFileSync('sh', ['-c', 'command -v "$1"', 'sh', command], { encoding: 'utf8' }).trim();
    return out || undefined;
  } catch {
    return undefined;
  }
}
