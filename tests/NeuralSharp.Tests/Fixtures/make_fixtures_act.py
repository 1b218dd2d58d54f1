#!/usr/bin/python3
"""PyTorch 1.13 reference fixtures for the activations of issue 4 (cases prefixed "act_").

Run with Debian's PyTorch (package python3-torch, 1.13):

    /usr/bin/python3 tests/NeuralSharp.Tests/Fixtures/make_fixtures_act.py

Same JSON format and helpers as make_fixtures.py (see its docstring); writes only act_*.json into data/.
"""

import json
import math
import os
import zlib

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "data")

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

_written = []


# ----------------------------------------------------------------------------- output helpers

def _fmt(v, dtype):
    if dtype == "int64":
        return str(int(v))
    f = float(v)
    if math.isnan(f) or math.isinf(f):
        raise ValueError("non-finite value in fixture")
    return repr(f) if dtype == "float64" else "%.9g" % f


def _tensor_json(t):
    if isinstance(t, (list, tuple)):  # list of python floats -> float64 vector
        shape, dtype, flat = [len(t)], "float64", list(t)
    else:
        t = t.detach().cpu().contiguous()
        if t.dtype == torch.float32:
            dtype = "float32"
        elif t.dtype == torch.int64:
            dtype = "int64"
        elif t.dtype == torch.float64:
            dtype = "float64"
        else:
            raise TypeError(f"unsupported dtype {t.dtype}")
        shape, flat = list(t.shape), t.reshape(-1).tolist()
    data = ", ".join(_fmt(v, dtype) for v in flat)
    return '{"shape": %s, "dtype": "%s", "data": [%s]}' % (json.dumps(shape), dtype, data)


def write(case, op, attrs, tensors):
    """tensors: dict name -> torch.Tensor (float32/int64/float64) or list of python floats."""
    for k, v in attrs.items():
        if not isinstance(v, (int, float, str, bool)):
            raise TypeError(f"{case}: attr {k} must be scalar, got {type(v)}")
    lines = ['{"case": %s, "op": %s,' % (json.dumps(case), json.dumps(op)),
             ' "attrs": %s,' % json.dumps(attrs, sort_keys=True),
             ' "tensors": {']
    items = list(tensors.items())
    for i, (name, t) in enumerate(items):
        sep = "," if i + 1 < len(items) else ""
        lines.append('  %s: %s%s' % (json.dumps(name), _tensor_json(t), sep))
    lines.append('}}')
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, case + ".json"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    _written.append(case)


def seed(case):
    torch.manual_seed(zlib.crc32(case.encode("utf-8")))


def randn(*shape):
    return torch.randn(*shape, dtype=torch.float32)


def uniform(lo, hi, *shape):
    return torch.rand(*shape, dtype=torch.float32) * (hi - lo) + lo


def leaf(t):
    return t.detach().clone().requires_grad_(True)


def grads_of(out, dy, *inputs):
    """Gradients of sum(out * dy) (or of scalar out when dy is None) with respect to inputs."""
    return torch.autograd.grad(out, inputs, grad_outputs=dy)


# ----------------------------------------------------------------------------- cases

KINKS = (0.0, -3.0, 3.0, 6.0)


def act_input(lo=-7.0, hi=7.0, *shape):
    """Uniform inputs kept at least 0.05 away from every kink (0, +-3, 6) of relu6/hardsigmoid/hardswish."""
    x = uniform(lo, hi, *(shape or (3, 7)))
    for k in KINKS:
        d = x - k
        near = d.abs() < 0.05
        x = torch.where(near, k + torch.sign(d + 1e-30) * (0.05 + d.abs()), x)
    return x


def case_elementwise():
    specs = [
        ("act_relu6", "relu6", {}, F.relu6),
        ("act_elu", "elu", {"alpha": 1.0}, lambda x: F.elu(x, alpha=1.0)),
        ("act_elu_alpha05", "elu", {"alpha": 0.5}, lambda x: F.elu(x, alpha=0.5)),
        ("act_selu", "selu", {}, F.selu),
        ("act_celu", "celu", {"alpha": 1.0}, lambda x: F.celu(x, alpha=1.0)),
        ("act_celu_alpha2", "celu", {"alpha": 2.0}, lambda x: F.celu(x, alpha=2.0)),
        ("act_mish", "mish", {}, F.mish),
        ("act_hardsigmoid", "hardsigmoid", {}, F.hardsigmoid),
        ("act_hardswish", "hardswish", {}, F.hardswish),
        ("act_softsign", "softsign", {}, F.softsign),
        ("act_logsigmoid", "logsigmoid", {}, F.logsigmoid),
    ]
    for c, op, attrs, fn in specs:
        seed(c)
        x = act_input()
        if c == "act_logsigmoid":  # include large magnitudes: the stable form must not overflow
            x[0, :4] = torch.tensor([-40.0, -90.0, 40.0, 90.0])
        x = leaf(x)
        dy = randn(3, 7)
        y = fn(x)
        (gx,) = grads_of(y, dy, x)
        write(c, op, attrs, {"x": x, "dy": dy, "y": y, "grad_x": gx})


def case_prelu():
    for c, shape, n in [("act_prelu_shared", (3, 7), 1), ("act_prelu_channels", (4, 5), 5), ("act_prelu_3d", (2, 3, 4), 3)]:
        seed(c)
        x = leaf(act_input(-3.0, 3.0, *shape))
        w = leaf(uniform(-0.5, 0.8, n))
        dy = randn(*shape)
        y = F.prelu(x, w)
        gx, gw = grads_of(y, dy, x, w)
        write(c, "prelu", {"num_parameters": n}, {"x": x, "weight": w, "dy": dy, "y": y, "grad_x": gx, "grad_weight": gw})


def case_softmin_glu_temperature():
    for c, dim, shape in [("act_softmin", -1, (3, 7)), ("act_softmin_dim0", 0, (4, 5))]:
        seed(c)
        x = leaf(randn(*shape) * 2)
        dy = randn(*shape)
        y = F.softmin(x, dim=dim)
        (gx,) = grads_of(y, dy, x)
        write(c, "softmin", {"dim": dim}, {"x": x, "dy": dy, "y": y, "grad_x": gx})
    for c, dim, shape in [("act_glu", -1, (3, 8)), ("act_glu_dim1", 1, (2, 6, 3)), ("act_glu_dim0", 0, (4, 5))]:
        seed(c)
        x = leaf(randn(*shape) * 2)
        out_shape = list(shape)
        out_shape[dim] //= 2
        dy = randn(*out_shape)
        y = F.glu(x, dim=dim)
        (gx,) = grads_of(y, dy, x)
        write(c, "glu", {"dim": dim}, {"x": x, "dy": dy, "y": y, "grad_x": gx})
    for c, t in [("act_softmax_temperature2_5", 2.5), ("act_softmax_temperature0_5", 0.5)]:
        seed(c)
        x = leaf(randn(3, 7) * 2)
        dy = randn(3, 7)
        y = F.softmax(x / t, dim=-1)
        (gx,) = grads_of(y, dy, x)
        write(c, "softmax_temperature", {"dim": -1, "temperature": t}, {"x": x, "dy": dy, "y": y, "grad_x": gx})


def main():
    print("torch", torch.__version__)
    case_elementwise()
    case_prelu()
    case_softmin_glu_temperature()
    size = sum(os.path.getsize(os.path.join(OUT, c + ".json")) for c in _written)
    print(f"wrote {len(_written)} cases, {size} bytes, to {OUT}")


if __name__ == "__main__":
    main()
