#!/usr/bin/python3
"""PyTorch reference fixtures for NeuralSharp's tests.

Run with Debian's PyTorch (package python3-torch, 1.13):

    /usr/bin/python3 tests/NeuralSharp.Tests/Fixtures/make_fixtures.py

Writes one JSON file per case into tests/NeuralSharp.Tests/Fixtures/data/<case>.json:

    {"case": "...", "op": "...", "attrs": {...scalar attributes...},
     "tensors": {"<name>": {"shape": [..], "dtype": "float32"|"float64"|"int64",
                            "data": [flat row-major values]}}}

Inputs are float32 and seeded per case (the seed is the CRC-32 of the case name, so adding or
reordering cases does not change the others). Gradients come from autograd; for non-scalar
outputs the upstream gradient is a random tensor "dy", i.e. grad_x = d(sum(y * dy))/dx.
float32 values are written with 9 significant digits (round-trips float32 exactly); float64
values (learning rates) with Python's shortest round-trip repr.
"""

from fixture_io import *  # noqa: F401,F403 -- os, math, torch, F, OUT, write, seed, randn, uniform, leaf, grads_of
from fixture_io import _written


# ----------------------------------------------------------------------------- cases

def case_linear():
    c = "linear"
    seed(c)
    x, w, b = leaf(randn(4, 5)), leaf(randn(3, 5)), leaf(randn(3))
    dy = randn(4, 3)
    y = F.linear(x, w, b)
    gx, gw, gb = grads_of(y, dy, x, w, b)
    write(c, "linear", {"formula": "y = x @ weight^T + bias"},
          {"x": x, "weight": w, "bias": b, "dy": dy,
           "y": y, "grad_x": gx, "grad_weight": gw, "grad_bias": gb})


def activation_input():
    x = uniform(-4.0, 4.0, 3, 7)
    # Keep away from 0 (kinks of relu/leaky_relu): push |x| < 0.05 out to +-0.05..0.1.
    small = x.abs() < 0.05
    x = torch.where(small, torch.sign(x + 1e-30) * (0.05 + x.abs()), x)
    return x


def case_activations():
    specs = [
        ("relu", "relu", {}, lambda x: F.relu(x)),
        ("leaky_relu", "leaky_relu", {"negative_slope": 0.1},
         lambda x: F.leaky_relu(x, negative_slope=0.1)),
        ("sigmoid", "sigmoid", {}, torch.sigmoid),
        ("tanh", "tanh", {}, torch.tanh),
        ("gelu", "gelu", {"approximate": "none"}, lambda x: F.gelu(x, approximate="none")),
        ("gelu_tanh", "gelu", {"approximate": "tanh"}, lambda x: F.gelu(x, approximate="tanh")),
        ("silu", "silu", {}, F.silu),
        ("softplus_beta1", "softplus", {"beta": 1.0, "threshold": 20.0},
         lambda x: F.softplus(x, beta=1.0, threshold=20.0)),
        ("softplus_beta2", "softplus", {"beta": 2.0, "threshold": 20.0},
         lambda x: F.softplus(x, beta=2.0, threshold=20.0)),
    ]
    for c, op, attrs, fn in specs:
        seed(c)
        x = leaf(activation_input())
        dy = randn(3, 7)
        y = fn(x)
        (gx,) = grads_of(y, dy, x)
        write(c, op, attrs, {"x": x, "dy": dy, "y": y, "grad_x": gx})


def case_softmax():
    for op, fn in (("softmax", F.softmax), ("log_softmax", F.log_softmax)):
        for dim, tag in ((-1, "dim_last"), (1, "dim1")):
            c = f"{op}_{tag}"
            seed(c)
            x = randn(3, 4, 5) * 2.0
            x[1, 2, :] += 50.0           # a whole large row (shift invariance / overflow)
            x[2, 0, 3] = 60.0            # a single dominant element
            x[0, 3, :] = -30.0 + randn(5)  # a very negative row
            x = leaf(x)
            dy = randn(3, 4, 5)
            y = fn(x, dim=dim)
            (gx,) = grads_of(y, dy, x)
            write(c, op, {"dim": dim}, {"x": x, "dy": dy, "y": y, "grad_x": gx})


def case_cross_entropy():
    specs = [
        # case, reduction, label_smoothing, use class weights, ignore one target
        ("cross_entropy_mean", "mean", 0.0, False, False),
        ("cross_entropy_label_smoothing", "mean", 0.1, False, False),
        ("cross_entropy_weight", "mean", 0.0, True, False),
        ("cross_entropy_weight_label_smoothing", "mean", 0.2, True, False),
        ("cross_entropy_ignore_index", "mean", 0.0, False, True),
        ("cross_entropy_sum", "sum", 0.0, False, False),
    ]
    for c, reduction, ls, use_w, ignore in specs:
        seed(c)
        logits = leaf(randn(6, 5) * 2.0)
        target = torch.randint(0, 5, (6,), dtype=torch.int64)
        if ignore:
            target[2] = -100
        w = uniform(0.5, 2.0, 5) if use_w else None
        loss = F.cross_entropy(logits, target, weight=w, ignore_index=-100,
                               reduction=reduction, label_smoothing=ls)
        (g,) = grads_of(loss, None, logits)
        tensors = {"logits": logits, "target": target}
        if use_w:
            tensors["class_weight"] = w
        tensors.update({"loss": loss, "grad_logits": g})
        write(c, "cross_entropy",
              {"reduction": reduction, "label_smoothing": ls, "ignore_index": -100}, tensors)


def case_losses():
    c = "mse_loss"
    seed(c)
    x, target = leaf(randn(4, 3)), randn(4, 3)
    loss = F.mse_loss(x, target, reduction="mean")
    (gx,) = grads_of(loss, None, x)
    write(c, "mse_loss", {"reduction": "mean"},
          {"x": x, "target": target, "loss": loss, "grad_x": gx})

    for c, use_pw in (("bce_with_logits", False), ("bce_with_logits_pos_weight", True)):
        seed(c)
        x = leaf(randn(4, 3) * 3.0)
        target = torch.rand(4, 3, dtype=torch.float32)
        target[0] = torch.tensor([0.0, 1.0, 1.0])  # hard labels as well as soft ones
        pw = uniform(0.5, 3.0, 3) if use_pw else None
        loss = F.binary_cross_entropy_with_logits(x, target, pos_weight=pw, reduction="mean")
        (gx,) = grads_of(loss, None, x)
        tensors = {"x": x, "target": target}
        if use_pw:
            tensors["pos_weight"] = pw
        tensors.update({"loss": loss, "grad_x": gx})
        write(c, "binary_cross_entropy_with_logits", {"reduction": "mean"}, tensors)


def case_norms():
    c = "layer_norm"
    seed(c)
    x = leaf(randn(4, 6) * 3.0 + 1.0)
    w, b = leaf(uniform(0.5, 1.5, 6)), leaf(randn(6) * 0.5)
    dy = randn(4, 6)
    y = F.layer_norm(x, (6,), w, b, eps=1e-5)
    gx, gw, gb = grads_of(y, dy, x, w, b)
    write(c, "layer_norm", {"eps": 1e-5, "normalized_shape": 6},
          {"x": x, "weight": w, "bias": b, "dy": dy,
           "y": y, "grad_x": gx, "grad_weight": gw, "grad_bias": gb})

    c = "rms_norm"
    seed(c)
    eps = 1e-6
    x = leaf(randn(4, 6) * 2.0)
    w = leaf(uniform(0.5, 1.5, 6))
    dy = randn(4, 6)
    y = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w
    gx, gw = grads_of(y, dy, x, w)
    write(c, "rms_norm",
          {"eps": eps, "normalized_shape": 6,
           "formula": "y = x * rsqrt(mean(x^2, -1) + eps) * weight"},
          {"x": x, "weight": w, "dy": dy, "y": y, "grad_x": gx, "grad_weight": gw})


def case_matmul_and_elementwise():
    c = "matmul"
    seed(c)
    a, b = leaf(randn(3, 4)), leaf(randn(4, 5))
    dy = randn(3, 5)
    y = a @ b
    ga, gb = grads_of(y, dy, a, b)
    write(c, "matmul", {}, {"a": a, "b": b, "dy": dy, "y": y, "grad_a": ga, "grad_b": gb})

    ops = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div}
    for op, fn in ops.items():
        for bshape, tag in (((3, 1), "b3x1"), ((4,), "b4")):
            c = f"{op}_{tag}"
            seed(c)
            a = leaf(randn(2, 3, 4))
            bv = randn(*bshape)
            if op == "div":  # keep the divisor away from 0
                bv = torch.sign(bv + 1e-30) * (bv.abs() + 0.5)
            b = leaf(bv)
            dy = randn(2, 3, 4)
            y = fn(a, b)
            ga, gb = grads_of(y, dy, a, b)
            write(c, op, {"broadcast": "a[2,3,4] op b" + str(list(bshape))},
                  {"a": a, "b": b, "dy": dy, "y": y, "grad_a": ga, "grad_b": gb})

    for op, fn in (("sum", torch.sum), ("mean", torch.mean)):
        for keep in (False, True):
            c = f"{op}_dim1" + ("_keepdim" if keep else "")
            seed(c)
            x = leaf(randn(2, 3, 4))
            y = fn(x, dim=1, keepdim=keep)
            dy = randn(*y.shape)
            (gx,) = grads_of(y, dy, x)
            write(c, op, {"dim": 1, "keepdim": keep}, {"x": x, "dy": dy, "y": y, "grad_x": gx})

    unary = [
        ("exp", "exp", {}, lambda: randn(3, 7) * 2.0, torch.exp),
        ("log", "log", {}, lambda: uniform(0.05, 5.0, 3, 7), torch.log),
        ("sqrt", "sqrt", {}, lambda: uniform(0.05, 5.0, 3, 7), torch.sqrt),
        ("pow_3", "pow", {"exponent": 3.0}, lambda: randn(3, 7) * 1.5,
         lambda x: torch.pow(x, 3.0)),
        ("pow_0_5", "pow", {"exponent": 0.5}, lambda: uniform(0.05, 5.0, 3, 7),
         lambda x: torch.pow(x, 0.5)),
    ]
    for c, op, attrs, make, fn in unary:
        seed(c)
        x = leaf(make())
        dy = randn(3, 7)
        y = fn(x)
        (gx,) = grads_of(y, dy, x)
        write(c, op, attrs, {"x": x, "dy": dy, "y": y, "grad_x": gx})


def case_optimizers():
    specs = [
        ("optim_sgd", torch.optim.SGD, dict(lr=0.1)),
        ("optim_sgd_momentum", torch.optim.SGD, dict(lr=0.1, momentum=0.9)),
        ("optim_sgd_nesterov_wd", torch.optim.SGD,
         dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
        ("optim_sgd_dampening_wd", torch.optim.SGD,
         dict(lr=0.05, momentum=0.5, dampening=0.1, weight_decay=0.1)),
        ("optim_adam", torch.optim.Adam, dict(lr=0.01)),
        ("optim_adam_betas_wd", torch.optim.Adam,
         dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
        ("optim_adamw", torch.optim.AdamW, dict(lr=0.01, weight_decay=0.1)),
        ("optim_adamw_betas_wd", torch.optim.AdamW,
         dict(lr=0.003, betas=(0.85, 0.95), weight_decay=0.5)),
    ]
    for c, cls, kw in specs:
        seed(c)
        p0 = randn(5, 4)
        gs = [randn(5, 4) for _ in range(3)]
        p = torch.nn.Parameter(p0.clone())
        opt = cls([p], foreach=False, **kw)
        tensors = {"p0": p0}
        for i, g in enumerate(gs, 1):
            tensors[f"g{i}"] = g
        for i, g in enumerate(gs, 1):
            p.grad = g.clone()
            opt.step()
            tensors[f"p{i}"] = p.detach().clone()
        # Every hyper-parameter by PyTorch's name, as the optimizer actually used it.
        attrs = {"optimizer": cls.__name__}
        for k, v in opt.param_groups[0].items():
            if k in ("params", "foreach", "differentiable", "capturable"):
                continue
            if k == "betas":
                attrs["beta1"], attrs["beta2"] = float(v[0]), float(v[1])
            else:
                attrs[k] = v
        write(c, cls.__name__.lower(), attrs, tensors)


def case_lr_schedules():
    base = 0.1
    c = "lr_step"
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=base)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
    lrs = []
    for _ in range(10):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    write(c, "step_lr",
          {"base_lr": base, "step_size": 3, "gamma": 0.5, "epochs": 10,
           "formula": "lr[epoch] = base_lr * gamma^floor(epoch / step_size), epoch = 0..epochs-1"},
          {"lrs": lrs})

    c = "lr_cosine_warmup"
    warmup, total, min_factor = 3, 10, 0.0

    def factor(step):
        if step < warmup:
            return step / warmup
        progress = (step - warmup) / (total - warmup)
        return min_factor + (1.0 - min_factor) * 0.5 * (1.0 + math.cos(math.pi * progress))

    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=base)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda=factor)
    lrs = []
    for _ in range(total + 1):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    write(c, "cosine_warmup",
          {"base_lr": base, "warmup_steps": warmup, "total_steps": total,
           "min_lr_factor": min_factor, "steps_recorded": total + 1,
           "formula": "lr[step] = base_lr * step/warmup_steps for step < warmup_steps, else "
                      "base_lr * (min_lr_factor + (1 - min_lr_factor) * 0.5 * "
                      "(1 + cos(pi * (step - warmup_steps) / (total_steps - warmup_steps)))); "
                      "step = 0..total_steps (inclusive); torch LambdaLR"},
          {"lrs": lrs})


def case_clip_grad_norm():
    for c, scale in (("clip_grad_norm", 1.0), ("clip_grad_norm_noclip", 0.05)):
        seed(c)
        shapes = [(4, 3), (5,), (2, 2, 3)]
        params = [torch.nn.Parameter(randn(*s)) for s in shapes]
        grads = [randn(*s) * scale for s in shapes]
        for p, g in zip(params, grads):
            p.grad = g.clone()
        total = torch.nn.utils.clip_grad_norm_(params, max_norm=1.0, norm_type=2.0)
        tensors = {}
        for i, g in enumerate(grads):
            tensors[f"g{i}"] = g
        tensors["total_norm"] = total.to(torch.float32)
        for i, p in enumerate(params):
            tensors[f"clipped_g{i}"] = p.grad
        write(c, "clip_grad_norm",
              {"max_norm": 1.0, "norm_type": 2.0,
               "formula": "total_norm = sqrt(sum of squares of all grads); "
                          "coef = max_norm / (total_norm + 1e-6); "
                          "if coef < 1: g *= coef"},
              tensors)


def case_mlp_train():
    c = "mlp_train"
    seed(c)
    model = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    x = randn(10, 6)
    target = torch.randint(0, 3, (10,), dtype=torch.int64)
    tensors = {"x": x, "target": target}
    for k, v in model.state_dict().items():
        tensors["init." + k] = v.clone()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, foreach=False)
    losses = []
    for _ in range(3):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), target)
        losses.append(loss.detach().clone())
        loss.backward()
        opt.step()
    tensors["losses"] = torch.stack(losses)
    for k, v in model.state_dict().items():
        tensors["final." + k] = v.clone()
    write(c, "mlp_train",
          {"model": "Sequential(Linear(6,8), ReLU(), Linear(8,3))",
           "optimizer": "SGD", "lr": 0.1, "momentum": 0.9, "steps": 3,
           "loss": "cross_entropy mean",
           "formula": "losses[i] = loss before step i+1 (zero_grad, forward, backward, step)"},
          tensors)


def case_mlp_train_adam_cosine():
    """Adam under a per-step cosine schedule with linear warm-up (NeuralSharp's CLI default) over 40 steps
    of fixed mini-batches, so that a schedule interacting with the optimizer state is checked too."""
    c = "mlp_train_adam_cosine"
    seed(c)
    model = torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
    x = randn(40, 6)
    target = torch.randint(0, 3, (40,), dtype=torch.int64)
    tensors = {"x": x, "target": target}
    for k, v in model.state_dict().items():
        tensors["init." + k] = v.clone()
    warmup, total, batch = 5, 40, 8
    opt = torch.optim.Adam(model.parameters(), lr=0.01, foreach=False)

    def factor(step):
        if step < warmup:
            return step / warmup
        return 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warmup) / (total - warmup))))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, factor)
    losses = []
    for step in range(total):
        rows = slice((step * batch) % 40, (step * batch) % 40 + batch)
        opt.zero_grad()
        loss = F.cross_entropy(model(x[rows]), target[rows])
        losses.append(loss.detach().clone())
        loss.backward()
        opt.step()
        sched.step()
    tensors["losses"] = torch.stack(losses)
    for k, v in model.state_dict().items():
        tensors["final." + k] = v.clone()
    write(c, "mlp_train",
          {"model": "Sequential(Linear(6,16), ReLU(), Linear(16,3))", "optimizer": "Adam", "lr": 0.01,
           "warmup_steps": warmup, "total_steps": total, "batch": batch,
           "formula": "batch t = rows (8t mod 40) .. +8; lr from LambdaLR cosine with linear warm-up stepped after every optimizer step"},
          tensors)


def main():
    print("torch", torch.__version__)
    # Other make_fixtures_*.py scripts write into the same folder: overwrite our cases, delete nothing.
    case_linear()
    case_activations()
    case_softmax()
    case_cross_entropy()
    case_losses()
    case_norms()
    case_matmul_and_elementwise()
    case_optimizers()
    case_lr_schedules()
    case_clip_grad_norm()
    case_mlp_train()
    case_mlp_train_adam_cosine()
    size = sum(os.path.getsize(os.path.join(OUT, c + ".json")) for c in _written)
    print(f"wrote {len(_written)} cases, {size} bytes, to {OUT}")


if __name__ == "__main__":
    main()
