#!/usr/bin/python3
"""Interop fixtures: PyTorch models as safetensors + ONNX, and NumPy .npy/.npz golden files.

Run with Debian's PyTorch (python3-torch 1.13) and NumPy:

    /usr/bin/python3 tests/NeuralSharp.Tests/Fixtures/make_fixtures_interop.py

Writes (deterministically: seeded per case with the CRC-32 of its name, one thread):

  data/interop/<model>.safetensors    the model's state dict (hand-written safetensors, metadata format=pt)
  data/interop/<model>_input.npy      a float32 batch [5, in_features]
  data/interop/<model>_output.npy     the model's output for it (eval mode, no grad)
  data/interop/<model>.onnx           torch.onnx.export, opset 17, input "input", output "output", dynamic batch
  data/npy/*.npy, data/npy/*.npz      NumPy golden files for the .npy/.npz reader (see npy_goldens below)
  data/safetensors/int_dtypes.safetensors   I8/U8/I32/I64/F32 tensors laid out as the safetensors package does

Models (see interop_models.py): mlp (Linear, GELU, LayerNorm, Linear, Softmax), swiglu (GatedFeedForward
SwiGLU with LayerNorm pre-norm and residual), bn (Linear, BatchNorm1d with trained running statistics, ReLU, Linear).
"""

from fixture_io import *  # noqa: F401,F403 -- os, torch, seed, randn, OUT
from fixture_io import _written
import io
import shutil
import zipfile

import numpy as np

from interop_models import IN_FEATURES, build, save_safetensors, state_dict_arrays

INTEROP = os.path.join(OUT, "interop")
NPY = os.path.join(OUT, "npy")
SAFETENSORS = os.path.join(OUT, "safetensors")


def make_model(name):
    seed("interop_" + name)
    model = build(name)
    with torch.no_grad():
        for key, p in model.named_parameters():
            # Non-trivial affine parameters for the norms too (PyTorch initialises them to 1 and 0).
            if p.dim() == 1 and ("norm" in key or key.startswith("1.") or key.startswith("2.")):
                p.copy_(1.0 + 0.3 * randn(*p.shape) if key.endswith("weight") else 0.3 * randn(*p.shape))
    if name == "bn":
        # Running statistics from a few training-mode batches with a non-zero mean and non-unit variance.
        model.train()
        with torch.no_grad():
            for _ in range(4):
                model(randn(16, IN_FEATURES[name]) * 2.0 + 0.5)
    model.eval()
    return model


def export_model(name):
    model = make_model(name)
    x = randn(5, IN_FEATURES[name])
    with torch.no_grad():
        y = model(x)
    save_safetensors(os.path.join(INTEROP, name + ".safetensors"), state_dict_arrays(model), {"format": "pt"})
    np.save(os.path.join(INTEROP, name + "_input.npy"), x.numpy())
    np.save(os.path.join(INTEROP, name + "_output.npy"), y.numpy())
    torch.onnx.export(model, (x,), os.path.join(INTEROP, name + ".onnx"), opset_version=17,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    _written.append("interop/" + name)


def save_npy(name, array, version=None):
    path = os.path.join(NPY, name + ".npy")
    with open(path, "wb") as f:
        np.lib.format.write_array(f, array, version=version, allow_pickle=False)


def npy_goldens():
    """values: np.arange(12) - 5 (unsigned types: np.arange(12); bool: arange(12) % 3 == 0), shape (3, 4)."""
    base = np.arange(12)
    for code in ["b1", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f2", "f4", "f8"]:
        values = base % 3 == 0 if code == "b1" else (base if code[0] == "u" else base - 5)
        for order in ("<", ">") if code[1] != "1" else ("|",):
            a = values.astype(np.dtype(order + code)).reshape(3, 4)
            save_npy(("be_" if order == ">" else "") + code, a)
    f4 = (np.arange(24, dtype=np.float32) - 5).reshape(2, 3, 4)
    save_npy("f4_fortran", np.asfortranarray(f4))                  # fortran_order True
    save_npy("f4_v2", f4, version=(2, 0))
    save_npy("f4_v3", f4, version=(3, 0))
    save_npy("f8_scalar", np.array(2.5))                            # 0-d, shape ()
    save_npy("f4_empty", np.zeros((0, 3), dtype=np.float32))        # empty
    save_npy("i8_vector", np.array([-(2 ** 62), 0, 2 ** 62 + 1], dtype="<i8"))
    arrays = {"x": f4, "y": np.array([0, 1, 2], dtype=np.int64), "s": np.array(7, dtype=np.int32)}
    for name, writer in (("stored", np.savez), ("deflated", np.savez_compressed)):
        buf = io.BytesIO()
        writer(buf, **arrays)
        # Fixed member timestamps: NumPy's zip entries carry the current time.
        with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, \
                zipfile.ZipFile(os.path.join(NPY, name + ".npz"), "w") as dst:
            for info in src.infolist():
                out = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
                out.compress_type = info.compress_type
                out.external_attr = info.external_attr
                dst.writestr(out, src.read(info.filename))
    _written.append("npy")


def safetensors_golden():
    arrays = {
        "q": (np.arange(-6, 6, dtype=np.int8) * 21).reshape(3, 4),   # I8 with -126..105
        "u": np.array([0, 1, 127, 128, 255], dtype=np.uint8),
        "i": np.array([[-(2 ** 31), 2 ** 31 - 1], [0, -1]], dtype=np.int32),
        "l": np.array([-(2 ** 63), 2 ** 63 - 1, 5], dtype=np.int64),
        "scale": np.array([0.5, 0.25, 0.125], dtype=np.float32),
    }
    save_safetensors(os.path.join(SAFETENSORS, "int_dtypes.safetensors"), arrays, {"format": "pt"})
    _written.append("safetensors/int_dtypes")


if __name__ == "__main__":
    for folder in (INTEROP, NPY, SAFETENSORS):
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
    for model_name in ("mlp", "swiglu", "bn"):
        export_model(model_name)
    npy_goldens()
    safetensors_golden()
    print(f"wrote {len(_written)} interop fixture groups into {OUT}")
