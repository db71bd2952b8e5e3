/**
 * The one error type the tensor-file readers and writers throw.
 *
 * The message is always a single line `<file>: <problem>` so that callers (the CLI, the
 * language server, the extension) can show it as is without reformatting, and so that a
 * problem in a user's file is never confused with a bug in the engine.
 */
export class TensorFileError extends Error {
  /** The file name (or label) the problem belongs to, as given by the caller. */
  readonly file: string;
  /** The problem alone, without the file prefix. */
  readonly problem: string;

  constructor(file: string, problem: string) {
    const oneLine = problem.replace(/\s*[\r\n]+\s*/g, ' ').trim();
    super(`${file}: ${oneLine}`);
    this.name = 'TensorFileError';
    this.file = file;
    this.problem = oneLine;
  }
}

/** Shortens untrusted text (keys, dtype strings) before it goes into an error message. */
export function quoteForMessage(value: unknown, max = 80): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value));
  } catch {
    // Deeply nested input overflows JSON.stringify, and String() would recurse the same way.
    text = Array.isArray(value) ? '[…]' : typeof value === 'object' && value !== null ? '{…}' : String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
