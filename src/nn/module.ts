import * as tf from '@tensorflow/tfjs';
import { Parameter } from './parameter';
import {
  addHook, anyGlobalHooks, globalHooks,
  type BackwardHook, type BackwardPreHook, type ForwardHook, type ForwardPreHook, type HookDict, type HookOptions, RemovableHandle,
} from './hooks';
import { callModule } from './moduleCall';
import { addIndent } from './pyRepr';
import { loadStateDictInto, type LoadStateDictResult, type StateDictInput } from './stateDict';

/** Anything a module call can return. */
export type ModuleOutput = any;

/**
 * A module is callable like a function, as in PyTorch: `m(x)` runs hooks
 * around `forward`, `m.forward(x)` does not.
 */
export interface Module {
  (...args: Parameters<this['forward']>): ReturnType<this['forward']>;
}

function isValidName(name: string): string | null {
  if (typeof name !== 'string') return `name should be a string, got ${typeof name}`;
  if (name.includes('.')) return `name can't contain ".", got: ${name}`;
  if (name === '') return `name can't be empty string ""`;
  return null;
}

function describe(value: unknown): string {
  if (value instanceof tf.Tensor) return `tf.Tensor(${value.dtype})`;
  if (value === null) return 'null';
  if (typeof value === 'object' || typeof value === 'function') return (value as object).constructor?.name ?? typeof value;
  return typeof value;
}

/**
 * Base class for all neural-network modules, with PyTorch's `nn.Module` insides:
 * `_parameters`, `_buffers` and `_modules` are insertion-ordered maps that
 * attribute assignment fills (`this.weight = new nn.Parameter(t)`,
 * `this.fc = new nn.Linear(5, 4)`), `training` is a per-module flag, and the
 * forward/backward hook dictionaries run when the module is called.
 *
 * A call from outside any module runs in `tf.tidy`: intermediate tensors are
 * freed when it returns or throws, and only the result survives. A hook that
 * keeps a tensor beyond the call must `tf.keep` it (a clone, to be safe).
 *
 * The constructor returns a callable `Proxy` whose traps play the part of
 * Python's `__getattr__`, `__setattr__` and `__delattr__`. Do not use `#private`
 * fields in subclasses: they cannot be reached through a proxy.
 */
export class Module {
  declare _parameters: Map<string, Parameter | null>;
  declare _buffers: Map<string, tf.Tensor | null>;
  declare _nonPersistentBuffersSet: Set<string>;
  declare _modules: Map<string, Module | null>;
  declare _forwardPreHooks: HookDict<ForwardPreHook<any>>;
  declare _forwardHooks: HookDict<ForwardHook<any>>;
  declare _backwardPreHooks: HookDict<BackwardPreHook<any>>;
  declare _backwardHooks: HookDict<BackwardHook<any>>;
  /** Whether the module is in training mode; set it for a whole tree with `train()`/`eval()`. */
  declare training: boolean;

  constructor() {
    // The callable object must use the subclass's prototype chain, so that
    // methods and `instanceof` work on it as on a plain instance.
    const target = (() => undefined) as unknown as Module;
    delete (target as { name?: string }).name;
    delete (target as { length?: number }).length;
    Object.setPrototypeOf(target, new.target.prototype);
    const internal = (key: string, value: unknown) =>
      Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable: false });
    internal('_parameters', new Map());
    internal('_buffers', new Map());
    internal('_nonPersistentBuffersSet', new Set());
    internal('_modules', new Map());
    internal('_forwardPreHooks', new Map());
    internal('_forwardHooks', new Map());
    internal('_backwardPreHooks', new Map());
    internal('_backwardHooks', new Map());
    internal('training', true);
    const proxy: Module = new Proxy(target, {
      // Calls must go through the proxy, or `this.sub` inside `forward` misses the registries.
      apply: (_t, _thisArg, args: unknown[]) => callModule(proxy, target, args),
      get: (t, key, receiver) => {
        if (typeof key === 'string') {
          const p = t._parameters.get(key);
          if (p !== undefined) return p;
          const b = t._buffers.get(key);
          if (b !== undefined) return b;
          const m = t._modules.get(key);
          if (m !== undefined) return m;
        }
        return Reflect.get(t, key, receiver);
      },
      set: (t, key, value, receiver) => {
        if (typeof key === 'string' && setRegistered(t, proxy, key, value)) return true;
        return Reflect.set(t, key, value, receiver);
      },
      defineProperty: (t, key, desc) => {
        if (typeof key === 'string' && 'value' in desc && setRegistered(t, proxy, key, desc.value)) return true;
        return Reflect.defineProperty(t, key, desc);
      },
      deleteProperty: (t, key) => {
        if (typeof key === 'string') {
          if (t._parameters.delete(key) || t._modules.delete(key)) return true;
          if (t._buffers.delete(key)) { t._nonPersistentBuffersSet.delete(key); return true; }
        }
        return Reflect.deleteProperty(t, key);
      },
      has: (t, key) =>
        (typeof key === 'string' && (t._parameters.has(key) || t._buffers.has(key) || t._modules.has(key))) || Reflect.has(t, key),
      ownKeys: (t) => [...new Set([...Reflect.ownKeys(t), ...t._parameters.keys(), ...t._buffers.keys(), ...t._modules.keys()])],
      getOwnPropertyDescriptor: (t, key) => {
        if (typeof key === 'string' && !Object.prototype.hasOwnProperty.call(t, key)) {
          for (const reg of [t._parameters, t._buffers, t._modules] as Map<string, unknown>[]) {
            if (reg.has(key)) return { value: reg.get(key), writable: true, enumerable: true, configurable: true };
          }
        }
        return Reflect.getOwnPropertyDescriptor(t, key);
      },
    });
    return proxy;
  }

  /** Computes the module's output. Subclasses override it; call the module itself to run hooks. */
  forward(..._args: any[]): ModuleOutput {
    throw new Error(`Module [${this.typeName}] is missing the required "forward" function`);
  }

  /** The class name PyTorch prints (`_get_name()`). */
  get typeName(): string {
    return Object.getPrototypeOf(this)?.constructor?.name ?? 'Module';
  }

  // ---- registration ---------------------------------------------------------

  /** Adds a parameter, as `register_parameter`; `null` registers an absent one (like `bias=False`). */
  registerParameter(name: string, param: Parameter | null): void {
    const bad = isValidName(name);
    if (bad) throw new Error(`parameter ${bad}`);
    if (this.hasPlainAttribute(name) && !this._parameters.has(name)) throw new Error(`attribute '${name}' already exists`);
    if (param !== null && !(param instanceof Parameter)) {
      throw new TypeError(`cannot assign '${describe(param)}' object to parameter '${name}' (nn.Parameter or null required)`);
    }
    this._parameters.set(name, param);
  }

  /**
   * Adds a buffer, as `register_buffer`: state that is not a parameter, such as
   * BatchNorm's running statistics. Non-persistent buffers stay out of `stateDict()`.
   */
  registerBuffer(name: string, tensor: tf.Tensor | null, persistent = true): void {
    const bad = isValidName(name);
    if (bad) throw new Error(`buffer ${bad}`);
    if (this.hasPlainAttribute(name) && !this._buffers.has(name)) throw new Error(`attribute '${name}' already exists`);
    if (tensor !== null && !(tensor instanceof tf.Tensor)) {
      throw new TypeError(`cannot assign '${describe(tensor)}' object to buffer '${name}' (tf.Tensor or null required)`);
    }
    this._buffers.set(name, tensor === null ? null : tf.keep(tensor));
    if (persistent) this._nonPersistentBuffersSet.delete(name);
    else this._nonPersistentBuffersSet.add(name);
  }

  /** Adds a child module, as `add_module`. */
  addModule(name: string, module: Module | null): void {
    const bad = isValidName(name);
    if (bad) throw new Error(`module ${bad}`);
    if (module !== null && !(module instanceof Module)) throw new TypeError(`${describe(module)} is not a Module subclass`);
    if (this.hasPlainAttribute(name) && !this._modules.has(name)) throw new Error(`attribute '${name}' already exists`);
    this._modules.set(name, module);
  }

  /** Alias of {@link addModule}, as `register_module`. */
  registerModule(name: string, module: Module | null): void {
    this.addModule(name, module);
  }

  /** Whether `name` is a buffer left out of the state dict. */
  isNonPersistentBuffer(name: string): boolean {
    return this._nonPersistentBuffersSet.has(name);
  }

  private hasPlainAttribute(name: string): boolean {
    return (name in this) && !this._parameters.has(name) && !this._buffers.has(name) && !this._modules.has(name);
  }

  // ---- traversal ------------------------------------------------------------

  /** Direct children with their names, as `named_children()`; a module held twice is yielded once. */
  *namedChildren(): IterableIterator<[string, Module]> {
    const seen = new Set<Module>();
    for (const [name, m] of this._modules) {
      if (m && !seen.has(m)) { seen.add(m); yield [name, m]; }
    }
  }

  /** Direct children, as `children()`. */
  *children(): IterableIterator<Module> {
    for (const [, m] of this.namedChildren()) yield m;
  }

  /**
   * Every module in the tree, depth first, this one first with name `prefix`
   * (default ''), each shared module once, as `named_modules()`.
   */
  *namedModules(memo?: Set<Module>, prefix = '', removeDuplicate = true): IterableIterator<[string, Module]> {
    const seen = memo ?? new Set<Module>();
    if (removeDuplicate) {
      if (seen.has(this)) return;
      seen.add(this);
    }
    yield [prefix, this];
    for (const [name, m] of this._modules) {
      if (!m) continue;
      yield* m.namedModules(seen, prefix ? `${prefix}.${name}` : name, removeDuplicate);
    }
  }

  /** Every module in the tree, as `modules()`. */
  *modules(): IterableIterator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }

  /** Parameters with dotted names, as `named_parameters()`; a shared parameter is yielded once. */
  *namedParameters(prefix = '', recurse = true, removeDuplicate = true): IterableIterator<[string, Parameter]> {
    yield* this.namedMembers((m) => m._parameters, prefix, recurse, removeDuplicate) as IterableIterator<[string, Parameter]>;
  }

  /** Parameters, as `parameters()`. */
  *parameters(recurse = true): IterableIterator<Parameter> {
    for (const [, p] of this.namedParameters('', recurse)) yield p;
  }

  /** Buffers with dotted names, as `named_buffers()`. */
  *namedBuffers(prefix = '', recurse = true, removeDuplicate = true): IterableIterator<[string, tf.Tensor]> {
    yield* this.namedMembers((m) => m._buffers, prefix, recurse, removeDuplicate);
  }

  /** Buffers, as `buffers()`. */
  *buffers(recurse = true): IterableIterator<tf.Tensor> {
    for (const [, b] of this.namedBuffers('', recurse)) yield b;
  }

  private *namedMembers(
    get: (m: Module) => Map<string, tf.Tensor | null>, prefix: string, recurse: boolean, removeDuplicate: boolean,
  ): IterableIterator<[string, tf.Tensor]> {
    const seen = new Set<tf.Tensor>();
    const mods: Iterable<[string, Module]> = recurse ? this.namedModules(undefined, prefix, removeDuplicate) : [[prefix, this]];
    for (const [modPrefix, m] of mods) {
      for (const [name, v] of get(m)) {
        if (!v || seen.has(v)) continue;
        if (removeDuplicate) seen.add(v);
        yield [modPrefix ? `${modPrefix}.${name}` : name, v];
      }
    }
  }

  /** The sub-module at a dotted path ('' is this module), as `get_submodule()`. */
  getSubmodule(target: string): Module {
    if (target === '') return this;
    return target.split('.').reduce<Module>((mod, item) => {
      const next = mod._modules.get(item);
      if (!next) throw new Error(`${mod.typeName} has no attribute \`${item}\``);
      return next;
    }, this);
  }

  /** The parameter at a dotted path, as `get_parameter()`. */
  getParameter(target: string): Parameter {
    const { mod, name } = this.splitTarget(target);
    const p = mod._parameters.get(name);
    if (!p) throw new Error(`${mod.typeName} has no parameter \`${name}\``);
    return p;
  }

  /** The buffer at a dotted path, as `get_buffer()`. */
  getBuffer(target: string): tf.Tensor {
    const { mod, name } = this.splitTarget(target);
    const b = mod._buffers.get(name);
    if (!b) throw new Error(`${mod.typeName} has no buffer \`${name}\``);
    return b;
  }

  private splitTarget(target: string): { mod: Module; name: string } {
    const i = target.lastIndexOf('.');
    return { mod: this.getSubmodule(i < 0 ? '' : target.slice(0, i)), name: target.slice(i + 1) };
  }

  /** Calls `fn` on every child (recursively) and then on this module, as `apply()`. */
  apply(fn: (m: Module) => void): this {
    for (const m of this.children()) m.apply(fn);
    fn(this);
    return this;
  }

  // ---- modes and gradients --------------------------------------------------

  /** Sets training mode on this module and all its descendants, as `train()`. */
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw new TypeError('training mode is expected to be boolean');
    this.training = mode;
    for (const m of this.children()) m.train(mode);
    return this;
  }

  /** Sets evaluation mode, as `eval()`; same as `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Turns gradient tracking of every parameter on or off, as `requires_grad_()`. */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad = requiresGrad;
    return this;
  }

  /** Resets gradients, as `zero_grad()`: to `null` by default, or to zeros. */
  zeroGrad(setToNone = true): void {
    for (const p of this.parameters()) {
      if (!p.grad) continue;
      p.grad = setToNone ? null : tf.zerosLike(p.grad);
    }
  }

  // ---- state ------------------------------------------------------------------

  /**
   * Parameters and persistent buffers by dotted key, in PyTorch's order (each
   * module's parameters, then its buffers, then its children). The tensors are
   * the module's own: read them, do not dispose them.
   */
  stateDict(prefix = ''): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>();
    this.saveToStateDict(out, prefix);
    return out;
  }

  private saveToStateDict(out: Map<string, tf.Tensor>, prefix: string): void {
    for (const [name, p] of this._parameters) if (p) out.set(prefix + name, p);
    for (const [name, b] of this._buffers) if (b && !this._nonPersistentBuffersSet.has(name)) out.set(prefix + name, b);
    for (const [name, m] of this._modules) if (m) m.saveToStateDict(out, `${prefix}${name}.`);
  }

  /**
   * Copies values from a state dict, as `load_state_dict()`. In strict mode a
   * missing or unexpected key throws PyTorch's `Error(s) in loading state_dict`
   * message; a shape mismatch always throws.
   */
  loadStateDict(stateDict: StateDictInput, strict = true): LoadStateDictResult {
    return loadStateDictInto(this, stateDict, strict);
  }

  /** Releases every parameter and buffer of the tree. The module is unusable afterwards. */
  dispose(): void {
    for (const p of this.parameters()) if (!p.isDisposed) p.dispose();
    for (const b of this.buffers()) if (!b.isDisposed) b.dispose();
  }

  // ---- hooks ------------------------------------------------------------------

  /** Registers `hook(module, args) -> args?`, run before `forward`, as `register_forward_pre_hook`. */
  registerForwardPreHook(hook: ForwardPreHook<this>, options?: HookOptions): RemovableHandle {
    return addHook(this._forwardPreHooks, hook, options);
  }

  /** Registers `hook(module, args, output) -> output?`, run after `forward`, as `register_forward_hook`. */
  registerForwardHook(hook: ForwardHook<this>, options?: HookOptions): RemovableHandle {
    return addHook(this._forwardHooks, hook, options);
  }

  /** Registers `hook(module, gradOutput) -> gradOutput?`, as `register_full_backward_pre_hook`. */
  registerFullBackwardPreHook(hook: BackwardPreHook<this>, options?: HookOptions): RemovableHandle {
    return addHook(this._backwardPreHooks, hook, options);
  }

  /**
   * Registers `hook(module, gradInput, gradOutput) -> gradInput?`, run once the
   * gradients with respect to the module's inputs are known, as `register_full_backward_hook`.
   */
  registerFullBackwardHook(hook: BackwardHook<this>, options?: HookOptions): RemovableHandle {
    return addHook(this._backwardHooks, hook, options);
  }

  /** Whether calling this module would run any hook (its own or a global one). */
  hasHooks(): boolean {
    return this._forwardPreHooks.size + this._forwardHooks.size + this._backwardPreHooks.size + this._backwardHooks.size > 0 || anyGlobalHooks();
  }

  // ---- repr -------------------------------------------------------------------

  /** The text inside the parentheses of this module's repr, as `extra_repr()`. */
  extraRepr(): string {
    return '';
  }

  /** PyTorch's repr: `Linear(in_features=5, out_features=4, bias=True)`, children indented by two. */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split('\n') : [];
    const childLines = [...this._modules].map(([name, m]) => `(${name}): ${addIndent(m ? m.toString() : 'None', 2)}`);
    const lines = [...extraLines, ...childLines];
    let main = `${this.typeName}(`;
    if (lines.length > 0) {
      main += extraLines.length === 1 && childLines.length === 0 ? extraLines[0] : `\n  ${lines.join('\n  ')}\n`;
    }
    return `${main})`;
  }

  /** Node's `console.log` shows the repr. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** PyTorch's `__setattr__` routing; returns false for a plain attribute. */
function setRegistered(t: Module, proxy: Module, name: string, value: unknown): boolean {
  if (value instanceof Parameter) {
    Reflect.deleteProperty(t, name);
    t._buffers.delete(name);
    t._modules.delete(name);
    t._nonPersistentBuffersSet.delete(name);
    proxy.registerParameter(name, value);
    return true;
  }
  if (t._parameters.has(name)) {
    if (value !== null) {
      throw new TypeError(`cannot assign '${describe(value)}' as parameter '${name}' (nn.Parameter or null expected)`);
    }
    t._parameters.set(name, null);
    return true;
  }
  if (value instanceof Module) {
    Reflect.deleteProperty(t, name);
    t._parameters.delete(name);
    t._buffers.delete(name);
    t._nonPersistentBuffersSet.delete(name);
    t._modules.set(name, value);
    return true;
  }
  if (t._modules.has(name)) {
    if (value !== null) throw new TypeError(`cannot assign '${describe(value)}' as child module '${name}' (nn.Module or null expected)`);
    t._modules.set(name, null);
    return true;
  }
  if (t._buffers.has(name)) {
    if (value !== null && !(value instanceof tf.Tensor)) {
      throw new TypeError(`cannot assign '${describe(value)}' as buffer '${name}' (tf.Tensor or null expected)`);
    }
    t._buffers.set(name, value === null ? null : tf.keep(value as tf.Tensor));
    return true;
  }
  return false;
}

export { RemovableHandle, globalHooks };
