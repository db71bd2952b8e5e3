/**
 * Edit Condition…, Edit Hit Count… and Edit Log Message… on hook breakpoints in the Hooks
 * view: the options VS Code's Breakpoints view offers for any breakpoint, for breakpoints set
 * from the tree without a debug session. From the palette they ask which breakpoint; a value
 * passed as the second argument is used instead of asking (the integration tests pass it).
 */
import * as vscode from 'vscode';
import type { HookInfo } from '../protocol';
import { hookKindText, type HookEntry } from './hookItems';
import type { BreakpointOptions, HooksTreeProvider } from './hooksTreeProvider';

/** Command ids, as contributed in package.json. */
export const BreakpointOptionCommands = {
  editCondition: 'moduleLens.editHookCondition',
  editHitCount: 'moduleLens.editHookHitCount',
  editLogMessage: 'moduleLens.editHookLogMessage',
} as const;

type Option = keyof BreakpointOptions;

const PROMPTS: Readonly<Record<Option, { title: string; prompt: string; placeHolder: string }>> = {
  condition: {
    title: 'Edit Condition',
    prompt: 'Stop only when this expression is true. `args`, `output`, `gradInput` and `gradOutput` have shape, min, max, mean, std, hasNaN, hasInf. Empty removes it.',
    placeHolder: 'output.hasNaN',
  },
  hitCondition: {
    title: 'Edit Hit Count',
    prompt: 'Stop only on these hits: a count (3), >= 3, > 3, <= 3, < 3 or % 10. Empty removes it.',
    placeHolder: '>= 3',
  },
  logMessage: {
    title: 'Edit Log Message',
    prompt: 'Log this message to the Debug Console instead of stopping; {expression} parts are evaluated, e.g. {output.mean}. Empty makes it stop again.',
    placeHolder: 'mean {output.mean}',
  },
};

function where(h: HookInfo): string {
  return h.path === '' ? 'the root module' : h.path;
}

async function pickBreakpoint(hooksTree: HooksTreeProvider, arg: unknown, title: string): Promise<HookEntry | undefined> {
  const given = arg as Partial<HookInfo> | undefined;
  if (typeof given?.hookId === 'number') return hooksTree.hooks.find((h) => h.hookId === given.hookId) ?? (given as HookEntry);
  const breakpoints = (await hooksTree.refresh()).filter((h) => h.breakpoint);
  if (breakpoints.length === 0) {
    void vscode.window.showInformationMessage('Module Lens: there is no hook breakpoint. Add one with "Add Hook Breakpoint…" on a module.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    breakpoints.map((h) => ({ label: h.path === '' ? (h.modelName ?? 'root') : h.path, description: hookKindText(h.kind, true), hook: h })),
    { title: `Module Lens: ${title}`, placeHolder: 'Which hook breakpoint?', matchOnDescription: true },
  );
  return picked?.hook;
}

/** Asks for (or takes) one option's new value and applies it; resolves with the updated hook. */
async function editOption(hooksTree: HooksTreeProvider, option: Option, arg: unknown, value: unknown): Promise<HookInfo | undefined> {
  const prompt = PROMPTS[option];
  const hook = await pickBreakpoint(hooksTree, arg, prompt.title);
  if (!hook) return undefined;
  const text = typeof value === 'string' ? value : await vscode.window.showInputBox({
    title: `Module Lens: ${prompt.title} (${hookKindText(hook.kind, true)} on ${where(hook)})`,
    prompt: prompt.prompt,
    placeHolder: prompt.placeHolder,
    value: hook[option] ?? '',
  });
  if (text === undefined) return undefined;
  const options: BreakpointOptions = { condition: hook.condition, hitCondition: hook.hitCondition, logMessage: hook.logMessage, [option]: text.trim() || undefined };
  const updated = await hooksTree.setOptions(hook, options);
  if (updated.message) void vscode.window.showWarningMessage(`Module Lens: the breakpoint on ${where(hook)}: ${updated.message}`);
  return updated;
}

/**
 * The three commands, registered with `register` (which reports failures and returns results).
 */
export function registerBreakpointOptionCommands(
  hooksTree: HooksTreeProvider,
  register: (id: string, fn: (arg?: unknown, value?: unknown) => Promise<HookInfo | undefined>) => vscode.Disposable,
): vscode.Disposable[] {
  return [
    register(BreakpointOptionCommands.editCondition, (arg, value) => editOption(hooksTree, 'condition', arg, value)),
    register(BreakpointOptionCommands.editHitCount, (arg, value) => editOption(hooksTree, 'hitCondition', arg, value)),
    register(BreakpointOptionCommands.editLogMessage, (arg, value) => editOption(hooksTree, 'logMessage', arg, value)),
  ];
}
