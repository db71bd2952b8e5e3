/**
 * The Modules tree: one root per open model, children fetched lazily from the
 * server, a page of {@link TREE_PAGE} at a time behind a "Load more" row. Holds
 * no model state beyond the nodes it last showed (which `getParent` and
 * `reveal` need), the open models, and the hooks to badge module rows with.
 */
import * as vscode from 'vscode';
import { MAX_PAGE_SIZE, type HookInfo, type ModelInfo, type ModuleNode } from '../protocol';
import type { ModelServer } from './serverClient';
import { buildTreeItem, nodeId, parentId, TREE_PAGE, type BadgeSpec, type HookMark, type MoreNode, type TreeNode } from './treeItems';

/** The URI scheme of row decorations (badges); rows carry it as `resourceUri`. */
export const ROW_SCHEME = 'module-lens-row';

/** Badges on module rows: hooks, and the mixed train/eval warning on a model's root. */
class RowBadges implements vscode.FileDecorationProvider, vscode.Disposable {
  private readonly badges = new Map<string, vscode.FileDecoration>();
  /** The spec each badge was made from, to tell a change from a redraw. */
  private readonly specs = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri[]>();
  readonly onDidChangeFileDecorations = this.changed.event;

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    return uri.scheme === ROW_SCHEME ? this.badges.get(uri.toString()) : undefined;
  }

  /** Records a row's badge; tells VS Code when it changed. */
  set(uri: vscode.Uri, badge: BadgeSpec | undefined): void {
    const key = uri.toString();
    const text = badge ? JSON.stringify(badge) : undefined;
    if (this.specs.get(key) === text) return;
    if (badge && text) {
      this.specs.set(key, text);
      this.badges.set(key, { badge: badge.text, tooltip: badge.tooltip, color: new vscode.ThemeColor(badge.color) });
    } else {
      this.specs.delete(key);
      this.badges.delete(key);
    }
    this.changed.fire([uri]);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** The row URI of a tree id, for decorations. */
export function rowUri(id: string): vscode.Uri {
  return vscode.Uri.from({ scheme: ROW_SCHEME, path: `/${encodeURIComponent(id)}` });
}

/** Data provider for the `moduleLens.modules` view. Elements are the server's {@link NodeInfo}s and "Load more" rows. */
export class ModulesTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  /** Fires with `undefined` to redraw everything; ids are stable, so expansion and selection survive. */
  readonly onDidChangeTreeData = this.changed.event;
  private models = new Map<string, ModelInfo>();
  /** Every node shown since the last refresh, by tree id, so `getParent` and `reveal` can answer. */
  private readonly nodes = new Map<string, TreeNode>();
  /** How many rows to show under a parent (its tree id), when more than one page. */
  private readonly shown = new Map<string, number>();
  /** Enabled hooks by module id (`modelId:path`). */
  private hooks = new Map<string, HookMark[]>();
  private hooksKey = '';
  /** `modelId:path` of the module a run is paused at. */
  private pausedId: string | undefined;
  private readonly badges = new RowBadges();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly server: ModelServer, private readonly log: vscode.LogOutputChannel) {
    this.subscriptions = [
      server.onModelsChanged(() => this.refresh()),
      // The module a run is paused at is marked, and unmarked when the run moves on.
      server.onRunState((s) => {
        const paused = s.state === 'paused' ? `${s.location.modelId}:${s.location.path}` : undefined;
        if (paused === this.pausedId) return;
        this.pausedId = paused;
        this.refresh();
      }),
      vscode.window.registerFileDecorationProvider(this.badges),
      this.badges,
    ];
  }

  /** Redraws the whole tree from the server. */
  refresh(): void {
    this.changed.fire(undefined);
  }

  /** The open models, as of the last time the roots were listed. */
  get openModels(): readonly ModelInfo[] {
    return [...this.models.values()];
  }

  /** Badges module rows with these hooks (disabled ones are left out); redraws only when that changes what rows show. */
  setHooks(hooks: readonly HookInfo[]): void {
    const byModule = new Map<string, HookMark[]>();
    for (const h of hooks) {
      if (!h.enabled || h.missing) continue;
      const key = `${h.modelId}:${h.path}`;
      byModule.set(key, [...(byModule.get(key) ?? []), { kind: h.kind, breakpoint: h.breakpoint }]);
    }
    const key = JSON.stringify([...byModule].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    if (key === this.hooksKey) return;
    this.hooksKey = key;
    this.hooks = byModule;
    this.refresh();
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const spec = buildTreeItem(node, {
      model: this.models.get(node.modelId),
      hooks: node.kind === 'module' ? this.hooks.get(nodeId(node)) : undefined,
      paused: node.kind === 'module' && this.pausedId === `${node.modelId}:${node.path}`,
    });
    const item = new vscode.TreeItem(spec.label, {
      none: vscode.TreeItemCollapsibleState.None,
      collapsed: vscode.TreeItemCollapsibleState.Collapsed,
      expanded: vscode.TreeItemCollapsibleState.Expanded,
    }[spec.collapsible]);
    item.id = spec.id;
    item.description = spec.description;
    item.tooltip = spec.tooltip;
    item.contextValue = spec.contextValue;
    item.iconPath = new vscode.ThemeIcon(spec.icon, spec.iconColor ? new vscode.ThemeColor(spec.iconColor) : undefined);
    if (spec.command) item.command = { ...spec.command, arguments: [node] };
    if (node.kind === 'module') {
      // Rows that can carry a badge get a URI the decoration provider answers for.
      const uri = rowUri(spec.id);
      item.resourceUri = uri;
      this.badges.set(uri, spec.badge);
    }
    return item;
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    try {
      const children = node ? await this.fetchChildren(node) : await this.fetchRoots();
      for (const child of children) this.nodes.set(nodeId(child), child);
      return children;
    } catch (err) {
      // A model closed while its rows were being expanded is routine; log rather than pop up.
      this.log.warn(`Could not list ${node ? nodeId(node) : 'models'}: ${(err as Error).message}`);
      return [];
    }
  }

  getParent(node: TreeNode): TreeNode | undefined {
    const id = parentId(node);
    return id === undefined ? undefined : this.nodes.get(id);
  }

  /** Shows the next page under the "Load more" row's parent. */
  loadMore(more: MoreNode): void {
    const parent = parentId(more)!;
    this.shown.set(parent, more.shown + TREE_PAGE);
    const element = this.nodes.get(parent);
    this.changed.fire(element && element.kind !== 'more' ? element : undefined);
  }

  /**
   * The tree node of a module, loading its ancestors' rows (and more pages) as needed,
   * so `TreeView.reveal` can show it.
   *
   * @returns the node, or `undefined` when the model or module is gone
   */
  async findModule(modelId: string, path: string): Promise<ModuleNode | undefined> {
    if (!this.models.has(modelId)) await this.getChildren();
    let node: ModuleNode | undefined = this.models.get(modelId)?.root;
    if (!node) return undefined;
    this.nodes.set(nodeId(node), node);
    const segments = path === '' ? [] : path.split('.');
    for (let i = 0; i < segments.length && node; i++) {
      const target = segments.slice(0, i + 1).join('.');
      let found: ModuleNode | undefined;
      for (;;) {
        const children: TreeNode[] = await this.getChildren(node);
        found = children.find((c): c is ModuleNode => c.kind === 'module' && c.path === target);
        const more = children.find((c): c is MoreNode => c.kind === 'more');
        if (found || !more) break;
        this.shown.set(nodeId(node), more.total);
      }
      node = found;
    }
    return node;
  }

  dispose(): void {
    for (const d of this.subscriptions.splice(0)) d.dispose();
    this.changed.dispose();
  }

  private async fetchRoots(): Promise<TreeNode[]> {
    const { models } = await this.server.listModels();
    this.models = new Map(models.map((m) => [m.modelId, m]));
    this.nodes.clear();
    return models.map((m) => m.root);
  }

  private async fetchChildren(node: TreeNode): Promise<TreeNode[]> {
    if (node.kind !== 'module' && node.kind !== 'group') return [];
    const group = node.kind === 'group' ? node.group : undefined;
    const want = this.shown.get(nodeId(node)) ?? TREE_PAGE;
    const items: TreeNode[] = [];
    let total = Infinity;
    // Page through so one huge Sequential cannot produce one huge reply.
    while (items.length < Math.min(total, want)) {
      const limit = Math.min(MAX_PAGE_SIZE, want - items.length);
      const page = await this.server.getChildren({ modelId: node.modelId, path: node.path, group, offset: items.length, limit });
      total = page.total;
      if (page.items.length === 0) break;
      items.push(...page.items);
    }
    if (items.length < total && Number.isFinite(total)) {
      items.push({ kind: 'more', modelId: node.modelId, path: node.path, ...(group ? { group } : {}), shown: items.length, total });
    }
    return items;
  }
}
