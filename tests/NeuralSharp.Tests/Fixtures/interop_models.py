"""Torch models and file helpers shared by make_fixtures_interop.py and check_torch_load.py.

Each model's state-dict keys are exactly those of the matching NeuralSharp model:

  mlp     Sequential(Linear(8, 16), GELU(), LayerNorm(16), Linear(16, 4), Softmax(-1))
          NeuralSharp: new Sequential(new Linear(8, 16), new GELU(), new LayerNorm(16), new Linear(16, 4), new Softmax(-1))
  swiglu  SwiGLU feed-forward with a LayerNorm pre-norm and a residual: x + w2(silu(w1 n) * w3 n), n = norm(x)
          NeuralSharp: new GatedFeedForward(8, 16, GluVariant.SwiGLU, bias: false, BlockNorm.LayerNorm, residual: true)
  bn      Sequential(Linear(6, 12), BatchNorm1d(12), ReLU(), Linear(12, 3)), evaluated in eval mode
          NeuralSharp: new Sequential(new Linear(6, 12), new BatchNorm1d(12), new ReLU(), new Linear(12, 3))

The safetensors helpers write and read the format by hand (json + struct + numpy) so that the
`safetensors` package is not needed.
"""

import json
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# name -> (input width, builder)
IN_FEATURES = {"mlp": 8, "swiglu": 8, "bn": 6}


class SwiGLU(nn.Module):
    """NeuralSharp's GatedFeedForward (SwiGLU, no bias, LayerNorm pre-norm, residual); keys norm.*, w1, w3, w2."""

    def __init__(self, dim, hidden):
        super().__init__()
        self.norm = nn.LayerNorm(dim, eps=1e-5)
        self.w1 = nn.Linear(dim, hidden, bias=False)
        self.w3 = nn.Linear(dim, hidden, bias=False)
        self.w2 = nn.Linear(hidden, dim, bias=False)

    def forward(self, x):
        h = self.norm(x)
        return x + self.w2(F.silu(self.w1(h)) * self.w3(h))


def build(name):
    if name == "mlp":
        return nn.Sequential(nn.Linear(8, 16), nn.GELU(), nn.LayerNorm(16), nn.Linear(16, 4), nn.Softmax(dim=-1))
    if name == "swiglu":
        return SwiGLU(8, 16)
    if name == "bn":
        return nn.Sequential(nn.Linear(6, 12), nn.BatchNorm1d(12), nn.ReLU(), nn.Linear(12, 3))
    raise ValueError(f"unknown model {name}")


# ----------------------------------------------------------------------------- safetensors by hand

_DTYPES = {np.dtype("float32"): "F32", np.dtype("float64"): "F64", np.dtype("float16"): "F16",
           np.dtype("int64"): "I64", np.dtype("int32"): "I32", np.dtype("int16"): "I16", np.dtype("int8"): "I8",
           np.dtype("uint8"): "U8", np.dtype("bool"): "BOOL"}
_NUMPY = {v: k for k, v in _DTYPES.items()}


# The reference implementation's dtype order (its Rust enum); its writer sorts tensors by dtype, last first.
_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"]


def save_safetensors(path, arrays, metadata=None):
    """Writes {name: numpy array} as the `safetensors` package does: tensors sorted by dtype (in the reverse
    of its enum order: U64, I64, F64, F32, ..., U8, BOOL), then by name; compact JSON header, "__metadata__"
    first, padded with spaces to a multiple of 8 bytes."""
    items = sorted(arrays.items(), key=lambda kv: (-_ORDER.index(_DTYPES[kv[1].dtype]), kv[0]))
    header, offset, blobs = {}, 0, []
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, a in items:
        a = np.array(a, order="C")  # (np.ascontiguousarray would turn a 0-d array into shape (1,))
        data = a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": _DTYPES[a.dtype], "shape": list(a.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def load_safetensors(path):
    """Reads a safetensors file into {name: numpy array} (F32, F64, F16, I64, I32, I16, I8, U8, BOOL)."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    header.pop("__metadata__", None)
    data = raw[8 + n:]
    out = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        dtype = _NUMPY[info["dtype"]].newbyteorder("<")
        out[name] = np.frombuffer(data[begin:end], dtype=dtype).reshape(info["shape"]).copy()
    return out


def state_dict_arrays(model):
    return {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}


def load_into(model, arrays):
    """load_state_dict(strict=True) from numpy arrays (dtype converted to the buffer's by copy_)."""
    model.load_state_dict({k: torch.from_numpy(np.array(v, order="C")) for k, v in arrays.items()}, strict=True)
