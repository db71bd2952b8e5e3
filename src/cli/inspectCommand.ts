/**
 * `module-lens inspect <model> [--json] [--backend ...]`: the module tree, as a table or JSON.
 */
import type { Module } from '../nn';
import { formatJson } from './jsonOutput';
import { openModel, type CliIo } from './openModel';
import { renderSummaryTable } from './summaryTable';
import type { BackendPreference } from '../adapters/backend';

/** Options of the inspect command. */
export interface InspectOptions {
  model: string;
  backend: BackendPreference;
  json: boolean;
}

/** One module in `inspect --json`, in `namedModules()` order. */
export interface ModuleJson {
  path: string;
  type: string;
  training: boolean;
  parameters: Array<{ name: string; shape: number[]; dtype: string; requiresGrad: boolean }>;
  buffers: Array<{ name: string; shape: number[]; dtype: string; persistent: boolean }>;
  children: string[];
}

/** The whole `inspect --json` document. */
export interface InspectJson {
  backend: string;
  root: string;
  repr: string;
  modules: ModuleJson[];
  namedParameters: Array<[string, number[]]>;
  stateDict: Array<[string, number[]]>;
  totalParams: number;
  trainableParams: number;
}

/** Runs the command; returns the exit code. */
export async function inspectCommand(opts: InspectOptions, io: CliIo): Promise<number> {
  const { loaded, backend } = await openModel(opts.model, opts.backend, io);
  try {
    if (opts.json) {
      io.stdout(`${formatJson(inspectJson(loaded.model, backend))}\n`);
    } else {
      io.stdout(`${opts.model} (backend: ${backend})\n${renderSummaryTable(loaded.model)}`);
    }
    return 0;
  } finally {
    loaded.model.dispose();
  }
}

/** Builds the `inspect --json` document; reads only metadata, never tensor values. */
export function inspectJson(model: Module, backend: string): InspectJson {
  const modules: ModuleJson[] = [...model.namedModules()].map(([path, m]) => ({
    path,
    type: m.typeName,
    training: m.training,
    parameters: [...m.namedParameters('', false)].map(([name, p]) => ({
      name, shape: p.shape.slice(), dtype: p.dtype, requiresGrad: p.requiresGrad,
    })),
    buffers: [...m.namedBuffers('', false)].map(([name, b]) => ({
      name, shape: b.shape.slice(), dtype: b.dtype, persistent: !m.isNonPersistentBuffer(name),
    })),
    children: [...m.namedChildren()].map(([name]) => name),
  }));
  const params = [...model.namedParameters()];
  return {
    backend,
    root: model.typeName,
    repr: model.toString(),
    modules,
    namedParameters: params.map(([name, p]) => [name, p.shape.slice()]),
    stateDict: [...model.stateDict()].map(([key, t]) => [key, t.shape.slice()]),
    totalParams: params.reduce((n, [, p]) => n + p.size, 0),
    trainableParams: params.reduce((n, [, p]) => n + (p.requiresGrad ? p.size : 0), 0),
  };
}
