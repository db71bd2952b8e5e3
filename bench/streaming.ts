/**
 * Part 5: capture events per second from the engine worker to a client, through the real
 * model server over Node IPC (as the extension host receives them). A model of 200 small
 * modules, a forward hook on every one, runs repeatedly; the client counts the
 * `moduleLens/capture` notifications it receives and the time until the last one arrived.
 */
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter } from 'vscode-jsonrpc/node';
import { AttachHookRequest, ClearCapturesRequest, OpenModelRequest, RunRequest } from '../src/protocol';

const REPO = path.resolve(__dirname, '..', '..');
const SERVER = path.join(REPO, 'out', 'src', 'server', 'server.js');
const MODULES = 200;

/** What part 5 found. */
export interface StreamingResult {
  modules: number;
  runs: number;
  events: number;
  eventsPerSecond: number;
  /** Median time from a run's start until its last event reached the client, per run. */
  msPerRun: number;
  error?: string;
}

export async function runStreaming(log: (line: string) => void, quick: boolean): Promise<StreamingResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'module-lens-bench-stream-'));
  const file = path.join(dir, 'many.ts');
  fs.writeFileSync(file, `import { nn, tf } from 'module-lens';
export default () => new nn.Sequential(...Array.from({ length: ${MODULES} }, () => new nn.Linear(16, 16)));
export const input = () => tf.ones([4, 16]);
`);
  const child = fork(SERVER, ['--node-ipc'], { cwd: os.tmpdir(), stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  const conn = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  let events = 0;
  let last = 0;
  conn.onNotification('moduleLens/capture', () => { events++; last = performance.now(); });
  conn.listen();
  const runs = quick ? 5 : 20;
  try {
    await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: { backend: 'wasm' } });
    const { modelId } = await conn.sendRequest(OpenModelRequest, { file });
    for (let i = 0; i < MODULES; i++) await conn.sendRequest(AttachHookRequest, { modelId, path: String(i), kind: 'forward' });
    await conn.sendRequest(RunRequest, { modelId, kind: 'forward' }); // warm-up
    await new Promise((r) => setTimeout(r, 200));
    const perRun: number[] = [];
    events = 0;
    const t0 = performance.now();
    for (let r = 0; r < runs; r++) {
      const start = performance.now();
      const before = events;
      await conn.sendRequest(RunRequest, { modelId, kind: 'forward' });
      // Wait until this run's events have all arrived.
      for (let w = 0; w < 200 && events - before < MODULES; w++) await new Promise((res) => setTimeout(res, 5));
      perRun.push(last - start);
      await conn.sendRequest(ClearCapturesRequest);
    }
    const seconds = (last - t0) / 1000;
    perRun.sort((a, b) => a - b);
    const result = { modules: MODULES, runs, events, eventsPerSecond: events / seconds, msPerRun: perRun[Math.floor(perRun.length / 2)] };
    log(`  ${events} capture events from ${runs} runs of ${MODULES} hooked modules: ${result.eventsPerSecond.toFixed(0)} events/s reach the client; ${result.msPerRun.toFixed(1)} ms per run (median)`);
    return result;
  } catch (err) {
    const message = (err as Error).message;
    log(`  failed: ${message}`);
    return { modules: MODULES, runs, events, eventsPerSecond: 0, msPerRun: 0, error: message };
  } finally {
    child.kill();
    conn.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
