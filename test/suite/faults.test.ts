/**
 * Faults in a real extension host: the model server process SIGKILLed in the
 * middle of a run (the real language client restarts it and the extension
 * restores the session), and the Captures panel closed while hook events
 * stream in. Everything goes through the extension's commands, views and
 * language client as a user's actions would; the server is the real process.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EventLog } from '../../src/extension/captures/eventLog';
import { alive } from '../harness/processes';
import { until } from './until';

interface ModelInfo { modelId: string; rootType: string; file: string; input?: { shapes: number[][] } }
interface HookInfo { hookId: number; modelId: string; path: string; kind: string; breakpoint: boolean; hits: number; condition?: string }
interface CaptureEvent { runId: number; hookId: number; path: string; tensors: { tensorId: string | null }[] }
interface RunResult { runId: number; state: string; error?: string; events: number }

/** The parts of the extension's API these tests use. */
interface Api {
  ready: Promise<void>;
  modulesTree: vscode.TreeDataProvider<{ kind: string; modelId: string; path: string }>;
  hooksTree: { refresh(): Promise<readonly HookInfo[]> };
  backendStatus: { text: string; tooltip: string };
  server: {
    serverInfo(): Promise<{ pid: number }>;
    listModels(): Promise<{ models: ModelInfo[] }>;
    openModel(file: string): Promise<ModelInfo>;
    listModules(p: { modelId: string }): Promise<{ modules: { path: string }[] }>;
    listHooks(): Promise<readonly HookInfo[]>;
    attachHook(p: { modelId: string; path: string; kind: 'pre' | 'forward'; breakpoint?: boolean; condition?: string }): Promise<HookInfo>;
    detachHook(hookId: number): Promise<boolean>;
    closeModel(modelId: string): Promise<unknown>;
    run(p: { modelId: string; kind: 'forward' }): Promise<RunResult>;
    getTensor(p: { tensorId: string }): Promise<unknown>;
    memory(): Promise<{ numTensors: number; capturedTensors: number }>;
    onCapture: vscode.Event<CaptureEvent>;
    onRunState: vscode.Event<{ state: string; runId: number; result?: RunResult }>;
    onRestored: vscode.Event<{ models: number; hooks: number; failures: string[]; interruptedRun?: number }>;
  };
  captures: { readonly log: EventLog | undefined; readonly webviewPanel: vscode.WebviewPanel | undefined; readonly webviewReady: boolean };
}

type Shown = { level: 'error' | 'warning' | 'info'; message: string };

/**
 * Records every notification shown through `vscode.window` while it is installed. The test and
 * the extension share one API object in the extension host (the extension's folder holds both),
 * so this sees what the extension and its language client show.
 */
function recordNotifications(): { shown: Shown[]; dispose(): void } {
  const shown: Shown[] = [];
  const w = vscode.window as unknown as Record<string, (...args: unknown[]) => unknown>;
  const originals = { showErrorMessage: w.showErrorMessage, showWarningMessage: w.showWarningMessage, showInformationMessage: w.showInformationMessage };
  const levels = { showErrorMessage: 'error', showWarningMessage: 'warning', showInformationMessage: 'info' } as const;
  for (const name of Object.keys(originals) as (keyof typeof originals)[]) {
    w[name] = (...args: unknown[]) => {
      shown.push({ level: levels[name], message: String(args[0]) });
      return originals[name].apply(vscode.window, args);
    };
  }
  return { shown, dispose: () => Object.assign(w, originals) };
}

/**
 * The extension's "Module Lens" log as written to disk. The harness keeps VS Code's user data
 * next to the workspace copy (`<session>/workspace`, `<session>/user-data/logs/…`).
 */
function moduleLensLog(workspace: string): string {
  const logs = path.join(path.dirname(workspace), 'user-data', 'logs');
  const files = fs.existsSync(logs)
    ? (fs.readdirSync(logs, { recursive: true }) as string[]).filter((f) => path.basename(f).endsWith('Module Lens.log'))
    : [];
  assert.ok(files.length > 0, `no "Module Lens" log under ${logs}`);
  return files.map((f) => fs.readFileSync(path.join(logs, f), 'utf8')).join('\n');
}

/** 200 modules of about 25 ms each: a run lasts about 5 s, long enough to fault in the middle. */
const SLOW_MODEL = `import { nn, tf } from 'module-lens';

/** Busy for about 25 ms per call, like a heavy layer. */
class Slow extends nn.Module {
  override forward(x: tf.Tensor): tf.Tensor {
    const end = Date.now() + 25;
    while (Date.now() < end) { /* busy */ }
    return tf.add(x, 1);
  }
}

export default () => new nn.Sequential(...Array.from({ length: 200 }, () => new Slow()));
export const input = () => tf.zeros([2]);
`;

describe('faults: a killed model server and a panel closed mid-stream', function () {
  this.timeout(180_000);
  let api: Api;
  let workspace: string;
  let slowFile: string;
  let slow: ModelInfo;

  before(async () => {
    api = await vscode.extensions.getExtension<Api>('module-lens.module-lens')!.activate();
    await api.ready;
    workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    slowFile = path.join(workspace, 'faults-slow.ts');
    fs.writeFileSync(slowFile, SLOW_MODEL);
    await vscode.commands.executeCommand('moduleLens.openModel', slowFile);
    slow = await until('the slow model to open', async () => (await api.server.listModels()).models.find((m) => m.file === slowFile));
  });

  after(async () => {
    api.captures.webviewPanel?.dispose();
    const open = (await api.server.listModels()).models.find((m) => m.file === slowFile);
    if (open) await api.server.closeModel(open.modelId);
    fs.rmSync(slowFile, { force: true });
  });

  it('SIGKILL mid-run: the client restarts the server, restores models and hooks with their hits, says so once, and ends the run as interrupted', async () => {
    // A second model, from a model.json, with a hook that has hits before the crash.
    const cnnFile = path.join(workspace, 'cnn', 'model.json');
    await vscode.commands.executeCommand('moduleLens.openModel', cnnFile);
    const cnn = await until('the cnn model to open', async () => (await api.server.listModels()).models.find((m) => m.file === cnnFile));
    const cnnInput = { source: 'random', shape: cnn.input!.shapes[0] };
    const cnnLayer = (await api.server.listModules({ modelId: cnn.modelId })).modules[1].path;
    const observed = new Map<number, number>();
    const runStates: { state: string; runId: number; result?: RunResult }[] = [];
    const subs = [
      api.server.onCapture((e) => observed.set(e.hookId, (observed.get(e.hookId) ?? 0) + 1)),
      api.server.onRunState((s) => runStates.push(s)),
    ];
    const ours: HookInfo[] = [];
    const notes = recordNotifications();
    try {
      ours.push(
        await api.server.attachHook({ modelId: slow.modelId, path: '3', kind: 'forward' }),
        // A hook breakpoint whose condition never holds: it must come back with its condition, or runs would stop at it.
        await api.server.attachHook({ modelId: slow.modelId, path: '5', kind: 'forward', breakpoint: true, condition: 'output.hasNaN' }),
        await api.server.attachHook({ modelId: cnn.modelId, path: cnnLayer, kind: 'pre' }),
      );
      for (let i = 0; i < 2; i++) {
        const r = await vscode.commands.executeCommand<RunResult>('moduleLens.runForward', { modelId: cnn.modelId, path: '' }, { input: cnnInput });
        assert.equal(r?.state, 'finished', r?.error);
      }
      const filesBefore = new Map((await api.server.listModels()).models.map((m) => [m.modelId, m.file]));
      const latecomerFile = path.join(workspace, 'batchnorm-dropout.ts');
      assert.ok(![...filesBefore.values()].includes(latecomerFile), 'the latecomer model is not open yet');
      const hooksBefore = (await api.server.listHooks()).map((h) => h.hookId);
      const oldPid = (await api.server.serverInfo()).pid;
      const restored = new Promise<{ models: number; hooks: number; failures: string[]; interruptedRun?: number }>((resolve) => {
        const sub = api.server.onRestored((r) => { sub.dispose(); resolve(r); });
      });

      // The run the user started, killed once both slow hooks have fired.
      const running = vscode.commands.executeCommand<RunResult>('moduleLens.runForward', { modelId: slow.modelId, path: '' });
      await until('both slow hooks to fire', () => observed.has(ours[0].hookId) && observed.has(ours[1].hookId), 60_000);
      const runId = runStates.filter((s) => s.state === 'running').at(-1)!.runId;
      process.kill(oldPid, 'SIGKILL');

      const result = await Promise.race([running, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the interrupted run is still waiting 30 s after the kill')), 30_000))]);
      assert.equal(result?.state, 'stopped');
      assert.equal(result?.runId, runId);
      assert.match(result?.error ?? '', /interrupted/);
      // A model opened while the server restarts waits for the restore: on the new server it
      // could otherwise take an id (m1, …) the restore is about to bring back, and be replaced by it.
      const latecomer = await api.server.openModel(latecomerFile);
      assert.ok(!filesBefore.has(latecomer.modelId), `the latecomer got a fresh id, not ${latecomer.modelId}`);
      const expected = new Map([...filesBefore, [latecomer.modelId, latecomerFile]]);
      const modelsBefore = [...expected.keys()].sort();
      assert.deepEqual(runStates.filter((s) => s.runId === runId).map((s) => s.state).at(-1), 'stopped', 'the views heard that the run ended');
      const report = await Promise.race([restored, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no restore within 60 s')), 60_000))]);
      assert.deepEqual(report.failures, []);
      assert.equal(report.interruptedRun, runId);

      // A new process, the old one gone; the status bar shows the new one.
      const newPid = (await api.server.serverInfo()).pid;
      assert.notEqual(newPid, oldPid);
      assert.equal(alive(oldPid), false, 'the killed server is gone');
      await until('the status bar to show the new pid', () => api.backendStatus.tooltip.includes(`server pid ${newPid}`), 5000);

      // The same models and hooks, under the same ids (and the latecomer), in the server and in both views.
      assert.deepEqual(new Map((await api.server.listModels()).models.map((m) => [m.modelId, m.file])), expected);
      const roots = ((await api.modulesTree.getChildren()) ?? []).filter((n) => n.kind === 'module').map((n) => n.modelId).sort();
      assert.deepEqual(roots, modelsBefore, 'the Modules view lists the same models');
      const hooks = await api.hooksTree.refresh();
      assert.deepEqual(hooks.map((h) => h.hookId), hooksBefore, 'the Hooks view lists the same hooks');
      // Every hit seen before the kill is still counted, and the breakpoint kept its condition.
      for (const h of ours) {
        const row = hooks.find((r) => r.hookId === h.hookId)!;
        assert.equal(row.hits, observed.get(h.hookId) ?? 0, `hits of the ${h.kind} hook on ${h.path}`);
      }
      assert.equal(hooks.find((h) => h.hookId === ours[2].hookId)?.hits, 2);
      assert.equal(hooks.find((h) => h.hookId === ours[1].hookId)?.condition, 'output.hasNaN');

      // Told once: one notification and one log line, no error.
      await new Promise((r) => setTimeout(r, 1500));
      const crashNotes = notes.shown.filter((n) => /stopped unexpectedly/.test(n.message));
      assert.equal(crashNotes.length, 1, `notifications: ${JSON.stringify(notes.shown)}`);
      assert.equal(crashNotes[0].level, 'warning');
      assert.match(crashNotes[0].message, new RegExp(`Run ${runId} was interrupted`));
      assert.deepEqual(notes.shown.filter((n) => n.level === 'error'), []);
      await until('the restart in the log', () => /Model server restarted/.test(moduleLensLog(workspace)), 10_000);
      assert.equal(moduleLensLog(workspace).match(/Model server restarted/g)?.length, 1, 'one log line about the restart');

      // The restored server runs, its hooks capture, and their counts go on from the restored ones.
      const hitsBefore = new Map(hooks.map((h) => [h.hookId, h.hits]));
      const again = await vscode.commands.executeCommand<RunResult>('moduleLens.runForward', { modelId: cnn.modelId, path: '' }, { input: cnnInput });
      assert.equal(again?.state, 'finished', again?.error);
      await until('the new run\'s capture', () => (observed.get(ours[2].hookId) ?? 0) === 3, 5000);
      const after = await api.server.listHooks();
      assert.equal(after.find((h) => h.hookId === ours[2].hookId)?.hits, hitsBefore.get(ours[2].hookId)! + 1);
    } finally {
      notes.dispose();
      for (const s of subs) s.dispose();
      for (const h of ours) await api.server.detachHook(h.hookId).catch(() => false);
      for (const m of (await api.server.listModels()).models) {
        if (m.modelId === cnn.modelId || m.file.endsWith('batchnorm-dropout.ts')) await api.server.closeModel(m.modelId).catch(() => undefined);
      }
    }
  });

  it('closing the Captures panel while hooks fire: no error, the run finishes, the panel\'s tensors are freed in the server', async () => {
    await vscode.commands.executeCommand('moduleLens.showCaptures');
    await until('the webview to post ready', () => api.captures.webviewReady);
    await vscode.commands.executeCommand('moduleLens.clearCaptures');
    const baseline = await api.server.memory();
    assert.equal(baseline.capturedTensors, 0);
    const hooks: HookInfo[] = [];
    for (let i = 0; i < 200; i += 4) hooks.push(await api.server.attachHook({ modelId: slow.modelId, path: String(i), kind: 'forward' }));
    const seen: CaptureEvent[] = [];
    let closedAt = -1;
    const sub = api.server.onCapture((e) => seen.push(e));
    const notes = recordNotifications();
    const logBefore = moduleLensLog(workspace).length;
    try {
      const log = api.captures.log!;
      const run = api.server.run({ modelId: slow.modelId, kind: 'forward' });
      await until('events in the panel', () => log.size >= 10, 60_000);
      // Close it as a person does: the panel is the active editor, close that.
      api.captures.webviewPanel!.reveal();
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await until('the panel to close', () => api.captures.webviewPanel === undefined, 10_000);
      closedAt = seen.length;
      const result = await run;
      assert.equal(result.state, 'finished', result.error);
      assert.equal(result.events, hooks.length, 'every hook fired: the run went on after the panel closed');
      assert.ok(seen.length > closedAt, 'events kept arriving after the panel closed');

      const ids = (events: readonly { tensors: readonly { tensorId: string | null }[] }[]) => events.flatMap((e) => e.tensors.map((t) => t.tensorId)).filter((id): id is string => id !== null);
      const panelIds = ids(log.events().map((e) => e.event));
      const allIds = ids(seen);
      assert.ok(panelIds.length > 0 && panelIds.length < allIds.length, `${panelIds.length} of ${allIds.length} tensors were the panel's`);
      // The release waits for the run's end in the worker; memory is answered after it.
      const memory = await api.server.memory();
      assert.equal(memory.capturedTensors, allIds.length - panelIds.length, 'the server keeps only tensors captured after the panel closed');
      assert.equal(memory.numTensors, baseline.numTensors + memory.capturedTensors);
      for (const id of panelIds) await assert.rejects(api.server.getTensor({ tensorId: id }), /no longer kept/);
      const kept = allIds.find((id) => !panelIds.includes(id))!;
      await api.server.getTensor({ tensorId: kept });

      assert.deepEqual(notes.shown, [], 'nothing was shown');
      const newLog = moduleLensLog(workspace).slice(logBefore);
      assert.doesNotMatch(newLog, /\[error\]|\[warning\]/, 'nothing was logged as an error or warning');
      await vscode.commands.executeCommand('moduleLens.clearCaptures');
      assert.equal((await api.server.memory()).numTensors, baseline.numTensors, 'no tensor left in the server');
    } finally {
      notes.dispose();
      sub.dispose();
      for (const h of hooks) await api.server.detachHook(h.hookId).catch(() => false);
    }
  });
});
