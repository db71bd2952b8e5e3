/**
 * Holds a run at a breakpoint. The engine's hooks run synchronously inside a
 * model's forward, so the worker cannot return to its event loop while paused;
 * instead it blocks on `Atomics.wait` and reads the control port with
 * `receiveMessageOnPort`, answering inspection calls until it is told to
 * continue, step or stop.
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { ResumeMode } from '../../protocol';
import { SIGNAL_INDEX, type MainToWorker } from '../workerProtocol';

/** Thrown out of a paused hook when the user stops the run; the run unwinds and frees its tensors. */
export class StopRun extends Error {
  constructor() {
    super('the run was stopped');
    this.name = 'StopRun';
  }
}

/** True when `err` is, or was caused by, a {@link StopRun}. */
export function isStopRun(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 10; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof StopRun) return true;
  }
  return false;
}

export class PauseGate {
  private readonly signal: Int32Array;

  constructor(
    signal: SharedArrayBuffer,
    private readonly control: MessagePort,
    /** Answers a call while paused; returns false for `stop`/`resume` handling. */
    private readonly onCall: (msg: Extract<MainToWorker, { type: 'call' }>) => void,
  ) {
    this.signal = new Int32Array(signal);
  }

  /** Drops control messages left from an earlier pause (a resume that arrived late). */
  drain(): void {
    while (receiveMessageOnPort(this.control)) { /* stale */ }
  }

  /**
   * Blocks until the main thread says how to go on.
   *
   * @returns how to go on: continue, or one of the steps
   * @throws StopRun when told to stop
   */
  wait(): ResumeMode {
    for (;;) {
      const seen = Atomics.load(this.signal, SIGNAL_INDEX);
      let received: { message: MainToWorker } | undefined;
      while ((received = receiveMessageOnPort(this.control) as { message: MainToWorker } | undefined)) {
        const msg = received.message;
        if (msg.type === 'stop') throw new StopRun();
        if (msg.type === 'resume') return msg.mode;
        this.onCall(msg);
      }
      Atomics.wait(this.signal, SIGNAL_INDEX, seen, 1000);
    }
  }
}
