#!/usr/bin/python3
"""PyTorch 1.13 reference fixtures for the activations of issue 4 (cases prefixed "act_").

Run with Debian's PyTorch (package python3-torch, 1.13):

    /usr/bin/python3 tests/NeuralSharp.Tests/Fixtures/make_fixtures_act.py

Same JSON format and helpers as make_fixtures.py (see its docstring); writes only act_*.json into data/.
"""

from fixture_io import *  # noqa: F401,F403 -- os, math, torch, F, OUT, write, seed, randn, uniform, leaf, grads_of
from fixture_io import _written


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
