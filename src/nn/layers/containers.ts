import { Module } from '../module';

function indexOf(length: number, idx: number, what: string): number {
  const i = idx < 0 ? idx + length : idx;
  if (!Number.isInteger(i) || i < 0 || i >= length) throw new RangeError(`index ${idx} is out of range for ${what} of length ${length}`);
  return i;
}

/**
 * Runs its children in order, each on the previous one's output, as
 * `torch.nn.Sequential`. Children are named '0', '1', … unless given as a
 * `Map`/record of names (PyTorch's `OrderedDict` form). `seq[0]` works.
 */
export class Sequential extends Module {
  constructor(...modules: Module[] | [Map<string, Module> | Record<string, Module>]) {
    super();
    const first = modules[0] as unknown;
    if (modules.length === 1 && !(first instanceof Module) && typeof first === 'object' && first !== null) {
      const entries = first instanceof Map ? [...first] : Object.entries(first as Record<string, Module>);
      for (const [name, m] of entries) this.addModule(name, m);
    } else {
      (modules as Module[]).forEach((m, i) => this.addModule(String(i), m));
    }
  }

  override forward(input: any): any {
    let x = input;
    for (const m of this._modules.values()) if (m) x = m(x);
    return x;
  }

  /** Number of children, as `len(seq)`. */
  override get length(): number {
    return this._modules.size;
  }

  /** The child at `idx` (negative counts from the end), as `seq[idx]`. */
  at(idx: number): Module {
    return [...this._modules.values()][indexOf(this._modules.size, idx, 'Sequential')] as Module;
  }

  /** Appends a child named by its position, as `append()`. */
  append(module: Module): this {
    this.addModule(String(this._modules.size), module);
    return this;
  }

  *[Symbol.iterator](): IterableIterator<Module> {
    for (const m of this._modules.values()) if (m) yield m;
  }
}

/** A list of sub-modules, registered as '0', '1', …, as `torch.nn.ModuleList`. It has no `forward`. */
export class ModuleList extends Module {
  constructor(modules: Iterable<Module> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  /** Number of modules, as `len()`. */
  override get length(): number {
    return this._modules.size;
  }

  /** The module at `idx`, as `list[idx]`. */
  at(idx: number): Module {
    return [...this._modules.values()][indexOf(this._modules.size, idx, 'ModuleList')] as Module;
  }

  /** Appends a module, as `append()`. */
  append(module: Module): this {
    this.addModule(String(this._modules.size), module);
    return this;
  }

  /** Appends several modules, as `extend()`. */
  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  /** Inserts before `index`, renumbering the rest, as `insert()`. */
  insert(index: number, module: Module): void {
    const list = [...this._modules.values()] as Module[];
    const i = Math.max(0, Math.min(list.length, index < 0 ? index + list.length : index));
    list.splice(i, 0, module);
    this._modules.clear();
    list.forEach((m, k) => this._modules.set(String(k), m));
  }

  *[Symbol.iterator](): IterableIterator<Module> {
    for (const m of this._modules.values()) if (m) yield m;
  }
}

/** A dictionary of named sub-modules in insertion order, as `torch.nn.ModuleDict`. It has no `forward`. */
export class ModuleDict extends Module {
  constructor(modules?: Map<string, Module> | Record<string, Module> | Iterable<[string, Module]>) {
    super();
    if (modules) this.update(modules);
  }

  /** The module under `key`, as `dict[key]`. */
  get(key: string): Module | undefined {
    return this._modules.get(key) ?? undefined;
  }

  /** Adds or replaces `key`, as `dict[key] = module`. */
  set(key: string, module: Module): this {
    this.addModule(key, module);
    return this;
  }

  /** Whether `key` is present, as `key in dict`. */
  has(key: string): boolean {
    return this._modules.has(key);
  }

  /** Removes and returns `key`, as `pop()`. */
  pop(key: string): Module | undefined {
    const m = this.get(key);
    this._modules.delete(key);
    return m;
  }

  /** Removes everything, as `clear()`. */
  clear(): void {
    this._modules.clear();
  }

  /** Number of entries, as `len()`. */
  override get length(): number {
    return this._modules.size;
  }

  keys(): string[] {
    return [...this._modules.keys()];
  }

  values(): Module[] {
    return [...this._modules.values()].filter((m): m is Module => m !== null);
  }

  items(): [string, Module][] {
    return [...this._modules].filter((e): e is [string, Module] => e[1] !== null);
  }

  /** Adds every entry, as `update()`. */
  update(modules: Map<string, Module> | Record<string, Module> | Iterable<[string, Module]>): void {
    const entries = modules instanceof Map || Symbol.iterator in Object(modules)
      ? [...(modules as Iterable<[string, Module]>)]
      : Object.entries(modules as Record<string, Module>);
    for (const [k, m] of entries) this.addModule(k, m);
  }

  *[Symbol.iterator](): IterableIterator<string> {
    yield* this._modules.keys();
  }
}
