/**
 * The Captures panel: a webview beside the editor that shows the model
 * server's hook events as they arrive. This side keeps the event log (a ring
 * buffer of `moduleLens.panel.maxEvents` events, from the moment the panel
 * opens until it is closed), replays it whenever the webview (re)loads, streams
 * new events, and answers the webview's requests for tensor values, pins,
 * Clear, run control and exports.
 *
 * The webview is never kept alive while hidden (no `retainContextWhenHidden`):
 * it reloads on reveal, posts `ready`, and gets the log again; a serializer
 * brings the panel back after a window reload, and the webview keeps its own
 * view state (filters, expanded rows, the last focus) with `setState`.
 *
 * "Show in Panel" ({@link CapturesPanel.focus}) resolves its target here (an
 * event of the log, or a snapshot read from the server) and sends a `focus`
 * message; while the webview is hidden or loading, the focus waits and goes
 * out right after the `ready` handshake's replay.
 */
import * as vscode from 'vscode';
import {
  assertNever, isWebviewToExtensionMessage, WEBVIEW_PROTOCOL_VERSION,
  type CaptureEvent, type ExtensionToWebviewMessage, type FocusShownMessage, type FocusTarget, type RunStateParams,
  type WebviewToExtensionMessage,
} from '../../protocol';
import type { ModelServer } from '../serverClient';
import { eventsJson, fileSafe, runSafetensors, tensorNpy } from './captureExports';
import { EventLog, type LogEntry } from './eventLog';
import { makeNonce, panelHtml } from './panelHtml';
import { resolveFocus } from './focusResolution';
import { parsePanelTarget, type PanelTarget } from './panelTarget';
import { RunHistory } from './runHistory';
import { SnapshotStore } from './snapshots';
import { npyBytes } from './tensorFileBytes';
import { keepValues, readValues } from './tensorValues';

/** The panel's webview type, as the serializer and the `onWebviewPanel` activation event name it. */
export const CAPTURES_VIEW_TYPE = 'moduleLens.captures';

/** Command ids, as contributed in package.json. */
export const CapturesCommands = {
  show: 'moduleLens.showCaptures',
  clear: 'moduleLens.clearCaptures',
  /** Opens the panel focused on a {@link PanelTarget}; resolves to the focus sent. */
  showInPanel: 'moduleLens.showInPanel',
} as const;

/** The Modules view's command that attaches a hook (the panel's "Attach Forward Hook" button runs it). */
const ATTACH_HOOK_COMMAND = 'moduleLens.attachHook';

/** The setting for the ring buffer's size. */
export const MAX_EVENTS_SETTING = 'moduleLens.panel.maxEvents';
const DEFAULT_MAX_EVENTS = 2000;

function maxEventsSetting(): number {
  const n = vscode.workspace.getConfiguration().get<number>(MAX_EVENTS_SETTING, DEFAULT_MAX_EVENTS);
  return Number.isFinite(n) && n >= 1 ? Math.floor(n) : DEFAULT_MAX_EVENTS;
}

/** One open panel and the log it shows. */
interface Session {
  readonly panel: vscode.WebviewPanel;
  readonly log: EventLog;
  /** Changes with every new log, so the webview drops view state that names events of an older one. */
  readonly logId: string;
  /** The webview has posted `ready` since it last (re)loaded. */
  ready: boolean;
  /** Copies of pinned events' values still being fetched; Clear waits for them. */
  readonly copies: Set<Promise<unknown>>;
  /** Tensors shown outside the event list, by snapshot id. */
  readonly snapshots: SnapshotStore;
  /** A focus asked for while the webview was hidden or loading: sent after `ready` and the replay. */
  pendingFocus: FocusTarget | undefined;
  readonly subscriptions: vscode.Disposable[];
}

/** Asks where to save (suggesting `defaultName` in the first workspace folder) and writes `bytes`; `false` if cancelled. */
async function saveWithDialog(defaultName: string, filters: Record<string, string[]>, bytes: () => Promise<Uint8Array>): Promise<boolean> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const uri = await vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, defaultName) : undefined,
    filters,
    title: `Module Lens: save ${defaultName}`,
  });
  if (!uri) return false;
  await vscode.workspace.fs.writeFile(uri, await bytes());
  return true;
}

export class CapturesPanel implements vscode.Disposable {
  private session: Session | undefined;
  private lastRunState: RunStateParams | null = null;
  private readonly modelNames = new Map<string, string>();
  private readonly runs = new RunHistory();
  private readonly focusShownEmitter = new vscode.EventEmitter<FocusShownMessage>();
  /** What the webview reports a focus showed (logged; tests read it). */
  readonly onDidShowFocus = this.focusShownEmitter.event;
  private readonly subscriptions: vscode.Disposable[] = [this.focusShownEmitter];

  constructor(private readonly extensionUri: vscode.Uri, private readonly server: ModelServer, private readonly output: vscode.LogOutputChannel) {
    this.subscriptions.push(
      server.onCapture((e) => this.onCapture(e)),
      server.onRunState((s) => {
        this.lastRunState = s;
        this.runs.record(s);
        this.post({ type: 'runState', state: s });
      }),
      server.onModelsChanged(() => void this.refreshModelNames()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(MAX_EVENTS_SETTING) || !this.session) return;
        this.session.log.resize(maxEventsSetting());
        this.replay();
      }),
      vscode.commands.registerCommand(CapturesCommands.show, () => this.show()),
      vscode.commands.registerCommand(CapturesCommands.clear, () => this.clear()),
      vscode.commands.registerCommand(CapturesCommands.showInPanel, async (arg?: unknown) => {
        const target = parsePanelTarget(arg);
        if (!target) throw new Error('Show in Panel needs a module, a parameter or buffer, or a captured tensor.');
        return this.focus(target);
      }),
      vscode.window.registerWebviewPanelSerializer(CAPTURES_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel: vscode.WebviewPanel) => this.adopt(panel),
      }),
    );
  }

  /** The open panel's log (for tests), or `undefined` when the panel is closed. */
  get log(): EventLog | undefined {
    return this.session?.log;
  }

  /** True once the open panel's webview has posted `ready` (for tests). */
  get webviewReady(): boolean {
    return this.session?.ready ?? false;
  }

  /** The open panel (for tests). */
  get webviewPanel(): vscode.WebviewPanel | undefined {
    return this.session?.panel;
  }

  /** Opens the panel beside the editor, or reveals it. */
  show(): void {
    if (this.session) {
      this.session.panel.reveal(undefined, false);
      return;
    }
    const panel = vscode.window.createWebviewPanel(CAPTURES_VIEW_TYPE, 'Captures', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, this.webviewOptions());
    this.adopt(panel);
  }

  /**
   * Opens or reveals the panel and brings `target` into view: a module's newest event (or a
   * notice with an "attach hook" button when it has none), a parameter's or buffer's current
   * value as a snapshot card, or a captured tensor's card. Sent at once when the webview is
   * listening, else queued until its `ready` has been answered.
   * @returns the focus sent to the webview
   */
  async focus(target: PanelTarget): Promise<FocusTarget> {
    this.show();
    const s = this.session!;
    const focus = await resolveFocus(target, {
      log: s.log, snapshots: s.snapshots, runs: this.runs,
      read: (p) => this.server.getTensor(p), modelName: (id) => this.modelName(id),
    });
    if (this.session !== s) throw new Error('the Captures panel was closed');
    if (s.ready) this.post({ type: 'focus', target: focus });
    else s.pendingFocus = focus;
    return focus;
  }

  /** Drops every unpinned event and releases the server's captured tensors (pinned events keep copies). */
  async clear(): Promise<void> {
    const s = this.session;
    if (s) {
      await Promise.allSettled([...s.copies]);
      s.log.clear();
      this.replay();
    }
    await this.server.clearCaptures();
  }

  dispose(): void {
    this.session?.panel.dispose();
    for (const d of this.subscriptions.splice(0)) d.dispose();
  }

  private webviewOptions(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      enableFindWidget: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    };
  }

  /** Takes over a new or restored panel: HTML, messages, lifetime. */
  private adopt(panel: vscode.WebviewPanel): void {
    this.session?.panel.dispose();
    panel.webview.options = this.webviewOptions();
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'module-lens.svg');
    const session: Session = {
      panel, log: new EventLog(maxEventsSetting()), logId: makeNonce(), ready: false, copies: new Set(),
      snapshots: new SnapshotStore(), pendingFocus: undefined, subscriptions: [],
    };
    this.session = session;
    session.subscriptions.push(
      panel.webview.onDidReceiveMessage((m: unknown) => void this.receive(session, m)),
      // Hidden, the webview is torn down; it posts `ready` again when it comes back.
      panel.onDidChangeViewState(() => {
        if (!panel.visible) session.ready = false;
      }),
      panel.onDidDispose(() => {
        for (const d of session.subscriptions.splice(0)) d.dispose();
        if (this.session === session) this.session = undefined;
        this.release(session);
      }),
    );
    panel.webview.html = this.html(panel.webview);
    void this.refreshModelNames();
  }

  /**
   * Handles a message as if the open panel's webview had posted it (tests use this for the
   * page's buttons, which the extension host cannot click).
   */
  receiveFromWebview(m: unknown): Promise<void> {
    return this.session ? this.receive(this.session, m) : Promise.resolve();
  }

  private async receive(session: Session, m: unknown): Promise<void> {
    if (!isWebviewToExtensionMessage(m)) {
      this.output.warn(`Captures panel: ignored a malformed message ${JSON.stringify(m)?.slice(0, 200)}`);
      return;
    }
    await this.onMessage(session, m).catch((err: Error) => this.output.error(`Captures panel: ${m.type} failed: ${err.message}`));
  }

  private html(webview: vscode.Webview): string {
    return panelHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'captures.css')).toString(),
      codiconsUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'codicon.css')).toString(),
    });
  }

  /** Sends a message if the webview is listening; before `ready` it would be lost, and `ready` replays anyway. */
  private post(message: ExtensionToWebviewMessage): void {
    const s = this.session;
    if (!s?.ready) return;
    void s.panel.webview.postMessage(message).then(undefined, () => undefined);
  }

  private replay(): void {
    const s = this.session;
    if (!s) return;
    this.post({
      type: 'reset', logId: s.logId, events: s.log.events(), evicted: s.log.evicted, maxEvents: s.log.capacity, runState: this.lastRunState,
      focusFollows: s.pendingFocus !== undefined,
    });
  }

  private onCapture(e: CaptureEvent): void {
    const s = this.session;
    if (!s) return;
    const { entry, evicted } = s.log.add(e, this.modelNames.get(e.modelId) ?? e.modelId);
    this.post({ type: 'capture', event: entry.panel, evicted: s.log.evicted });
    // What the panel no longer shows, the server need not keep.
    const ids = evicted.flatMap((old) => old.panel.event.tensors.map((t) => t.tensorId)).filter((id): id is string => typeof id === 'string');
    if (ids.length) void this.server.releaseTensors(ids).catch(() => undefined);
  }

  /**
   * A closed panel's events are gone, so the server need not keep their tensors (pinned events
   * hold copies of their values in the extension). During a run the worker frees them once the
   * run ends or pauses no more; a server that is gone has nothing left to free, so failures are not errors.
   */
  private release(s: Session): void {
    const ids = s.log.entries().flatMap((e) => e.panel.event.tensors.map((t) => t.tensorId)).filter((id): id is string => typeof id === 'string');
    if (ids.length) void this.server.releaseTensors(ids).catch(() => undefined);
  }

  private async modelName(modelId: string): Promise<string> {
    if (!this.modelNames.has(modelId)) await this.refreshModelNames();
    return this.modelNames.get(modelId) ?? modelId;
  }

  private async refreshModelNames(): Promise<void> {
    try {
      for (const m of (await this.server.listModels()).models) this.modelNames.set(m.modelId, m.rootType);
    } catch {
      // The server is not up yet; names are looked up again when models change.
    }
  }

  private entry(s: Session, eventId: number): LogEntry {
    const entry = s.log.get(eventId);
    if (!entry) throw new Error(`event ${eventId} is no longer kept`);
    return entry;
  }

  private async onMessage(s: Session, m: WebviewToExtensionMessage): Promise<void> {
    const read = (p: Parameters<ModelServer['getTensor']>[0]) => this.server.getTensor(p);
    switch (m.type) {
      case 'ready':
        s.ready = true;
        this.post({ type: 'init', protocolVersion: WEBVIEW_PROTOCOL_VERSION });
        this.replay();
        if (s.pendingFocus) {
          this.post({ type: 'focus', target: s.pendingFocus });
          s.pendingFocus = undefined;
        }
        return;
      case 'error':
        this.output.error(`Captures panel: ${m.message}`);
        return;
      case 'getValues': {
        try {
          const values = await readValues(this.entry(s, m.eventId), m.slot, m.start, m.end, read);
          // A fresh array, so its buffer is exactly the values: never a view into a larger buffer.
          this.post({ type: 'values', requestId: m.requestId, start: m.start, values: values.buffer as ArrayBuffer });
        } catch (err) {
          this.post({ type: 'valuesError', requestId: m.requestId, message: (err as Error).message });
        }
        return;
      }
      case 'setPinned': {
        const changed = s.log.setPinned(m.eventId, m.pinned);
        if (changed && m.pinned) {
          const copy = keepValues(changed.entry, read).finally(() => s.copies.delete(copy));
          s.copies.add(copy);
        }
        return;
      }
      case 'clear':
        await this.clear();
        return;
      case 'runControl':
        if (m.action === 'stop') await this.server.stop();
        else await this.server.resume(m.action);
        return;
      case 'exportTensor': {
        const entry = this.entry(s, m.eventId);
        const e = entry.panel.event;
        const name = `${fileSafe(e.path)}-${e.kind}-${fileSafe(e.tensors[m.slot]?.slot ?? 'tensor')}-run${e.runId}.npy`;
        await saveWithDialog(name, { 'NumPy array': ['npy'] }, () => tensorNpy(entry, m.slot, read));
        return;
      }
      case 'exportRun': {
        const entries = s.log.run(m.runId);
        if (entries.length === 0) throw new Error(`run ${m.runId} has no events in the panel`);
        let skipped: string[] = [];
        const saved = await saveWithDialog(`run${m.runId}.safetensors`, { Safetensors: ['safetensors'] }, async () => {
          const r = await runSafetensors(entries, read);
          skipped = r.skipped;
          return r.bytes;
        });
        if (saved && skipped.length) {
          void vscode.window.showWarningMessage(`Module Lens: ${skipped.length} tensor(s) were not saved because their values are no longer kept.`);
          this.output.warn(`Run ${m.runId} export skipped: ${skipped.join('; ')}`);
        }
        return;
      }
      case 'exportEvents':
        await saveWithDialog('captures.json', { JSON: ['json'] }, async () => eventsJson(s.log));
        return;
      case 'getSnapshotValues': {
        try {
          const values = await s.snapshots.read(m.snapshotId, m.start, m.end, read);
          this.post({ type: 'values', requestId: m.requestId, start: m.start, values: values.buffer as ArrayBuffer });
        } catch (err) {
          this.post({ type: 'valuesError', requestId: m.requestId, message: (err as Error).message });
        }
        return;
      }
      case 'exportSnapshot': {
        const snapshot = s.snapshots.get(m.snapshotId);
        if (!snapshot) throw new Error(`snapshot ${m.snapshotId} is no longer kept`);
        const run = snapshot.afterRun === null ? '' : `-run${snapshot.afterRun}`;
        await saveWithDialog(`${fileSafe(snapshot.name)}${run}.npy`, { 'NumPy array': ['npy'] },
          async () => npyBytes(await s.snapshots.readAll(m.snapshotId, read), snapshot.summary.shape));
        return;
      }
      case 'attachHook':
        await vscode.commands.executeCommand(ATTACH_HOOK_COMMAND, { modelId: m.modelId, path: m.path, kind: m.kind });
        return;
      case 'focusShown':
        this.output.debug(`Captures panel: focus on a ${m.target} showed ${m.shown}: ${m.text}`);
        this.focusShownEmitter.fire(m);
        return;
      default:
        assertNever(m, 'webview message');
    }
  }
}
