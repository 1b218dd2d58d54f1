#!/usr/bin/python3
"""PyTorch reference fixtures for NeuralSharp's normalisation / embedding / z-loss layers (issue 4, layers-norm).

Run with Debian's PyTorch (python3-torch 1.13):

    /usr/bin/python3 tests/NeuralSharp.Tests/Fixtures/make_fixtures_norm.py

Writes data/norm_*.json in the format of make_fixtures.py (whose write()/seed() helpers are copied here).
"""

from fixture_io import *  # noqa: F401,F403 -- os, math, torch, F, OUT, write, seed, randn, uniform, leaf, grads_of
from fixture_io import _written


# ----------------------------------------------------------------------------- cases

def case_batch_norm_train_eval():
    c = "norm_batch_norm1d"
    seed(c)
    bn = torch.nn.BatchNorm1d(5, eps=1e-5, momentum=0.1)
    with torch.no_grad():
        bn.weight.copy_(uniform(0.5, 1.5, 5))
        bn.bias.copy_(randn(5))
    w0, b0 = bn.weight.detach().clone(), bn.bias.detach().clone()
    x1 = leaf(randn(6, 5) * 2 + 1)
    x2 = randn(6, 5) * 0.5 - 3
    x3 = leaf(randn(4, 5))
    dy1, dy3 = randn(6, 5), randn(4, 5)
    bn.train()
    y1 = bn(x1)
    gx1, gw1, gb1 = grads_of(y1, dy1, x1, bn.weight, bn.bias)
    y2 = bn(x2)
    rm, rv, nbt = bn.running_mean.clone(), bn.running_var.clone(), bn.num_batches_tracked.clone()
    bn.eval()
    y3 = bn(x3)
    gx3, gw3, gb3 = grads_of(y3, dy3, x3, bn.weight, bn.bias)
    write(c, "batch_norm1d",
          {"eps": 1e-5, "momentum": 0.1,
           "formula": "train on x1 (backward dy1), train on x2, eval on x3 (backward dy3); running stats after the two training steps"},
          {"weight": w0, "bias": b0, "x1": x1, "dy1": dy1, "y1": y1, "grad_x1": gx1, "grad_weight1": gw1, "grad_bias1": gb1,
           "x2": x2, "y2": y2, "running_mean": rm, "running_var": rv, "num_batches_tracked": nbt,
           "x3": x3, "dy3": dy3, "y3": y3, "grad_x3": gx3, "grad_weight3": gw3, "grad_bias3": gb3})


def case_batch_norm_3d():
    c = "norm_batch_norm1d_3d"
    seed(c)
    x = leaf(randn(4, 3, 5) * 3 - 1)
    w, b = leaf(uniform(0.5, 1.5, 3)), leaf(randn(3))
    rm, rv = torch.zeros(3), torch.ones(3)
    dy = randn(4, 3, 5)
    y = F.batch_norm(x, rm, rv, w, b, training=True, momentum=0.1, eps=1e-5)
    gx, gw, gb = grads_of(y, dy, x, w, b)
    write(c, "batch_norm", {"eps": 1e-5, "momentum": 0.1, "training": True},
          {"x": x, "weight": w, "bias": b, "dy": dy, "y": y, "grad_x": gx, "grad_weight": gw, "grad_bias": gb,
           "running_mean": rm, "running_var": rv})


def case_z_loss():
    c = "norm_z_loss"
    seed(c)
    x = leaf(randn(6, 5) * 3)
    with torch.no_grad():
        x[1] += 40.0  # a large row: logsumexp must stay stable
        x[2, 3] = 25.0
    coef = 1e-2
    loss = coef * torch.logsumexp(x, -1).pow(2).mean()
    (gx,) = torch.autograd.grad(loss, (x,))
    write(c, "z_loss", {"coefficient": coef, "formula": "coefficient * torch.logsumexp(x, -1).pow(2).mean()"},
          {"logits": x, "loss": loss, "grad_logits": gx})


def case_z_loss_ce():
    c = "norm_z_loss_cross_entropy"
    seed(c)
    x = leaf(randn(6, 5) * 2)
    t = torch.randint(0, 5, (6,), dtype=torch.int64)
    coef = 1e-3
    loss = F.cross_entropy(x, t) + coef * torch.logsumexp(x, -1).pow(2).mean()
    (gx,) = torch.autograd.grad(loss, (x,))
    write(c, "cross_entropy_z_loss", {"coefficient": coef,
          "formula": "F.cross_entropy(x, t) + coefficient * torch.logsumexp(x, -1).pow(2).mean()"},
          {"logits": x, "target": t, "loss": loss, "grad_logits": gx})


def case_embedding():
    c = "norm_embedding"
    seed(c)
    emb = torch.nn.Embedding(7, 4, padding_idx=2)
    idx = torch.tensor([[0, 2, 5, 5], [6, 1, 2, 0], [3, 5, 2, 6]], dtype=torch.int64)
    dy = randn(3, 4, 4)
    y = emb(idx)
    (gw,) = grads_of(y, dy, emb.weight)
    write(c, "embedding", {"padding_idx": 2},
          {"weight": emb.weight, "indices": idx, "dy": dy, "y": y, "grad_weight": gw})


def main():
    print("torch", torch.__version__)
    case_batch_norm_train_eval()
    case_batch_norm_3d()
    case_z_loss()
    case_z_loss_ce()
    case_embedding()
    size = sum(os.path.getsize(os.path.join(OUT, c + ".json")) for c in _written)
    print(f"wrote {len(_written)} cases, {size} bytes, to {OUT}")


if __name__ == "__main__":
    main()
