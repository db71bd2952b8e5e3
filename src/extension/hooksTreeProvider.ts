/**
 * The Hooks view: every hook and hook breakpoint across the open models, with
 * kind, path, hit count and an enabled checkbox. Disabling a hook detaches it
 * in the server but keeps it listed here; enabling attaches it again under the
 * same id. Hit counts come from the server's `listHooks`, refreshed (at most
 * a few times a second) as captures arrive and when a run changes state.
 */
import * as vscode from 'vscode';
import type { AttachHookParams, HookInfo, ModelInfo } from '../protocol';
import { buildHookItem, type HookEntry } from './hookItems';
import type { ModelServer } from './serverClient';

/** The context key that is true while any hook is listed. */
export const HAS_HOOKS_CONTEXT = 'moduleLens.hasHooks';

/** The options any breakpoint has in VS Code; an absent one is removed. */
export interface BreakpointOptions {
  readonly condition?: string;
  readonly hitCondition?: string;
  readonly logMessage?: string;
}

function definedOptions(o: BreakpointOptions): BreakpointOptions {
  return {
    ...(o.condition ? { condition: o.condition } : {}),
    ...(o.hitCondition ? { hitCondition: o.hitCondition } : {}),
    ...(o.logMessage ? { logMessage: o.logMessage } : {}),
  };
}

function withoutOptions(h: HookEntry): HookEntry {
  const { condition: _c, hitCondition: _h, logMessage: _l, message: _m, ...rest } = h;
  return rest;
}

/** How long hit-count refreshes wait to batch a burst of captures. */
const REFRESH_DELAY_MS = 150;

export class HooksTreeProvider implements vscode.TreeDataProvider<HookEntry>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<HookEntry | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly hooksChanged = new vscode.EventEmitter<readonly HookEntry[]>();
  /** Fires with the new list after every refresh. */
  readonly onDidChangeHooks = this.hooksChanged.event;
  private entries: HookEntry[] = [];
  /** Hooks the user disabled: detached in the server, kept here to be re-attached. */
  private readonly disabled = new Map<number, HookEntry>();
  /** Hits a hook had before it was last disabled, so its count keeps adding up after re-enabling. */
  private readonly carried = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<readonly HookEntry[]> | undefined;
  private again = false;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly server: ModelServer, private readonly log: vscode.LogOutputChannel) {
    this.subscriptions = [
      server.onCapture(() => this.scheduleRefresh()),
      server.onRunState(() => this.scheduleRefresh()),
      server.onModelsChanged(() => this.scheduleRefresh()),
      server.onRestored(() => this.scheduleRefresh()),
      server.onHooksChanged(() => this.scheduleRefresh()),
    ];
  }

  /** The hooks as last listed, in attach order. */
  get hooks(): readonly HookEntry[] {
    return this.entries;
  }

  getTreeItem(hook: HookEntry): vscode.TreeItem {
    const models = new Set(this.entries.map((h) => h.modelId));
    const spec = buildHookItem(hook, models.size > 1);
    const item = new vscode.TreeItem(spec.label, vscode.TreeItemCollapsibleState.None);
    item.id = spec.id;
    item.description = spec.description;
    item.tooltip = spec.tooltip;
    item.contextValue = spec.contextValue;
    item.iconPath = new vscode.ThemeIcon(spec.icon, spec.iconColor ? new vscode.ThemeColor(spec.iconColor) : undefined);
    item.checkboxState = spec.checked ? vscode.TreeItemCheckboxState.Checked : vscode.TreeItemCheckboxState.Unchecked;
    return item;
  }

  getChildren(hook?: HookEntry): HookEntry[] {
    return hook ? [] : [...this.entries];
  }

  /** Lists the hooks again now; resolves with the new list. */
  refresh(): Promise<readonly HookEntry[]> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.refreshing) {
      // One more pass after the one in flight, so nothing that happened meanwhile is missed.
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = this.load().finally(() => {
      this.refreshing = undefined;
      if (this.again) {
        this.again = false;
        void this.refresh();
      }
    });
    return this.refreshing;
  }

  /** Detaches (unchecked) or re-attaches under the same id (checked). */
  async setEnabled(hook: HookInfo, enabled: boolean): Promise<void> {
    if (enabled) {
      const entry = this.disabled.get(hook.hookId);
      if (!entry) return;
      const params: AttachHookParams = {
        modelId: entry.modelId, path: entry.path, kind: entry.kind, breakpoint: entry.breakpoint, hookId: entry.hookId,
        ...(entry.condition ? { condition: entry.condition } : {}),
        ...(entry.hitCondition ? { hitCondition: entry.hitCondition } : {}),
        ...(entry.logMessage ? { logMessage: entry.logMessage } : {}),
      };
      await this.server.attachHook(params);
      this.disabled.delete(hook.hookId);
    } else {
      if (this.disabled.has(hook.hookId)) return;
      const current = this.entries.find((h) => h.hookId === hook.hookId) ?? hook;
      // The listed count may trail the last run by a refresh; take the server's.
      const live = (await this.server.listHooks()).find((h) => h.hookId === hook.hookId);
      const hits = live ? live.hits + (this.carried.get(hook.hookId) ?? 0) : current.hits;
      await this.server.detachHook(hook.hookId);
      this.carried.set(hook.hookId, hits);
      this.disabled.set(hook.hookId, { ...current, ...(live ?? {}), hits, enabled: false });
    }
    await this.refresh();
  }

  /**
   * Replaces a hook breakpoint's condition, hit condition and log message (`undefined` removes
   * one), as VS Code's Breakpoints view edits a breakpoint. An enabled hook is attached again
   * under the same id with its hit count; the server's answer says why options cannot work
   * (a condition that does not compile) in `message`.
   */
  async setOptions(hook: HookInfo, options: BreakpointOptions): Promise<HookInfo> {
    const disabled = this.disabled.get(hook.hookId);
    if (disabled) {
      const updated: HookEntry = { ...withoutOptions(disabled), ...definedOptions(options) };
      this.disabled.set(hook.hookId, updated);
      await this.refresh();
      return updated;
    }
    const live = (await this.server.listHooks()).find((h) => h.hookId === hook.hookId);
    if (!live) throw new Error(`the hook on ${hook.path === '' ? 'the root module' : hook.path} is no longer attached.`);
    await this.server.detachHook(live.hookId);
    const attached = await this.server.attachHook({
      modelId: live.modelId, path: live.path, kind: live.kind, breakpoint: live.breakpoint, hookId: live.hookId, hits: live.hits,
      ...definedOptions(options),
    });
    await this.refresh();
    return attached;
  }

  /** Removes one hook, enabled or not. */
  async remove(hook: HookInfo): Promise<void> {
    this.carried.delete(hook.hookId);
    if (!this.disabled.delete(hook.hookId)) await this.server.detachHook(hook.hookId);
    await this.refresh();
  }

  /** Removes every hook that matches, or all of them. */
  async removeAll(match: (h: HookEntry) => boolean = () => true): Promise<number> {
    const doomed = (await this.refresh()).filter(match);
    for (const h of doomed) {
      this.carried.delete(h.hookId);
      if (!this.disabled.delete(h.hookId)) await this.server.detachHook(h.hookId);
    }
    await this.refresh();
    return doomed.length;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.subscriptions.splice(0)) d.dispose();
    this.changed.dispose();
    this.hooksChanged.dispose();
  }

  private scheduleRefresh(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, REFRESH_DELAY_MS);
  }

  private async load(): Promise<readonly HookEntry[]> {
    let live: readonly HookInfo[];
    let models: readonly ModelInfo[];
    try {
      [live, models] = await Promise.all([this.server.listHooks(), this.server.listModels().then((r) => r.models)]);
    } catch (err) {
      this.log.warn(`Could not list hooks: ${(err as Error).message}`);
      return this.entries;
    }
    const names = new Map(models.map((m) => [m.modelId, m.rootType]));
    // A disabled hook of a model that was closed goes with it, as the server's own hooks do.
    for (const [id, h] of this.disabled) if (!names.has(h.modelId)) this.disabled.delete(id);
    const entries: HookEntry[] = [
      ...live.map((h) => ({ ...h, hits: h.hits + (this.carried.get(h.hookId) ?? 0), modelName: names.get(h.modelId) })),
      ...[...this.disabled.values()].filter((d) => !live.some((h) => h.hookId === d.hookId)).map((d) => ({ ...d, modelName: names.get(d.modelId) })),
    ].sort((a, b) => a.hookId - b.hookId);
    this.entries = entries;
    void vscode.commands.executeCommand('setContext', HAS_HOOKS_CONTEXT, entries.length > 0);
    this.changed.fire(undefined);
    this.hooksChanged.fire(entries);
    return entries;
  }
}
