import { ensureCodeServer, startCodeServer } from './codeServer';
import { assertBuilt } from './extension';
import { workbenchUrl } from './launch';
import { examplesDir, repoRoot } from './paths';
import { shutdown, shuttingDown } from './processes';
import { createSession } from './session';

/**
 * `npm start` (after `npm run build`): opens the demo workspace `examples/` in code-server with
 * the repository loaded as the extension under development, and runs until Ctrl-C.
 * `--extension <dir>` loads another extension folder instead of the repository.
 */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const extensionPath = argv[0] === '--extension' && argv[1] ? argv[1] : repoRoot;
  assertBuilt(extensionPath);
  await ensureCodeServer();
  // Fresh user data each time: a stale profile, or a second `npm start` sharing one, would
  // make code-server hand the folder to the other instance and exit.
  const session = createSession('start', examplesDir);
  const server = await startCodeServer({
    workspace: session.workspace,
    userDataDir: session.userDataDir,
    extensionsDir: session.extensionsDir,
    trust: true,
  });
  const url = workbenchUrl(server, session.workspace, { extensionDevelopmentPath: extensionPath });
  console.log(`Module Lens is running: ${url}`);
  console.log(`(code-server log: ${server.logFile}; press Ctrl-C to stop)`);
  // Runs until Ctrl-C (the shutdown handlers stop code-server) or until code-server dies.
  const reason = await server.exited;
  if (shuttingDown()) return;
  console.error(`npm start: ${reason}`);
  await shutdown();
  process.exit(1);
}

main().catch(async (err: Error) => {
  console.error(`npm start: ${err.message}`);
  await shutdown();
  process.exit(1);
});
