/**
 * What a command acts on. Commands run from a tree row get the row's node;
 * from the palette they get nothing and ask; tests (and other extensions) pass
 * plain objects such as `{ modelId, path }`. These helpers turn any of those
 * into a model or a module, asking the user only for what is missing.
 */
import * as vscode from 'vscode';
import type { BufferNode, ModelInfo, ModuleListing, ParameterNode } from '../protocol';
import type { ModelServer } from './serverClient';

/** A module named by model and dotted path (a tree node has both). */
export interface ModuleRef {
  readonly modelId: string;
  readonly path: string;
}

/** A parameter or buffer, as its tree row (or a caller) names it. */
export interface TensorRef extends ModuleRef {
  readonly kind: 'parameter' | 'buffer';
}

function hasModelId(arg: unknown): arg is { modelId: string } {
  return typeof arg === 'object' && arg !== null && typeof (arg as { modelId?: unknown }).modelId === 'string';
}

/** True when `arg` names a module: a module row, or `{modelId, path}` without another `kind`. */
export function isModuleRef(arg: unknown): arg is ModuleRef {
  if (!hasModelId(arg) || typeof (arg as { path?: unknown }).path !== 'string') return false;
  const kind = (arg as { kind?: unknown }).kind;
  return kind === undefined || kind === 'module' || kind === 'pre' || kind === 'forward' || kind === 'backward';
}

/** True when `arg` names a parameter or buffer. */
export function isTensorRef(arg: unknown): arg is TensorRef {
  const kind = (arg as { kind?: unknown } | undefined)?.kind;
  return hasModelId(arg) && typeof (arg as { path?: unknown }).path === 'string' && (kind === 'parameter' || kind === 'buffer');
}

/**
 * The model a command acts on: the one `arg` names (any object with a `modelId`), the only
 * open one, or the user's choice.
 *
 * @returns the model, or `undefined` when none is open or the user cancelled
 */
export async function pickModel(server: ModelServer, arg: unknown, title: string): Promise<ModelInfo | undefined> {
  const { models } = await server.listModels();
  if (hasModelId(arg)) {
    const model = models.find((m) => m.modelId === arg.modelId);
    if (!model) throw new Error(`model ${arg.modelId} is no longer open.`);
    return model;
  }
  if (models.length === 0) {
    void vscode.window.showInformationMessage('Module Lens: open a model first.');
    return undefined;
  }
  if (models.length === 1) return models[0];
  const picked = await vscode.window.showQuickPick(
    models.map((m) => ({ label: m.rootType, description: vscode.workspace.asRelativePath(m.file), model: m })),
    { title, placeHolder: 'Which model?' },
  );
  return picked?.model;
}

/** The quick pick row of a module: its path (or the root's type) and its class and mode. */
function moduleItem(model: ModelInfo, m: ModuleListing): vscode.QuickPickItem & { ref: ModuleRef } {
  return {
    label: m.path === '' ? model.rootType : m.path,
    description: `${m.type} · ${m.training ? 'train' : 'eval'}${m.path === '' ? ' · root' : ''}`,
    ref: { modelId: model.modelId, path: m.path },
  };
}

/**
 * The module a command acts on: `arg` when it names one, else the user's pick among every
 * module of a model (a quick pick with fuzzy search over the dotted paths).
 *
 * @returns the module, or `undefined` when the user cancelled
 */
export async function pickModule(server: ModelServer, arg: unknown, title: string): Promise<ModuleRef | undefined> {
  if (isModuleRef(arg)) return { modelId: arg.modelId, path: arg.path };
  const model = await pickModel(server, arg, title);
  if (!model) return undefined;
  const { modules } = await server.listModules({ modelId: model.modelId });
  const picked = await vscode.window.showQuickPick(modules.map((m) => moduleItem(model, m)), {
    title,
    placeHolder: `Type to search the ${modules.length} modules of ${model.rootType} by path`,
    matchOnDescription: true,
  });
  return picked?.ref;
}

/**
 * The parameter or buffer a command acts on: `arg` when it names one, else the user's pick
 * among every parameter and buffer of a model, by state-dict name.
 *
 * @returns the tensor, or `undefined` when the user cancelled
 */
export async function pickTensor(server: ModelServer, arg: unknown, title: string): Promise<TensorRef | undefined> {
  if (isTensorRef(arg)) return { kind: arg.kind, modelId: arg.modelId, path: arg.path };
  const model = await pickModel(server, arg, title);
  if (!model) return undefined;
  const { modules } = await server.listModules({ modelId: model.modelId, tensors: true });
  const tensors: (ParameterNode | BufferNode)[] = modules.flatMap((m) => [...(m.parameters ?? []), ...(m.buffers ?? [])]);
  if (tensors.length === 0) {
    void vscode.window.showInformationMessage(`Module Lens: ${model.rootType} has no parameters or buffers.`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(tensors.map((t) => ({
    label: t.path,
    description: `${t.kind} · [${t.shape.join(', ')}] ${t.dtype}`,
    ref: { kind: t.kind, modelId: model.modelId, path: t.path } as TensorRef,
  })), { title, placeHolder: `Type to search the ${tensors.length} parameters and buffers of ${model.rootType}`, matchOnDescription: true });
  return picked?.ref;
}
