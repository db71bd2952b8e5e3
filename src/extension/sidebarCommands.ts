/**
 * The sidebar's commands beyond opening and running: hooks and hook
 * breakpoints (attach with a module picker, remove, reveal), row actions
 * (Copy Path, Show in Panel, Go to Definition, Export as .npy), the state dict
 * (show as a read-only JSON document, export to and load from `.safetensors`),
 * Select Backend…, and the "Load more" rows. Every command works from the
 * palette with no selection, asking for what it needs, and accepts its
 * answers as arguments instead (the integration tests pass them).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  BACKEND_PREFERENCES, MAX_TENSOR_PAGE, parseBackendPreference,
  type BackendPreference, type HookInfo, type HookKind, type ModelInfo,
} from '../protocol';
import { registerBreakpointOptionCommands } from './breakpointOptionCommands';
import type { HookEntry } from './hookItems';
import type { HooksTreeProvider } from './hooksTreeProvider';
import { stateDictRefusal } from './modelFiles';
import type { ModulesTreeProvider } from './modulesTreeProvider';
import { npyBytes } from './npyFile';
import type { ModelServer } from './serverClient';
import { stateDictDocument } from './stateDictJson';
import type { BackendStatusBar } from './statusBar';
import { isModuleRef, isTensorRef, pickModel, pickModule, pickTensor, type ModuleRef } from './targets';
import { formatShape, isCodeFile, type MoreNode, type TreeNode } from './treeItems';

/** Command ids, as contributed in package.json. */
export const SidebarCommands = {
  attachHook: 'moduleLens.attachHook',
  addHookBreakpoint: 'moduleLens.addHookBreakpoint',
  removeHooks: 'moduleLens.removeHooks',
  removeAllHooks: 'moduleLens.removeAllHooks',
  removeHook: 'moduleLens.removeHook',
  revealHook: 'moduleLens.revealHook',
  showOutputInPanel: 'moduleLens.showOutputInPanel',
  showTensorInPanel: 'moduleLens.showTensorInPanel',
  copyPath: 'moduleLens.copyPath',
  goToDefinition: 'moduleLens.goToDefinition',
  exportTensorNpy: 'moduleLens.exportTensorNpy',
  showStateDict: 'moduleLens.showStateDict',
  exportStateDict: 'moduleLens.exportStateDict',
  loadStateDict: 'moduleLens.loadStateDict',
  selectBackend: 'moduleLens.selectBackend',
  loadMore: 'moduleLens.loadMore',
} as const;

/** The Captures panel's focus command (registered by the panel, when this build has it). */
export const SHOW_IN_PANEL_COMMAND = 'moduleLens.showInPanel';

/** Context keys for `when` clauses: any model open, any TS/JS model open. */
export const HAS_MODELS_CONTEXT = 'moduleLens.hasModels';
export const HAS_CODE_MODELS_CONTEXT = 'moduleLens.hasCodeModels';

/** The URI scheme of the read-only state dict documents. */
export const STATE_DICT_SCHEME = 'module-lens-state';

/** What the sidebar commands work with. */
export interface SidebarDeps {
  readonly server: ModelServer;
  readonly modulesTree: ModulesTreeProvider;
  readonly modulesView: vscode.TreeView<TreeNode>;
  readonly hooksTree: HooksTreeProvider;
  readonly status: BackendStatusBar;
  readonly output: vscode.LogOutputChannel;
}

/** Options a caller may pass to Load State Dict…. */
export interface LoadStateDictOptions {
  /** Missing or unexpected keys fail (default true; the user is offered a non-strict load then). */
  readonly strict?: boolean;
}

type Report = <A extends unknown[]>(fn: (...args: A) => PromiseLike<unknown>) => (...args: A) => Promise<void>;

const KIND_CHOICES: readonly { kind: HookKind; hook: [string, string]; breakpoint: [string, string] }[] = [
  { kind: 'forward', hook: ['Forward Hook', 'after forward: captures args and output'], breakpoint: ['Forward Breakpoint', 'pauses after forward, with its args and output'] },
  { kind: 'pre', hook: ['Forward Pre-Hook', 'before forward: captures args'], breakpoint: ['Forward Pre-Hook Breakpoint', 'pauses before forward, with its args'] },
  { kind: 'backward', hook: ['Backward Hook', 'in backward: captures gradInput and gradOutput'], breakpoint: ['Backward Breakpoint', 'pauses in backward, with the gradients'] },
];

function isHookKind(v: unknown): v is HookKind {
  return v === 'pre' || v === 'forward' || v === 'backward';
}

/** The hook kind a caller passed (`{kind}` on the target), else the user's pick. */
async function pickKind(arg: unknown, breakpoint: boolean, where: string): Promise<HookKind | undefined> {
  const given = (arg as { kind?: unknown } | undefined)?.kind;
  if (isHookKind(given)) return given;
  const picked = await vscode.window.showQuickPick(
    KIND_CHOICES.map((c) => {
      const [label, description] = breakpoint ? c.breakpoint : c.hook;
      return { label, description, hookKind: c.kind };
    }),
    { title: `${breakpoint ? 'Add Hook Breakpoint' : 'Attach Hook'} on ${where}`, placeHolder: 'Which kind?' },
  );
  return picked?.hookKind;
}

async function attachHook(deps: SidebarDeps, arg: unknown, breakpoint: boolean): Promise<HookInfo | undefined> {
  const title = breakpoint ? 'Add Hook Breakpoint…' : 'Attach Hook…';
  const target = await pickModule(deps.server, arg, title);
  if (!target) return undefined;
  const kind = await pickKind(arg, breakpoint, target.path === '' ? 'the root module' : target.path);
  if (!kind) return undefined;
  const hook = await deps.server.attachHook({ modelId: target.modelId, path: target.path, kind, breakpoint });
  await deps.hooksTree.refresh();
  return hook;
}

async function revealModule(deps: SidebarDeps, ref: ModuleRef): Promise<boolean> {
  const node = await deps.modulesTree.findModule(ref.modelId, ref.path);
  if (!node) {
    void vscode.window.showInformationMessage(`Module Lens: "${ref.path}" is no longer in the model.`);
    return false;
  }
  await deps.modulesView.reveal(node, { select: true, focus: true, expand: false });
  return true;
}

/**
 * Opens the Captures panel focused on a module's newest event, or on a parameter's or buffer's
 * current value, asking for the module or tensor when the command has none.
 * @returns what the panel was asked to show, or `undefined` when cancelled
 */
async function showInPanel(deps: SidebarDeps, node: unknown, what: 'module' | 'tensor'): Promise<unknown> {
  if (!(await vscode.commands.getCommands(true)).includes(SHOW_IN_PANEL_COMMAND)) {
    void vscode.window.showInformationMessage('Module Lens: the Captures panel is not available in this build.');
    return undefined;
  }
  if (what === 'module') {
    const target = await pickModule(deps.server, node, 'Show Output in Panel');
    return target && vscode.commands.executeCommand(SHOW_IN_PANEL_COMMAND, { kind: 'module', modelId: target.modelId, path: target.path });
  }
  const tensor = await pickTensor(deps.server, node, 'Show in Panel');
  return tensor && vscode.commands.executeCommand(SHOW_IN_PANEL_COMMAND, tensor);
}

/** Where Go to Definition lands: the file and the 0-based line. */
export interface DefinitionLocation {
  readonly file: string;
  readonly line: number;
}

async function goToDefinition(deps: SidebarDeps, arg: unknown): Promise<DefinitionLocation | undefined> {
  const target = await pickModule(deps.server, arg, 'Go to Definition');
  if (!target) return undefined;
  const model = (await deps.server.listModels()).models.find((m) => m.modelId === target.modelId);
  if (!model) throw new Error(`model ${target.modelId} is no longer open.`);
  if (!isCodeFile(model.file)) {
    void vscode.window.showInformationMessage(`Module Lens: ${path.basename(model.file)} is a layers model; it has no source to go to.`);
    return undefined;
  }
  const { file, modules } = await deps.server.sourceMap(model.modelId);
  const lines = new Map(modules.filter((m) => m.definitionLine !== undefined).map((m) => [m.path, m.definitionLine!]));
  // A module the file does not create by name (a library container's child) goes to its nearest ancestor that it does.
  let at = target.path;
  while (!lines.has(at) && at !== '') at = at.includes('.') ? at.slice(0, at.lastIndexOf('.')) : '';
  const line = lines.get(at);
  if (line === undefined) {
    void vscode.window.showInformationMessage(`Module Lens: could not find where "${target.path || model.rootType}" is created in ${path.basename(file)}.`);
    return undefined;
  }
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const text = doc.lineAt(line);
  await vscode.window.showTextDocument(doc, {
    selection: new vscode.Range(line, text.firstNonWhitespaceCharacterIndex, line, text.text.length),
    preview: true,
  });
  return { file, line };
}

function defaultFolder(model?: ModelInfo): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri ?? (model ? vscode.Uri.file(path.dirname(model.file)) : undefined);
}

/** A file name made of a dotted path: `submodel_1.weight` stays, `/` and such become `_`. */
function fileSafe(name: string): string {
  return name.replace(/[^\w.-]+/g, '_') || 'tensor';
}

async function exportTensorNpy(deps: SidebarDeps, arg: unknown, fileArg?: string): Promise<string | undefined> {
  if (!isTensorRef(arg)) {
    void vscode.window.showInformationMessage('Module Lens: choose a parameter or buffer in the Modules view to export.');
    return undefined;
  }
  const first = await deps.server.getTensor({ modelId: arg.modelId, name: arg.path, start: 0, end: MAX_TENSOR_PAGE });
  const { shape, dtype, size } = first.summary;
  let file = fileArg;
  if (!file) {
    const folder = defaultFolder();
    const picked = await vscode.window.showSaveDialog({
      title: `Export ${arg.path} ${formatShape(shape)} ${dtype} as .npy`,
      defaultUri: folder ? vscode.Uri.joinPath(folder, `${fileSafe(arg.path)}.npy`) : undefined,
      filters: { 'NumPy arrays': ['npy'] },
    });
    file = picked?.fsPath;
  }
  if (!file) return undefined;
  const values = new Float64Array(size);
  values.set(first.values);
  for (let start = first.values.length; start < size; start += MAX_TENSOR_PAGE) {
    const page = await deps.server.getTensor({ modelId: arg.modelId, name: arg.path, start, end: Math.min(size, start + MAX_TENSOR_PAGE) });
    values.set(page.values, start);
  }
  await vscode.workspace.fs.writeFile(vscode.Uri.file(file), npyBytes(dtype, shape, values));
  void vscode.window.setStatusBarMessage(`Module Lens: exported ${arg.path} ${formatShape(shape)} ${dtype} to ${path.basename(file)}`, 10_000);
  return file;
}

/** The URI of a model's state dict document; the query carries the model id. */
export function stateDictUri(model: ModelInfo): vscode.Uri {
  return vscode.Uri.from({ scheme: STATE_DICT_SCHEME, path: `/${model.rootType}.state_dict.json`, query: model.modelId });
}

/** Serves the read-only state dict documents, and updates them when their model changes. */
class StateDictDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly server: ModelServer) {
    this.subscription = server.onModelsChanged((c) => {
      for (const doc of vscode.workspace.textDocuments) {
        if (doc.uri.scheme === STATE_DICT_SCHEME && doc.uri.query === c.modelId) this.changed.fire(doc.uri);
      }
    });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const model = (await this.server.listModels()).models.find((m) => m.modelId === uri.query);
    if (!model) return `// Model ${uri.query} is no longer open.\n`;
    const { modules } = await this.server.listModules({ modelId: model.modelId, tensors: true });
    return stateDictDocument(model, modules);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

async function showStateDict(deps: SidebarDeps, arg: unknown): Promise<vscode.Uri | undefined> {
  const model = await pickModel(deps.server, arg, 'Show State Dict');
  if (!model) return undefined;
  const uri = stateDictUri(model);
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { preview: true });
  return uri;
}

function kb(bytes: number): string {
  return bytes < 1024 ? `${bytes} bytes` : bytes < 1 << 20 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / (1 << 20)).toFixed(1)} MB`;
}

async function exportStateDict(deps: SidebarDeps, arg: unknown, fileArg?: string): Promise<string | undefined> {
  const model = await pickModel(deps.server, arg, 'Export State Dict');
  if (!model) return undefined;
  let file = fileArg;
  if (!file) {
    const stem = path.basename(model.file).replace(/\.(?:[cm]?[jt]s|json)$/i, '');
    const picked = await vscode.window.showSaveDialog({
      title: `Export the state dict of ${model.rootType}`,
      defaultUri: vscode.Uri.file(path.join(path.dirname(model.file), `${stem === 'model' ? model.rootType : stem}.safetensors`)),
      filters: { 'safetensors': ['safetensors'] },
    });
    file = picked?.fsPath;
  }
  if (!file) return undefined;
  const target = path.resolve(file);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Module Lens: writing ${path.basename(target)}` },
    () => deps.server.saveStateDict({ modelId: model.modelId, file: target }),
  );
  void vscode.window.setStatusBarMessage(`Module Lens: wrote ${result.tensors} tensors (${kb(result.bytes)}) to ${path.basename(target)}`, 10_000);
  return target;
}

async function loadStateDict(deps: SidebarDeps, arg: unknown, fileArg?: unknown, options: LoadStateDictOptions = {}): Promise<boolean> {
  const model = await pickModel(deps.server, arg, 'Load State Dict');
  if (!model) return false;
  let file = typeof fileArg === 'string' ? fileArg : fileArg instanceof vscode.Uri ? fileArg.fsPath : undefined;
  if (!file) {
    const picked = await vscode.window.showOpenDialog({
      title: `Load a state dict into ${model.rootType}`, openLabel: 'Load', canSelectMany: false,
      defaultUri: vscode.Uri.file(path.dirname(model.file)), filters: { 'safetensors': ['safetensors'] },
    });
    file = picked?.[0]?.fsPath;
  }
  if (!file) return false;
  const refusal = stateDictRefusal(file);
  if (refusal) throw new Error(refusal);
  const params = { modelId: model.modelId, file: path.resolve(file) };
  let result;
  try {
    result = await deps.server.loadStateDict({ ...params, strict: options.strict ?? true });
  } catch (err) {
    const message = (err as Error).message;
    // Key mismatches can be accepted (strict=False); shape mismatches cannot.
    if (options.strict !== undefined || !/(Missing|Unexpected) key/.test(message) || /size mismatch/.test(message)) throw err;
    const anyway = 'Load Non-Strictly';
    if (await vscode.window.showWarningMessage(`Module Lens: ${message}`, anyway) !== anyway) return false;
    result = await deps.server.loadStateDict({ ...params, strict: false });
  }
  const notes = [
    result.missingKeys.length ? `missing: ${result.missingKeys.join(', ')}` : '',
    result.unexpectedKeys.length ? `unexpected: ${result.unexpectedKeys.join(', ')}` : '',
  ].filter(Boolean).join('; ');
  void vscode.window.showInformationMessage(`Module Lens: loaded ${path.basename(file)} into ${model.rootType}${notes ? ` (${notes})` : ''}.`);
  return true;
}

const BACKEND_DESCRIPTIONS: Readonly<Record<BackendPreference, string>> = {
  auto: 'tensorflow if installed, else wasm, else cpu',
  tensorflow: 'native TensorFlow (@tensorflow/tfjs-node must be installed)',
  wasm: 'WebAssembly with SIMD; ships with the extension',
  cpu: 'plain JavaScript; slow, always available',
};

async function selectBackend(deps: SidebarDeps, arg: unknown): Promise<string | undefined> {
  const config = vscode.workspace.getConfiguration('moduleLens');
  const current = parseBackendPreference(config.get('backend'));
  let choice: BackendPreference | undefined = BACKEND_PREFERENCES.includes(arg as BackendPreference) ? arg as BackendPreference : undefined;
  if (!choice) {
    const picked = await vscode.window.showQuickPick(
      BACKEND_PREFERENCES.map((b) => ({ label: b, description: `${BACKEND_DESCRIPTIONS[b]}${b === current ? ' · current setting' : ''}`, backend: b })),
      { title: 'Select Backend', placeHolder: 'The model server restarts on the chosen backend; open models and hooks come back' },
    );
    choice = picked?.backend;
  }
  if (!choice) return undefined;
  // Write where the setting is already set, so a workspace value is not shadowed by a user one.
  const inspected = config.inspect('backend');
  const target = inspected?.workspaceFolderValue !== undefined ? vscode.ConfigurationTarget.WorkspaceFolder
    : inspected?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  if (choice !== current) await config.update('backend', choice, target);
  const { info, report } = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Module Lens: restarting the model server on ${choice}` },
    () => deps.server.restart(),
  );
  deps.status.show(info);
  const lost = report.failures.length ? ` Not restored: ${report.failures.join('; ')}` : '';
  deps.output.info(`Model server restarted on ${info.backend}: ${report.models} model(s) and ${report.hooks} hook(s) restored.${lost}`);
  if (lost) void vscode.window.showWarningMessage(`Module Lens: the model server now runs on ${info.backend}.${lost}`);
  else void vscode.window.setStatusBarMessage(`Module Lens: the model server now runs on ${info.backend}`, 10_000);
  return info.backend;
}

/** Keeps the `hasModels`/`hasCodeModels` context keys current, for the palette's `when` clauses. */
export function trackModelContext(server: ModelServer, log: vscode.LogOutputChannel): { update(): Promise<void>; subscription: vscode.Disposable } {
  const update = async () => {
    try {
      const { models } = await server.listModels();
      await vscode.commands.executeCommand('setContext', HAS_MODELS_CONTEXT, models.length > 0);
      await vscode.commands.executeCommand('setContext', HAS_CODE_MODELS_CONTEXT, models.some((m) => isCodeFile(m.file)));
    } catch (err) {
      log.warn(`Could not list models: ${(err as Error).message}`);
    }
  };
  return { update, subscription: vscode.Disposable.from(server.onModelsChanged(() => void update()), server.onRestored(() => void update())) };
}

/**
 * Registers the sidebar commands, the state dict documents and the Hooks view's checkboxes.
 *
 * @param report - turns a failure into one notification (commands resolve to `undefined` then)
 */
export function registerSidebarCommands(deps: SidebarDeps, hooksView: vscode.TreeView<HookEntry>, report: Report): vscode.Disposable[] {
  /** Registers a command that returns its result to callers (tests), reporting failures as notifications. */
  const register = <A extends unknown[], R>(id: string, fn: (...args: A) => Promise<R>) =>
    vscode.commands.registerCommand(id, async (...args: A) => {
      let result: R | undefined;
      await report(async () => { result = await fn(...args); })();
      return result;
    });
  const { server, hooksTree, modulesTree } = deps;
  const documents = new StateDictDocuments(server);
  return [
    documents,
    vscode.workspace.registerTextDocumentContentProvider(STATE_DICT_SCHEME, documents),
    hooksView.onDidChangeCheckboxState((e) => void report(async () => {
      for (const [hook, state] of e.items) await hooksTree.setEnabled(hook, state === vscode.TreeItemCheckboxState.Checked);
    })()),
    register(SidebarCommands.attachHook, (arg?: unknown) => attachHook(deps, arg, false)),
    register(SidebarCommands.addHookBreakpoint, (arg?: unknown) => attachHook(deps, arg, true)),
    register(SidebarCommands.removeHooks, async (arg?: unknown) => {
      const target = await pickModule(server, arg, 'Remove Hooks');
      return target ? hooksTree.removeAll((h) => h.modelId === target.modelId && h.path === target.path) : 0;
    }),
    register(SidebarCommands.removeAllHooks, () => hooksTree.removeAll()),
    ...registerBreakpointOptionCommands(hooksTree, register),
    register(SidebarCommands.removeHook, async (hook?: HookInfo) => {
      if (typeof hook?.hookId === 'number') await hooksTree.remove(hook);
    }),
    register(SidebarCommands.revealHook, async (hook?: unknown) => (isModuleRef(hook) ? revealModule(deps, hook) : false)),
    register(SidebarCommands.showOutputInPanel, (node?: unknown) => showInPanel(deps, node, 'module')),
    register(SidebarCommands.showTensorInPanel, (node?: unknown) => showInPanel(deps, node, 'tensor')),
    register(SidebarCommands.copyPath, async (node?: unknown) => {
      const ref = node as { path?: unknown; modelId?: unknown } | undefined;
      if (typeof ref?.path !== 'string') return undefined;
      let text = ref.path;
      if (text === '') text = (await server.listModels()).models.find((m) => m.modelId === ref.modelId)?.rootType ?? '';
      await vscode.env.clipboard.writeText(text);
      void vscode.window.setStatusBarMessage(`Module Lens: copied ${text}`, 5_000);
      return text;
    }),
    register(SidebarCommands.goToDefinition, (arg?: unknown) => goToDefinition(deps, arg)),
    register(SidebarCommands.exportTensorNpy, (arg?: unknown, file?: string) => exportTensorNpy(deps, arg, file)),
    register(SidebarCommands.showStateDict, (arg?: unknown) => showStateDict(deps, arg)),
    register(SidebarCommands.exportStateDict, (arg?: unknown, file?: string) => exportStateDict(deps, arg, file)),
    register(SidebarCommands.loadStateDict, (arg?: unknown, file?: unknown, options?: LoadStateDictOptions) => loadStateDict(deps, arg, file, options)),
    register(SidebarCommands.selectBackend, (arg?: unknown) => selectBackend(deps, arg)),
    register(SidebarCommands.loadMore, async (more?: MoreNode) => {
      if (more?.kind === 'more') modulesTree.loadMore(more);
    }),
  ];
}
