/**
 * A soak through the real server: many runs with hooks on every module, with
 * captures cleared every 100 runs. Tensors and hooks must not grow.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { AttachHookRequest, ClearCapturesRequest, ListHooksRequest, MemoryRequest, OpenModelRequest, RunRequest } from '../../src/protocol';
import { repo, startServer } from '../unit/serverProcess';

const RUNS = 1000;

test(`${RUNS} forward+backward runs with hooks on every module leave no tensor behind`, async () => {
  const server = await startServer({ backend: 'wasm' });
  try {
    const { conn } = server;
    const { modelId } = await conn.sendRequest(OpenModelRequest, { file: path.join(repo, 'examples', 'batchnorm-dropout.ts') });
    for (const p of ['', 'fc1', 'bn', 'act', 'drop', 'fc2']) {
      await conn.sendRequest(AttachHookRequest, { modelId, path: p, kind: 'forward' });
      await conn.sendRequest(AttachHookRequest, { modelId, path: p, kind: 'backward' });
    }
    // One run first: gradients exist from then on, as parameters' .grad.
    await conn.sendRequest(RunRequest, { modelId, kind: 'backward' });
    await conn.sendRequest(ClearCapturesRequest);
    const baseline = await conn.sendRequest(MemoryRequest);
    for (let i = 1; i <= RUNS; i++) {
      const r = await conn.sendRequest(RunRequest, { modelId, kind: 'backward' });
      assert.equal(r.state, 'finished', r.error);
      if (i % 100 === 0) {
        await conn.sendRequest(ClearCapturesRequest);
        const now = await conn.sendRequest(MemoryRequest);
        assert.equal(now.numTensors, baseline.numTensors, `after ${i} runs`);
        assert.equal(now.capturedTensors, 0);
      }
    }
    assert.equal((await conn.sendRequest(ListHooksRequest)).hooks.length, 12, 'no hook added or lost');
  } finally {
    await server.dispose();
  }
});
