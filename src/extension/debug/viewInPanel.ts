/**
 * "View in Captures Panel" in the Variables view of a paused `module-lens`
 * session: VS Code passes the clicked variable (`{sessionId, container,
 * variable}`); the adapter maps its `variablesReference` to the tensor it
 * stands for (custom request {@link PANEL_TARGET_REQUEST}), and the panel is
 * focused on it: the paused event's card, or a parameter/buffer snapshot.
 */
import * as vscode from 'vscode';
import { PANEL_TARGET_REQUEST } from './moduleLensDebugSession';

/** The command id, as contributed in package.json (`debug/variables/context`). */
export const VIEW_IN_PANEL_COMMAND = 'moduleLens.viewInCapturesPanel';

/** The Captures panel's focus command. */
const SHOW_IN_PANEL_COMMAND = 'moduleLens.showInPanel';

/** What VS Code passes to a `debug/variables/context` command. */
interface VariableContext {
  readonly sessionId?: string;
  readonly variable?: { readonly name?: string; readonly variablesReference?: number };
}

/** The debug session a variable belongs to (the active one, or the one of that id). */
function sessionOf(arg: VariableContext, debugType: string): vscode.DebugSession | undefined {
  const active = vscode.debug.activeDebugSession;
  const session = active && (arg.sessionId === undefined || active.id === arg.sessionId) ? active : undefined;
  return session?.type === debugType ? session : undefined;
}

/**
 * Registers the command.
 * @returns the disposable; the command resolves to what the panel was asked to show
 */
export function registerViewInPanel(debugType: string): vscode.Disposable {
  return vscode.commands.registerCommand(VIEW_IN_PANEL_COMMAND, async (arg?: VariableContext) => {
    try {
      const reference = arg?.variable?.variablesReference;
      const session = arg ? sessionOf(arg, debugType) : undefined;
      if (!session || typeof reference !== 'number' || reference <= 0) {
        throw new Error('choose a tensor in the Variables view of a paused Module Lens session.');
      }
      const target: unknown = await session.customRequest(PANEL_TARGET_REQUEST, { variablesReference: reference });
      return await vscode.commands.executeCommand(SHOW_IN_PANEL_COMMAND, target);
    } catch (err) {
      void vscode.window.showErrorMessage(`Module Lens: View in Captures Panel: ${(err as Error).message}`);
      return undefined;
    }
  });
}
