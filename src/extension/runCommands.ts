/**
 * Running models and attaching hooks: Run Forward, Run Forward and Backward,
 * Stop, Continue, and the hook commands on module rows. Runs show cancellable
 * progress; Cancel stops the run in the server. A model file without an
 * `input()` export is run on an input the user confirms: a random tensor of
 * the shape the server inferred, another shape, or a `.npy`/`.json` file.
 */
import * as vscode from 'vscode';
import type { HookKind, ModelInfo, RunInput, RunResult } from '../protocol';
import { describeInput, parseShape } from './runInputs';
import type { ModelServer } from './serverClient';
import { pickModel, pickModule } from './targets';

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

/** What a caller (a test, another extension) can pass to the run commands instead of answering prompts. */
export interface RunOptions {
  readonly input?: RunInput;
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
    // An interrupted run (the server or its engine went away) says so.
    case 'stopped': return result.error ? `${what} was stopped (${result.error})` : `${what} was stopped`;
    case 'failed': return `${what} failed: ${result.error}`;
  }
}

/** The input chosen last for each model, offered first next time. */
const lastInputs = new Map<string, RunInput>();

type InputItem = vscode.QuickPickItem & { readonly choose: () => Promise<RunInput | undefined> };

/**
 * The input for a run of `model`: the one given, the model file's `input()` when it exports
 * one, else the user's choice among a random input of the inferred shape, another shape,
 * or a `.npy`/`.json` file.
 *
 * @returns the input, or `undefined` when the user cancelled
 */
export async function chooseRunInput(model: ModelInfo, given?: RunInput): Promise<RunInput | undefined> {
  if (given) return given;
  const info = model.input;
  if (!info || info.exported) return { source: 'default' };
  const items: InputItem[] = [];
  const last = lastInputs.get(model.modelId);
  if (last) items.push({ label: `$(history) Same as last time: ${describeInput(last)}`, choose: async () => last });
  if (info.shapes.length === 1) {
    const shape = info.shapes[0];
    items.push({
      label: `$(symbol-array) Random input [${shape.join(', ')}]`,
      description: info.basis ? `from ${info.basis}` : undefined,
      choose: async () => ({ source: 'random', shape }),
    });
  } else if (info.shapes.length > 1) {
    items.push({
      label: `$(symbol-array) Random inputs ${info.shapes.map((s) => `[${s.join(', ')}]`).join(', ')}`,
      description: info.basis ? `from ${info.basis}` : undefined,
      choose: async () => ({ source: 'default' }),
    });
  }
  items.push(
    {
      label: '$(edit) Random input of another shape…',
      choose: async () => {
        const text = await vscode.window.showInputBox({
          title: `Input shape for ${model.rootType}`,
          prompt: 'Dimensions separated by commas, batch first (values are drawn from a standard normal)',
          value: info.shapes[0]?.join(', ') ?? '1, ',
          validateInput: (v) => { const s = parseShape(v); return typeof s === 'string' ? s : undefined; },
        });
        const shape = text === undefined ? undefined : parseShape(text);
        return Array.isArray(shape) ? { source: 'random', shape } : undefined;
      },
    },
    {
      label: '$(file) From a file…',
      description: '.npy or .json (a nested array)',
      choose: async () => {
        const picked = await vscode.window.showOpenDialog({
          title: `Input for ${model.rootType}`, openLabel: 'Use as Input', canSelectMany: false,
          defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri, filters: { 'Tensors': ['npy', 'json'] },
        });
        return picked?.[0] ? { source: 'file', file: picked[0].fsPath } : undefined;
      },
    },
  );
  const picked = await vscode.window.showQuickPick(items, {
    title: `${model.rootType} exports no input(): run it on…`,
    placeHolder: info.shapes.length ? 'Confirm the random input, or choose another' : 'The input shape could not be inferred: choose an input',
  });
  const input = await picked?.choose();
  if (input) lastInputs.set(model.modelId, input);
  return input;
}

async function run(server: ModelServer, node: unknown, kind: 'forward' | 'backward', options?: RunOptions): Promise<RunResult | undefined> {
  const model = await pickModel(server, node, `Run ${kind === 'forward' ? 'Forward' : 'Forward and Backward'}`);
  if (!model) return undefined;
  const input = await chooseRunInput(model, options?.input);
  if (!input) return undefined;
  const result = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Module Lens: running ${model.rootType} ${kind === 'forward' ? 'forward' : 'forward and backward'}` +
        (input.source === 'default' ? '' : ` on ${describeInput(input)}`),
      cancellable: true,
    },
    (_progress, token) => {
      const sub = token.onCancellationRequested(() => void server.stop());
      return server.run({ modelId: model.modelId, kind, input }).finally(() => sub.dispose());
    },
  );
  const message = describeRun(model, result);
  if (result.state === 'failed') void vscode.window.showErrorMessage(`Module Lens: ${message}`);
  else void vscode.window.setStatusBarMessage(`Module Lens: ${message}`, 10_000);
  return result;
}

async function attach(server: ModelServer, node: unknown, kind: HookKind): Promise<void> {
  const words = { pre: 'Forward Pre-Hook', forward: 'Forward Hook', backward: 'Backward Hook' }[kind];
  const target = await pickModule(server, node, `Attach ${words} to…`);
  if (target) await server.attachHook({ modelId: target.modelId, path: target.path, kind });
}

/** Registers the run and hook commands, and keeps the running/paused context keys current. */
export function registerRunCommands(server: ModelServer, reporting: <A extends unknown[]>(fn: (...a: A) => PromiseLike<unknown>) => (...a: A) => Promise<void>): vscode.Disposable[] {
  const setContext = (key: string, value: boolean) => void vscode.commands.executeCommand('setContext', key, value);
  // Run commands return the result (for tests and other extensions); failures still become one notification.
  const runCommand = (kind: 'forward' | 'backward') => async (node?: unknown, options?: RunOptions) => {
    let result: RunResult | undefined;
    await reporting(async () => { result = await run(server, node, kind, options); })();
    return result;
  };
  return [
    vscode.commands.registerCommand(RunCommands.runForward, runCommand('forward')),
    vscode.commands.registerCommand(RunCommands.runBackward, runCommand('backward')),
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
