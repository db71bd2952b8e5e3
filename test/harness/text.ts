import * as fs from 'node:fs';

/** The last `n` lines of a text file, or '' when it cannot be read. */
export function tail(file: string, n: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

/** Seconds elapsed since `since` (a `Date.now()` value), as "12.3 s". */
export function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}
