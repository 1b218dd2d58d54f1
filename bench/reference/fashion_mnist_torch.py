#!/usr/bin/python3
"""PyTorch reference for `neuralsharp train --data <fashion-mnist> --hidden 256 --epochs 5 --optimizer adam`.

Same recipe as NeuralSharp's CLI defaults: pixels / 255, then standardised per feature with the
training set's mean and std (zero std -> 1); MLP 784-256-10 with ReLU and PyTorch's default
initialisation; Adam lr 1e-3 with NeuralSharp's default schedule (linear warm-up over the first
epoch's steps, then cosine decay to 0 at the last step, updated every step); batch 32, shuffled
each epoch; 5 epochs; cross-entropy.
Run with Debian's python3-torch: /usr/bin/python3 bench/reference/fashion_mnist_torch.py [folder] [--seed N]
Prints per-epoch loss/accuracy/samples/s and a last line 'test accuracy: 0.xxxx'.
"""
import argparse, gzip, math, struct, time
import numpy as np
import torch
from torch import nn


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", nargs="?", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--schedule", choices=["cosine", "none"], default="cosine")
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)
    xtr = read_idx(f"{args.folder}/train-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255
    ytr = read_idx(f"{args.folder}/train-labels-idx1-ubyte.gz").astype(np.int64)
    xte = read_idx(f"{args.folder}/t10k-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255
    yte = read_idx(f"{args.folder}/t10k-labels-idx1-ubyte.gz").astype(np.int64)
    mean = xtr.astype(np.float64).mean(0)
    std = xtr.astype(np.float64).std(0)
    std[std == 0] = 1
    xtr = ((xtr - mean) / std).astype(np.float32)
    xte = ((xte - mean) / std).astype(np.float32)
    xtr, ytr, xte, yte = map(torch.from_numpy, (xtr, ytr, xte, yte))

    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps_per_epoch = (len(xtr) + args.batch_size - 1) // args.batch_size
    warmup, total_steps = steps_per_epoch, max(args.epochs, 2) * steps_per_epoch

    def lr_factor(step):
        if args.schedule == "none":
            return 1.0
        if step < warmup:
            return step / warmup
        return 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warmup) / (total_steps - warmup))))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_factor)
    loss_fn = nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(args.seed)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)")
    for epoch in range(1, args.epochs + 1):
        perm = torch.randperm(len(xtr), generator=g)
        t0 = time.perf_counter()
        loss_sum, correct, n = 0.0, 0, 0
        model.train()
        for i in range(0, len(xtr), args.batch_size):
            idx = perm[i:i + args.batch_size]
            xb, yb = xtr[idx], ytr[idx]
            logits = model(xb)
            loss = loss_fn(logits, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.item() * len(idx)
            correct += (logits.argmax(1) == yb).sum().item()
            n += len(idx)
        dt = time.perf_counter() - t0
        print(f"epoch {epoch:3d}/{args.epochs}  loss {loss_sum / n:.4f}  accuracy {correct / n:.4f}  {n / dt:10,.0f} samples/s  {dt:.2f} s")
    model.eval()
    with torch.no_grad():
        acc = (model(xte).argmax(1) == yte).float().mean().item()
    print(f"test accuracy: {acc:.4f}")


if __name__ == "__main__":
    main()
