/**
 * The Modules tree: one root per open model, children fetched lazily from the
 * server page by page. Holds no model state beyond the nodes it last showed,
 * which `getParent` needs.
 */
import * as vscode from 'vscode';
import { MAX_PAGE_SIZE, type ModelInfo, type NodeInfo } from '../protocol';
import type { ModelServer } from './serverClient';
import { buildTreeItem, nodeId, parentId } from './treeItems';

/** Data provider for the `moduleLens.modules` view. Elements are the server's {@link NodeInfo}s. */
export class ModulesTreeProvider implements vscode.TreeDataProvider<NodeInfo>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<NodeInfo | undefined>();
  /** Fires with `undefined` to redraw everything; ids are stable, so expansion state survives. */
  readonly onDidChangeTreeData = this.changed.event;
  private models = new Map<string, ModelInfo>();
  /** Every node shown since the last refresh, by tree id, so `getParent` can answer. */
  private nodes = new Map<string, NodeInfo>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly server: ModelServer, private readonly log: vscode.LogOutputChannel) {
    this.subscription = server.onModelsChanged(() => this.refresh());
  }

  /** Redraws the whole tree from the server. */
  refresh(): void {
    this.changed.fire(undefined);
  }

  /** The open models, as of the last time the roots were listed. */
  get openModels(): readonly ModelInfo[] {
    return [...this.models.values()];
  }

  getTreeItem(node: NodeInfo): vscode.TreeItem {
    const spec = buildTreeItem(node, this.models.get(node.modelId));
    const item = new vscode.TreeItem(spec.label, {
      none: vscode.TreeItemCollapsibleState.None,
      collapsed: vscode.TreeItemCollapsibleState.Collapsed,
      expanded: vscode.TreeItemCollapsibleState.Expanded,
    }[spec.collapsible]);
    item.id = spec.id;
    item.description = spec.description;
    item.tooltip = spec.tooltip;
    item.contextValue = spec.contextValue;
    item.iconPath = new vscode.ThemeIcon(spec.icon);
    return item;
  }

  async getChildren(node?: NodeInfo): Promise<NodeInfo[]> {
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

  getParent(node: NodeInfo): NodeInfo | undefined {
    const id = parentId(node);
    return id === undefined ? undefined : this.nodes.get(id);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }

  private async fetchRoots(): Promise<NodeInfo[]> {
    const { models } = await this.server.listModels();
    this.models = new Map(models.map((m) => [m.modelId, m]));
    this.nodes = new Map();
    return models.map((m) => m.root);
  }

  private async fetchChildren(node: NodeInfo): Promise<NodeInfo[]> {
    if (node.kind !== 'module' && node.kind !== 'group') return [];
    const group = node.kind === 'group' ? node.group : undefined;
    const items: NodeInfo[] = [];
    // Page through so one huge Sequential cannot produce one huge reply.
    for (let total = Infinity; items.length < total;) {
      const page = await this.server.getChildren({ modelId: node.modelId, path: node.path, group, offset: items.length, limit: MAX_PAGE_SIZE });
      total = page.total;
      if (page.items.length === 0) break;
      items.push(...page.items);
    }
    return items;
  }
}
