/**
 * The extension side of the Captures panel, in plain Node: the event log's ring buffer and
 * pins, value reads from held values or the server page by page, the .npy/.safetensors bytes
 * (read back by the engine's readers, and by NumPy when it is installed), and the panel's
 * HTML and content security policy.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EventLog } from '../../src/extension/captures/eventLog';
import { fileSafe, runSafetensors, runTensorKey } from '../../src/extension/captures/captureExports';
import { makeNonce, panelCsp, panelHtml } from '../../src/extension/captures/panelHtml';
import { npyBytes, safetensorsBytes } from '../../src/extension/captures/tensorFileBytes';
import { keepValues, readValues, type TensorReader } from '../../src/extension/captures/tensorValues';
import { MAX_TENSOR_PAGE, type CaptureEvent, type GetTensorParams } from '../../src/protocol';
import { parseNpy } from '../../src/adapters/tensorFiles/npy';
import { parseSafetensors } from '../../src/adapters/tensorFiles/safetensors';

function event(runId: number, seq: number, path = `layer${seq}`, values?: number[], tensorId: string | null = `t${runId}.${seq}`, size = values?.length ?? 6): CaptureEvent {
  return {
    runId, seq, modelId: 'm1', path, kind: 'forward', hookId: 1, atMs: seq,
    tensors: [{
      slot: 'output', tensorId,
      summary: { shape: [size], dtype: 'float32', size, stats: { min: 0, max: 1, mean: 0.5, std: 0.1, nan: 0, inf: 0, zeros: 0 }, histogram: null, ...(values ? { values } : {}) },
    }],
  };
}

/** A fake `getTensor` over tensors `t<run>.<seq>` whose values are their flat indices, counting calls. */
function fakeServer(): { read: TensorReader; calls: GetTensorParams[]; released: Set<string> } {
  const calls: GetTensorParams[] = [];
  const released = new Set<string>();
  const read: TensorReader = async (p) => {
    calls.push(p);
    if (!('tensorId' in p) || released.has(p.tensorId)) throw new Error('tensor is no longer kept');
    const start = p.start ?? 0;
    const end = p.end ?? start + 4096;
    assert.ok(end - start <= MAX_TENSOR_PAGE, 'one request stays within a server page');
    return { start, values: Array.from({ length: end - start }, (_, i) => start + i), summary: null as never };
  };
  return { read, calls, released };
}

describe('the Captures panel event log', () => {
  it('numbers events, keeps the last maxEvents and counts the evicted ones', () => {
    const log = new EventLog(3);
    const evicted: number[] = [];
    for (let i = 1; i <= 5; i++) evicted.push(...log.add(event(1, i), 'Net').evicted.map((e) => e.panel.id));
    assert.deepEqual(log.events().map((e) => e.id), [3, 4, 5]);
    assert.deepEqual(evicted, [1, 2]);
    assert.equal(log.evicted, 2);
    assert.equal(log.get(1), undefined);
    assert.equal(log.get(4)?.panel.event.seq, 4);
    assert.equal(log.get(4)?.panel.model, 'Net');
  });

  it('stays O(1) per event over many evictions', () => {
    const log = new EventLog(2000);
    const t = performance.now();
    for (let i = 1; i <= 100_000; i++) log.add(event(1, i), 'Net');
    assert.ok(performance.now() - t < 1000, 'adding 100k events takes under a second');
    assert.equal(log.size, 2000);
    assert.equal(log.evicted, 98_000);
    assert.equal(log.events()[0].id, 98_001);
  });

  it('moves inline values out of the events into Float32Arrays', () => {
    const log = new EventLog(10);
    const { entry } = log.add(event(1, 1, 'fc', [1, 2, 3]), 'Net');
    assert.equal(entry.panel.event.tensors[0].summary?.values, undefined);
    assert.deepEqual(Array.from(entry.values[0]!), [1, 2, 3]);
  });

  it('keeps pinned events out of the ring: never evicted, kept through Clear, back in order when unpinned', () => {
    const log = new EventLog(2);
    for (let i = 1; i <= 2; i++) log.add(event(1, i), 'Net');
    assert.equal(log.setPinned(1, true)?.entry.panel.pinned, true);
    for (let i = 3; i <= 5; i++) log.add(event(1, i), 'Net');
    assert.deepEqual(log.events().map((e) => [e.id, e.pinned]), [[1, true], [4, false], [5, false]]);
    log.clear();
    assert.deepEqual(log.events().map((e) => e.id), [1]);
    log.add(event(2, 1), 'Net');
    log.add(event(2, 2), 'Net');
    // Unpinned, event 1 is the oldest in a full ring, so it goes first.
    const { evicted } = log.setPinned(1, false)!;
    assert.deepEqual(evicted.map((e) => e.panel.id), [1]);
    assert.deepEqual(log.events().map((e) => e.id), [6, 7]);
    assert.equal(log.setPinned(99, true), undefined);
  });

  it('shrinks at once when maxEvents is lowered', () => {
    const log = new EventLog(10);
    for (let i = 1; i <= 6; i++) log.add(event(1, i), 'Net');
    assert.equal(log.resize(4).length, 2);
    assert.deepEqual(log.events().map((e) => e.id), [3, 4, 5, 6]);
    assert.equal(log.evicted, 2);
  });
});

describe('tensor values for the panel', () => {
  it('answers from held values without asking the server, as an exact-size array', async () => {
    const log = new EventLog(10);
    const { entry } = log.add(event(1, 1, 'fc', [0, 1, 2, 3, 4, 5]), 'Net');
    const server = fakeServer();
    const v = await readValues(entry, 0, 2, 5, server.read);
    assert.deepEqual(Array.from(v), [2, 3, 4]);
    assert.equal(v.buffer.byteLength, 3 * 4, 'the buffer holds exactly the values');
    assert.equal(server.calls.length, 0);
    assert.deepEqual(Array.from(await readValues(entry, 0, 4, 100, server.read)), [4, 5], 'clamped to the tensor');
  });

  it('fetches from the server in server-sized pages otherwise', async () => {
    const log = new EventLog(10);
    const size = MAX_TENSOR_PAGE * 2 + 10;
    const { entry } = log.add(event(1, 1, 'big', undefined, 't1.1', size), 'Net');
    const server = fakeServer();
    const v = await readValues(entry, 0, 5, size, server.read);
    assert.equal(v.length, size - 5);
    assert.equal(v[0], 5);
    assert.equal(v[v.length - 1], size - 1);
    assert.equal(server.calls.length, 3);
  });

  it('copies a pinned event\'s values so they survive the server releasing them', async () => {
    const log = new EventLog(10);
    const { entry } = log.add(event(1, 1, 'fc', undefined, 't1.1', 8), 'Net');
    const server = fakeServer();
    assert.equal(await keepValues(entry, server.read), 1);
    server.released.add('t1.1');
    assert.deepEqual(Array.from(await readValues(entry, 0, 0, 8, server.read)), [0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('says why when there are no values', async () => {
    const log = new EventLog(10);
    const { entry } = log.add(event(1, 1, 'fc', undefined, null), 'Net');
    await assert.rejects(readValues(entry, 0, 0, 4, fakeServer().read), /not kept/);
    await assert.rejects(readValues(entry, 3, 0, 4, fakeServer().read), /no tensor #3/);
  });
});

describe('exported tensor files', () => {
  it('.npy: the engine reads back shape and values; the header is padded to 64 bytes', () => {
    for (const shape of [[2, 3], [5], [], [1, 2, 2, 1], [0, 3]]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const values = Float32Array.from({ length: n }, (_, i) => i - 2.5);
      if (n > 2) values[2] = NaN;
      const bytes = npyBytes(values, shape);
      const headerLen = bytes[8] | (bytes[9] << 8);
      assert.equal((10 + headerLen) % 64, 0);
      const t = parseNpy(bytes);
      assert.deepEqual(t.shape, shape);
      assert.deepEqual(Array.from(t.dataSync()), Array.from(values));
      t.dispose();
    }
    assert.throws(() => npyBytes(new Float32Array(3), [2, 2]), /holds 4 values, not 3/);
  });

  it('.npy: NumPy reads it too (when python3-numpy is installed)', (t) => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'module-lens-npy-')), 'x.npy');
    fs.writeFileSync(file, npyBytes(Float32Array.from([1, -2, 3.5, Infinity, 0, 6]), [2, 3]));
    let out: string;
    try {
      out = execFileSync('/usr/bin/python3', ['-c', 'import numpy,sys; a=numpy.load(sys.argv[1]); print(a.dtype, a.shape, a.tolist())', file], { encoding: 'utf8' }).trim();
    } catch {
      t.skip('NumPy is not installed');
      return;
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
    assert.equal(out, 'float32 (2, 3) [[1.0, -2.0, 3.5], [inf, 0.0, 6.0]]');
  });

  it('.safetensors: a run\'s tensors under <path>/<kind>/<slot>, read back by the engine', async () => {
    const log = new EventLog(10);
    log.add(event(3, 1, 'fc', [1, 2, 3, 4]), 'Net');
    log.add(event(3, 2, 'fc', [5, 6, 7, 8]), 'Net');
    log.add(event(3, 3, '', undefined, 't3.3', 2), 'Net');
    log.add(event(3, 4, 'gone', undefined, null, 2), 'Net');
    const server = fakeServer();
    const { bytes, skipped } = await runSafetensors(log.run(3), server.read);
    const back = parseSafetensors(bytes);
    assert.deepEqual([...back.tensors.keys()], ['fc/forward/output', 'fc/forward#2/output', '/forward/output']);
    assert.deepEqual(Array.from(back.tensors.get('fc/forward#2/output')!.dataSync()), [5, 6, 7, 8]);
    assert.deepEqual(Array.from(back.tensors.get('/forward/output')!.dataSync()), [0, 1]);
    assert.equal(back.metadata?.format, 'pt');
    assert.equal(skipped.length, 1);
    assert.match(skipped[0], /^gone\/forward\/output: .*not kept/);
    for (const t of back.tensors.values()) t.dispose();
    assert.equal(runTensorKey(log.run(3)[0], 0), 'fc/forward/output');
    assert.throws(() => safetensorsBytes([{ name: 'a', shape: [1], values: new Float32Array(1) }, { name: 'a', shape: [1], values: new Float32Array(1) }]), /duplicate/);
  });

  it('file names from module paths and slots are safe', () => {
    assert.equal(fileSafe('features.0'), 'features.0');
    assert.equal(fileSafe('args[0]'), 'args_0_');
    assert.equal(fileSafe('../<img src=x>'), '_img_src_x_');
    assert.equal(fileSafe(''), 'root');
  });
});

describe('the panel HTML', () => {
  const html = panelHtml({ cspSource: 'https://file+.vscode-resource.vscode-cdn.net', nonce: 'abc123==', scriptUri: 'https://x/dist/webview.js', styleUri: 'https://x/media/captures.css', codiconsUri: 'https://x/dist/codicon.css' });
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1] ?? '';

  it('has a CSP that allows only our nonce-d script, our styles and images, and canvas data URLs', () => {
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    assert.deepEqual(directives.get('default-src'), ["'none'"]);
    assert.deepEqual(directives.get('script-src'), ["'nonce-abc123=='"]);
    assert.deepEqual(directives.get('style-src'), ['https://file+.vscode-resource.vscode-cdn.net', "'nonce-abc123=='"]);
    assert.deepEqual(directives.get('img-src'), ['https://file+.vscode-resource.vscode-cdn.net', 'data:']);
    assert.deepEqual(directives.get('font-src'), ['https://file+.vscode-resource.vscode-cdn.net'], 'the codicon font comes from the extension only');
    assert.doesNotMatch(csp, /unsafe-eval|unsafe-inline|\*/);
    assert.equal(csp, panelCsp({ cspSource: 'https://file+.vscode-resource.vscode-cdn.net', nonce: 'abc123==' }));
  });

  it('loads exactly one script, by nonce, and has no inline handlers or inline script', () => {
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    assert.match(scripts[0][1], /nonce="abc123=="/);
    assert.match(scripts[0][1], /src="https:\/\/x\/dist\/webview.js"/);
    assert.equal(scripts[0][2].trim(), '', 'no inline script');
    assert.doesNotMatch(html, /\son[a-z]+=/i);
    assert.doesNotMatch(html, /style="/);
  });

  it('links the codicon stylesheet and ours, both from the webview URIs and by nonce', () => {
    const links = [...html.matchAll(/<link rel="stylesheet" nonce="abc123==" href="([^"]*)">/g)].map((m) => m[1]);
    assert.deepEqual(links, ['https://x/dist/codicon.css', 'https://x/media/captures.css'], 'ours last, so it can restyle icons');
  });

  it('makes a fresh 128-bit nonce each time', () => {
    const a = makeNonce();
    assert.equal(Buffer.from(a, 'base64').length, 16);
    assert.notEqual(a, makeNonce());
  });

  it('escapes what it puts in attributes', () => {
    const evil = panelHtml({ cspSource: 'x', nonce: '"><script>', scriptUri: 'a"b', styleUri: 'c', codiconsUri: '"><script>' });
    assert.doesNotMatch(evil, /"><script>/);
  });
});
