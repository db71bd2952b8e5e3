import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { codeServerEntry, codeServerPackage, codeServerRoot } from './paths';
import { killTree, killTreeNow, onShutdown, which } from './processes';
import { seconds, tail } from './text';

export { startCodeServer } from './launch';
export type { CodeServerOptions, RunningCodeServer } from './launch';

/**
 * code-server 4.100.3 is VS Code 1.100.3's server with the real Node extension host. Later
 * releases need Node 22; this one runs on the Node 20 the project targets.
 */
export const CODE_SERVER_VERSION = '4.100.3';

const markerFile = path.join(codeServerRoot, '.installed.json');
const logFile = path.join(codeServerRoot, 'install.log');

interface Marker {
  version: string;
  /** Native modules (argon2, node-pty, kerberos) are built for one Node ABI. */
  modules: string;
}

const wanted: Marker = { version: CODE_SERVER_VERSION, modules: process.versions.modules };

/** True when a complete install for this version and this Node is present. */
export function isCodeServerInstalled(): boolean {
  try {
    const marker = JSON.parse(fs.readFileSync(markerFile, 'utf8')) as Marker;
    return marker.version === wanted.version && marker.modules === wanted.modules && fs.existsSync(codeServerEntry);
  } catch {
    return false;
  }
}

/**
 * Installs code-server into `.vscode-test/code-server/` unless a complete install is there.
 *
 * A plain `npm install code-server` fails offline (its postinstall refuses root, kerberos needs
 * headers, and `@vscode/ripgrep` downloads from GitHub), so this follows the project's checked
 * recipe step by step. Anything short of the success marker is wiped and redone, because a
 * half-finished npm tree is not worth repairing. Output of each step goes to `install.log`.
 */
export async function ensureCodeServer(log: (line: string) => void = console.log): Promise<void> {
  if (isCodeServerInstalled()) return;
  checkPrerequisites();
  const started = Date.now();
  log(`code-server: installing ${CODE_SERVER_VERSION} into ${path.relative(process.cwd(), codeServerRoot) || '.'} (a few minutes, once)`);
  fs.rmSync(codeServerRoot, { recursive: true, force: true });
  fs.mkdirSync(codeServerRoot, { recursive: true });
  // Without its own package.json, npm would walk up and install into the repository instead.
  fs.writeFileSync(
    path.join(codeServerRoot, 'package.json'),
    JSON.stringify({ name: 'module-lens-code-server', private: true, description: 'Test harness install' }, null, 2) + '\n',
  );
  fs.writeFileSync(logFile, '');

  const vscode = path.join(codeServerPackage, 'lib', 'vscode');
  const steps: [string, () => Promise<void>][] = [
    ['downloading code-server from npm', () => npm(codeServerRoot, ['install', '--ignore-scripts', '--no-audit', '--no-fund', `code-server@${CODE_SERVER_VERSION}`])],
    ['building argon2', () => npm(codeServerRoot, ['rebuild', 'argon2'])],
    ['installing VS Code server dependencies', () => npm(vscode, ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'])],
    ['linking ripgrep to the system rg', async () => linkRipgrep(vscode)],
    // node-pty's build script runs `npx node-gyp`, which would otherwise ask before installing.
    ['building native modules', () => npm(vscode, ['rebuild'], { npm_config_yes: 'true' })],
    ['linking helpers', async () => linkHelpers(vscode)],
    ['installing built-in extension dependencies', () => npm(path.join(vscode, 'extensions'), ['install', '--omit=dev', '--no-audit', '--no-fund'])],
  ];
  for (const [i, [title, run]] of steps.entries()) {
    const t = Date.now();
    log(`code-server: [${i + 1}/${steps.length}] ${title}`);
    try {
      await run();
    } catch (err) {
      throw new Error(`code-server install failed while ${title}: ${(err as Error).message}\n--- last lines of ${logFile} ---\n${tail(logFile, 40)}`);
    }
    log(`code-server:        done in ${seconds(t)}`);
  }
  fs.writeFileSync(markerFile, JSON.stringify(wanted, null, 2) + '\n');
  log(`code-server: installed in ${seconds(started)}`);
}

function checkPrerequisites(): void {
  const missing: string[] = [];
  if (!which('rg')) missing.push('ripgrep');
  // kerberos (a VS Code server dependency) compiles against the GSSAPI headers.
  if (!fs.existsSync('/usr/include/gssapi/gssapi.h') && !which('krb5-config')) missing.push('libkrb5-dev');
  for (const tool of ['make', 'g++']) if (!which(tool)) missing.push(tool === 'g++' ? 'g++' : tool);
  if (missing.length) {
    throw new Error(`code-server needs system packages that are missing: apt-get install -y ${missing.join(' ')}`);
  }
}

function linkRipgrep(vscode: string): void {
  // @vscode/ripgrep's postinstall downloads rg from GitHub; it skips when bin/ exists.
  const bin = path.join(vscode, 'node_modules', '@vscode', 'ripgrep', 'bin');
  fs.mkdirSync(bin, { recursive: true });
  symlink(which('rg')!, path.join(bin, 'rg'));
}

function linkHelpers(vscode: string): void {
  // The server loads its modules from node_modules.asar, which is a real archive only in releases.
  symlink('node_modules', path.join(vscode, 'node_modules.asar'));
  symlink('code-linux.sh', path.join(vscode, 'bin', 'remote-cli', 'code-server'));
  symlink('browser-linux.sh', path.join(vscode, 'bin', 'helpers', 'browser.sh'));
}

/** `ln -sfn target link` */
function symlink(target: string, link: string): void {
  fs.rmSync(link, { force: true, recursive: false });
  fs.symlinkSync(target, link);
}

/**
 * Runs npm in `cwd` with output appended to the install log. npm's own `npm_*` variables
 * (set when the harness itself runs under `npm run`) are dropped so they do not point the
 * child at the repository's package.
 */
function npm(cwd: string, args: string[], extraEnv: Record<string, string> = {}): Promise<void> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_(package|lifecycle|command|config_local_prefix)/i.test(k) || k === 'INIT_CWD') continue;
    env[k] = v;
  }
  Object.assign(env, extraEnv);
  const out = fs.openSync(logFile, 'a');
  fs.writeSync(out, `\n$ (cd ${cwd} && npm ${args.join(' ')})\n`);
  return new Promise<void>((resolve, reject) => {
    const child = spawn('npm', args, { cwd, env, stdio: ['ignore', out, out] });
    // An interrupted harness must not leave npm writing into a folder the next run wipes.
    const unregister = onShutdown({ graceful: () => killTree(child.pid!), now: () => killTreeNow(child.pid!) });
    child.on('error', reject);
    child.on('close', (code, sig) => {
      unregister();
      fs.closeSync(out);
      if (code === 0) resolve();
      else reject(new Error(`npm ${args.join(' ')} exited with ${code ?? sig}`));
    });
  });
}
