#!/usr/bin/python3
"""PyTorch reference for NeuralSharp.Bench's "train" and "infer" sections (bench/NeuralSharp.Bench).

Same models and data sizes as the C# side: ReLU MLPs on 8192 seeded random samples x 784 features, 10
classes; Adam lr 1e-3 and cross-entropy for training (784-1024-1024-10 at batch 128 and 32, 784-128-10 at
batch 128); for inference the 784-1024-1024-10 MLP's batch-1 latency and batch-256 throughput under
torch.inference_mode(). Debian's torch does its matrix products in OpenBLAS, whose thread pool is separate
from torch's OpenMP threads, so each thread count T is tried as torch.set_num_threads(T) with
openblas_set_num_threads(T), and for T > 1 also as torch.set_num_threads(1) with openblas_set_num_threads(T)
(out of the box this torch runs 1 intra-op thread and OpenBLAS uses every core). Every combination is
reported; the C# side shows the best per T.

Run with Debian's python3-torch: /usr/bin/python3 bench/reference/mlp_torch.py --section train|infer|all
  [--threads 1,2] [--quick]. Progress goes to stderr; the last line of stdout is one JSON object:
{"torch": version, "note": str, "results": [{"kind", "name", "threads", "torch_threads", "blas_threads", ...figures}]}.

With --serve it instead answers requests, one JSON object per line on stdin, each with one JSON line on stdout,
so that the C# side can interleave its own measurements with PyTorch's (see bench/README.md):
  {"op": "info", "threads": [1, 2]} -> {"torch", "note", "combos": [[T, torch threads, OpenBLAS threads], ...]}
  {"op": "train", "name", "hidden": [...], "batch", "torch_threads", "blas_threads", "reps", "rep_seconds",
   "warmup_seconds"} -> {"times": [seconds per step of each repetition]}
  {"op": "infer", "torch_threads", "blas_threads", "calls", "reps", "rep_seconds", "warmup_seconds"}
   -> {"latency_us": [each batch-1 call], "times": [seconds per batch-256 call of each repetition]}
A training run's model and optimizer are kept between requests for the same configuration (as the C# side keeps
its own), so a later round continues the same training instead of starting again.
"""
import argparse, ctypes, json, statistics, sys, time
import torch
from torch import nn

FEATURES, CLASSES, SAMPLES = 784, 10, 8192
TRAIN_CONFIGS = [("784-1024-1024-10", [1024, 1024], 128),
                 ("784-1024-1024-10", [1024, 1024], 32),
                 ("784-128-10", [128], 128)]
INFER_NAME, INFER_HIDDEN, INFER_BATCH = "784-1024-1024-10", [1024, 1024], 256


def openblas():
    """The OpenBLAS instance torch loaded (via libblas.so.3), if any."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "libopenblas" in line}
        if not paths:
            return None
        lib = ctypes.CDLL(sorted(paths)[0])
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return lib
    except OSError:
        return None


def combos(threads, blas):
    """(total T, torch intra-op threads, OpenBLAS threads) to try."""
    out = []
    for t in threads:
        out.append((t, t, t))
        if t > 1 and blas is not None:
            out.append((t, 1, t))
    return out


def set_threads(blas, torch_threads, blas_threads):
    torch.set_num_threads(torch_threads)
    if blas is not None:
        blas.openblas_set_num_threads(blas_threads)


def tag(r, t, tt, bt):
    r.update({"threads": t, "torch_threads": tt, "blas_threads": bt})
    return r


def mlp(hidden):
    layers, width = [], FEATURES
    for h in hidden:
        layers += [nn.Linear(width, h), nn.ReLU()]
        width = h
    layers.append(nn.Linear(width, CLASSES))
    return nn.Sequential(*layers)


def measure(body, reps, rep_seconds, warmup_seconds):
    """Per-iteration seconds: warm-up, calibrate iterations per repetition, then `reps` repetitions."""
    times = measure_times(body, reps, rep_seconds, warmup_seconds)
    return statistics.median(times), min(times)


def measure_times(body, reps, rep_seconds, warmup_seconds):
    """The per-iteration seconds of each of `reps` repetitions, after warm-up and calibration."""
    start, calls, once = time.perf_counter(), 0, float("inf")
    while calls < 3 or time.perf_counter() - start < warmup_seconds:
        t0 = time.perf_counter()
        body()
        once = min(once, time.perf_counter() - t0)
        calls += 1
    iters = max(1, int(-(-rep_seconds // max(once, 1e-9))))
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(iters):
            body()
        times.append((time.perf_counter() - t0) / iters)
    return times


def random_data():
    g = torch.Generator().manual_seed(1234)
    x = torch.rand(SAMPLES, FEATURES, generator=g) * 2 - 1
    y = torch.randint(0, CLASSES, (SAMPLES,), generator=g)
    return x, y


def train_step(hidden, batch, x, y):
    """One training step of a fresh seeded model (a closure over its model, optimizer and batch counter)."""
    torch.manual_seed(0)
    model = mlp(hidden)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    batches = SAMPLES // batch
    step = [0]

    def body():
        i = step[0] % batches
        step[0] += 1
        xb, yb = x[i * batch:(i + 1) * batch], y[i * batch:(i + 1) * batch]
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        opt.zero_grad()
    return body


def train(threads, quick, blas):
    x, y = random_data()
    reps, rep_s, warm_s = (3, 0.1, 0.2) if quick else (7, 0.4, 1.0)
    out = []
    for name, hidden, batch in TRAIN_CONFIGS:
        for t, tt, bt in combos(threads, blas):
            set_threads(blas, tt, bt)
            body = train_step(hidden, batch, x, y)
            med, best = measure(body, reps, rep_s, warm_s)
            r = tag({"kind": "train", "name": f"{name} b{batch}", "median": batch / med, "best": batch / best}, t, tt, bt)
            print(f"train {r['name']} torch {tt} / OpenBLAS {bt} threads: {r['median']:,.0f} samples/s", file=sys.stderr)
            out.append(r)
    return out


def infer_model():
    """The seeded inference model and its batch-1 and batch-256 inputs."""
    x, _ = random_data()
    torch.manual_seed(0)
    return mlp(INFER_HIDDEN).eval(), x[:1].clone(), x[:INFER_BATCH].clone()


def infer_times(model, one, many, calls, reps, rep_s, warm_s):
    """Batch-1 latency of each of `calls` calls (µs) and seconds per batch-256 call of each of `reps` repetitions."""
    with torch.inference_mode():
        start, n = time.perf_counter(), 0
        while n < 10 or time.perf_counter() - start < warm_s:
            model(one)
            n += 1
        latency = []
        for _ in range(calls):
            t0 = time.perf_counter_ns()
            model(one)
            latency.append((time.perf_counter_ns() - t0) / 1e3)
        return latency, measure_times(lambda: model(many), reps, rep_s, warm_s)


def infer(threads, quick, blas):
    model, one, many = infer_model()
    calls = 300 if quick else 3000
    reps, rep_s, warm_s = (3, 0.05, 0.15) if quick else (9, 0.25, 0.4)
    out = []
    for t, tt, bt in combos(threads, blas):
        set_threads(blas, tt, bt)
        latency, times = infer_times(model, one, many, calls, reps, rep_s, warm_s)
        out.append(tag({"kind": "latency", "name": f"{INFER_NAME} b1",
                        "median_us": statistics.median(latency), "min_us": min(latency)}, t, tt, bt))
        out.append(tag({"kind": "throughput", "name": f"{INFER_NAME} b{INFER_BATCH}",
                        "median": INFER_BATCH / statistics.median(times), "best": INFER_BATCH / min(times)}, t, tt, bt))
        print(f"infer torch {tt} / OpenBLAS {bt} threads: {out[-2]['median_us']:.1f} us, {out[-1]['median']:,.0f} samples/s", file=sys.stderr)
    return out


def describe(blas, default_threads):
    core = blas.openblas_get_corename().decode() if blas is not None else "not loaded"
    return f"PyTorch {torch.__version__} (default {default_threads} thread(s) before set_num_threads), " \
           f"matrix products by OpenBLAS core {core}."


def serve(blas, default_threads):
    """Answers one JSON request per stdin line (see the module docstring) until stdin closes."""
    x, y = random_data()
    runs = {}
    inference = None
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        if req["op"] == "info":
            reply = {"torch": torch.__version__, "note": describe(blas, default_threads),
                     "combos": [list(c) for c in combos(req["threads"], blas)]}
        elif req["op"] == "train":
            tt, bt = req["torch_threads"], req["blas_threads"]
            set_threads(blas, tt, bt)
            key = (tuple(req["hidden"]), req["batch"], tt, bt)
            if key not in runs:
                runs[key] = train_step(req["hidden"], req["batch"], x, y)
            times = measure_times(runs[key], req["reps"], req["rep_seconds"], req["warmup_seconds"])
            reply = {"times": times}
            print(f"train {req['name']} b{req['batch']} torch {tt} / OpenBLAS {bt} threads: "
                  f"{req['batch'] / statistics.median(times):,.0f} samples/s", file=sys.stderr)
        elif req["op"] == "infer":
            set_threads(blas, req["torch_threads"], req["blas_threads"])
            inference = inference or infer_model()
            latency, times = infer_times(*inference, req["calls"], req["reps"], req["rep_seconds"], req["warmup_seconds"])
            reply = {"latency_us": latency, "times": times}
        else:
            reply = {"error": f"unknown op {req['op']!r}"}
        print(json.dumps(reply), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--section", choices=["train", "infer", "all"], default="all")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--serve", action="store_true", help="answer JSON requests on stdin (see the docstring)")
    args = ap.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    default_threads = torch.get_num_threads()
    torch.manual_seed(0)
    _ = torch.zeros(2, 2) @ torch.zeros(2, 2)  # loads the BLAS library so that openblas() finds it
    blas = openblas()
    if args.serve:
        serve(blas, default_threads)
        return
    results = []
    if args.section in ("train", "all"):
        results += train(threads, args.quick, blas)
    if args.section in ("infer", "all"):
        results += infer(threads, args.quick, blas)
    print(json.dumps({"torch": torch.__version__, "note": describe(blas, default_threads), "results": results}))


if __name__ == "__main__":
    main()
