/**
 * Turns protocol nodes into what a tree row shows. Pure (no `vscode` import) so
 * the labels, ids, badges and context values can be unit-tested without an
 * editor; `modulesTreeProvider.ts` maps the result onto a `vscode.TreeItem`.
 */
import {
  assertNever,
  type HookKind, type ModelInfo, type ModuleNode, type NodeInfo, type ParameterNode, type BufferNode, type TensorGroup, type TensorStats,
} from '../protocol';

/** The "Load more…" row after the first page(s) of a long list of children. */
export interface MoreNode {
  readonly kind: 'more';
  readonly modelId: string;
  /** The module whose children (or tensor group) continue. */
  readonly path: string;
  readonly group?: TensorGroup;
  /** Rows shown so far. */
  readonly shown: number;
  readonly total: number;
}

/** Every element of the Modules tree. */
export type TreeNode = NodeInfo | MoreNode;

/** A hook as a module row shows it. */
export interface HookMark {
  readonly kind: HookKind;
  readonly breakpoint: boolean;
}

/** What a row needs besides its node. */
export interface RowContext {
  /** The node's model (the root row names its file; the mixed-mode warning lives here). */
  readonly model?: ModelInfo;
  /** The enabled hooks on this module. */
  readonly hooks?: readonly HookMark[];
  /** A run is paused at this module (a breakpoint or a step). */
  readonly paused?: boolean;
}

/** A small badge at the end of a row (a `FileDecoration` in VS Code). */
export interface BadgeSpec {
  /** At most two characters. */
  readonly text: string;
  readonly tooltip: string;
  /** A theme color id. */
  readonly color: string;
}

/** Everything a row needs, in VS Code-independent form. */
export interface TreeItemSpec {
  /** Stable across refreshes: `modelId + ':' + dotted path` (groups add `#parameters`/`#buffers`, the more row `#more`). */
  readonly id: string;
  readonly label: string;
  readonly description: string;
  readonly tooltip: string;
  /**
   * Keys the menus in package.json. Modules: `module.train` / `module.eval`, then `.root` on a
   * model's root, `.code` when the model is a TS/JS file (Go to Definition), `.hooked` when a
   * hook is attached, in that order. Then `group.parameters`, `group.buffers`, `parameter`,
   * `buffer`, `more`.
   */
  readonly contextValue: string;
  readonly collapsible: 'none' | 'collapsed' | 'expanded';
  /** A codicon id for `ThemeIcon`. */
  readonly icon: string;
  /** A theme color id for the icon. */
  readonly iconColor?: string;
  readonly badge?: BadgeSpec;
  /** Run on click (the more row). */
  readonly command?: { readonly command: string; readonly title: string };
}

/** Page size of the Modules tree: rows beyond it wait behind a "Load more" row. */
export const TREE_PAGE = 500;

/** The command the "Load more" row runs. */
export const LOAD_MORE_COMMAND = 'moduleLens.loadMore';

/** The stable tree id of a node. */
export function nodeId(node: TreeNode): string {
  switch (node.kind) {
    case 'group': return `${node.modelId}:${node.path}#${node.group}`;
    case 'more': return `${node.modelId}:${node.path}${node.group ? `#${node.group}` : ''}#more`;
    default: return `${node.modelId}:${node.path}`;
  }
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

/** A statistic in at most about 8 characters: `0`, `0.0123`, `-1.5`, `1.23e-5`, `4.2e+6`. */
export function formatNumber(v: number | null): string {
  if (v === null) return '–';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e5) return v.toExponential(2).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(3)));
}

/** The short form of a tensor's statistics: `μ 0.012 σ 0.31`, plus non-finite counts. */
export function shortStats(s: TensorStats): string {
  const bad = [s.nan ? `${formatCount(s.nan)} NaN` : '', s.inf ? `${formatCount(s.inf)} Inf` : ''].filter(Boolean).join(' ');
  const core = s.mean === null ? 'no finite values' : `μ ${formatNumber(s.mean)} σ ${formatNumber(s.std)}`;
  return bad ? `${core} ⚠ ${bad}` : core;
}

/** The long form, one line: `min … max …, mean …, std …, n NaN, n Inf, n zeros`. */
export function longStats(s: TensorStats): string {
  return `min ${formatNumber(s.min)}, max ${formatNumber(s.max)}, mean ${formatNumber(s.mean)}, std ${formatNumber(s.std)}, ` +
    `${formatCount(s.nan)} NaN, ${formatCount(s.inf)} Inf, ${plural(s.zeros, 'zero')}`;
}

function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

/** True for a model loaded from TypeScript/JavaScript source, where Go to Definition can look. */
export function isCodeFile(file: string): boolean {
  return /\.(?:[cm]?[jt]s)$/i.test(file);
}

const HOOK_WORDS: Readonly<Record<HookKind, string>> = { pre: 'pre', forward: 'forward', backward: 'backward' };

/** `hook: forward`, `hooks: pre, forward ●` (● marks a breakpoint). */
export function hookText(hooks: readonly HookMark[]): string {
  const words = hooks.map((h) => `${HOOK_WORDS[h.kind]}${h.breakpoint ? ' ●' : ''}`);
  return `${hooks.length === 1 ? 'hook' : 'hooks'}: ${words.join(', ')}`;
}

function hookBadge(hooks: readonly HookMark[]): BadgeSpec {
  const letter: Record<HookKind, string> = { pre: 'P', forward: 'F', backward: 'B' };
  const breakpoints = hooks.filter((h) => h.breakpoint).length;
  return {
    text: hooks.length === 1 ? letter[hooks[0].kind] : String(Math.min(hooks.length, 99)),
    tooltip: `${hookText(hooks)}${breakpoints ? ` (${plural(breakpoints, 'breakpoint')})` : ''}`,
    color: breakpoints ? 'debugIcon.breakpointForeground' : 'charts.blue',
  };
}

/** The tooltip lines of a model whose modules are not all in the root's mode. */
export function mixedModeLines(model: ModelInfo): string[] {
  const mismatch = model.modeMismatch;
  if (!mismatch) return [];
  const rootMode = model.root.training ? 'train' : 'eval';
  const other = model.root.training ? 'eval' : 'train';
  const more = mismatch.count - mismatch.paths.length;
  return [
    `⚠ Mixed train/eval: the model is in ${rootMode} mode, but ${plural(mismatch.count, 'module')} ${mismatch.count === 1 ? 'is' : 'are'} in ${other} mode:`,
    ...mismatch.paths.map((p) => `  ${p}`),
    ...(more > 0 ? [`  … and ${formatCount(more)} more`] : []),
  ];
}

function moduleItem(node: ModuleNode, ctx: RowContext): TreeItemSpec {
  const model = ctx.model;
  const isRoot = node.path === '';
  const mode = node.training ? 'train' : 'eval';
  const hooks = ctx.hooks ?? [];
  const hasChildren = node.childCount > 0 || node.numParams > 0 || node.numBuffers > 0;
  const mixed = isRoot && model?.modeMismatch ? mixedModeLines(model) : [];
  // A root's label already is its type, so its description names the file instead.
  const first = isRoot ? (model ? baseName(model.file) : node.type) : node.type;
  const where = isRoot ? `root of ${model?.file ?? node.modelId}` : node.path;
  const parts = [
    ...(ctx.paused ? ['⏸ paused here'] : []),
    ...(mixed.length ? [`⚠ mixed train/eval`] : []),
    first,
    plural(node.totalParams, 'param'),
    ...(node.numBuffers > 0 ? [plural(node.numBuffers, 'buffer')] : []),
    mode,
    ...(hooks.length ? [hookText(hooks)] : []),
  ];
  const contextValue = `module.${mode}${isRoot ? '.root' : ''}${model && isCodeFile(model.file) ? '.code' : ''}${hooks.length ? '.hooked' : ''}`;
  return {
    id: nodeId(node),
    label: isRoot ? node.type : node.name,
    description: parts.join(' · '),
    tooltip: [
      node.repr,
      where,
      `${plural(node.totalParams, 'parameter')} (${formatCount(node.ownParams)} own), ${plural(node.numBuffers, 'buffer')}, ${plural(node.childCount, 'child')} · ${mode} mode`,
      ...(hooks.length ? [hookText(hooks)] : []),
      ...mixed,
    ].join('\n'),
    contextValue,
    collapsible: hasChildren ? (isRoot ? 'expanded' : 'collapsed') : 'none',
    // Train and eval differ at a glance: a flame while dropout and batch statistics are live, an eye in eval.
    // The module a run is paused at shows the debugger's stack-frame marker instead.
    icon: ctx.paused ? 'debug-stackframe' : node.training ? 'flame' : 'eye',
    iconColor: ctx.paused ? 'debugIcon.pauseForeground' : node.training ? 'charts.orange' : 'charts.blue',
    badge: mixed.length
      ? { text: '!', tooltip: mixed.join('\n'), color: 'list.warningForeground' }
      : hooks.length ? hookBadge(hooks) : undefined,
  };
}

function tensorItem(node: ParameterNode | BufferNode): TreeItemSpec {
  const flags = node.kind === 'parameter'
    ? (node.requiresGrad ? '' : ' · no grad')
    : (node.persistent ? '' : ' · non-persistent');
  const grad = node.kind === 'parameter' ? node.grad : undefined;
  const description = [
    `${formatShape(node.shape)} ${node.dtype}${flags}`,
    ...(node.stats ? [shortStats(node.stats)] : []),
    ...(grad ? [`∇ ${shortStats(grad)}`] : []),
  ].join(' · ');
  const nonFinite = (node.stats && node.stats.nan + node.stats.inf > 0) || (grad && grad.nan + grad.inf > 0);
  return {
    id: nodeId(node),
    label: node.name,
    description,
    tooltip: [
      node.path,
      `${node.kind === 'parameter' ? 'Parameter' : 'Buffer'} ${node.dtype} ${formatShape(node.shape)}${flags}`,
      node.stats ? `values: ${longStats(node.stats)}` : 'values: run the model to see statistics',
      ...(node.kind === 'parameter' ? [grad ? `grad: ${longStats(grad)}` : 'grad: none (run forward and backward)'] : []),
    ].join('\n'),
    contextValue: node.kind,
    collapsible: 'none',
    icon: nonFinite ? 'warning' : node.kind === 'parameter' ? 'symbol-variable' : 'symbol-constant',
    iconColor: nonFinite ? 'list.warningForeground' : undefined,
  };
}

/**
 * Builds the row for a node.
 *
 * @param node - the node as the server sent it, or a "Load more" row
 * @param ctx - the node's model and the hooks on it
 */
export function buildTreeItem(node: TreeNode, ctx: RowContext | ModelInfo = {}): TreeItemSpec {
  const context: RowContext = 'modelId' in ctx ? { model: ctx } : ctx;
  switch (node.kind) {
    case 'module':
      return moduleItem(node, context);
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
    case 'buffer':
      return tensorItem(node);
    case 'more': {
      const left = node.total - node.shown;
      return {
        id: nodeId(node),
        label: `Load ${formatCount(Math.min(left, TREE_PAGE))} more…`,
        description: `${formatCount(node.shown)} of ${formatCount(node.total)} shown`,
        tooltip: `${formatCount(left)} more row${left === 1 ? '' : 's'} under ${node.path === '' ? 'the root' : node.path}`,
        contextValue: 'more',
        collapsible: 'none',
        icon: 'ellipsis',
        command: { command: LOAD_MORE_COMMAND, title: 'Load More' },
      };
    }
    default:
      return assertNever(node, 'node kind');
  }
}

/**
 * The parent's id of a node, for `TreeDataProvider.getParent`; `undefined` for a root.
 * Tensors hang under their module's group, groups under their module, the more row under its list's owner.
 */
export function parentId(node: TreeNode): string | undefined {
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
    case 'more':
      return node.group ? `${node.modelId}:${node.path}#${node.group}` : `${node.modelId}:${node.path}`;
    default:
      return assertNever(node, 'node kind');
  }
}
