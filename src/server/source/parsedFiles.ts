/**
 * Model files parsed once per version: hovers, CodeLenses, inlay hints and
 * the source map ask for the same file again and again, and it only changes
 * when its modification time does.
 */
import * as fs from 'node:fs';

/** A cache of one parse per file, renewed when the file's mtime or the `key` changes. */
export class ParsedFiles<T, K = undefined> {
  private readonly entries = new Map<string, { mtimeMs: number; key: K | undefined; value: T }>();

  constructor(private readonly parse: (file: string, text: string, key: K | undefined) => T) {}

  /**
   * The parse of `file` as it is on disk now.
   *
   * @param key - anything else the parse depends on (compared by identity)
   * @throws the read error when the file cannot be read
   */
  get(file: string, key?: K): T {
    const mtimeMs = fs.statSync(file).mtimeMs;
    const hit = this.entries.get(file);
    if (hit && hit.mtimeMs === mtimeMs && hit.key === key) return hit.value;
    const value = this.parse(file, fs.readFileSync(file, 'utf8'), key);
    this.entries.set(file, { mtimeMs, key, value });
    return value;
  }
}
