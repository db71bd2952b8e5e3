/**
 * Model server entry (bundled to dist/server.js). Runs in its own Node process,
 * started by the extension's language client over IPC (`--node-ipc`), so tfjs
 * and user model code never run in the extension host.
 */
import { createConnection, ProposedFeatures, type InitializeResult } from 'vscode-languageserver/node';
import { ModelsChangedNotification, type ServerInfo, type ServerInitOptions } from '../protocol';
import { setUpBackend } from './backendSetup';
import { registerHandlers } from './handlers';
import { ModelRegistry } from './modelRegistry';

const connection = createConnection(ProposedFeatures.all);

let resolveInfo: (info: ServerInfo) => void;
let rejectInfo: (err: unknown) => void;
/** Settles once `initialize` has chosen a backend. */
const info = new Promise<ServerInfo>((resolve, reject) => {
  resolveInfo = resolve;
  rejectInfo = reject;
});
// Requests that wait on `info` see the rejection; this only stops it counting as unhandled.
info.catch(() => undefined);

let backendName = 'none';
const registry = new ModelRegistry(
  () => backendName,
  (change) => void connection.sendNotification(ModelsChangedNotification, change),
);

connection.onInitialize(async (params): Promise<InitializeResult> => {
  const options = (params.initializationOptions ?? {}) as ServerInitOptions;
  try {
    const selected = await setUpBackend(options.backend);
    backendName = selected.backend;
    resolveInfo(selected);
  } catch (err) {
    rejectInfo(err);
  }
  // No LSP capabilities: this server answers only the moduleLens/* requests.
  return { capabilities: {}, serverInfo: { name: 'Module Lens Model Server' } };
});

connection.onShutdown(() => registry.disposeAll());

registerHandlers(connection, registry, info);

// Model code can reject a promise nobody awaits; log it rather than let Node end the server.
process.on('unhandledRejection', (reason) => {
  connection.console.error(`Unhandled rejection in the model server: ${reason instanceof Error ? reason.stack : String(reason)}`);
});

connection.listen();
