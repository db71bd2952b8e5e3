/**
 * Model server entry (bundled to dist/server.js). Runs in its own Node process,
 * started by the extension's language client over IPC (`--node-ipc`). This
 * main thread only speaks JSON-RPC and keeps the directory of open models and
 * hooks; tfjs and user model code run in the engine worker (dist/serverWorker.js),
 * so the server answers while a run computes, pauses, or never ends.
 */
import { createConnection, ProposedFeatures, type InitializeResult } from 'vscode-languageserver/node';
import {
  CaptureNotification, ModelsChangedNotification, NoticeNotification, OutputNotification, RunStateNotification,
  type ServerInfo, type ServerInitOptions,
} from '../protocol';
import { registerHandlers } from './handlers';
import { ModelDirectory } from './modelDirectory';
import { WorkerHost } from './workerHost';
import { LANGUAGE_CAPABILITIES, LanguageFeatures } from './language/languageFeatures';

const connection = createConnection(ProposedFeatures.all);

let resolveInfo: (info: ServerInfo) => void;
let rejectInfo: (err: unknown) => void;
/** Settles once `initialize` has started the worker and it has chosen a backend. */
const ready = new Promise<ServerInfo>((resolve, reject) => {
  resolveInfo = resolve;
  rejectInfo = reject;
});
// Requests that wait on `ready` see the rejection; this only stops it counting as unhandled.
ready.catch(() => undefined);

let info: ServerInfo | undefined;
const features = new LanguageFeatures(connection, () => directory);
let host: WorkerHost;
let directory: ModelDirectory;

/** After the worker died on its own: a new one, the same models and hooks, and one message. */
async function recover(reason: string): Promise<void> {
  connection.console.warn(`engine worker ${reason}; restarting it`);
  const restored = await directory.restartWorker();
  connection.sendNotification(NoticeNotification, {
    level: 'warning',
    message: `The model engine ${reason} (out of memory or a crash in model code) and was restarted; ` +
      `${restored.models} model(s) and ${restored.hooks} hook(s) were restored.${restored.failures.length ? ` Not restored: ${restored.failures.join('; ')}` : ''}`,
  });
}

connection.onInitialize(async (params): Promise<InitializeResult> => {
  const options = (params.initializationOptions ?? {}) as ServerInitOptions & {
    maxInlineElements?: number; maxCaptureBytes?: number; histogramBins?: number; maxHeapMb?: number; loadTimeoutMs?: number;
  };
  host = new WorkerHost({
    backend: options.backend,
    maxInlineElements: options.maxInlineElements ?? 4096,
    maxCaptureBytes: options.maxCaptureBytes ?? 256 * 1024 * 1024,
    histogramBins: options.histogramBins ?? 32,
    maxHeapMb: options.maxHeapMb,
  }, {
    capture: (event) => {
      features.captured(event);
      void connection.sendNotification(CaptureNotification, event);
    },
    runState: (state) => void connection.sendNotification(RunStateNotification, state),
    hookHits: (hookId, hits) => directory.hookHit(hookId, hits),
    log: (message) => connection.console.log(message),
    output: (params) => void connection.sendNotification(OutputNotification, params),
    died: (reason) => void recover(reason).catch((err) => connection.console.error(`could not restart the engine: ${err}`)),
  });
  directory = new ModelDirectory(host, () => info?.backend ?? 'none', {
    modelsChanged: (change) => void connection.sendNotification(ModelsChangedNotification, change),
    hooksMissing: (hooks) => void connection.sendNotification(NoticeNotification, {
      level: 'warning',
      message: `After the reload, ${hooks.map((h) => `the ${h.kind} hook on "${h.path}"`).join(', ')} no longer ha${hooks.length === 1 ? 's' : 've'} a module; kept in the Hooks view, inactive.`,
    }),
  }, options.loadTimeoutMs);
  try {
    info = { ...(await host.start()), pid: process.pid };
    resolveInfo(info);
  } catch (err) {
    rejectInfo(err);
  }
  // Beyond the moduleLens/* requests: CodeLens, hover, inlay hints and diagnostics on model files.
  return { capabilities: LANGUAGE_CAPABILITIES, serverInfo: { name: 'Module Lens Model Server' } };
});

connection.onShutdown(() => host?.terminate());

registerHandlers(connection, {
  get directory() { return directory; },
  get host() { return host; },
  features,
  ready,
  async stop() {
    const outcome = await host.stop();
    if (outcome === 'terminated') {
      await directory.restartWorker();
      return true;
    }
    return outcome === 'graceful';
  },
});

// Model code can reject a promise nobody awaits; log it rather than let Node end the server.
process.on('unhandledRejection', (reason) => {
  connection.console.error(`Unhandled rejection in the model server: ${reason instanceof Error ? reason.stack : String(reason)}`);
});

connection.listen();
