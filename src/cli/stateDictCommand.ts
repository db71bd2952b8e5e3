/**
 * `module-lens state-dict <model> [--out w.safetensors]`: the state dict's keys, shapes and
 * dtypes, optionally written to a safetensors file.
 */
import type { BackendPreference } from '../adapters/backend';
import { writeSafetensors } from '../adapters/tensorFiles/safetensors';
import { openModel, type CliIo } from './openModel';

/** Options of the state-dict command. */
export interface StateDictOptions {
  model: string;
  backend: BackendPreference;
  out?: string;
}

/** Runs the command; returns the exit code. */
export async function stateDictCommand(opts: StateDictOptions, io: CliIo): Promise<number> {
  const { loaded } = await openModel(opts.model, opts.backend, io);
  try {
    // The state dict's tensors are the module's own: read them, never dispose them here.
    const stateDict = loaded.model.stateDict();
    const keyWidth = Math.max(0, ...[...stateDict.keys()].map((k) => k.length)) + 2;
    for (const [key, t] of stateDict) {
      io.stdout(`${key.padEnd(keyWidth)}[${t.shape.join(', ')}]  ${t.dtype}\n`);
    }
    if (opts.out !== undefined) {
      writeSafetensors(opts.out, stateDict);
      io.stdout(`wrote ${stateDict.size} tensors to ${opts.out}\n`);
    }
    return 0;
  } finally {
    loaded.model.dispose();
  }
}
