/** The status-bar item that shows which tfjs backend the model server runs on. */
import * as vscode from 'vscode';
import type { ServerInfo } from '../protocol';

/** Shows "starting", the active backend, or a failure, with details in the tooltip. */
export class BackendStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('moduleLens.backend', vscode.StatusBarAlignment.Right, 100);

  /** @param command - run when the item is clicked (shows the log) */
  constructor(command: string) {
    this.item.name = 'Module Lens Backend';
    this.item.command = command;
    this.item.text = '$(sync~spin) Module Lens';
    this.item.tooltip = 'Module Lens: starting the model server…';
    this.item.show();
  }

  /** Shows the backend the server settled on and why others were skipped. */
  show(info: ServerInfo): void {
    this.item.text = `$(circuit-board) ${info.backend}`;
    this.item.tooltip = [`Module Lens backend: ${info.backend} (server pid ${info.pid})`, ...info.notes].join('\n');
    this.item.backgroundColor = undefined;
  }

  /** Marks the server as failed; the message is the one-line reason. */
  failed(message: string): void {
    this.item.text = '$(error) Module Lens';
    this.item.tooltip = `Module Lens: ${message}`;
    this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
  }

  /** The item's text, e.g. `$(circuit-board) wasm`. */
  get text(): string {
    return this.item.text;
  }

  /** The item's tooltip (backend, server pid, fallback notes). */
  get tooltip(): string {
    return typeof this.item.tooltip === 'string' ? this.item.tooltip : (this.item.tooltip?.value ?? '');
  }

  dispose(): void {
    this.item.dispose();
  }
}
