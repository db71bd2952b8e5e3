/**
 * `module-lens`: inspect, run and export `nn.Module` model files from a terminal.
 *
 * Argument parsing and dispatch only; each command lives in its own file. Exit codes: 0 success,
 * 1 a problem with a file (one stderr line `<file>: <problem>`), 2 a usage error (one line and
 * the usage text).
 */
import { BACKEND_ORDER, type BackendPreference } from '../adapters/backend';
import { errorLine, UsageError } from './cliError';
import { parseHookSpec, type HookSpec } from './hookSpecs';
import { inspectCommand } from './inspectCommand';
import type { CliIo } from './openModel';
import { runCommand } from './runCommand';
import { stateDictCommand } from './stateDictCommand';

/** The short usage text printed with `--help` and after usage errors. */
export const USAGE = `usage: module-lens <command> <model file> [options]

commands:
  inspect <model> [--json]                        module tree, parameters and state-dict keys
  run <model> [--input x.npy|x.json] [--load-state w.safetensors] [--train|--eval]
      [--hook PATH[:pre|:forward|:backward]]... [--all-hooks] [--backward]
      [--values N] [--json]                       forward (and backward) pass with hook events
  state-dict <model> [--out w.safetensors]        state-dict keys, shapes and dtypes

common options:
  --backend auto|tensorflow|wasm|cpu              default auto (tensorflow, then wasm, then cpu)
  -h, --help                                      this text
`;

type Flag = { value: boolean; repeat?: boolean };

/** The flags each command accepts; `value` flags take the next argument (or `--flag=value`). */
const FLAGS: Record<string, Record<string, Flag>> = {
  inspect: { json: { value: false } },
  run: {
    json: { value: false },
    input: { value: true },
    'load-state': { value: true },
    train: { value: false },
    eval: { value: false },
    hook: { value: true, repeat: true },
    'all-hooks': { value: false },
    backward: { value: false },
    values: { value: true },
  },
  'state-dict': { out: { value: true } },
};

interface Parsed {
  command: string;
  model: string;
  flags: Map<string, string[]>;
}

/** Splits argv into the command, the model file and the flags, rejecting anything unknown. */
export function parseArgs(argv: readonly string[]): Parsed | 'help' {
  if (argv.length === 0 || argv.includes('-h') || argv.includes('--help')) {
    return 'help';
  }
  const [command, ...rest] = argv;
  const known = FLAGS[command];
  if (!known) {
    throw new UsageError(`unknown command "${command}"`);
  }
  const spec: Record<string, Flag> = { ...known, backend: { value: true } };
  const flags = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (!arg.startsWith('--') || arg === '--') {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const flag = spec[name];
    if (!flag) {
      throw new UsageError(`unknown option --${name} for ${command}`);
    }
    let value = '';
    if (flag.value) {
      if (eq >= 0) {
        value = arg.slice(eq + 1);
      } else if (i + 1 < rest.length) {
        value = rest[++i];
      } else {
        throw new UsageError(`--${name} needs a value`);
      }
    } else if (eq >= 0) {
      throw new UsageError(`--${name} takes no value`);
    }
    const values = flags.get(name) ?? [];
    if (values.length > 0 && !flag.repeat) {
      throw new UsageError(`--${name} given twice`);
    }
    flags.set(name, [...values, value]);
  }
  if (positional.length === 0) {
    throw new UsageError(`${command} needs a model file`);
  }
  if (positional.length > 1) {
    throw new UsageError(`unexpected argument "${positional[1]}"`);
  }
  return { command, model: positional[0], flags };
}

/** Runs the CLI with `argv` (without `node` and the script); resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let model: string | undefined;
  try {
    const parsed = parseArgs(argv);
    if (parsed === 'help') {
      io.stdout(USAGE);
      return 0;
    }
    model = parsed.model;
    return await dispatch(parsed, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`module-lens: ${err.message}\n${USAGE}`);
      return 2;
    }
    io.stderr(`${errorLine(err, model)}\n`);
    return 1;
  }
}

function dispatch({ command, model, flags }: Parsed, io: CliIo): Promise<number> {
  const one = (name: string) => flags.get(name)?.[0];
  const has = (name: string) => flags.has(name);
  const backend = (one('backend') ?? 'auto') as BackendPreference;
  if (backend !== 'auto' && !BACKEND_ORDER.includes(backend)) {
    throw new UsageError(`--backend must be one of auto, ${BACKEND_ORDER.join(', ')}, got "${backend}"`);
  }
  switch (command) {
    case 'inspect':
      return inspectCommand({ model, backend, json: has('json') }, io);
    case 'state-dict':
      return stateDictCommand({ model, backend, out: one('out') }, io);
    default: {
      if (has('train') && has('eval')) {
        throw new UsageError('--train and --eval exclude each other');
      }
      const valuesText = one('values') ?? '0';
      const values = Number(valuesText);
      if (!/^\d+$/.test(valuesText) || !Number.isSafeInteger(values)) {
        throw new UsageError(`--values needs a non-negative integer, got "${valuesText}"`);
      }
      const hooks: HookSpec[] = (flags.get('hook') ?? []).map(parseHookSpec);
      const backwardHook = hooks.find((h) => h.kind === 'backward');
      if (backwardHook && !has('backward')) {
        // Without a backward pass the hook could never fire; silence would look like a bug.
        throw new UsageError(`--hook ${backwardHook.path}:backward needs --backward`);
      }
      return runCommand({
        model,
        backend,
        json: has('json'),
        input: one('input'),
        loadState: one('load-state'),
        mode: has('train') ? 'train' : has('eval') ? 'eval' : undefined,
        hooks,
        allHooks: has('all-hooks'),
        backward: has('backward'),
        values,
      }, io);
    }
  }
}

const processIo: CliIo = {
  stdout: (text) => { process.stdout.write(text); },
  stderr: (text) => { process.stderr.write(text); },
};

/** Entry point for `bin/module-lens.js` and the bundled `dist/cli.js`. */
export function main(): void {
  void runCli(process.argv.slice(2)).then((code) => {
    // exitCode, not exit(): stdout may still be flushing a large --json document into a pipe.
    process.exitCode = code;
  });
}

if (require.main === module) {
  main();
}
