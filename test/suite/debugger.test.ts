import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';

interface Api {
  ready: Promise<void>;
  captures: { readonly webviewReady: boolean; readonly webviewPanel: vscode.WebviewPanel | undefined; readonly log: { entries(): { panel: { id: number; event: { path: string; tensors: { slot: string }[] } } }[] } | undefined };
  server: {
    memory(): Promise<{ numTensors: number }>;
    clearCaptures(): Promise<number>;
    listModels(): Promise<{ models: { rootType: string; file: string; modelId: string }[] }>;
    stop(): Promise<boolean>;
    closeModel(modelId: string): Promise<unknown>;
  };
}

/** DAP messages the adapter sent, observed through a tracker as VS Code sees them. */
const sent: any[] = [];

function waitForMessage(pred: (m: any) => boolean, from: number, timeoutMs = 20_000): Promise<any> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const poll = () => {
      const found = sent.slice(from).find(pred);
      if (found) return resolve(found);
      if (Date.now() - t0 > timeoutMs) {
        const seen = sent.slice(from).map((m) => (m.event === 'output' ? `output ${JSON.stringify(m.body.output)}` : m.event ?? m.command));
        return reject(new Error(`timed out; saw ${seen.join(', ')}`));
      }
      setTimeout(poll, 20);
    };
    poll();
  });
}

const stopped = (from: number) => waitForMessage((m) => m.type === 'event' && m.event === 'stopped', from);
const terminated = (from: number) => waitForMessage((m) => m.type === 'event' && m.event === 'terminated', from);

describe('hook breakpoints in VS Code\'s debugger', function () {
  this.timeout(120_000);
  let api: Api;
  let model: string;
  let folder: vscode.WorkspaceFolder;
  const subs: vscode.Disposable[] = [];

  before(async () => {
    api = await vscode.extensions.getExtension<Api>('module-lens.module-lens')!.activate();
    await api.ready;
    folder = vscode.workspace.workspaceFolders![0];
    // Debug the demo model the extension already opened, so no second copy appears in the tree.
    const demo = (await api.server.listModels()).models.find((m) => m.rootType === 'CustomLinearLayer');
    assert.ok(demo, 'the demo model is open');
    model = demo.file;
    subs.push(vscode.debug.registerDebugAdapterTrackerFactory('module-lens', {
      createDebugAdapterTracker: () => ({ onDidSendMessage: (m) => { sent.push(m); } }),
    }));
  });

  afterEach(async () => {
    // A failed test must not leave breakpoints or a paused run behind for the next one.
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    const session = vscode.debug.activeDebugSession;
    if (session?.type === 'module-lens') {
      const mark = sent.length;
      await vscode.debug.stopDebugging(session);
      await terminated(mark).catch(() => undefined);
    }
    // Nor a run the session did not get to stop.
    await api.server.stop();
  });

  after(() => {
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    for (const s of subs) s.dispose();
  });

  async function start(extra: Record<string, unknown> = {}): Promise<{ session: vscode.DebugSession; from: number }> {
    const from = sent.length;
    const started = new Promise<vscode.DebugSession>((resolve) => {
      const sub = vscode.debug.onDidStartDebugSession((s) => { sub.dispose(); resolve(s); });
    });
    assert.ok(await vscode.debug.startDebugging(folder, { type: 'module-lens', request: 'launch', name: 'test', model, ...extra }));
    return { session: await started, from };
  }

  async function frames(session: vscode.DebugSession): Promise<string[]> {
    const st = await session.customRequest('stackTrace', { threadId: 1 });
    return st.stackFrames.map((f: any) => f.name);
  }

  async function scopeVariables(session: vscode.DebugSession, scopeName: string): Promise<Record<string, string>> {
    const st = await session.customRequest('stackTrace', { threadId: 1 });
    const { scopes } = await session.customRequest('scopes', { frameId: st.stackFrames[0].id });
    const scope = scopes.find((s: any) => s.name === scopeName);
    assert.ok(scope, `no scope ${scopeName}: ${scopes.map((s: any) => s.name).join(', ')}`);
    const { variables } = await session.customRequest('variables', { variablesReference: scope.variablesReference });
    return Object.fromEntries(variables.map((v: any) => [v.name, v.value]));
  }

  it('stops at a function breakpoint, shows the module stack, tensors and console; steps; stops cleanly', async () => {
    await api.server.clearCaptures();
    const baseline = (await api.server.memory()).numTensors;
    const bp = new vscode.FunctionBreakpoint('submodel_2');
    vscode.debug.addBreakpoints([bp]);
    const { session, from } = await start();
    const stop = await stopped(from);
    assert.equal(stop.body.reason, 'function breakpoint');
    assert.deepEqual(await frames(session), ['submodel_2 (Linear)', 'CustomLinearLayer']);
    const st = await session.customRequest('stackTrace', { threadId: 1 });
    // Under a remote extension host VS Code reports the source as a remote URI.
    assert.ok(String(st.stackFrames[0].source?.path).endsWith(model), st.stackFrames[0].source?.path);
    assert.equal(st.stackFrames[0].line, 29, 'the line that calls submodel_2 in forward');
    assert.match((await scopeVariables(session, 'Inputs'))['args[0]'], /^Tensor \[3, 4\] float32/);
    assert.match((await scopeVariables(session, 'Output')).output, /^Tensor \[3, 2\] float32/);
    assert.deepEqual(Object.keys(await scopeVariables(session, 'Parameters')), ['weight', 'bias']);
    assert.equal((await session.customRequest('evaluate', { expression: 'output.shape', context: 'repl' })).result, '[3,2]');
    assert.match((await session.customRequest('evaluate', { expression: 'output.mean()', context: 'repl' })).result, /^tensor\(/);

    let mark = sent.length;
    await session.customRequest('stepIn', { threadId: 1 });
    await stopped(mark);
    assert.deepEqual(await frames(session), ['submodel_3 (Sequential)', 'CustomLinearLayer'], 'step into lands on the next module boundary');
    mark = sent.length;
    await session.customRequest('stepIn', { threadId: 1 });
    await stopped(mark);
    assert.deepEqual(await frames(session), ['0 (Linear)', 'submodel_3 (Sequential)', 'CustomLinearLayer']);
    mark = sent.length;
    await session.customRequest('stepOut', { threadId: 1 });
    await stopped(mark);
    assert.deepEqual(await frames(session), ['submodel_3 (Sequential)', 'CustomLinearLayer']);

    mark = sent.length;
    await vscode.debug.stopDebugging(session);
    await terminated(mark);
    vscode.debug.removeBreakpoints([bp]);
    await api.server.clearCaptures();
    assert.equal((await api.server.memory()).numTensors, baseline, 'Stop leaks no tensor');
  });

  it('a conditional breakpoint on the 2nd hit, a logpoint, and a backward breakpoint', async () => {
    // DAP carries log messages on source breakpoints only: a logpoint on the line calling submodel_3.
    const log = new vscode.SourceBreakpoint(new vscode.Location(vscode.Uri.file(model), new vscode.Position(29, 0)), true, undefined, undefined, 'submodel_3 out {output.shape}');
    vscode.debug.addBreakpoints([log]);
    const { from } = await start();
    const out = await waitForMessage((m) => m.type === 'event' && m.event === 'output' && /submodel_3 out \[3,5\]/.test(m.body.output), from);
    assert.ok(out);
    await terminated(from);
    assert.equal(sent.slice(from).filter((m) => m.event === 'stopped').length, 0, 'a logpoint does not stop');
    vscode.debug.removeBreakpoints([log]);

    // A block called twice in forward: hit count 2 stops at the second call, with the first call's output as input.
    const shared = path.join(folder.uri.fsPath, 'shared-block.ts');
    const hit2 = new vscode.FunctionBreakpoint('block', true, undefined, '2');
    vscode.debug.addBreakpoints([hit2]);
    const second = await start({ model: shared });
    await stopped(second.from);
    assert.deepEqual(await frames(second.session), ['block (Sequential)', 'SharedBlockNet']);
    const stack = await second.session.customRequest('stackTrace', { threadId: 1 });
    assert.equal(stack.stackFrames[0].line, 20, 'the frame points at the second call, `out = this.block(out)`');
    let mark = sent.length;
    await second.session.customRequest('continue', { threadId: 1 });
    await terminated(mark);
    vscode.debug.removeBreakpoints([hit2]);
    const sharedModel = (await api.server.listModels()).models.find((m) => m.rootType === 'SharedBlockNet');
    if (sharedModel) await api.server.closeModel(sharedModel.modelId);

    const back = new vscode.FunctionBreakpoint('submodel_2:backward');
    vscode.debug.addBreakpoints([back]);
    const backward = await start({ backward: true });
    await stopped(backward.from);
    const session = backward.session;
    const grads = await scopeVariables(session, 'Gradients');
    assert.match(grads['gradInput[0]'], /^Tensor \[3, 4\]/);
    assert.match(grads['gradOutput[0]'], /^Tensor \[3, 2\]/);
    mark = sent.length;
    await session.customRequest('continue', { threadId: 1 });
    await terminated(mark);
    vscode.debug.removeBreakpoints([back]);
  });

  it('"View in Captures Panel" on a tensor variable focuses its card: the paused event\'s, or a parameter snapshot', async () => {
    await vscode.commands.executeCommand('moduleLens.showCaptures');
    const t0 = Date.now();
    while (!api.captures.webviewReady) {
      if (Date.now() - t0 > 30_000) throw new Error('the Captures panel did not load');
      await new Promise((r) => setTimeout(r, 50));
    }
    const bp = new vscode.FunctionBreakpoint('submodel_2');
    vscode.debug.addBreakpoints([bp]);
    const { session, from } = await start();
    await stopped(from);
    const st = await session.customRequest('stackTrace', { threadId: 1 });
    const { scopes } = await session.customRequest('scopes', { frameId: st.stackFrames[0].id });
    const variablesOf = async (name: string) => {
      const scope = scopes.find((s: any) => s.name === name);
      return { scope, variables: (await session.customRequest('variables', { variablesReference: scope.variablesReference })).variables as any[] };
    };
    // What VS Code passes to a debug/variables/context command.
    const out = await variablesOf('Output');
    const output = out.variables.find((v) => v.name === 'output');
    assert.equal(output.__vscodeVariableMenuContext, 'tensor', 'the menu item shows on tensor rows');
    const onEvent = await vscode.commands.executeCommand<any>('moduleLens.viewInCapturesPanel', { sessionId: session.id, container: out.scope, variable: output });
    assert.equal(onEvent?.kind, 'event', JSON.stringify(onEvent));
    const entry = api.captures.log!.entries().find((e) => e.panel.id === onEvent.eventId)!;
    assert.equal(entry.panel.event.path, 'submodel_2');
    assert.equal(entry.panel.event.tensors[onEvent.slot].slot, 'output');

    const params = await variablesOf('Parameters');
    const weight = params.variables.find((v) => v.name === 'weight');
    const onParam = await vscode.commands.executeCommand<any>('moduleLens.viewInCapturesPanel', { sessionId: session.id, container: params.scope, variable: weight });
    assert.equal(onParam?.kind, 'snapshot', JSON.stringify(onParam));
    assert.equal(onParam.snapshot.name, 'submodel_2.weight');
    assert.deepEqual(onParam.snapshot.summary.shape, [2, 4]);
    assert.equal(typeof onParam.snapshot.pausedRun, 'number', 'taken while the run is paused');

    // A panel opened after the pause does not hold the event: the tensor is shown on its own, read from the server.
    api.captures.webviewPanel?.dispose();
    const alone = await vscode.commands.executeCommand<any>('moduleLens.viewInCapturesPanel', { sessionId: session.id, container: out.scope, variable: output });
    assert.equal(alone?.kind, 'snapshot', JSON.stringify(alone));
    assert.equal(alone.snapshot.source, 'capture');
    assert.equal(alone.snapshot.name, 'output of submodel_2 (forward hook)');
    assert.deepEqual(alone.snapshot.summary.shape, [3, 2]);

    const mark = sent.length;
    await session.customRequest('continue', { threadId: 1 });
    await terminated(mark);
    vscode.debug.removeBreakpoints([bp]);
    api.captures.webviewPanel?.dispose();
  });

  it('a line breakpoint on a sub-module call in forward stops at that module', async () => {
    const line = new vscode.SourceBreakpoint(new vscode.Location(vscode.Uri.file(model), new vscode.Position(28, 0)));
    vscode.debug.addBreakpoints([line]);
    const { session, from } = await start();
    const stop = await stopped(from);
    assert.equal(stop.body.reason, 'breakpoint');
    assert.deepEqual(await frames(session), ['submodel_2 (Linear)', 'CustomLinearLayer']);
    const mark = sent.length;
    await session.customRequest('continue', { threadId: 1 });
    await terminated(mark);
    vscode.debug.removeBreakpoints([line]);
  });

  it('`*` with the condition output.hasNaN stops at the first module whose output has NaN', async () => {
    const nanModel = path.join(folder.uri.fsPath, 'nan.ts');
    const bp = new vscode.FunctionBreakpoint('*', true, 'output.hasNaN');
    vscode.debug.addBreakpoints([bp]);
    const { session, from } = await start({ model: nanModel });
    await stopped(from);
    const st = await session.customRequest('stackTrace', { threadId: 1 });
    assert.deepEqual(st.stackFrames.map((f: any) => f.name), ['log (Log)', 'NanNet']);
    assert.equal((await session.customRequest('evaluate', { expression: 'output.hasNaN && !args[0].hasNaN', context: 'repl' })).result, 'true');
    const mark = sent.length;
    await vscode.debug.stopDebugging(session);
    await terminated(mark);
    vscode.debug.removeBreakpoints([bp]);
    const nan = (await api.server.listModels()).models.find((m) => m.rootType === 'NanNet');
    if (nan) await api.server.closeModel(nan.modelId);
  });
});
