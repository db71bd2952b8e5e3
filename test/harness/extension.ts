import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Checks that `extensionPath` holds a built extension (its manifest's `main` exists), and
 * says which build step is missing when it does not.
 */
export function assertBuilt(extensionPath: string): void {
  const manifestFile = path.join(extensionPath, 'package.json');
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { main?: string };
  if (!manifest.main) return;
  const main = path.resolve(extensionPath, manifest.main);
  if (!fs.existsSync(main) && !fs.existsSync(`${main}.js`)) {
    throw new Error(`${path.relative(process.cwd(), main) || main} is missing: run \`npm run build\` first`);
  }
}
