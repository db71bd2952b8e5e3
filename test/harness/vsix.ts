import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ownFiles } from './launch';
import { codeServerEntry, repoRoot } from './paths';

/** The file `npm run package` writes: `module-lens-<version>.vsix` in the repository root. */
export function vsixPath(): string {
  const { name, version } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  return path.join(repoRoot, `${name}-${version}.vsix`);
}

/**
 * Returns the repository's `.vsix`, running `npm run package` first unless the existing one is
 * newer than every file vsce would put in it (as `vsce ls` lists them).
 */
export async function ensureVsix(log: (line: string) => void = console.log): Promise<string> {
  const vsix = vsixPath();
  if (fs.existsSync(vsix) && (await isFresh(vsix))) {
    log(`e2e: ${path.basename(vsix)} is up to date`);
    return vsix;
  }
  log('e2e: npm run package');
  await run('npm', ['run', 'package'], repoRoot, undefined, true);
  if (!fs.existsSync(vsix)) throw new Error(`npm run package did not write ${path.basename(vsix)}`);
  return vsix;
}

async function isFresh(vsix: string): Promise<boolean> {
  const built = fs.statSync(vsix).mtimeMs;
  try {
    const vsce = path.join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
    const { stdout } = await promisify(execFile)(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: repoRoot });
    // The packaging rules count too: a changed .vscodeignore can add a file older than the .vsix.
    const files = [...stdout.split('\n').filter(Boolean), '.vscodeignore', 'package.json'];
    return files.length > 2 && files.every((f) => fs.statSync(path.join(repoRoot, f)).mtimeMs <= built);
  } catch {
    return false;
  }
}

/** Installs a `.vsix` into `extensionsDir` with code-server's own CLI. */
export async function installVsix(vsix: string, extensionsDir: string, userDataDir: string): Promise<void> {
  const own = ownFiles(userDataDir);
  const args = [codeServerEntry, ...own.args, '--install-extension', vsix, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir];
  const out = await run(process.execPath, args, repoRoot, own.env);
  if (!/successfully installed/i.test(out)) throw new Error(`code-server could not install ${path.basename(vsix)}:\n${out}`);
}

/** Runs a command, collecting its output; `echo` also passes the output through. */
function run(command: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv, echo = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const collect = (chunk: Buffer) => {
      out += chunk;
      if (echo) process.stdout.write(chunk);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(' ')} exited with ${code}\n${echo ? '' : out}`))));
  });
}
