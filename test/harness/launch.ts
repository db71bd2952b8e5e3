import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { codeServerEntry } from './paths';
import { killTree, killTreeNow, onShutdown } from './processes';
import { tail } from './text';

/** How to start code-server. */
export interface CodeServerOptions {
  /** The folder the workbench opens. */
  workspace: string;
  /** VS Code's user data (settings, logs, state); `User/settings.json` is written here. */
  userDataDir: string;
  /** Where installed extensions live. */
  extensionsDir: string;
  /** Trust the workspace (turns workspace trust off); false leaves Restricted Mode on. */
  trust: boolean;
  /** Extra environment; the extension host inherits code-server's environment. */
  env?: NodeJS.ProcessEnv;
  /** Where code-server's own output goes; defaults to `code-server.log` next to userDataDir. */
  logFile?: string;
}

/** A code-server started by {@link startCodeServer}. */
export interface RunningCodeServer {
  /** `http://127.0.0.1:PORT` without a trailing slash. */
  url: string;
  port: number;
  /** code-server's stdout and stderr. */
  logFile: string;
  /** Resolves with a description ("code-server exited with 1") when the process ends. */
  exited: Promise<string>;
  /** Stops code-server and everything it started. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts code-server on a free loopback port and resolves once it answers HTTP.
 * It runs in its own process group so that {@link RunningCodeServer.stop} (and Ctrl-C,
 * SIGTERM or exit of the harness) can end it with its extension host and language servers.
 */
export async function startCodeServer(opts: CodeServerOptions): Promise<RunningCodeServer> {
  writeUserSettings(opts.userDataDir, opts.trust);
  fs.mkdirSync(opts.extensionsDir, { recursive: true });
  const port = await freePort();
  const logFile = opts.logFile ?? path.join(path.dirname(opts.userDataDir), 'code-server.log');
  const own = ownFiles(opts.userDataDir);
  const out = fs.openSync(logFile, 'a');
  const args = [
    codeServerEntry,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    ...own.args,
    '--user-data-dir', opts.userDataDir,
    '--extensions-dir', opts.extensionsDir,
    opts.workspace,
  ];
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, ...own.env, ...opts.env },
  });
  fs.closeSync(out);
  const pid = child.pid!;
  let stopped: Promise<void> | undefined;
  const unregister = onShutdown({ graceful: () => stop(), now: () => killTreeNow(pid) });
  const stop = (): Promise<void> => {
    stopped ??= killTree(pid).finally(unregister);
    return stopped;
  };
  let exitReason: string | undefined;
  const exited = new Promise<string>((resolve) =>
    child.on('exit', (code, sig) => resolve((exitReason = `code-server exited with ${code ?? sig}`))),
  );

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (!(await answers(`${url}/healthz`))) {
    if (exitReason || Date.now() > deadline) {
      await stop();
      throw new Error(`${exitReason ?? 'code-server did not answer within 60 s'}\n--- ${logFile} ---\n${tail(logFile, 30)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, port, logFile, exited, stop };
}

/**
 * The workbench URL for `folder`, optionally loading an extension from source and running an
 * extension test suite, through the `payload` parameter VS Code's web workbench reads.
 */
export function workbenchUrl(
  server: RunningCodeServer,
  folder: string,
  dev?: { extensionDevelopmentPath: string; extensionTestsPath?: string },
): string {
  const remote = (p: string) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  let url = `${server.url}/?folder=${encodeURIComponent(folder)}`;
  if (dev) {
    const payload: [string, string][] = [['extensionDevelopmentPath', remote(dev.extensionDevelopmentPath)]];
    if (dev.extensionTestsPath) payload.push(['extensionTestsPath', remote(dev.extensionTestsPath)]);
    url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  }
  return url;
}

/**
 * Arguments and environment that keep code-server's own files (config, heartbeat, logs) next to
 * `userDataDir` instead of in the user's home folder.
 */
export function ownFiles(userDataDir: string): { args: string[]; env: NodeJS.ProcessEnv } {
  const base = path.dirname(userDataDir);
  return {
    args: ['--config', path.join(base, 'code-server.yaml')],
    env: { XDG_DATA_HOME: path.join(base, 'code-server-data') },
  };
}

/**
 * Writes `User/settings.json` for a quiet test profile: no telemetry, welcome page, tips or
 * update checks; `trust` turns workspace trust off so the workspace is trusted without a prompt.
 */
export function writeUserSettings(userDataDir: string, trust: boolean): void {
  const settings: Record<string, unknown> = {
    'telemetry.telemetryLevel': 'off',
    'workbench.startupEditor': 'none',
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'update.mode': 'none',
  };
  if (trust) settings['security.workspace.trust.enabled'] = false;
  const dir = path.join(userDataDir, 'User');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode !== undefined && res.statusCode < 500);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}
