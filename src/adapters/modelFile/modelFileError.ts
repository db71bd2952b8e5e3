/**
 * The one error type the model-file loader throws.
 *
 * The message is always a single line `<file>: <problem>`, so the CLI, the server and the
 * extension can show it as is, and a mistake in a user's model file reads differently from a
 * bug in the engine.
 */
export class ModelFileError extends Error {
  /** The model file, as the caller named it. */
  readonly file: string;
  /** The problem alone, without the file prefix. */
  readonly problem: string;

  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    const oneLine = problem.replace(/\s*[\r\n]+\s*/g, ' ').trim();
    super(`${file}: ${oneLine}`, options);
    this.name = 'ModelFileError';
    this.file = file;
    this.problem = oneLine;
  }
}

/** A thrown value's message, for embedding in a one-line problem. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) {
    return err.message || err.name;
  }
  if (typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string') {
    return (err as { message: string }).message;
  }
  return String(err);
}

/**
 * Names what a value is for "default export is X" messages: `typeof` for primitives and
 * `null`, the constructor name for objects (`Object`, `Array`, `Tensor`, ...).
 */
export function describeValue(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (typeof value !== 'object') {
    return typeof value;
  }
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return typeof name === 'string' && name !== '' ? name : 'object';
}
