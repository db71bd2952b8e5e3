/**
 * Part 2: the same hook overhead in PyTorch, to print next to ours.
 *
 * Runs `bench/pytorch_hooks.py` with the first Python that imports torch (Debian's
 * `python3-torch` lives in `/usr/bin/python3`, which is often not the `python3` on PATH).
 * Without one, the part is skipped with the reason.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** PyTorch's figures for one model. */
export interface TorchModelResult {
  ms: Record<'b' | 'c' | 'd', number>;
  ratios: Record<'c/b' | 'd/b', number>;
  reps: number;
  modules: number;
}

/** What the script reports, or why it did not run. */
export type TorchResult =
  | { status: 'measured'; python: string; torch: string; threads: number; models: Record<'MLP' | 'CNN', TorchModelResult> }
  | { status: 'skipped'; reason: string };

const SCRIPT = path.resolve(__dirname, '..', '..', 'bench', 'pytorch_hooks.py');
const PYTHONS = ['/usr/bin/python3', 'python3'];

/** The first interpreter that can import torch, or `null`. */
function findPython(): string | null {
  for (const py of PYTHONS) {
    if (py.startsWith('/') && !fs.existsSync(py)) continue;
    const probe = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
    if (probe.status === 0) return py;
  }
  return null;
}

/** Runs the PyTorch side; never throws. */
export function runPytorchCompare(quick: boolean): TorchResult {
  const py = findPython();
  if (!py) {
    return { status: 'skipped', reason: 'python3-torch is not installed (no python3 that can import torch); install it with `apt-get install -y python3-torch python3-numpy`' };
  }
  const run = spawnSync(py, [SCRIPT, ...(quick ? ['--quick'] : [])], { encoding: 'utf8', timeout: 300_000 });
  if (run.status !== 0) {
    const why = (run.stderr || run.error?.message || `exit ${run.status}`).trim().split('\n').pop();
    return { status: 'skipped', reason: `${py} ${path.basename(SCRIPT)} failed: ${why}` };
  }
  const out = JSON.parse(run.stdout.trim().split('\n').pop() as string) as { torch: string; python: string; threads: number; models: Record<'MLP' | 'CNN', TorchModelResult> };
  return { status: 'measured', python: `${py} (Python ${out.python})`, torch: out.torch, threads: out.threads, models: out.models };
}
