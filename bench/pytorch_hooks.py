"""PyTorch's side of the hook-overhead comparison (bench part 2), run by bench/pytorchCompare.ts.

The same two models as bench/models.ts (MLP: 50 x (Linear(256, 256) + ReLU) at batch 64; the demo
CNN: conv-BN-ReLU-pool-conv-ReLU-flatten-linear-ReLU-dropout-linear on 3x32x32 at batch 32), in
eval mode under torch.no_grad(), timed three ways, interleaved round by round like bench/timing.ts:
  b: no hooks;
  c: a no-op forward hook on every module (model.modules(), the root too);
  d: a forward hook on every module computing the summary Module Lens captures: min, max, mean,
     std over the finite values, NaN, Inf and zero counts, and a 32-bin torch.histc over the finite
     range, read back to Python with .tolist() as a server sending it would.
Prints one JSON object on stdout: versions, threads, and per model the median ms and the median
paired ratios c/b and d/b.

Usage: /usr/bin/python3 bench/pytorch_hooks.py [--quick]
"""
import json
import statistics
import sys
import time

import torch
from torch import nn

BINS = 32


def summarize(t):
    """The numbers Module Lens's summarizeTensor gives, the cheapest way found in PyTorch 1.13:
    the finite-value mask is only applied when some value is not finite."""
    x = t.detach().reshape(-1).float()
    finite = torch.isfinite(x)
    n_finite = int(finite.sum())
    f = x if n_finite == x.numel() else x[finite]
    nan = torch.isnan(x).sum()
    inf = x.numel() - n_finite - int(nan)
    zeros = (x == 0).sum()
    if n_finite == 0:
        return [float(nan), float(inf), float(zeros)]
    lo, hi = torch.aminmax(f)
    std = f.std() if n_finite > 1 else torch.tensor(float('nan'))
    hist = torch.histc(f, bins=BINS, min=float(lo), max=float(hi))
    scalars = torch.stack([lo, hi, f.mean(), std, nan.float(), torch.tensor(float(inf)), zeros.float()])
    return torch.cat([scalars, hist]).tolist()


def mlp():
    layers = []
    for _ in range(50):
        layers += [nn.Linear(256, 256), nn.ReLU()]
    return nn.Sequential(*layers), torch.randn(64, 256)


def cnn():
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.Flatten(),
        nn.Linear(16 * 16 * 16, 32), nn.ReLU(), nn.Dropout(0.5), nn.Linear(32, 10),
    )
    return model, torch.randn(32, 3, 32, 32)


def measure(model, x, warmup, reps):
    captures = []

    def noop(_m, _i, _o):
        return None

    def capture(_m, _i, out):
        captures.append(summarize(out))

    def run(hook):
        handles = [m.register_forward_hook(hook) for m in model.modules()] if hook else []
        try:
            start = time.perf_counter()
            with torch.no_grad():
                y = model(x)
            y.reshape(-1)[0].item()
            return (time.perf_counter() - start) * 1000
        finally:
            for h in handles:
                h.remove()
            captures.clear()

    variants = [('b', None), ('c', noop), ('d', capture)]
    samples = {name: [] for name, _ in variants}
    for r in range(warmup + reps):
        for k in range(len(variants)):
            name, hook = variants[(r + k) % len(variants)]
            ms = run(hook)
            if r >= warmup:
                samples[name].append(ms)
    ratio = lambda num: statistics.median(a / b for a, b in zip(samples[num], samples['b']))
    return {
        'ms': {name: statistics.median(v) for name, v in samples.items()},
        'ratios': {'c/b': ratio('c'), 'd/b': ratio('d')},
        'reps': reps,
        'modules': sum(1 for _ in model.modules()),
    }


def main():
    quick = '--quick' in sys.argv
    torch.manual_seed(0)
    results = {}
    for name, build, warmup, reps in [('MLP', mlp, 2, 5 if quick else 15), ('CNN', cnn, 3, 9 if quick else 31)]:
        model, x = build()
        model.eval()
        results[name] = measure(model, x, warmup, reps)
    print(json.dumps({
        'torch': torch.__version__,
        'python': sys.version.split()[0],
        'threads': torch.get_num_threads(),
        'models': results,
    }))


if __name__ == '__main__':
    main()
