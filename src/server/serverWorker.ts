/**
 * The engine worker's entry (bundled to dist/serverWorker.js). It owns tfjs
 * and every model; the server's main thread stays free to answer the client
 * while a run computes, pauses, or never ends.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { ServerError } from './serverError';
import { setUpBackend } from './backendSetup';
import { CaptureStore } from './engine/captureStore';
import { EngineSession } from './engine/engineSession';
import { PauseGate } from './engine/pauseGate';
import { Runner } from './engine/runner';
import type { MainToWorker, WorkerError, WorkerInit, WorkerToMain } from './workerProtocol';

const port = parentPort!;
const { init, control } = workerData as { init: WorkerInit; control: MessagePort };
const post = (msg: WorkerToMain) => port.postMessage(msg);

function asWorkerError(err: unknown): WorkerError {
  const message = (err instanceof Error ? err.message : String(err)).split('\n')[0] || 'internal error';
  return err instanceof ServerError ? { message, code: err.code } : { message };
}

const store = new CaptureStore({ maxBytes: init.maxCaptureBytes, maxInline: init.maxInlineElements, bins: init.histogramBins });
const gate = new PauseGate(init.signal, control, (msg) => {
  try {
    post({ type: 'reply', id: msg.id, ok: true, value: session.handleWhilePaused(msg.call) });
  } catch (err) {
    post({ type: 'reply', id: msg.id, ok: false, error: asWorkerError(err) });
  }
});
const runner = new Runner(store, gate, {
  capture: (event) => post({ type: 'capture', event }),
  runState: (params) => post({ type: 'runState', params }),
  hookHits: (hookId, hits) => post({ type: 'hookHits', hookId, hits }),
  output: (params) => post({ type: 'output', params }),
}, init.signal);
// The gate's callback above only runs during a run, after this line.
const session = new EngineSession(store, runner);

// Calls run one after another: an open that awaits must not interleave with a run.
let queue: Promise<void> = Promise.resolve();

async function main(): Promise<void> {
  const info = await setUpBackend(init.backend);
  post({ type: 'ready', info: { ...info, pid: process.pid } });
  port.on('message', (msg: MainToWorker) => {
    if (msg.type !== 'call') return; // resume/stop arrive on the control port
    queue = queue.then(async () => {
      try {
        post({ type: 'reply', id: msg.id, ok: true, value: await session.handle(msg.call) });
      } catch (err) {
        post({ type: 'reply', id: msg.id, ok: false, error: asWorkerError(err) });
      }
    });
  });
}

main().catch((err) => {
  post({ type: 'log', message: `engine worker failed to start: ${(err as Error)?.stack ?? String(err)}` });
  process.exit(1);
});
