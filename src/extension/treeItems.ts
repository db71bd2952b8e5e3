/**
 * Turns protocol nodes into what a tree row shows. Pure (no `vscode` import) so
 * the labels, ids and context values can be unit-tested without an editor;
 * `modulesTreeProvider.ts` maps the result onto a `vscode.TreeItem`.
 */
import { assertNever, type ModelInfo, type ModuleNode, type NodeInfo } from '../protocol';

/** Everything a row needs, in VS Code-independent form. */
export interface TreeItemSpec {
  /** Stable across refreshes: `modelId + ':' + dotted path` (groups add `#parameters`/`#buffers`). */
  readonly id: string;
  readonly label: string;
  readonly description: string;
  readonly tooltip: string;
  /**
   * Keys the menus in package.json: `module.train` / `module.eval`, with `.root` appended on
   * a model's root module (so root-only commands such as Close can match it), `group.parameters`,
   * `group.buffers`, `parameter`, `buffer`.
   */
  readonly contextValue: string;
  readonly collapsible: 'none' | 'collapsed' | 'expanded';
  /** A codicon id for `ThemeIcon`. */
  readonly icon: string;
}

/** The stable tree id of a node. */
export function nodeId(node: NodeInfo): string {
  return node.kind === 'group' ? `${node.modelId}:${node.path}#${node.group}` : `${node.modelId}:${node.path}`;
}

/** A count in a few characters: `24`, `1,234`, `11.7M`. */
export function formatCount(n: number): string {
  if (n < 10_000) return n.toLocaleString('en-US');
  const [div, unit] = n >= 1e9 ? [1e9, 'B'] : n >= 1e6 ? [1e6, 'M'] : [1e3, 'k'];
  return `${(n / div).toFixed(1).replace(/\.0$/, '')}${unit}`;
}

function plural(n: number, word: string): string {
  return `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;
}

/** PyTorch prints shapes as `torch.Size([2, 3])`; the tree keeps the list part. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

function moduleItem(node: ModuleNode, model: ModelInfo | undefined): TreeItemSpec {
  const isRoot = node.path === '';
  const mode = node.training ? 'train' : 'eval';
  const hasChildren = node.childCount > 0 || node.numParams > 0 || node.numBuffers > 0;
  // A root's label already is its type, so its description names the file instead.
  const first = isRoot ? (model ? baseName(model.file) : node.type) : node.type;
  const where = isRoot ? `root of ${model?.file ?? node.modelId}` : node.path;
  return {
    id: nodeId(node),
    label: isRoot ? node.type : node.name,
    description: `${first} · ${plural(node.totalParams, 'param')} · ${mode}`,
    tooltip: [
      node.repr,
      where,
      `${plural(node.totalParams, 'parameter')} (${formatCount(node.ownParams)} own), ${plural(node.numBuffers, 'buffer')}, ${plural(node.childCount, 'child')} · ${mode} mode`,
    ].join('\n'),
    contextValue: `module.${mode}${isRoot ? '.root' : ''}`,
    collapsible: hasChildren ? (isRoot ? 'expanded' : 'collapsed') : 'none',
    icon: isRoot ? 'symbol-namespace' : 'symbol-class',
  };
}

/**
 * Builds the row for a node.
 *
 * @param node - the node as the server sent it
 * @param model - the node's model, used for the root row's description and tooltip
 */
export function buildTreeItem(node: NodeInfo, model?: ModelInfo): TreeItemSpec {
  switch (node.kind) {
    case 'module':
      return moduleItem(node, model);
    case 'group': {
      const title = node.group === 'parameters' ? 'Parameters' : 'Buffers';
      return {
        id: nodeId(node),
        label: `${title} (${node.count})`,
        description: '',
        tooltip: `${node.path === '' ? 'The root module' : node.path}: ${plural(node.count, node.group === 'parameters' ? 'parameter' : 'buffer')} of its own`,
        contextValue: `group.${node.group}`,
        collapsible: node.count > 0 ? 'collapsed' : 'none',
        icon: node.group === 'parameters' ? 'symbol-field' : 'database',
      };
    }
    case 'parameter':
    case 'buffer': {
      const flags = node.kind === 'parameter'
        ? (node.requiresGrad ? '' : ' · no grad')
        : (node.persistent ? '' : ' · non-persistent');
      return {
        id: nodeId(node),
        label: node.name,
        description: `${formatShape(node.shape)} ${node.dtype}${flags}`,
        tooltip: `${node.path}\n${node.kind === 'parameter' ? 'Parameter' : 'Buffer'} ${node.dtype} ${formatShape(node.shape)}${flags}`,
        contextValue: node.kind,
        collapsible: 'none',
        icon: node.kind === 'parameter' ? 'symbol-variable' : 'symbol-constant',
      };
    }
    default:
      return assertNever(node, 'node kind');
  }
}

/**
 * The parent's id of a node, for `TreeDataProvider.getParent`; `undefined` for a root.
 * Tensors hang under their module's group, groups under their module.
 */
export function parentId(node: NodeInfo): string | undefined {
  switch (node.kind) {
    case 'module': {
      if (node.path === '') return undefined;
      const dot = node.path.lastIndexOf('.');
      return `${node.modelId}:${dot < 0 ? '' : node.path.slice(0, dot)}`;
    }
    case 'group':
      return `${node.modelId}:${node.path}`;
    case 'parameter':
    case 'buffer': {
      const dot = node.path.lastIndexOf('.');
      const owner = dot < 0 ? '' : node.path.slice(0, dot);
      return `${node.modelId}:${owner}#${node.kind === 'parameter' ? 'parameters' : 'buffers'}`;
    }
    default:
      return assertNever(node, 'node kind');
  }
}
