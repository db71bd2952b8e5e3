/** The gate that holds the extension's requests while a crashed server is restored, and what counts as a lost connection. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionError, ConnectionErrors, ErrorCodes, ResponseError } from 'vscode-jsonrpc';
import { connectionLost, RestoreGate } from '../../src/extension/restoreGate';

const settled = async (p: Promise<unknown>): Promise<boolean> => {
  let done = false;
  void p.then(() => { done = true; });
  await new Promise((r) => setTimeout(r, 20));
  return done;
};

describe('RestoreGate', () => {
  it('lets requests through while open, holds them while closed, releases them all on open', async () => {
    const gate = new RestoreGate();
    assert.equal(await settled(gate.pass()), true);
    gate.close();
    gate.close();
    const held = [gate.pass(), gate.pass()];
    assert.equal(gate.isClosed, true);
    assert.deepEqual(await Promise.all(held.map(settled)), [false, false]);
    gate.open();
    assert.deepEqual(await Promise.all(held.map(settled)), [true, true]);
    assert.equal(await settled(gate.pass()), true);
  });

  it('lets a held request go after the time limit when no restore ever opens it', async () => {
    const gate = new RestoreGate();
    gate.close();
    const t0 = Date.now();
    await gate.pass(50);
    assert.ok(Date.now() - t0 >= 45);
    assert.equal(gate.isClosed, true, 'the timeout does not open the gate for others');
  });
});

describe('connectionLost', () => {
  it('is true for requests the dying connection dropped or could not send, false for server errors', () => {
    assert.equal(connectionLost(new ResponseError(ErrorCodes.PendingResponseRejected, 'Pending response rejected since connection got disposed')), true);
    assert.equal(connectionLost(new ResponseError(ErrorCodes.ConnectionInactive, 'Client is not running')), true);
    assert.equal(connectionLost(new ConnectionError(ConnectionErrors.Disposed, 'Connection is disposed.')), true);
    assert.equal(connectionLost(new ConnectionError(ConnectionErrors.Closed, 'Connection is closed.')), true);
    assert.equal(connectionLost(new ResponseError(1003, 'cannot start another run while run 2 is active')), false);
    assert.equal(connectionLost(new ResponseError(ErrorCodes.InvalidParams, 'run: "kind" must be …')), false);
    assert.equal(connectionLost(new Error('boom')), false);
    assert.equal(connectionLost(undefined), false);
  });
});
