/**
 * The CLI's two failure kinds and how any error becomes the one stderr line the CLI promises.
 */

/** A mistake on the command line: exit code 2, followed by the usage text. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A problem with a named file (model, input, weights): one line `<file>: <problem>`, exit code 1. */
export class CliError extends Error {
  constructor(readonly file: string, readonly problem: string) {
    super(`${file}: ${oneLine(problem)}`);
    this.name = 'CliError';
  }
}

/**
 * The single line printed for a failure. Errors that already name their file (`CliError`,
 * `ModelFileError`, `TensorFileError`) are printed as they are; anything else (a failing
 * `forward`, a tfjs error) is attributed to `fallbackFile`, the model being run.
 */
export function errorLine(err: unknown, fallbackFile: string | undefined): string {
  const named = err instanceof Error && ['CliError', 'ModelFileError', 'TensorFileError'].includes(err.name);
  const message = err instanceof Error ? err.message || err.name : String(err);
  if (named || fallbackFile === undefined) {
    return oneLine(named ? message : `module-lens: ${message}`);
  }
  return oneLine(`${fallbackFile}: ${message}`);
}

/** Collapses line breaks (and the indentation after them) into single spaces. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
