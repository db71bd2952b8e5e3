/**
 * PyTorch layers take optional arguments positionally or by keyword. Here a
 * trailing plain object plays the keyword part: `new nn.Conv2d(3, 16, 3, {stride: 2})`
 * equals `new nn.Conv2d(3, 16, 3, 2)`.
 */
export function layerArgs<T extends Record<string, unknown>>(
  layer: string, names: readonly (keyof T & string)[], rest: readonly unknown[], defaults: T,
): T {
  const last = rest[rest.length - 1];
  const hasOptions = typeof last === 'object' && last !== null && !Array.isArray(last) && Object.getPrototypeOf(last) === Object.prototype;
  const positional = hasOptions ? rest.slice(0, -1) : rest;
  if (positional.length > names.length) {
    throw new TypeError(`${layer}() takes at most ${names.length} optional positional arguments but ${positional.length} were given`);
  }
  const out: Record<string, unknown> = { ...defaults };
  positional.forEach((v, i) => { if (v !== undefined) out[names[i]] = v; });
  if (hasOptions) {
    for (const [k, v] of Object.entries(last as Record<string, unknown>)) {
      if (!(k in defaults)) throw new TypeError(`${layer}() got an unexpected keyword argument '${k}'`);
      if (positional.length > names.indexOf(k) && names.indexOf(k) >= 0) throw new TypeError(`${layer}() got multiple values for argument '${k}'`);
      if (v !== undefined) out[k] = v;
    }
  }
  return out as T;
}

/** PyTorch's `_pair`/`_single`: an int becomes a tuple of `n` copies. */
export function ntuple(value: number | readonly number[], n: number, what: string): number[] {
  if (typeof value === 'number') return new Array(n).fill(value);
  if (value.length !== n) throw new TypeError(`${what} must be an int or a tuple of ${n} ints, got (${value.join(', ')})`);
  return [...value];
}

/** Positive integer check with PyTorch's wording. */
export function positiveInt(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new Error(`${what} must be a positive integer, got ${String(value)}`);
  }
  return value;
}
