/**
 * `module-lens run <model> ...`: one forward pass (and optionally one backward pass) with hooks
 * on chosen modules, printing every hook event, the output and the parameter gradients.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendPreference } from '../adapters/backend';
import type { ModelInput } from '../adapters/modelFile';
import { readSafetensors } from '../adapters/tensorFiles/safetensors';
import * as nn from '../nn';
import { CliError } from './cliError';
import { resolveHooks, type EventKind, type HookSpec } from './hookSpecs';
import { readInputFile } from './inputFile';
import { formatJson, tensorJson, valueJson, type TensorJson, type ValueJson } from './jsonOutput';
import { openModel, type CliIo, type CliModel } from './openModel';
import { eventText, tensorText, valueText } from './textOutput';

/** Options of the run command. */
export interface RunOptions {
  model: string;
  backend: BackendPreference;
  json: boolean;
  /** `--input x.npy|x.json`; without it the model file's `input()` is used. */
  input?: string;
  /** `--load-state w.safetensors`, loaded strictly before the run. */
  loadState?: string;
  /** `--train` / `--eval`; without either the model keeps the mode it was built in. */
  mode?: 'train' | 'eval';
  hooks: HookSpec[];
  allHooks: boolean;
  backward: boolean;
  /** `--values N`: tensors with at most N elements carry their values (default 0). */
  values: number;
}

/** One hook firing. For `backward`, `inputs` is gradInput and `outputs` gradOutput. */
export interface RunEvent {
  seq: number;
  path: string;
  kind: EventKind;
  inputs: ValueJson[];
  outputs: ValueJson[];
}

/** The whole `run --json` document. */
export interface RunJson {
  output: ValueJson;
  events: RunEvent[];
  /** Gradient per parameter name after `--backward` (`null` when none reached it); `{}` otherwise. */
  grads: Record<string, TensorJson | null>;
}

/** Runs the command; returns the exit code. */
export async function runCommand(opts: RunOptions, io: CliIo): Promise<number> {
  const { loaded, backend } = await openModel(opts.model, opts.backend, io);
  const { model } = loaded;
  const handles: nn.RemovableHandle[] = [];
  let input: ModelInput | undefined;
  try {
    if (opts.loadState !== undefined) {
      loadState(model, opts.loadState);
    }
    if (opts.mode !== undefined) {
      model.train(opts.mode === 'train');
    }
    const targets = resolveHooks(opts.model, model, opts.hooks, opts.allHooks, opts.backward);
    input = await readInput(opts, loaded);
    const args = Array.isArray(input) ? input : [input];
    if (!opts.json) {
      io.stdout(`${opts.model} (backend: ${backend}, ${model.training ? 'training' : 'eval'} mode)\n`);
    }

    const events: RunEvent[] = [];
    // Summaries are taken inside the hooks: the call's tensors are freed when the outermost
    // call (or the backward pass) returns.
    const record = (path: string, kind: EventKind, inputs: unknown[], outputs: unknown[]) => {
      const event: RunEvent = {
        seq: events.length + 1,
        path,
        kind,
        inputs: inputs.map((v) => valueJson(v, opts.values)),
        outputs: outputs.map((v) => valueJson(v, opts.values)),
      };
      events.push(event);
      if (!opts.json) io.stdout(`${eventText(event)}\n`);
    };
    for (const { path, module, kind } of targets) {
      if (kind === 'pre') {
        handles.push(module.registerForwardPreHook((_m, hookArgs) => { record(path, 'pre', hookArgs, []); }));
      } else if (kind === 'forward') {
        handles.push(module.registerForwardHook((_m, hookArgs, output) => { record(path, 'forward', hookArgs, asList(output)); }));
      } else {
        handles.push(module.registerFullBackwardHook((_m, gradInput, gradOutput) => { record(path, 'backward', gradInput, gradOutput); }));
      }
    }

    let output: ValueJson = null;
    let loss: number | undefined;
    if (opts.backward) {
      const params = [...model.parameters()].filter((p) => p.requiresGrad);
      const lossTensor = nn.backward(() => {
        const out = model(...args);
        output = valueJson(out, opts.values);
        return loaded.loss(out, input as ModelInput);
      }, params);
      loss = lossTensor.dataSync()[0];
      lossTensor.dispose();
    } else {
      const out = model(...args);
      output = valueJson(out, opts.values);
      disposeOutput(out, args);
    }

    const grads: Record<string, TensorJson | null> = {};
    if (opts.backward) {
      for (const [name, p] of model.namedParameters()) {
        grads[name] = p.grad ? tensorJson(p.grad, opts.values) : null;
      }
    }

    if (opts.json) {
      const doc: RunJson = { output, events, grads };
      io.stdout(`${formatJson(doc)}\n`);
    } else {
      io.stdout(`output: ${valueText(output)}\n`);
      if (loss !== undefined) {
        io.stdout(`loss${loaded.hasCustomLoss ? '' : ' (sum of outputs)'}: ${loss}\n`);
        for (const [name, g] of Object.entries(grads)) {
          io.stdout(`grad ${name}: ${g ? tensorText(g) : 'None'}\n`);
        }
      }
    }
    return 0;
  } finally {
    for (const h of handles) h.remove();
    if (input !== undefined) tf.dispose(input);
    model.dispose();
  }
}

/** Forward hooks report the output as a list, as the event's `outputs`. */
function asList(output: unknown): unknown[] {
  return Array.isArray(output) ? output : [output];
}

/** Strict `loadStateDict` from a safetensors file; the file's tensors are copied, then freed. */
function loadState(model: nn.Module, file: string): void {
  const { tensors } = readSafetensors(file);
  try {
    model.loadStateDict(tensors, true);
  } catch (err) {
    throw new CliError(file, (err as Error).message);
  } finally {
    tf.dispose([...tensors.values()]);
  }
}

async function readInput(opts: RunOptions, loaded: CliModel): Promise<ModelInput> {
  if (opts.input !== undefined) {
    return readInputFile(opts.input);
  }
  if (!loaded.input) {
    throw new CliError(opts.model, 'no input: the file exports no input() and no --input was given');
  }
  let value: unknown;
  try {
    // input() is meant to be synchronous; awaiting costs nothing and forgives an async one.
    value = await loaded.input();
  } catch (err) {
    throw new CliError(opts.model, `input() failed: ${(err as Error)?.message ?? String(err)}`);
  }
  const isTensorList = Array.isArray(value) && value.every((v) => v instanceof tf.Tensor);
  if (!(value instanceof tf.Tensor) && !isTensorList) {
    tf.dispose(value as tf.TensorContainer);
    throw new CliError(opts.model, 'input() must return a tf.Tensor or an array of tf.Tensors');
  }
  return value as ModelInput;
}

/** Frees the forward output, except tensors the model does not own outright (inputs, parameters). */
function disposeOutput(out: unknown, args: tf.Tensor[]): void {
  const keep = new Set<tf.Tensor>(args);
  const tensors: tf.Tensor[] = [];
  const walk = (v: unknown) => {
    if (v instanceof tf.Tensor) tensors.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(out);
  for (const t of tensors) {
    if (!keep.has(t) && !(t instanceof tf.Variable)) t.dispose();
  }
}
