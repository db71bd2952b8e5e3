/**
 * Records the message stream the Captures panel tests replay: the real model
 * server runs `examples/nan.ts` (forward twice, then forward and backward) with
 * hooks on every module, and the demo CNN once with a hook on its first
 * convolution; every `capture` and `runState` notification is kept in order,
 * with the values of every captured tensor (read back with `getTensor`).
 *
 *   npx tsc -p . && node out/test/unit/recordCaptureStream.js
 *
 * writes test/fixtures/captures/stream.json. Not a test itself.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AttachHookRequest, GetTensorRequest, OpenModelRequest, RunRequest, type CaptureEvent } from '../../src/protocol';
import { repo, startServer } from './serverProcess';

/** The recorded stream's shape. */
export interface RecordedStream {
  readonly note: string;
  /** Notifications in arrival order: `moduleLens/capture` and `moduleLens/runState`. */
  readonly messages: readonly [string, unknown][];
  /** Model display names by id, as `listModels` gives them. */
  readonly models: Readonly<Record<string, string>>;
  /** Flat values of each captured tensor, by `tensorId`. */
  readonly values: Readonly<Record<string, number[]>>;
}

export const STREAM_FILE = path.join(repo, 'test', 'fixtures', 'captures', 'stream.json');

async function main(): Promise<void> {
  const server = await startServer({ backend: 'wasm', maxInlineElements: 0 });
  try {
    const nan = await server.conn.sendRequest(OpenModelRequest, { file: path.join(repo, 'examples', 'nan.ts') });
    for (const p of ['fc', 'act', 'shift', 'log', 'head']) {
      await server.conn.sendRequest(AttachHookRequest, { modelId: nan.modelId, path: p, kind: 'forward' });
    }
    await server.conn.sendRequest(AttachHookRequest, { modelId: nan.modelId, path: 'fc', kind: 'backward' });
    await server.conn.sendRequest(RunRequest, { modelId: nan.modelId, kind: 'forward' });
    await server.conn.sendRequest(RunRequest, { modelId: nan.modelId, kind: 'forward' });
    await server.conn.sendRequest(RunRequest, { modelId: nan.modelId, kind: 'backward' });
    const cnn = await server.conn.sendRequest(OpenModelRequest, { file: path.join(repo, 'examples', 'cnn', 'model.json') });
    const first = cnn.root.childCount ? 'conv_1' : '';
    await server.conn.sendRequest(AttachHookRequest, { modelId: cnn.modelId, path: first, kind: 'forward' });
    await server.conn.sendRequest(RunRequest, { modelId: cnn.modelId, kind: 'forward' });
    // Notifications may trail the last reply by a tick.
    await new Promise((r) => setTimeout(r, 300));
    const messages = server.notifications.filter(([m]) => m === 'moduleLens/capture' || m === 'moduleLens/runState');
    const values: Record<string, number[]> = {};
    for (const [m, p] of messages) {
      if (m !== 'moduleLens/capture') continue;
      for (const t of (p as CaptureEvent).tensors) {
        if (!t.tensorId || !t.summary) continue;
        const r = await server.conn.sendRequest(GetTensorRequest, { tensorId: t.tensorId, start: 0, end: t.summary.size });
        // float32 → shortest decimal that reads back as the same float32.
        values[t.tensorId] = r.values.map((v) => (Number.isFinite(v) ? Number(Math.fround(v).toPrecision(9)) : v));
      }
    }
    const stream: RecordedStream = {
      note: 'Recorded from the model server by test/unit/recordCaptureStream.ts; NaN and Inf values are stored as null / "Infinity" / "-Infinity".',
      messages,
      models: { [nan.modelId]: nan.rootType, [cnn.modelId]: cnn.rootType },
      values,
    };
    fs.mkdirSync(path.dirname(STREAM_FILE), { recursive: true });
    fs.writeFileSync(STREAM_FILE, JSON.stringify(stream, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? (Number.isNaN(v) ? null : String(v)) : v)) + '\n');
    console.log(`wrote ${path.relative(process.cwd(), STREAM_FILE)}: ${messages.length} messages, ${Object.keys(values).length} tensors`);
  } finally {
    await server.dispose();
  }
}

if (require.main === module) {
  main().catch((err: Error) => {
    console.error(err.stack);
    process.exit(1);
  });
}
