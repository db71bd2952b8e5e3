import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Pids of the running Module Lens model servers whose script lies under `root` (one test
 * session's extensions folder, so other sessions on the machine are never counted), read from
 * /proc. A process that has exited but was not yet reaped has no command line and is not listed.
 * The engine worker is a thread of its server, so a server that is gone has no worker left either.
 */
export function modelServerPids(root: string): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let args: string[];
    try {
      args = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // ended while we looked
    }
    if (args.some((a) => a.startsWith(root) && a.endsWith(`${path.sep}dist${path.sep}server.js`))) out.push(Number(entry));
  }
  return out;
}
