#!/usr/bin/env python3
"""Writes the PyTorch reference fixtures in test/fixtures/.

Run it with `npm run fixtures` (which calls /usr/bin/python3, the interpreter that sees the
Debian python3-torch package). Each case writes `<case>.safetensors` (weights, inputs and
expected outputs) and `<case>.json` (reprs, key orders, hook firing orders, shapes).
test/fixtures/README.md documents every key.

The `safetensors` package is not needed: `save_safetensors` below writes the format itself,
ordering and padding the header the way the reference implementation does, so the
TypeScript writer can be checked byte for byte against these files.
"""
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.utils.hooks

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'test', 'fixtures')

assert sys.byteorder == 'little', 'the raw byte dumps below assume a little-endian machine'

ST_DTYPES = {
    torch.bool: 'BOOL', torch.uint8: 'U8', torch.int8: 'I8', torch.int16: 'I16',
    torch.float16: 'F16', torch.bfloat16: 'BF16', torch.int32: 'I32',
    torch.float32: 'F32', torch.float64: 'F64', torch.int64: 'I64',
}
# The reference implementation's dtype enum order; its serializer sorts by it, descending.
ST_RANK = {'BOOL': 0, 'U8': 1, 'I8': 2, 'F8_E5M2': 3, 'F8_E4M3': 4, 'I16': 5, 'U16': 6, 'F16': 7,
           'BF16': 8, 'I32': 9, 'U32': 10, 'F32': 11, 'F64': 12, 'I64': 13, 'U64': 14}

GENERATOR = {'torch': torch.__version__, 'numpy': np.__version__, 'script': 'scripts/make_fixtures.py'}


def save_safetensors(path, tensors, metadata=None):
    """Minimal safetensors writer: sorted by (dtype rank desc, name), header space-padded to 8."""
    items = []
    for name, t in tensors.items():
        t = t.detach().cpu().contiguous()
        dtype = ST_DTYPES[t.dtype]
        if t.dtype == torch.bfloat16:
            raw = t.view(torch.int16).numpy().tobytes()
        else:
            raw = t.numpy().tobytes()
        items.append((name, dtype, list(t.shape), raw))
    items.sort(key=lambda it: (-ST_RANK[it[1]], it[0].encode('utf-8')))
    header = {}
    if metadata is not None:
        header['__metadata__'] = metadata
    offset = 0
    for name, dtype, shape, raw in items:
        header[name] = {'dtype': dtype, 'shape': shape, 'data_offsets': [offset, offset + len(raw)]}
        offset += len(raw)
    hb = json.dumps(header, separators=(',', ':'), ensure_ascii=False).encode('utf-8')
    hb += b' ' * ((8 - len(hb) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(hb)))
        f.write(hb)
        for _, _, _, raw in items:
            f.write(raw)


def to_json(value, indent=0):
    """Indented JSON, but lists of scalars (shapes) stay on one line so the files read easily."""
    pad, inner = '  ' * indent, '  ' * (indent + 1)
    if isinstance(value, dict):
        if not value:
            return '{}'
        items = [f'{inner}{json.dumps(k, ensure_ascii=False)}: {to_json(v, indent + 1)}' for k, v in value.items()]
        return '{\n' + ',\n'.join(items) + '\n' + pad + '}'
    if isinstance(value, (list, tuple)):
        if all(v is None or isinstance(v, (int, float, bool)) for v in value):
            return json.dumps(list(value))
        return '[\n' + ',\n'.join(inner + to_json(v, indent + 1) for v in value) + '\n' + pad + ']'
    return json.dumps(value, ensure_ascii=False)


def save_json(path, meta):
    text = to_json(meta)
    assert json.loads(text) == meta
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text + '\n')


def write_case(name, tensors, meta):
    meta = {'generator': GENERATOR, **meta}
    save_safetensors(os.path.join(OUT, name + '.safetensors'), tensors,
                     metadata={'case': name, 'torch': torch.__version__})
    save_json(os.path.join(OUT, name + '.json'), meta)


def shape_of(t):
    return None if t is None else list(t.shape)


def add_state(tensors, prefix, module):
    for k, v in module.state_dict().items():
        tensors[prefix + k] = v.detach().clone()


# --------------------------------------------------------------------------------------------
# Backward pre hooks. torch 1.13 has no register_full_backward_pre_hook (added in 2.0). Torch
# 2.x calls those hooks at the node that receives the gradient w.r.t. a module's output, before
# the full backward hook and, when no input requires grad, right before the full hook that then
# fires there. torch 1.13's BackwardHook has that very point (setup_output_hook), so this wraps
# it to call `module._fixture_backward_pre_hooks` there. Only modules that also have a full
# backward hook get a BackwardHook, which is the case wherever the fixtures use pre hooks.
# --------------------------------------------------------------------------------------------
_original_setup_output_hook = torch.utils.hooks.BackwardHook.setup_output_hook


def _setup_output_hook_with_pre_hooks(self, args):
    pre_hooks = getattr(self.module, '_fixture_backward_pre_hooks', [])
    if not pre_hooks:
        return _original_setup_output_hook(self, args)
    original_apply = self._apply_on_tensors

    def apply_with_pre(fn, tensors_args):
        def fn_with_pre(grad_fn):
            def pre(_, grad_output):
                packed = self._pack_with_none(self.output_tensors_index, grad_output, self.n_outputs)
                for hook in pre_hooks:
                    hook(self.module, packed)
            grad_fn.register_hook(pre)  # registered first, so it runs before the full-hook logic
            fn(grad_fn)
        return original_apply(fn_with_pre, tensors_args)

    self._apply_on_tensors = apply_with_pre
    try:
        return _original_setup_output_hook(self, args)
    finally:
        del self._apply_on_tensors


torch.utils.hooks.BackwardHook.setup_output_hook = _setup_output_hook_with_pre_hooks


def register_backward_pre_hook(module, hook):
    if not hasattr(module, '_fixture_backward_pre_hooks'):
        module._fixture_backward_pre_hooks = []
    module._fixture_backward_pre_hooks.append(hook)


# --------------------------------------------------------------------------------------------
# custom_linear: the CustomLinearLayer from the nn.Module internals walkthrough
# --------------------------------------------------------------------------------------------
class CustomLinearLayer(nn.Module):
    def __init__(self, input_features, output_features):
        super().__init__()
        self.weight = nn.Parameter(torch.Tensor(output_features, input_features))
        self.bias = nn.Parameter(torch.Tensor(output_features))
        self.submodel_1 = nn.Linear(5, 4)
        self.submodel_2 = nn.Linear(4, 2)
        self.submodel_3 = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 5))

    def forward(self, x):
        out = torch.mm(x, self.weight.t()) + self.bias
        out = self.submodel_1(out)
        out = self.submodel_2(out)
        out = self.submodel_3(out)
        return out


def case_custom_linear():
    torch.manual_seed(0)
    model = CustomLinearLayer(10, 5)
    with torch.no_grad():
        model.weight.copy_(torch.randn(5, 10) * 0.5)
        model.bias.copy_(torch.randn(5) * 0.5)
    x = torch.randn(3, 10)
    t = {}
    add_state(t, 'state.', model)
    t['input'] = x

    captured = {}
    forward_order = []
    handles = []
    for name, m in model.named_modules():
        handles.append(m.register_forward_hook(
            lambda mod, args, out, name=name: forward_order.append(name)))
    handles.append(model.submodel_2.register_forward_hook(
        lambda mod, args, out: captured.update(input=args[0].detach().clone(), output=out.detach().clone())))
    with torch.no_grad():
        out = model(x)
    for h in handles:
        h.remove()
    t['output'] = out
    t['hook.submodel_2.input'] = captured['input']
    t['hook.submodel_2.output'] = captured['output']

    events = []
    handles = []
    for name, m in model.named_modules():
        def hook(mod, grad_input, grad_output, name=name):
            i = len(events)
            gi = grad_input[0] if grad_input else None
            go = grad_output[0]
            events.append({'index': i, 'module': name, 'type': type(mod).__name__,
                           'grad_input_shape': shape_of(gi), 'grad_output_shape': shape_of(go),
                           'grad_input_count': len(grad_input), 'grad_output_count': len(grad_output)})
            if gi is not None:
                t[f'backward.{i}.grad_input'] = gi.detach().clone()
            t[f'backward.{i}.grad_output'] = go.detach().clone()
        handles.append(m.register_full_backward_hook(hook))
    loss_out = model(x)
    loss = loss_out.sum()
    loss.backward()
    for h in handles:
        h.remove()
    t['loss'] = loss.detach()
    for name, p in model.named_parameters():
        t['grad.' + name] = p.grad.detach().clone()

    meta = {
        'description': 'CustomLinearLayer(10, 5): forward, forward hook capture on submodel_2, '
                       'backward with loss = output.sum() and full backward hooks on every module',
        'repr': repr(model),
        'named_parameters': [[n, list(p.shape)] for n, p in model.named_parameters()],
        'named_children': [n for n, _ in model.named_children()],
        'named_modules': [n for n, _ in model.named_modules()],
        'state_dict_keys': list(model.state_dict().keys()),
        'forward_hook_order': forward_order,
        'backward_hooks': events,
        'notes': ["the root module's input does not require grad, so torch calls its full backward "
                  'hook first, with grad_input (None,), as soon as the gradient w.r.t. its output exists'],
    }
    write_case('custom_linear', t, meta)


# --------------------------------------------------------------------------------------------
# batch norm
# --------------------------------------------------------------------------------------------
def bn_step(t, prefix, bn, x, suffix=''):
    bn.train()
    with torch.no_grad():
        y = bn(x)
    t[f'{prefix}.train_output{suffix}'] = y
    t[f'{prefix}.after{suffix}.running_mean'] = bn.running_mean.clone()
    t[f'{prefix}.after{suffix}.running_var'] = bn.running_var.clone()
    t[f'{prefix}.after{suffix}.num_batches_tracked'] = bn.num_batches_tracked.clone()


def bn_case(t, meta, prefix, bn, x):
    add_state(t, f'{prefix}.state.', bn)
    t[f'{prefix}.input'] = x
    bn_step(t, prefix, bn, x)
    bn.eval()
    with torch.no_grad():
        t[f'{prefix}.eval_output'] = bn(x)
    meta['cases'][prefix] = {'repr': repr(bn), 'state_dict_keys': list(bn.state_dict().keys()),
                             'input_shape': list(x.shape)}


def case_batchnorm1d():
    torch.manual_seed(0)
    t, meta = {}, {'description': 'BatchNorm1d: one training step, buffers after it, eval output after it; '
                                  'momentum=None (cumulative average) over two steps', 'cases': {}}
    bn_case(t, meta, 'x2d', nn.BatchNorm1d(3), torch.randn(4, 3) * 2 + 1)
    bn_case(t, meta, 'x3d', nn.BatchNorm1d(3), torch.randn(4, 3, 5) * 2 + 1)
    bn = nn.BatchNorm1d(3, momentum=None)
    x1, x2 = torch.randn(4, 3) * 2 + 1, torch.randn(4, 3) - 0.5
    add_state(t, 'cma.state.', bn)
    t['cma.input1'], t['cma.input2'] = x1, x2
    bn_step(t, 'cma', bn, x1, '1')
    bn_step(t, 'cma', bn, x2, '2')
    bn.eval()
    with torch.no_grad():
        t['cma.eval_output'] = bn(x2)
    meta['cases']['cma'] = {'repr': repr(bn), 'state_dict_keys': list(bn.state_dict().keys()),
                            'input_shape': list(x1.shape)}
    write_case('batchnorm1d', t, meta)


def case_batchnorm2d():
    torch.manual_seed(0)
    t, meta = {}, {'description': 'BatchNorm2d(4) on 2x4x3x3: one training step, buffers after it, '
                                  'eval output after it', 'cases': {}}
    bn_case(t, meta, 'x4d', nn.BatchNorm2d(4), torch.randn(2, 4, 3, 3) * 2 + 1)
    write_case('batchnorm2d', t, meta)


# --------------------------------------------------------------------------------------------
# layers
# --------------------------------------------------------------------------------------------
def case_layers():
    torch.manual_seed(0)
    t = {}
    cases = {}

    def run(name, ctor, make_input, perturb=False):
        layer = eval(ctor, {'nn': nn, 'torch': torch})
        if perturb:
            # Default LayerNorm affine params are ones/zeros; random ones catch a layer that ignores them.
            with torch.no_grad():
                for p in layer.parameters():
                    p.copy_(torch.randn_like(p))
        x = make_input()
        layer.eval()
        with torch.no_grad():
            y = layer(x)
        t[f'{name}.input'] = x
        t[f'{name}.output'] = y
        add_state(t, f'{name}.state.', layer)
        cases[name] = {'ctor': ctor, 'repr': repr(layer), 'state_dict_keys': list(layer.state_dict().keys()),
                       'input_shape': list(x.shape), 'output_shape': list(y.shape)}

    run('conv1d', 'nn.Conv1d(3, 4, 3, stride=2, padding=1)', lambda: torch.randn(2, 3, 9))
    run('conv2d', 'nn.Conv2d(3, 8, 3, stride=2, padding=1)', lambda: torch.randn(2, 3, 7, 7))
    run('conv2d_dilated', 'nn.Conv2d(3, 4, 3, groups=1, dilation=2, bias=False)', lambda: torch.randn(1, 3, 9, 9))
    run('maxpool2d_2', 'nn.MaxPool2d(2)', lambda: torch.randn(1, 2, 5, 5))
    run('maxpool2d_3s2p1', 'nn.MaxPool2d(3, stride=2, padding=1)', lambda: torch.randn(1, 2, 7, 7))
    run('avgpool2d_2', 'nn.AvgPool2d(2)', lambda: torch.randn(1, 2, 5, 5))
    run('avgpool2d_3s2p1', 'nn.AvgPool2d(3, stride=2, padding=1)', lambda: torch.randn(1, 2, 7, 7))
    run('adaptiveavgpool2d_1x1', 'nn.AdaptiveAvgPool2d((1, 1))', lambda: torch.randn(2, 3, 5, 7))
    run('adaptiveavgpool2d_2x3', 'nn.AdaptiveAvgPool2d((2, 3))', lambda: torch.randn(2, 3, 5, 7))
    run('layernorm_4', 'nn.LayerNorm([4])', lambda: torch.randn(2, 3, 4) * 3 + 1, perturb=True)
    run('layernorm_3x4', 'nn.LayerNorm([3, 4])', lambda: torch.randn(2, 3, 4) * 3 + 1, perturb=True)
    run('embedding', 'nn.Embedding(10, 3, padding_idx=0)',
        lambda: torch.tensor([[0, 1, 2, 9], [4, 0, 7, 3]], dtype=torch.int64))
    run('flatten', 'nn.Flatten()', lambda: torch.randn(2, 3, 2, 2))
    run('gelu', 'nn.GELU()', lambda: torch.linspace(-4, 4, 10).reshape(2, 5))
    run('gelu_tanh', "nn.GELU(approximate='tanh')", lambda: torch.linspace(-4, 4, 10).reshape(2, 5))
    run('softmax_dim1', 'nn.Softmax(dim=1)', lambda: torch.randn(2, 3, 4) * 2)
    run('sigmoid', 'nn.Sigmoid()', lambda: torch.linspace(-6, 6, 10).reshape(2, 5))
    run('tanh', 'nn.Tanh()', lambda: torch.linspace(-3, 3, 10).reshape(2, 5))
    run('relu', 'nn.ReLU()', lambda: torch.linspace(-2, 2, 10).reshape(2, 5))

    repr_ctors = [
        'nn.Linear(3, 2)', 'nn.Linear(3, 2, bias=False)',
        'nn.Conv1d(3, 4, 3)', 'nn.Conv1d(3, 4, 3, stride=2, padding=1)',
        'nn.Conv2d(3, 8, 3)', 'nn.Conv2d(3, 8, 3, stride=2, padding=1)',
        'nn.Conv2d(3, 4, 3, dilation=2, bias=False)', 'nn.Conv2d(4, 8, (3, 5), stride=(2, 1), padding=(1, 2), groups=2)',
        "nn.Conv2d(3, 8, 3, padding='same')",
        'nn.MaxPool2d(2)', 'nn.MaxPool2d(3, stride=2, padding=1)', 'nn.MaxPool2d(2, ceil_mode=True)',
        'nn.AvgPool2d(2)', 'nn.AvgPool2d(3, stride=2, padding=1)',
        'nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False)',
        'nn.AdaptiveAvgPool2d((1, 1))', 'nn.AdaptiveAvgPool2d((2, 3))', 'nn.AdaptiveAvgPool2d(1)',
        'nn.LayerNorm([4])', 'nn.LayerNorm([3, 4])', 'nn.LayerNorm(4, eps=1e-06, elementwise_affine=False)',
        'nn.Embedding(10, 3)', 'nn.Embedding(10, 3, padding_idx=0)',
        'nn.Flatten()', 'nn.Flatten(start_dim=2)', 'nn.Flatten(0, -1)',
        'nn.GELU()', "nn.GELU(approximate='tanh')",
        'nn.Softmax(dim=1)', 'nn.Softmax()',
        'nn.Sigmoid()', 'nn.Tanh()', 'nn.ReLU()', 'nn.ReLU(inplace=True)',
        'nn.BatchNorm1d(3)', 'nn.BatchNorm1d(3, momentum=None)',
        'nn.BatchNorm2d(4, eps=0.001, affine=False)', 'nn.BatchNorm2d(4, track_running_stats=False)',
        'nn.Dropout()', 'nn.Dropout(p=0.2)', 'nn.Identity()',
        'nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))',
        'nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.Sequential(nn.ReLU(), nn.Flatten()))',
        'nn.ModuleList([nn.Linear(2, 2), nn.ReLU()])',
    ]
    reprs = []
    for ctor in repr_ctors:
        layer = eval(ctor, {'nn': nn, 'torch': torch})
        reprs.append({'ctor': ctor, 'repr': repr(layer), 'state_dict_keys': list(layer.state_dict().keys())})

    meta = {'description': 'single-layer forward outputs (eval mode) with torch-initialized weights, '
                           'and exact reprs of layers built with default and non-default arguments',
            'cases': cases, 'reprs': reprs}
    write_case('layers', t, meta)


# --------------------------------------------------------------------------------------------
# cnn
# --------------------------------------------------------------------------------------------
CNN_CTOR = ('nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2), '
            'nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16 * 8 * 8, 10))')


def case_cnn():
    torch.manual_seed(0)
    model = eval(CNN_CTOR, {'nn': nn, 'torch': torch})
    with torch.no_grad():
        # Non-default batch-norm state, so eval output depends on loading every buffer.
        bn = model[1]
        bn.weight.copy_(1 + 0.1 * torch.randn(8))
        bn.bias.copy_(0.1 * torch.randn(8))
        bn.running_mean.copy_(0.1 * torch.randn(8))
        bn.running_var.copy_(0.5 + torch.rand(8))
    x = torch.randn(2, 3, 32, 32)
    t = {}
    add_state(t, 'state.', model)
    t['input'] = x
    model.eval()
    with torch.no_grad():
        t['eval_output'] = model(x)
    model.train()
    out = model(x)
    loss = out.sum()
    loss.backward()
    t['train_output'] = out.detach()
    t['loss'] = loss.detach()
    for name, p in model.named_parameters():
        t['grad.' + name] = p.grad.detach().clone()
    for name, b in model.named_buffers():
        t['after.' + name] = b.detach().clone()
    meta = {
        'description': 'small CNN: eval output, then one train-mode forward and out.sum().backward()',
        'ctor': CNN_CTOR,
        'repr': repr(model),
        'state_dict_keys': list(model.state_dict().keys()),
        'named_parameters': [[n, list(p.shape)] for n, p in model.named_parameters()],
        'named_buffers': [[n, list(b.shape)] for n, b in model.named_buffers()],
    }
    write_case('cnn', t, meta)


# --------------------------------------------------------------------------------------------
# hooks
# --------------------------------------------------------------------------------------------
def make_hooks_model():
    return nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))


def record_backward(model, x, t, prefix):
    events = []
    handles = []
    for name, m in model.named_modules():
        def pre(mod, grad_output, name=name):
            events.append({'index': len(events), 'kind': 'backward_pre', 'module': name,
                           'grad_output_shapes': [shape_of(g) for g in grad_output]})
            t[f'{prefix}.events.{len(events) - 1}.grad_output'] = grad_output[0].detach().clone()

        def full(mod, grad_input, grad_output, name=name):
            i = len(events)
            events.append({'index': i, 'kind': 'backward', 'module': name,
                           'grad_input_shapes': [shape_of(g) for g in grad_input],
                           'grad_output_shapes': [shape_of(g) for g in grad_output]})
            if grad_input[0] is not None:
                t[f'{prefix}.events.{i}.grad_input'] = grad_input[0].detach().clone()
            t[f'{prefix}.events.{i}.grad_output'] = grad_output[0].detach().clone()
        register_backward_pre_hook(m, pre)
        handles.append(m.register_full_backward_hook(full))
    out = model(x)
    out.sum().backward()
    for h in handles:
        h.remove()
    for _, m in model.named_modules():
        m._fixture_backward_pre_hooks = []
    for name, p in model.named_parameters():
        t[f'{prefix}.grad.{name}'] = p.grad.detach().clone()
    return events


def case_hooks():
    torch.manual_seed(0)
    model = make_hooks_model()
    x = torch.randn(5, 3)
    t = {}
    add_state(t, 'state.', model)
    t['input'] = x
    with torch.no_grad():
        t['output'] = model(x)

    order = record_backward(model, x, t, 'plain')

    model.zero_grad(set_to_none=True)
    xg = x.clone().requires_grad_(True)
    order_xg = record_backward(model, xg, t, 'input_grad')
    t['input_grad.input.grad'] = xg.grad.detach().clone()

    # A full backward hook on module '2' that doubles its grad_input: upstream grads double.
    model.zero_grad(set_to_none=True)
    h = model[2].register_full_backward_hook(lambda mod, gi, go: tuple(None if g is None else g * 2 for g in gi))
    model(x).sum().backward()
    h.remove()
    for name, p in model.named_parameters():
        t['doubled.grad.' + name] = p.grad.detach().clone()

    meta = {
        'description': 'Sequential(Linear(3, 2), ReLU(), Linear(2, 1)) at batch 5, loss = output.sum(): '
                       'firing order of backward pre hooks and full backward hooks on every module, and a '
                       "full backward hook on '2' that doubles grad_input",
        'repr': repr(model),
        'state_dict_keys': list(model.state_dict().keys()),
        'named_modules': [n for n, _ in model.named_modules()],
        'plain': {'input_requires_grad': False, 'events': order},
        'input_grad': {'input_requires_grad': True, 'events': order_xg},
        'doubled': {'module': '2', 'rule': 'grad_input -> 2 * grad_input'},
        'notes': [
            'torch 1.13 has no register_full_backward_pre_hook; the script calls pre hooks where 1.13 '
            'receives the gradient w.r.t. a module output, which is where torch >= 2.0 calls them',
            'when no input of a module requires grad (the root and module 0 in "plain"), torch calls its '
            'full backward hook with grad_input (None,) right after its backward pre hook',
        ],
    }
    write_case('hooks', t, meta)


# --------------------------------------------------------------------------------------------
# tensorfiles: one tensor per dtype, with numpy's own .npy files as the expected values
# --------------------------------------------------------------------------------------------
def case_tensorfiles():
    torch.manual_seed(0)
    special = [0.0, -0.0, 1.0, -2.5, 65504.0, 6e-08, float('inf'), float('-inf'), float('nan'), 0.333]
    tensors = {
        'f32': torch.randn(2, 3),
        'f16': torch.tensor(special, dtype=torch.float16).reshape(2, 5),
        'bf16': torch.tensor(special[:4] + [3.0e38, 1e-39, float('inf'), float('-inf'), float('nan'), 0.333],
                             dtype=torch.bfloat16).reshape(2, 5),
        'f64': torch.tensor([[1.0 / 3, -1e-3], [1e30, 2.0]], dtype=torch.float64),
        'i64': torch.tensor([[0, -1, 2147483647], [-2147483648, 5, 7]], dtype=torch.int64),
        'i32': torch.tensor([[3, -4], [2147483647, -2147483648]], dtype=torch.int32),
        'u8': torch.tensor([0, 1, 127, 128, 255], dtype=torch.uint8),
        'bool': torch.tensor([[True, False, True], [False, False, True]]),
        'scalar': torch.tensor(1.5),
        'empty': torch.zeros(0, 3),
        'weird key/ünï.0': torch.arange(3, dtype=torch.float32),
    }
    npy_dir = os.path.join(OUT, 'npy')
    os.makedirs(npy_dir, exist_ok=True)
    files = {}
    for key, v in tensors.items():
        fname = 'weird_key.npy' if key.startswith('weird') else key + '.npy'
        arr = v.float().numpy() if v.dtype == torch.bfloat16 else v.numpy()
        np.save(os.path.join(npy_dir, fname), arr)
        files[key] = {'npy': 'npy/' + fname, 'safetensors_dtype': ST_DTYPES[v.dtype], 'npy_descr': arr.dtype.str,
                      'shape': list(v.shape)}
    save_safetensors(os.path.join(OUT, 'tensorfiles.safetensors'), tensors,
                     metadata={'format': 'pt', 'note': 'one tensor per dtype'})

    # .npy header variants numpy itself writes, for the .npy reader.
    a = np.arange(6, dtype=np.float32).reshape(2, 3) / 4
    variants = {}
    for version in [(1, 0), (2, 0), (3, 0)]:
        fname = f'v{version[0]}.npy'
        with open(os.path.join(npy_dir, fname), 'wb') as f:
            np.lib.format.write_array(f, a, version=version)
        variants[fname] = {'version': list(version), 'descr': '<f4', 'shape': [2, 3]}
    np.save(os.path.join(npy_dir, 'big_endian.npy'), a.astype('>f4'))
    variants['big_endian.npy'] = {'descr': '>f4', 'shape': [2, 3]}
    np.save(os.path.join(npy_dir, 'fortran.npy'), np.asfortranarray(a))
    variants['fortran.npy'] = {'descr': '<f4', 'shape': [2, 3], 'fortran_order': True, 'expect': 'error'}
    np.save(os.path.join(npy_dir, 'i64_overflow.npy'), np.array([1, 2 ** 40], dtype=np.int64))
    variants['i64_overflow.npy'] = {'descr': '<i8', 'shape': [2], 'expect': 'error: 1099511627776 at index 1'}
    np.save(os.path.join(npy_dir, 'i16.npy'), np.array([-32768, 7, 32767], dtype=np.int16))
    variants['i16.npy'] = {'descr': '<i2', 'shape': [3]}
    np.save(os.path.join(npy_dir, 'f32_4d.npy'), np.arange(24, dtype=np.float32).reshape(1, 2, 3, 4) - 5)
    variants['f32_4d.npy'] = {'descr': '<f4', 'shape': [1, 2, 3, 4], 'values': 'arange(24) - 5'}

    meta = {'description': 'safetensors with one tensor per dtype; npy/<key>.npy holds the same values as '
                           'numpy saved them (bf16 as float32, since numpy has no bfloat16)',
            'tensors': files, 'npy_variants': variants}
    save_json(os.path.join(OUT, 'tensorfiles.json'), {'generator': GENERATOR, **meta})


def main():
    os.makedirs(OUT, exist_ok=True)
    case_custom_linear()
    case_batchnorm1d()
    case_batchnorm2d()
    case_layers()
    case_cnn()
    case_hooks()
    case_tensorfiles()
    total = 0
    for dirpath, _, names in os.walk(OUT):
        for n in names:
            total += os.path.getsize(os.path.join(dirpath, n))
    print(f'wrote fixtures to {os.path.relpath(OUT, ROOT)} ({total} bytes)')


if __name__ == '__main__':
    main()
