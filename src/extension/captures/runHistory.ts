/**
 * Which run a snapshot was taken after: the run states name their model only
 * when a run starts (and a pause names it in its location), so this remembers
 * each run's model until it ends, and each model's last ended run.
 * Plain TypeScript (no `vscode`).
 */
import type { RunStateParams } from '../../protocol';

export class RunHistory {
  private readonly running = new Map<number, string>();
  private readonly lastEnded = new Map<string, number>();
  private paused: { runId: number; modelId: string } | undefined;

  /** Feeds one `moduleLens/runState` notification. */
  record(s: RunStateParams): void {
    this.paused = s.state === 'paused' ? { runId: s.runId, modelId: s.location.modelId } : undefined;
    if (s.state === 'running') this.running.set(s.runId, s.modelId);
    else if (s.state === 'finished' || s.state === 'failed' || s.state === 'stopped') {
      const modelId = this.running.get(s.runId);
      this.running.delete(s.runId);
      if (modelId !== undefined) this.lastEnded.set(modelId, s.runId);
    }
  }

  /** The last run of the model that has ended, or `null` before any. */
  lastEndedRun(modelId: string): number | null {
    return this.lastEnded.get(modelId) ?? null;
  }

  /** The run paused at a breakpoint in this model right now, or `null`. */
  pausedRun(modelId: string): number | null {
    return this.paused?.modelId === modelId ? this.paused.runId : null;
  }
}
