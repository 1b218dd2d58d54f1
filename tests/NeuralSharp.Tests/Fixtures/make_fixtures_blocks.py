#!/usr/bin/python3
"""PyTorch reference fixtures for the feed-forward blocks (FeedForward, GatedFeedForward).

Run with Debian's PyTorch (python3-torch 1.13):

    /usr/bin/python3 tests/NeuralSharp.Tests/Fixtures/make_fixtures_blocks.py

Writes data/block_*.json in make_fixtures.py's format. Each case holds the block's settings as attrs, the
input x, the upstream gradient dy, every parameter as "param.<state-dict key>" (NeuralSharp's key names),
the output y, grad_x and "grad.<key>" for every parameter. Modules are built from torch.nn layers.
"""

from fixture_io import *  # noqa: F401,F403 -- os, math, torch, F, OUT, write, seed, randn, uniform, leaf, grads_of
from fixture_io import _written
import torch.nn as nn


class RMSNorm(nn.Module):
    """torch 1.13 has no nn.RMSNorm: y = x * rsqrt(mean(x^2) + eps) * weight (as PyTorch 2.4's)."""

    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


ACTS = {"gelu": nn.GELU, "relu": nn.ReLU, "silu": nn.SiLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}


def make_norm(kind, dim):
    return nn.LayerNorm(dim, eps=1e-5) if kind == "layer_norm" else RMSNorm(dim)


class FeedForward(nn.Module):
    def __init__(self, dim, hidden, activation, norm, residual, out_dim, bias):
        super().__init__()
        self.residual = residual
        self.norm = make_norm(norm, dim) if norm != "none" else None
        self.w1 = nn.Linear(dim, hidden, bias=bias)
        self.act = ACTS[activation]()
        self.dropout = nn.Dropout(0.0)
        self.w2 = nn.Linear(hidden, out_dim, bias=bias)

    def forward(self, x):
        h = self.norm(x) if self.norm is not None else x
        y = self.w2(self.dropout(self.act(self.w1(h))))
        return y + x if self.residual else y


GATES = {"GLU": torch.sigmoid, "ReGLU": F.relu, "GeGLU": F.gelu, "SwiGLU": F.silu}


class GatedFeedForward(nn.Module):
    """Shazeer 2020: w2(act(w1 x) * w3 x); w1 = W (gated), w3 = V, w2 = W2 (Llama's names)."""

    def __init__(self, dim, hidden, variant, bias, norm, residual):
        super().__init__()
        self.variant, self.residual = variant, residual
        self.norm = make_norm(norm, dim) if norm != "none" else None
        self.w1 = nn.Linear(dim, hidden, bias=bias)
        self.w3 = nn.Linear(dim, hidden, bias=bias)
        self.w2 = nn.Linear(hidden, dim, bias=bias)

    def forward(self, x):
        h = self.norm(x) if self.norm is not None else x
        y = self.w2(GATES[self.variant](self.w1(h)) * self.w3(h))
        return y + x if self.residual else y


def run(case, op, attrs, module, x_shape):
    seed(case)
    # Random affine norm parameters too, so that the test checks they are used.
    with torch.no_grad():
        for name, p in module.named_parameters():
            p.copy_(randn(*p.shape) * (0.5 if name.startswith("w") else 0.3) + (1.0 if name == "norm.weight" else 0.0))
    x = leaf(randn(*x_shape))
    y = module(x)
    dy = randn(*y.shape)
    y.backward(dy)
    tensors = {"x": x, "dy": dy}
    for name, p in module.named_parameters():
        tensors["param." + name] = p
    tensors["y"] = y
    tensors["grad_x"] = x.grad
    for name, p in module.named_parameters():
        tensors["grad." + name] = p.grad
    write(case, op, attrs, tensors)


def case_feed_forward():
    for case, act, norm, residual, out_dim, bias, shape in [
        ("block_ffn_gelu", "gelu", "none", False, 6, True, [5, 6]),
        ("block_ffn_relu_layernorm_residual", "relu", "layer_norm", True, 6, True, [2, 3, 6]),
        ("block_ffn_silu_rmsnorm_residual", "silu", "rms_norm", True, 6, True, [4, 6]),
        ("block_ffn_tanh_outdim_nobias", "tanh", "none", False, 4, False, [5, 6]),
    ]:
        attrs = {"dim": 6, "hidden": 10, "activation": act, "norm": norm, "residual": residual, "out_dim": out_dim, "bias": bias}
        run(case, "feed_forward", attrs, FeedForward(6, 10, act, norm, residual, out_dim, bias), shape)


def case_gated():
    for variant, bias, norm, residual in [
        ("GLU", True, "none", False),
        ("ReGLU", False, "layer_norm", False),
        ("GeGLU", True, "layer_norm", True),
        ("SwiGLU", False, "rms_norm", True),
    ]:
        case = "block_glu_" + variant.lower()
        attrs = {"dim": 6, "hidden": 8, "variant": variant, "bias": bias, "norm": norm, "residual": residual}
        run(case, "gated_feed_forward", attrs, GatedFeedForward(6, 8, variant, bias, norm, residual), [5, 6])


def main():
    print("torch", torch.__version__)
    case_feed_forward()
    case_gated()
    size = sum(os.path.getsize(os.path.join(OUT, c + ".json")) for c in _written)
    print(f"wrote {len(_written)} cases, {size} bytes, to {OUT}")


if __name__ == "__main__":
    main()
