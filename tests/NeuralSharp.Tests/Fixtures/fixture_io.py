"""Shared output helpers of the make_fixtures*.py scripts (format: see make_fixtures.py's docstring).

Imported by each generator script; OPENBLAS_NUM_THREADS is pinned before torch loads so that
PyTorch's matrix products sum in a fixed order and regenerating gives identical files.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

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
