/**
 * The editor features of the model server, over the real connection with LSP
 * requests: CodeLens, hover, inlay hints and diagnostics, with exact ranges.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { OpenModelRequest, RunRequest } from '../../src/protocol';
import { repo, startServer, type ServerProcess } from './serverProcess';

const demo = path.join(repo, 'examples', 'custom-linear.ts');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'module-lens-lsp-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A model whose second layer expects 5 features but gets 4: a shape bug in `forward`. */
const buggy = path.join(dir, 'buggy.ts');
fs.writeFileSync(buggy, [
  "import { nn, tf } from 'module-lens';",
  '',
  'export class Buggy extends nn.Module {',
  '  declare first: nn.Linear;',
  '  declare second: nn.Linear;',
  '  constructor() {',
  '    super();',
  '    this.first = new nn.Linear(3, 4);',
  '    this.second = new nn.Linear(5, 2);',
  '  }',
  '  override forward(x: tf.Tensor): tf.Tensor {',
  '    const h = this.first(x);',
  '    return this.second(h);',
  '  }',
  '}',
  '',
  'export default () => new Buggy();',
  'export const input = () => tf.ones([2, 3]);',
  '',
].join('\n'));

/** A tfjs model built in code from layer variables. */
const layered = path.join(dir, 'layered.ts');
fs.writeFileSync(layered, [
  "import { tf } from 'module-lens';",
  '',
  'export default function model() {',
  "  const hidden = tf.layers.dense({ units: 2, inputShape: [4], name: 'hidden' });",
  '  const net = tf.sequential({ layers: [hidden] });',
  '  net.add(tf.layers.dense({ units: 1 }));',
  '  return net;',
  '}',
  '',
].join('\n'));

describe('editor features on model files', () => {
  let server: ServerProcess;
  let modelId: string;
  const uri = pathToFileURL(demo).toString();
  before(async () => {
    server = await startServer({ backend: 'wasm' });
    modelId = (await server.conn.sendRequest(OpenModelRequest, { file: demo })).modelId;
    server.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text: fs.readFileSync(demo, 'utf8') } });
  });
  after(() => server.dispose());

  it('CodeLens above the Module subclass and the model export', async () => {
    const lenses: any[] = await server.conn.sendRequest('textDocument/codeLens', { textDocument: { uri } });
    const byLine = new Map<number, string[]>();
    for (const l of lenses) byLine.set(l.range.start.line, [...(byLine.get(l.range.start.line) ?? []), l.command.title]);
    assert.deepEqual([...byLine.keys()], [7, 35], 'class CustomLinearLayer and export default');
    assert.deepEqual(byLine.get(7), ['▶ Run forward', '⚑ Debug', '118 params · 0 hooks']);
    assert.deepEqual(lenses[0].command.arguments, [{ modelId }]);
  });

  it('hover on this.submodel_1 shows the repr, counts and training flag, then the last capture', async () => {
    const at = (line: number, character: number) => server.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line, character } }) as Promise<any>;
    const hover = await at(27, 16);
    assert.equal(hover.contents.kind, 'markdown');
    assert.match(hover.contents.value, /^\*\*submodel_1\*\* · `Linear\(in_features=5, out_features=4, bias=True\)`\n\n24 own params · 24 total · train/);
    assert.equal(await at(26, 2), null, 'no hover off a module reference');
    await server.conn.sendRequest('moduleLens/attachHook', { modelId, path: 'submodel_1', kind: 'forward' });
    await server.conn.sendRequest(RunRequest, { modelId, kind: 'forward' });
    const after = await at(20, 10);
    assert.match(after.contents.value, /Last capture \(run \d+, forward\):\n\n- `args\[0\]` \[3, 5\] float32 · min .*\n- `output` \[3, 4\] float32/);
  });

  it('hover on a layer variable shows the layer it holds (a tfjs model built in code)', async () => {
    const layeredUri = pathToFileURL(layered).toString();
    await server.conn.sendRequest(OpenModelRequest, { file: layered });
    const at = (line: number, character: number) => server.conn.sendRequest('textDocument/hover', { textDocument: { uri: layeredUri }, position: { line, character } }) as Promise<any>;
    const declared = await at(3, 10);
    assert.match(declared.contents.value, /^\*\*hidden\*\* · `Dense\(/);
    assert.match(declared.contents.value, /\n\n10 own params · 10 total · /);
    const used = await at(4, 40);
    assert.equal(used.contents.value, declared.contents.value, 'the same layer where the variable is used');
    assert.match((await at(5, 3)).contents.value, /^\*\*\(root\)\*\* · `Sequential\(/, 'the model variable is the root');
    assert.equal(await at(5, 8), null, 'no hover off a name bound to a module');
  });

  it('inlay hints give each sub-module call its output shape after a run', async () => {
    const hints: any[] = await server.conn.sendRequest('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 40, character: 0 } } });
    assert.deepEqual(hints.map((h) => [h.position.line, h.position.character, h.label]), [
      [27, 30, ': [3, 4]'],
      [28, 30, ': [3, 2]'],
      [29, 30, ': [3, 5]'],
    ]);
    // Editing the file clears them until the next run.
    server.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [] });
    assert.deepEqual(await server.conn.sendRequest('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 40, character: 0 } } }), []);
  });

  it('a shape error in forward is a diagnostic on the failing call, cleared by a good run', async () => {
    const bugUri = pathToFileURL(buggy).toString();
    const { modelId: bugId } = await server.conn.sendRequest(OpenModelRequest, { file: buggy });
    const result = await server.conn.sendRequest(RunRequest, { modelId: bugId, kind: 'forward' });
    assert.equal(result.state, 'failed');
    const diag = await server.waitFor('textDocument/publishDiagnostics', (p) => p.uri === bugUri && p.diagnostics.length > 0);
    assert.equal(diag.diagnostics.length, 1);
    const d = diag.diagnostics[0];
    assert.deepEqual([d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character], [12, 0, 12, 25]);
    assert.match(d.message, /^forward of 'second' \(Linear\) failed for input shapes \[2, 4\]: /);
    fs.writeFileSync(buggy, fs.readFileSync(buggy, 'utf8').replace('new nn.Linear(5, 2)', 'new nn.Linear(4, 2)'));
    await server.conn.sendRequest(OpenModelRequest, { file: buggy });
    assert.equal((await server.conn.sendRequest(RunRequest, { modelId: bugId, kind: 'forward' })).state, 'finished');
    await server.waitFor('textDocument/publishDiagnostics', (p) => p.uri === bugUri && p.diagnostics.length === 0);
  });
});
