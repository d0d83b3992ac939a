#!/usr/bin/python3
"""Time one training step (BPTT + Adam) of replay's noisy ReLU RNN in PyTorch on the CPU.

The cell, loss, initialisation, optimiser and FLOP count follow replaylib/model (unroll.go, cell.go,
weights.go, bench_test.go), so that the numbers compare with

    go test -run - -bench TrainStepSmall     -benchtime 20x ./replaylib/model/   (--size quick)
    go test -run - -bench TrainStepReference -benchtime 1x  ./replaylib/model/   (--size reference)

Prints one JSON line. See README.md in this folder.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time

import torch

# Sizes of replaylib/model/bench_test.go: smallConfig() with B=32, T=50 and referenceConfig() with
# B=200, T=100. Both use DefaultCellParams (σ = DefaultNoiseSD = 0.03); the reference size sets α = 0.2.
SIZES = {
    "quick": dict(B=32, T=50, N=128, In=4, Obs=2, Out=2, loss="mse", alpha=1.0, sigma=0.03),
    "reference": dict(B=200, T=100, N=512, In=514, Obs=512, Out=512, loss="xent", alpha=0.2, sigma=0.03),
}
DEFAULT_STEPS = {"quick": 200, "reference": 10}
DEFAULT_WARMUP = {"quick": 10, "reference": 2}

# replaylib/model/config.go: W_rec = RecurrentInitIdentity·I + N(0, RecurrentInitSD²/N).
RECURRENT_INIT_IDENTITY = 0.5
RECURRENT_INIT_SD = 0.3

# GoMLX v0.26 optimizers.Adam() defaults, with the learning rate bench_test.go sets.
ADAM_LR = 1e-3
ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-7


def train_step_flops(c):
    """trainStepFLOPs of bench_test.go: 2 per multiply-add of h·W_rec, u·W_in and the readout, ×3."""
    n, i, o = c["N"], c["In"], c["Out"]
    return 3 * c["B"] * c["T"] * 2 * (n * n + i * n + n * o)


def init_weights(c, gen):
    """InitWeights of weights.go: Gaussian weights with sd 1/√fan_in, W_rec = 0.5·I + N(0, 0.3²/N), zero biases."""
    n = c["N"]

    def gauss(rows, cols, sd):
        return torch.randn(rows, cols, generator=gen) * sd

    w = {
        "W_rec": gauss(n, n, RECURRENT_INIT_SD / n**0.5) + RECURRENT_INIT_IDENTITY * torch.eye(n),
        "W_in": gauss(c["In"], n, 1 / c["In"] ** 0.5),
        "b": torch.zeros(n),
        "W_enc": gauss(c["Obs"], n, 1 / c["Obs"] ** 0.5),
        "W_out": gauss(n, c["Out"], 1 / n**0.5),
        "b_out": torch.zeros(c["Out"]),
    }
    for t in w.values():
        t.requires_grad_(True)
    return w


def forward(c, w, inputs, initial):
    """forward of unroll.go with fastPlan: time-major per-step inputs, one noise draw of [T, B, N],
    the T-step unroll, states stacked once and read out with one matrix multiplication."""
    B, T, N = inputs.shape[0], inputs.shape[1], c["N"]
    alpha, sigma = c["alpha"], c["sigma"]
    steps = inputs.transpose(0, 1).contiguous().unbind(0)  # T tensors [B, In]
    noise = (torch.randn(T, B, N) * sigma).unbind(0) if sigma > 0 else [None] * T
    h = initial @ w["W_enc"]  # h_0 = s_0 W_enc
    hs = []
    for u, xi in zip(steps, noise):
        drive = torch.addmm(w["b"], u, w["W_in"])  # u_t W_in + b
        pre = torch.addmm(drive, h, w["W_rec"])  # h_t W_rec + drive_t
        rate = torch.relu(pre)
        f = rate if alpha == 1 else h + alpha * (rate - h)
        h = f if xi is None else f + xi  # h_{t+1} = f_t + σ ξ_t
        hs.append(h)
    hidden = torch.stack(hs, 1)  # [B, T, N]
    y = torch.addmm(w["b_out"], hidden.reshape(B * T, N), w["W_out"]).reshape(B, T, -1)
    return y, hidden


def loss_fn(c, outputs, targets):
    """Loss of unroll.go: MSE per coordinate, or −Σ p log softmax(y) averaged over B·T."""
    if c["loss"] == "xent":
        return -(targets * torch.log_softmax(outputs, -1)).sum(-1).mean()
    return (outputs - targets).square().mean()


def blas_libraries():
    """Shared BLAS/LAPACK libraries mapped into this process (the Debian build calls libblas.so.3,
    which may be the slow reference BLAS or OpenBLAS depending on what is installed)."""
    found = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                base = os.path.basename(path)
                if any(k in base for k in ("blas", "blis", "mkl", "atlas")):
                    found.add(os.path.realpath(path))
    except OSError:
        pass
    return sorted(found)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", choices=sorted(SIZES), default="quick")
    p.add_argument("--steps", type=int, default=None, help="timed steps (default: 200 quick, 10 reference)")
    p.add_argument("--warmup", type=int, default=None, help="untimed steps first (default: 10 quick, 2 reference)")
    p.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)), help="torch.set_num_threads (default: all cores)")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    steps = a.steps if a.steps is not None else DEFAULT_STEPS[a.size]
    warmup = a.warmup if a.warmup is not None else DEFAULT_WARMUP[a.size]
    if steps < 1 or warmup < 1:
        sys.exit("--steps and --warmup must be ≥ 1 (the first warm-up step is reported on its own)")

    torch.set_num_threads(a.threads)
    c = SIZES[a.size]
    gen = torch.Generator().manual_seed(a.seed)
    torch.manual_seed(a.seed + 1)  # noise ξ
    w = init_weights(c, gen)
    # Random data, as bench_test.go: standard normal inputs, initial observations and targets.
    inputs = torch.randn(c["B"], c["T"], c["In"], generator=gen)
    initial = torch.randn(c["B"], c["Obs"], generator=gen)
    targets = torch.randn(c["B"], c["T"], c["Out"], generator=gen)
    opt = torch.optim.Adam(list(w.values()), lr=ADAM_LR, betas=ADAM_BETAS, eps=ADAM_EPS)

    def step():
        opt.zero_grad(set_to_none=True)
        out, _ = forward(c, w, inputs, initial)
        loss = loss_fn(c, out, targets)
        loss.backward()
        opt.step()
        return loss.item()

    times, losses = [], []
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        losses.append(step())
        times.append(time.perf_counter() - t0)
    timed = times[warmup:]
    median, mean = statistics.median(timed), statistics.fmean(timed)
    flops = train_step_flops(c)
    print(json.dumps({
        "impl": "pytorch",
        "size": a.size,
        "B": c["B"], "T": c["T"], "N": c["N"], "in": c["In"], "obs": c["Obs"], "out": c["Out"],
        "loss": c["loss"], "alpha": c["alpha"], "sigma": c["sigma"],
        "steps": steps, "warmup": warmup,
        "ms_per_step_median": round(median * 1e3, 3),
        "ms_per_step_mean": round(mean * 1e3, 3),
        "ms_per_step_min": round(min(timed) * 1e3, 3),
        "first_step_ms": round(times[0] * 1e3, 3),
        "gflop_per_step": round(flops / 1e9, 4),
        "gflop_per_s": round(flops / mean / 1e9, 3),  # total FLOPs / total time, as bench_test.go
        "gflop_per_s_median": round(flops / median / 1e9, 3),
        "loss_first": round(losses[0], 5), "loss_last": round(losses[-1], 5),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "blas": blas_libraries(),
        "python": platform.python_version(),
        "cores": len(os.sched_getaffinity(0)),
        "loadavg_1min": round(os.getloadavg()[0], 2),  # other work on the machine skews the times
    }))


if __name__ == "__main__":
    main()
