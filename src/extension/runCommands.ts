/**
 * Running models and attaching hooks: Run Forward, Run Forward and Backward,
 * Stop, and the hook commands on tree rows. Runs show cancellable progress;
 * Cancel stops the run in the server.
 */
import * as vscode from 'vscode';
import type { HookKind, ModelInfo, ModuleNode, NodeInfo, RunResult } from '../protocol';
import type { ModelServer } from './serverClient';

/** Command ids, as contributed in package.json. */
export const RunCommands = {
  runForward: 'moduleLens.runForward',
  runBackward: 'moduleLens.runBackward',
  stop: 'moduleLens.stop',
  continue: 'moduleLens.continue',
  attachForwardHook: 'moduleLens.attachForwardHook',
  attachPreHook: 'moduleLens.attachPreHook',
  attachBackwardHook: 'moduleLens.attachBackwardHook',
} as const;

/** The context key menus use to show Stop only while a run is active. */
export const RUNNING_CONTEXT = 'moduleLens.running';
/** The context key for Continue while a run is paused. */
export const PAUSED_CONTEXT = 'moduleLens.paused';

/** Picks the model to run: the tree row's, the only open one, or the user's choice. */
async function chooseModel(server: ModelServer, node: unknown): Promise<ModelInfo | undefined> {
  const models = (await server.listModels()).models;
  const fromNode = (node as NodeInfo | undefined)?.modelId;
  if (fromNode) return models.find((m) => m.modelId === fromNode);
  if (models.length <= 1) return models[0];
  const picked = await vscode.window.showQuickPick(models.map((m) => ({ label: m.rootType, description: m.file, model: m })), { title: 'Run which model?' });
  return picked?.model;
}

/** One line for the status/notification after a run. */
export function describeRun(model: ModelInfo, result: RunResult): string {
  const what = `${model.rootType} run ${result.runId}`;
  switch (result.state) {
    case 'finished': {
      const out = result.output ? `output [${result.output.shape.join(', ')}]` : 'no tensor output';
      const nonFinite = result.output && (result.output.stats.nan > 0 || result.output.stats.inf > 0) ? ' with NaN/Inf' : '';
      const loss = result.loss !== undefined ? `, loss ${result.loss.toPrecision(6)}` : '';
      return `${what} finished in ${result.durationMs.toFixed(0)} ms: ${out}${nonFinite}${loss}, ${result.events} hook event(s)`;
    }
    case 'stopped': return `${what} was stopped`;
    case 'failed': return `${what} failed: ${result.error}`;
  }
}

async function run(server: ModelServer, node: unknown, kind: 'forward' | 'backward'): Promise<void> {
  const model = await chooseModel(server, node);
  if (!model) {
    void vscode.window.showInformationMessage('Module Lens: open a model first.');
    return;
  }
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Module Lens: running ${model.rootType} ${kind === 'forward' ? 'forward' : 'forward and backward'}`, cancellable: true },
    (_progress, token) => {
      const sub = token.onCancellationRequested(() => void server.stop());
      return server.run({ modelId: model.modelId, kind }).finally(() => sub.dispose());
    },
  );
  const message = describeRun(model, result);
  if (result.state === 'failed') void vscode.window.showErrorMessage(`Module Lens: ${message}`);
  else void vscode.window.setStatusBarMessage(`Module Lens: ${message}`, 10_000);
}

async function attach(server: ModelServer, node: unknown, kind: HookKind): Promise<void> {
  const target = node as ModuleNode | undefined;
  if (target?.kind !== 'module') {
    void vscode.window.showInformationMessage('Module Lens: choose a module in the Modules view to attach a hook to.');
    return;
  }
  await server.attachHook({ modelId: target.modelId, path: target.path, kind });
}

/** Registers the run and hook commands, and keeps the running/paused context keys current. */
export function registerRunCommands(server: ModelServer, reporting: <A extends unknown[]>(fn: (...a: A) => PromiseLike<unknown>) => (...a: A) => Promise<void>): vscode.Disposable[] {
  const setContext = (key: string, value: boolean) => void vscode.commands.executeCommand('setContext', key, value);
  return [
    vscode.commands.registerCommand(RunCommands.runForward, reporting((node?: unknown) => run(server, node, 'forward'))),
    vscode.commands.registerCommand(RunCommands.runBackward, reporting((node?: unknown) => run(server, node, 'backward'))),
    vscode.commands.registerCommand(RunCommands.stop, reporting(() => server.stop())),
    vscode.commands.registerCommand(RunCommands.continue, reporting(() => server.resume('continue'))),
    vscode.commands.registerCommand(RunCommands.attachForwardHook, reporting((node?: unknown) => attach(server, node, 'forward'))),
    vscode.commands.registerCommand(RunCommands.attachPreHook, reporting((node?: unknown) => attach(server, node, 'pre'))),
    vscode.commands.registerCommand(RunCommands.attachBackwardHook, reporting((node?: unknown) => attach(server, node, 'backward'))),
    server.onRunState((s) => {
      setContext(RUNNING_CONTEXT, s.state === 'running' || s.state === 'paused');
      setContext(PAUSED_CONTEXT, s.state === 'paused');
    }),
  ];
}
