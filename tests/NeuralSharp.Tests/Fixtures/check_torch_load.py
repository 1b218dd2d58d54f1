#!/usr/bin/python3
"""Checks that PyTorch loads NeuralSharp-written models and computes the same outputs.

    /usr/bin/python3 check_torch_load.py <folder> <model> [<model> ...]

For each model name (mlp, swiglu, bn; see interop_models.py) reads <folder>/<model>.safetensors (written by
NeuralSharp's SafeTensors.Save from Module.StateDict()), builds the matching torch.nn model, calls
load_state_dict(strict=True), runs <folder>/<model>_input.npy through it in eval mode and compares with
<folder>/<model>_output.npy (NeuralSharp's output): |torch - neuralsharp| <= 1e-5 + 1e-5 * |neuralsharp|.
Prints one line per model; exits 1 when any model fails to load or differs, 2 on bad usage.
Run by tests/NeuralSharp.Tests/Interop/TorchInteropTests.cs.
"""

import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from interop_models import build, load_into, load_safetensors  # noqa: E402

torch.set_num_threads(1)


def check(folder, name):
    model = build(name)
    load_into(model, load_safetensors(os.path.join(folder, name + ".safetensors")))
    model.eval()
    x = torch.from_numpy(np.load(os.path.join(folder, name + "_input.npy")))
    expected = np.load(os.path.join(folder, name + "_output.npy"))
    with torch.no_grad():
        y = model(x).numpy()
    if y.shape != expected.shape:
        return f"{name}: output shape {y.shape} != NeuralSharp's {expected.shape}"
    diff = np.abs(y.astype(np.float64) - expected.astype(np.float64))
    bound = 1e-5 + 1e-5 * np.abs(expected.astype(np.float64))
    if not np.all(diff <= bound):
        i = np.unravel_index(np.argmax(diff - bound), diff.shape)
        return f"{name}: output{list(i)} torch {y[i]!r} vs NeuralSharp {expected[i]!r} (max abs diff {diff.max():.3g})"
    print(f"ok {name}: max abs diff {diff.max():.3g}")
    return None


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    failures = []
    for name in argv[2:]:
        try:
            problem = check(argv[1], name)
        except Exception as e:  # load_state_dict(strict=True) mismatches, missing files, ...
            problem = f"{name}: {type(e).__name__}: {e}"
        if problem:
            print("FAIL " + problem)
            failures.append(problem)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
