/**
 * The pure part of choosing a run's input: reading a shape the user typed and
 * describing the choices. `runCommands.ts` asks the user with these.
 */
import type { RunInput } from '../protocol';

/** Most dimensions and elements a random input may have (the server's limits). */
const MAX_RANK = 8;
const MAX_ELEMENTS = 1 << 26;

/**
 * Reads a shape such as `1, 3, 32, 32`, `[1, 10]` or `2x8`.
 *
 * @returns the shape, or a one-line problem for the input box
 */
export function parseShape(text: string): number[] | string {
  const body = text.trim().replace(/^[[(]|[\])]$/g, '').trim();
  if (body === '') return 'enter the dimensions, e.g. 1, 3, 32, 32';
  const parts = body.split(/\s*[,x×]\s*|\s+/).filter((s) => s !== '');
  if (!parts.every((p) => /^\d+$/.test(p))) return 'dimensions are positive whole numbers separated by commas';
  const shape = parts.map(Number);
  if (shape.some((d) => d < 1)) return 'every dimension must be at least 1';
  if (shape.length > MAX_RANK) return `at most ${MAX_RANK} dimensions`;
  if (shape.reduce((a, b) => a * b, 1) > MAX_ELEMENTS) return `at most ${MAX_ELEMENTS.toLocaleString('en-US')} elements`;
  return shape;
}

/** A run input in words, for notifications and the quick pick: `input()`, `random [1, 10]`, `x.npy`. */
export function describeInput(input: RunInput): string {
  switch (input.source) {
    case 'default': return 'the model\'s default input';
    case 'random': return `a random input [${input.shape.join(', ')}]`;
    case 'file': return input.file.split(/[\\/]/).pop() ?? input.file;
  }
}
