/**
 * The main thread's handle on the engine worker: starts it, calls it, wakes it
 * when paused, and kills and replaces it when a run must stop now or the worker
 * dies. Listeners hear captures, run states and unexpected exits.
 */
import * as path from 'node:path';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { ServerErrorCodes, type CaptureEvent, type OutputParams, type ResumeMode, type RunStateParams, type ServerErrorCode, type ServerInfo } from '../protocol';
import { ServerError } from './serverError';
import {
  CALLS_WHILE_PAUSED, PAUSE_REQUEST_INDEX, SIGNAL_BYTES, SIGNAL_INDEX,
  type MainToWorker, type WorkerCall, type WorkerInit, type WorkerResults, type WorkerToMain,
} from './workerProtocol';

/** What the host reports to the server. */
export interface WorkerHostListener {
  capture(event: CaptureEvent): void;
  runState(params: RunStateParams): void;
  hookHits(hookId: number, hits: number): void;
  log(message: string): void;
  output(params: OutputParams): void;
  /** The worker ended without being asked (crash, out of memory). */
  died(reason: string): void;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: unknown) => void };

/** How long a paused run gets to unwind after `stop` before the worker is terminated. */
const GRACEFUL_STOP_MS = 400;

export class WorkerHost {
  private worker: Worker | undefined;
  private control: MessagePort | undefined;
  private signal = new SharedArrayBuffer(SIGNAL_BYTES);
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private expectedExit = false;
  private pausedRun: number | undefined;
  private runningRun: number | undefined;
  private stopWaiter: (() => void) | undefined;

  constructor(
    private readonly options: Omit<WorkerInit, 'signal'> & { maxHeapMb?: number },
    private readonly listener: WorkerHostListener,
    private readonly entry = path.join(__dirname, 'serverWorker.js'),
  ) {}

  /** Starts a worker and waits for its backend to be ready. */
  start(): Promise<ServerInfo> {
    this.signal = new SharedArrayBuffer(SIGNAL_BYTES);
    const channel = new MessageChannel();
    this.control = channel.port1;
    this.expectedExit = false;
    const worker = new Worker(this.entry, {
      workerData: { init: { ...this.options, signal: this.signal }, control: channel.port2 },
      transferList: [channel.port2],
      resourceLimits: this.options.maxHeapMb ? { maxOldGenerationSizeMb: this.options.maxHeapMb } : undefined,
      stdout: false,
      stderr: false,
    });
    this.worker = worker;
    return new Promise<ServerInfo>((resolve, reject) => {
      let ready = false;
      worker.on('message', (msg: WorkerToMain) => {
        if (msg.type === 'ready') { ready = true; resolve(msg.info); return; }
        this.onMessage(msg);
      });
      worker.on('error', (err) => {
        if (!ready) reject(err);
        this.listener.log(`engine worker error: ${err.stack ?? err.message}`);
      });
      worker.on('exit', (code) => {
        if (this.worker !== worker) return;
        this.worker = undefined;
        const reason = this.expectedExit ? 'stopped' : code === 0 ? 'exited' : `exited with code ${code}`;
        this.failPending(reason);
        if (!ready) reject(new Error(`the engine worker ${reason} before it was ready`));
        else if (!this.expectedExit) this.listener.died(reason);
      });
    });
  }

  /** Whether a run is executing or paused. */
  get busy(): boolean {
    return this.runningRun !== undefined;
  }

  /** The run paused at a breakpoint, if any. */
  get paused(): number | undefined {
    return this.pausedRun;
  }

  /** Calls the worker. While paused, the calls it can answer synchronously go over the pause channel. */
  call<M extends WorkerCall['method']>(call: Extract<WorkerCall, { method: M }>): Promise<WorkerResults[M]> {
    const worker = this.worker;
    if (!worker) return Promise.reject(new ServerError(ServerErrorCodes.interrupted, 'the engine worker is not running'));
    const id = this.nextId++;
    const msg: MainToWorker = { type: 'call', id, call };
    const result = new Promise<WorkerResults[M]>((resolve, reject) => this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject }));
    if (this.pausedRun !== undefined && CALLS_WHILE_PAUSED.has(call.method)) this.sendControl(msg);
    else worker.postMessage(msg);
    return result;
  }

  /** Leaves a pause; false when nothing is paused. */
  resume(mode: ResumeMode): boolean {
    if (this.pausedRun === undefined) return false;
    this.pausedRun = undefined;
    this.sendControl({ type: 'resume', mode });
    return true;
  }

  /** Asks a debug run to pause at its next module boundary; false when nothing runs. */
  requestPause(): boolean {
    if (this.runningRun === undefined || this.pausedRun !== undefined) return false;
    Atomics.store(new Int32Array(this.signal), PAUSE_REQUEST_INDEX, 1);
    return true;
  }

  /**
   * Stops the active run. A paused run unwinds cleanly; a computing one (or one
   * that does not unwind in time) ends by terminating the worker, which the
   * caller then replaces with {@link restart}.
   *
   * @returns `graceful`, `terminated`, or `idle` when nothing ran
   */
  async stop(): Promise<'graceful' | 'terminated' | 'idle'> {
    if (this.runningRun === undefined) return 'idle';
    if (this.pausedRun !== undefined) {
      const unwound = new Promise<void>((resolve) => { this.stopWaiter = resolve; });
      this.pausedRun = undefined;
      this.sendControl({ type: 'stop' });
      const ok = await Promise.race([unwound.then(() => true), delay(GRACEFUL_STOP_MS).then(() => false)]);
      this.stopWaiter = undefined;
      if (ok) return 'graceful';
    }
    await this.terminate();
    return 'terminated';
  }

  /** Ends the worker on purpose (stop, shutdown). Pending calls fail as interrupted. */
  async terminate(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.expectedExit = true;
    this.runningRun = undefined;
    this.pausedRun = undefined;
    await worker.terminate();
  }

  private sendControl(msg: MainToWorker): void {
    this.control?.postMessage(msg);
    const flags = new Int32Array(this.signal);
    Atomics.add(flags, SIGNAL_INDEX, 1);
    Atomics.notify(flags, SIGNAL_INDEX);
  }

  private onMessage(msg: WorkerToMain): void {
    switch (msg.type) {
      case 'ready':
        return;
      case 'reply': {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if (msg.ok) p.resolve(msg.value);
        else p.reject(msg.error.code !== undefined ? new ServerError(msg.error.code as ServerErrorCode, msg.error.message) : new Error(msg.error.message));
        return;
      }
      case 'capture':
        return this.listener.capture(msg.event);
      case 'runState': {
        const s = msg.params;
        if (s.state === 'running') this.runningRun = s.runId;
        else if (s.state === 'paused') this.pausedRun = s.runId;
        else {
          this.runningRun = undefined;
          this.pausedRun = undefined;
          this.stopWaiter?.();
        }
        return this.listener.runState(s);
      }
      case 'hookHits':
        return this.listener.hookHits(msg.hookId, msg.hits);
      case 'log':
        return this.listener.log(msg.message);
      case 'output':
        return this.listener.output(msg.params);
    }
  }

  private failPending(reason: string): void {
    for (const p of this.pending.values()) p.reject(new ServerError(ServerErrorCodes.interrupted, `the engine worker ${reason} before answering`));
    this.pending.clear();
    this.runningRun = undefined;
    this.pausedRun = undefined;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
