/**
 * Picks the fastest TensorFlow.js backend that works on this machine.
 *
 * Order: `tensorflow` (native, `@tensorflow/tfjs-node`) → `wasm` → `cpu`. The native backend is an
 * optionalDependency whose install downloads libtensorflow, so it is often missing; the wasm
 * binaries ship inside their npm package and work offline; `cpu` always works.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { registerWasmKernelFallbacks } from './wasmKernelFallbacks';

/** A backend preference: `auto` tries every backend in order, a name starts the order there. */
export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

/** The backends in the order they are tried. */
export const BACKEND_ORDER: readonly Exclude<BackendPreference, 'auto'>[] = ['tensorflow', 'wasm', 'cpu'];

/** Options for {@link selectBackend}. */
export interface SelectBackendOptions {
  /**
   * Folder holding the `tfjs-backend-wasm*.wasm` files. Bundles copy them next to the bundle,
   * so the package's own folder is not where they live; without it the package's folder is used.
   */
  wasmDir?: string;
}

/** What {@link selectBackend} settled on. */
export interface BackendSelection {
  /** The active tfjs backend name (`tf.getBackend()`). */
  backend: string;
  /** One line per backend that was tried and failed, saying why. */
  notes: string[];
}

/** The binary the wasm backend loads in Node: SIMD, never the threaded build (tfjs#3830). */
const WASM_SIMD_BINARY = 'tfjs-backend-wasm-simd.wasm';

/** Returns `null` on success or a one-line reason. */
type Attempt = (opts: SelectBackendOptions) => Promise<string | null>;

/**
 * Activates the first backend that works, starting at `pref` (`auto` starts at `tensorflow`).
 *
 * A backend that fails is skipped with a note naming it and the reason; the next one in
 * {@link BACKEND_ORDER} is tried. `cpu` cannot fail, so this always resolves.
 */
export async function selectBackend(
  pref: BackendPreference = 'auto',
  opts: SelectBackendOptions = {},
): Promise<BackendSelection> {
  if (pref !== 'auto' && !BACKEND_ORDER.includes(pref)) {
    throw new Error(`unknown backend ${JSON.stringify(pref)}, expected one of auto, ${BACKEND_ORDER.join(', ')}`);
  }
  const start = pref === 'auto' ? 0 : BACKEND_ORDER.indexOf(pref);
  const notes: string[] = [];
  for (const name of BACKEND_ORDER.slice(start)) {
    const failure = await ATTEMPTS[name](opts);
    if (failure === null) {
      return { backend: tf.getBackend(), notes };
    }
    const next = BACKEND_ORDER[BACKEND_ORDER.indexOf(name) + 1];
    notes.push(`backend ${name} unavailable (${failure})${next ? `; trying ${next}` : ''}`);
  }
  // Unreachable in practice: cpu is built into @tensorflow/tfjs.
  throw new Error(`no TensorFlow.js backend could be initialized: ${notes.join('; ')}`);
}

const ATTEMPTS: Record<Exclude<BackendPreference, 'auto'>, Attempt> = {
  tensorflow: async () => {
    if (!('tensorflow' in tf.engine().registryFactory)) {
      try {
        // Lazy: it is an optionalDependency, absent wherever libtensorflow could not be downloaded.
        // Requiring it registers the `tensorflow` backend on the shared tfjs-core instance.
        require('@tensorflow/tfjs-node');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        return code === 'MODULE_NOT_FOUND' ? '@tensorflow/tfjs-node is not installed' : firstLine(err);
      }
    }
    return activate('tensorflow');
  },

  wasm: async (opts) => {
    if (opts.wasmDir !== undefined) {
      const binary = path.join(opts.wasmDir, WASM_SIMD_BINARY);
      if (!fs.existsSync(binary)) {
        return `${WASM_SIMD_BINARY} not found in ${opts.wasmDir}`;
      }
    }
    let wasmModule: typeof import('@tensorflow/tfjs-backend-wasm');
    try {
      // Lazy so that importing this file registers nothing; the require registers the backend.
      wasmModule = require('@tensorflow/tfjs-backend-wasm');
    } catch (err) {
      return firstLine(err);
    }
    if (opts.wasmDir !== undefined && !('wasm' in tf.engine().registry)) {
      try {
        // The emscripten loader joins prefix + file name, so the prefix needs its separator.
        const dir = opts.wasmDir.endsWith('/') || opts.wasmDir.endsWith(path.sep) ? opts.wasmDir : opts.wasmDir + path.sep;
        wasmModule.setWasmPaths(dir);
      } catch (err) {
        return firstLine(err);
      }
    }
    registerWasmKernelFallbacks();
    return activate('wasm');
  },

  cpu: async () => {
    const failure = await activate('cpu');
    if (failure === null) {
      // The cpu backend prints a multi-line "install tfjs-node" banner to stderr on first use; the
      // caller already has our notes saying why cpu was chosen, and the CLI promises one-line errors.
      (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
    }
    return failure;
  },
};

/**
 * `tf.setBackend` reports failure as `false` and logs the reason through `console.warn`; capture
 * those lines so the reason lands in a note instead of on the user's terminal.
 */
async function activate(name: string): Promise<string | null> {
  const captured: string[] = [];
  const originalWarn = console.warn;
  console.warn = (...args: unknown[]) => {
    captured.push(args.map(String).join(' '));
  };
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
    if (ok) {
      await tf.ready();
    }
  } catch (err) {
    captured.push(firstLine(err));
    ok = false;
  } finally {
    console.warn = originalWarn;
  }
  if (ok) {
    // Warnings that were not about a failure belong to the user; pass them on unchanged.
    for (const line of captured) {
      originalWarn(line);
    }
    return null;
  }
  const reason = captured.find((line) => !line.startsWith('Initialization of backend')) ?? captured[0];
  return reason ? firstLine(reason) : `tf.setBackend('${name}') failed`;
}

function firstLine(value: unknown): string {
  const text = value instanceof Error ? value.message : typeof value === 'object' && value !== null && 'message' in value
    ? String((value as { message: unknown }).message)
    : String(value);
  return text.split(/\r?\n/).find((line) => line.trim() !== '')?.trim() ?? 'unknown error';
}
