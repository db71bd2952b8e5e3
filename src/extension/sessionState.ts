/**
 * What the extension has asked the model server to hold: open model files and
 * attached hooks. When the server process dies and the language client starts
 * a new one, {@link SessionState.restore} replays it under the same ids, so
 * the tree, the Hooks view and the user's breakpoints come back as they were,
 * with their conditions and hit counts.
 * No `vscode` import: it is tested against the real server in plain Node.
 */
import {
  AttachHookRequest, OpenModelRequest,
  type AttachHookParams, type HookInfo, type ModelInfo, type OpenModelParams,
} from '../protocol';

/** Sends one request to the (new) server. */
export type SendRequest = <P, R>(type: { method: string } & object, params: P) => Promise<R>;

/** What a restore brought back. */
export interface RestoreReport {
  readonly models: number;
  readonly hooks: number;
  /** One line per model or hook that could not come back. */
  readonly failures: readonly string[];
}

/** What brings one hook back: its attach options, its id and its hit count so far. */
type HookRecord = AttachHookParams & { readonly hookId: number; hits: number };

/** The models and hooks the extension asked the server to hold, and how to bring them back on a new server. */
export class SessionState {
  private readonly models = new Map<string, string>();
  private readonly hooks = new Map<number, HookRecord>();

  /** Records a model the server opened. */
  opened(info: ModelInfo): void {
    this.models.set(info.modelId, info.file);
  }

  /** Records a closed model (and forgets its hooks). */
  closed(modelId: string): void {
    this.models.delete(modelId);
    for (const [id, h] of this.hooks) if (h.modelId === modelId) this.hooks.delete(id);
  }

  /** Records an attached hook with everything it was attached with (conditions, log message) and its hits. */
  hookAttached(info: HookInfo): void {
    this.hooks.set(info.hookId, {
      modelId: info.modelId, path: info.path, kind: info.kind, breakpoint: info.breakpoint, hookId: info.hookId, hits: info.hits,
      ...(info.condition !== undefined ? { condition: info.condition } : {}),
      ...(info.hitCondition !== undefined ? { hitCondition: info.hitCondition } : {}),
      ...(info.logMessage !== undefined ? { logMessage: info.logMessage } : {}),
    });
  }

  /**
   * Counts one hit of a hook: the server posts exactly one capture event per hit, so the
   * count kept here is the server's, and survives the server. Unknown ids (a step's boundary event) are ignored.
   */
  hookFired(hookId: number): void {
    const h = this.hooks.get(hookId);
    if (h) h.hits++;
  }

  /** Records a removed hook. */
  hookDetached(hookId: number): void {
    this.hooks.delete(hookId);
  }

  /** Hits counted for a hook (for tests), or `undefined` for a hook not held. */
  hitsOf(hookId: number): number | undefined {
    return this.hooks.get(hookId)?.hits;
  }

  get modelCount(): number {
    return this.models.size;
  }

  get hookCount(): number {
    return this.hooks.size;
  }

  /** Reopens every model and reattaches every hook on a fresh server, under the same ids. */
  async restore(send: SendRequest): Promise<RestoreReport> {
    const failures: string[] = [];
    let models = 0;
    let hooks = 0;
    for (const [modelId, file] of [...this.models]) {
      try {
        await send<OpenModelParams, ModelInfo>(OpenModelRequest, { file, modelId });
        models++;
      } catch (err) {
        failures.push((err as Error).message);
        this.closed(modelId);
      }
    }
    for (const hook of [...this.hooks.values()]) {
      // Detached while the models were reopened: it must not come back.
      if (!this.hooks.has(hook.hookId)) continue;
      try {
        await send<AttachHookParams, HookInfo>(AttachHookRequest, { ...hook });
        hooks++;
      } catch (err) {
        failures.push(`${hook.kind} hook on "${hook.path}": ${(err as Error).message}`);
      }
    }
    return { models, hooks, failures };
  }
}
