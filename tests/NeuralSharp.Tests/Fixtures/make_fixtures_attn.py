#!/usr/bin/python3
"""PyTorch reference fixtures for NeuralSharp's attention layers (issue 4, layers-attn).

Run with Debian's PyTorch (python3-torch 1.13):

    /usr/bin/python3 tests/NeuralSharp.Tests/Fixtures/make_fixtures_attn.py

Writes data/attn_*.json in the format of make_fixtures.py (helpers from fixture_io.py).
Masks are written in NeuralSharp's convention: key_mask 1 = keep, 0 = padding (PyTorch's key_padding_mask is its negation).
No case has a query row whose keys are all masked (PyTorch 1.13 gives NaN there; NeuralSharp defines zeros).
"""

from fixture_io import *  # noqa: F401,F403 -- os, math, torch, F, OUT, write, seed, randn, uniform, leaf, grads_of
from fixture_io import _written


def sdpa(q, k, v, key_mask=None, causal=False):
    """torch 1.13 has no F.scaled_dot_product_attention: the composition softmax(q@kᵀ/√d + mask)@v."""
    s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    tq, tk = s.shape[-2], s.shape[-1]
    add = torch.zeros(tq, tk)
    if causal:
        add = add.masked_fill(torch.ones(tq, tk, dtype=torch.bool).triu(1), float("-inf"))
    if key_mask is not None:
        pad = (key_mask == 0)  # [B, Tk]
        shape = [pad.shape[0]] + [1] * (s.dim() - 2) + [tk]
        add = add + torch.zeros(pad.shape).masked_fill(pad, float("-inf")).reshape(shape)  # [B, 1.., Tk] + [Tq, Tk]
    return F.softmax(s + add, dim=-1) @ v


def case_sdpa(c, shape_q, tk, dv, key_mask=None, causal=False):
    seed(c)
    *lead, tq, d = shape_q
    q = leaf(randn(*shape_q))
    k = leaf(randn(*lead, tk, d))
    v = leaf(randn(*lead, tk, dv))
    y = sdpa(q, k, v, key_mask, causal)
    dy = randn(*y.shape)
    gq, gk, gv = grads_of(y, dy, q, k, v)
    tensors = {"q": q, "k": k, "v": v}
    if key_mask is not None:
        tensors["key_mask"] = key_mask
    tensors.update({"dy": dy, "y": y, "grad_q": gq, "grad_k": gk, "grad_v": gv})
    write(c, "scaled_dot_product_attention",
          {"causal": causal, "formula": "F.softmax(q @ k.transpose(-2, -1) / sqrt(d) + mask, -1) @ v"}, tensors)


def causal_mask(t):
    return torch.ones(t, t, dtype=torch.bool).triu(1)  # True = not allowed


def case_mha(c, e, h, bias, key_mask, causal):
    seed(c)
    mha = torch.nn.MultiheadAttention(e, h, bias=bias, batch_first=True)
    with torch.no_grad():
        for p in mha.parameters():
            p.copy_(uniform(-0.5, 0.5, *p.shape))
    b, t = key_mask.shape
    x = leaf(randn(b, t, e))
    y, _ = mha(x, x, x, key_padding_mask=(key_mask == 0), attn_mask=causal_mask(t) if causal else None, need_weights=False)
    dy = randn(b, t, e)
    names = [n for n, _ in mha.named_parameters()]
    grads = grads_of(y, dy, x, *[p for _, p in mha.named_parameters()])
    tensors = {"state." + n: p for n, p in mha.state_dict().items()}
    tensors.update({"x": x, "key_mask": key_mask, "dy": dy, "y": y, "grad_x": grads[0]})
    tensors.update({"grad." + n: g for n, g in zip(names, grads[1:])})
    write(c, "multihead_attention",
          {"embed_dim": e, "num_heads": h, "bias": bias, "causal": causal,
           "formula": "nn.MultiheadAttention(batch_first=True)(x, x, x, key_padding_mask=(key_mask == 0), attn_mask=triu(1) if causal)"},
          tensors)


class RMSNorm(torch.nn.Module):
    def __init__(self, d, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = torch.nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class FFN(torch.nn.Module):  # NeuralSharp's FeedForward: w2(gelu(w1 x))
    def __init__(self, d, hidden):
        super().__init__()
        self.w1 = torch.nn.Linear(d, hidden)
        self.w2 = torch.nn.Linear(hidden, d)

    def forward(self, x):
        return self.w2(F.gelu(self.w1(x)))


class SwiGLU(torch.nn.Module):  # NeuralSharp's GatedFeedForward(SwiGLU, bias=False): w2(silu(w1 x) * w3 x)
    def __init__(self, d, hidden):
        super().__init__()
        self.w1 = torch.nn.Linear(d, hidden, bias=False)
        self.w2 = torch.nn.Linear(hidden, d, bias=False)
        self.w3 = torch.nn.Linear(d, hidden, bias=False)

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class Block(torch.nn.Module):
    """Pre-norm encoder block: x + attn(norm1(x)); x + ffn(norm2(x)) (keys norm1.*, attn.*, norm2.*, ffn.*)."""

    def __init__(self, d, h, hidden, ffn, norm):
        super().__init__()
        make_norm = (lambda: torch.nn.LayerNorm(d, eps=1e-5)) if norm == "layer_norm" else (lambda: RMSNorm(d))
        self.norm1 = make_norm()
        self.attn = torch.nn.MultiheadAttention(d, h, batch_first=True)
        self.norm2 = make_norm()
        self.ffn = FFN(d, hidden) if ffn == "feed_forward" else SwiGLU(d, hidden)

    def forward(self, x, key_mask, causal):
        n = self.norm1(x)
        t = x.shape[1]
        a, _ = self.attn(n, n, n, key_padding_mask=(key_mask == 0), attn_mask=causal_mask(t) if causal else None, need_weights=False)
        x = x + a
        return x + self.ffn(self.norm2(x))


def case_block(c, ffn, norm, key_mask, causal):
    seed(c)
    d, h, hidden = 8, 2, 12
    blk = Block(d, h, hidden, ffn, norm)
    with torch.no_grad():
        for n, p in blk.named_parameters():
            if n.startswith("norm"):
                p.copy_(uniform(0.5, 1.5, *p.shape) if n.endswith("weight") else uniform(-0.2, 0.2, *p.shape))
            else:
                p.copy_(uniform(-0.4, 0.4, *p.shape))
    b, t = key_mask.shape
    x = leaf(randn(b, t, d))
    y = blk(x, key_mask, causal)
    dy = randn(b, t, d)
    names = [n for n, _ in blk.named_parameters()]
    grads = grads_of(y, dy, x, *[p for _, p in blk.named_parameters()])
    tensors = {"state." + n: p for n, p in blk.state_dict().items()}
    tensors.update({"x": x, "key_mask": key_mask, "dy": dy, "y": y, "grad_x": grads[0]})
    tensors.update({"grad." + n: g for n, g in zip(names, grads[1:])})
    write(c, "transformer_encoder_block",
          {"dim": d, "num_heads": h, "ffn_hidden": hidden, "ffn": ffn, "norm": norm, "causal": causal,
           "formula": "x + attn(norm1(x)); x + ffn(norm2(x)) with nn.MultiheadAttention(batch_first=True)"},
          tensors)


def main():
    print("torch", torch.__version__)
    km = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], dtype=torch.float32)
    case_sdpa("attn_sdpa", [2, 2, 5, 4], 6, 3)
    case_sdpa("attn_sdpa_causal", [2, 2, 5, 4], 5, 4, causal=True)
    case_sdpa("attn_sdpa_padding", [2, 2, 4, 4], 5, 3, key_mask=torch.tensor([[1, 0, 1, 1, 0], [1, 1, 1, 0, 0]], dtype=torch.float32))
    case_sdpa("attn_sdpa_causal_padding_3d", [2, 5, 4], 5, 4, key_mask=km, causal=True)
    case_mha("attn_mha", 8, 2, True, torch.ones(2, 5), False)
    case_mha("attn_mha_masks", 8, 2, True, km, True)
    case_mha("attn_mha_nobias_padding", 6, 3, False, torch.tensor([[1, 1, 0, 1], [1, 1, 1, 0]], dtype=torch.float32), False)
    case_block("attn_block_layer_norm", "feed_forward", "layer_norm", km, True)
    case_block("attn_block_rms_swiglu", "swiglu", "rms_norm", km, False)
    size = sum(os.path.getsize(os.path.join(OUT, c + ".json")) for c in _written)
    print(f"wrote {len(_written)} cases, {size} bytes, to {OUT}")


if __name__ == "__main__":
    main()
