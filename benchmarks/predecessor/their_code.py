"""Train and replay the predecessor paper's networks with its own code, at a chosen size.

Krishna et al., ICLR 2024, "Sufficient conditions for offline reactivation in recurrent neural
networks" (code: github.com/nandahkrishna/RNNReactivation). This script imports that repository's
task, model, trainer and KL estimate from a checkout given on the command line (nothing of it is
copied here), trains its "noisy" (σ²_rec = 1e-4) and "no-noise" spatial-navigation networks with its
Trainer, runs its quiescence protocol (zero input, recurrent noise × √2, from the encoded starts of
a test batch; as output_kl.py), and writes, for each network and an untrained one:

  <out>/<name>/active.csv, quiescent.csv   decoded positions as chain,t,x,y (shifted by +1.1 m to
                                           the [0, 2.2]² frame of the Go side's arena task)
  <out>/their-kl.json                      KL(quiescent ‖ active) by the repository's own estimate
                                           (utils.kl_divergence), as output_kl.py tabulates it

Run by benchmarks/predecessor/run.sh; a measurement, not a test. The repository's noise is
torch.rand_like (uniform on [0, 1), mean 1/2) times σ; --gaussian-noise replaces it with
torch.randn_like to see what that quirk does (written under <out>/gaussian-noise/).
"""

import argparse
import contextlib
import json
import math
import os
import pathlib
import sys
import time

import numpy as np
import torch


def write_csv(path, xy):
    """xy: array [chains, steps, 2] of positions centred on the origin."""
    chains, steps, _ = xy.shape
    with open(path, "w") as f:
        f.write("chain,t,x,y\n")
        for c in range(chains):
            for t in range(steps):
                f.write(f"{c},{t},{xy[c, t, 0] + 1.1:.6f},{xy[c, t, 1] + 1.1:.6f}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkout", required=True, help="a checkout of nandahkrishna/RNNReactivation")
    ap.add_argument("--out", required=True)
    ap.add_argument("--hidden", type=int, default=512)
    ap.add_argument("--batch", type=int, default=200)
    ap.add_argument("--steps", type=int, default=2500)
    ap.add_argument("--chains", type=int, default=200)
    ap.add_argument("--quiescent-steps", type=int, default=1000)
    ap.add_argument("--noise", type=float, default=1e-4, help="σ²_rec of the noisy network")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    ap.add_argument("--gaussian-noise", action="store_true", help="replace the uniform noise by Gaussian noise")
    args = ap.parse_args()

    sys.path.insert(0, os.path.abspath(args.checkout))
    os.chdir(args.checkout)  # its modules expect to run from the repository root
    from models import rnn  # noqa: E402
    from tasks import spatial_navigation  # noqa: E402
    import trainer  # noqa: E402
    import utils  # noqa: E402

    if args.threads > 0:
        torch.set_num_threads(args.threads)
    if args.gaussian_noise:
        torch.rand_like = torch.randn_like  # the model draws its noise through torch.rand_like
    out = pathlib.Path(args.out).resolve()
    if args.gaussian_noise:
        out = out / "gaussian-noise"
    out.mkdir(parents=True, exist_ok=True)

    def make_task():
        return spatial_navigation.SpatialNavigation(sequence_length=100, batch_size=args.batch, device="cpu")

    def make_model(task, sigma2):
        return rnn.RNN(task=task, n_in=2, n_rec=args.hidden, n_out=512, n_init=512,
                       sigma_rec=math.sqrt(sigma2), dt=0.2, tau=1, bias=False, device="cpu")

    def quiesce(model, name):
        model.eval()
        task = model.task
        task.batch_size = args.chains
        test = task.get_test_batch()
        zeros = torch.zeros(args.chains, args.quiescent_steps, 2)
        with torch.no_grad():
            _, active = model(test["data"], test["init_state"])
            model.sigma_rec *= math.sqrt(2)
            _, quiet = model(zeros, test["init_state"])
        active_xy = task.decode_outputs(active).numpy()
        quiet_xy = task.decode_outputs(quiet).numpy()
        (out / name).mkdir(exist_ok=True)
        write_csv(out / name / "active.csv", active_xy)
        write_csv(out / name / "quiescent.csv", quiet_xy)
        return active_xy, quiet_xy

    timing, decoded = {}, {}
    for name, sigma2 in (("noisy", args.noise), ("no-noise", 0.0)):
        utils.set_random_seeds(args.seed)
        task = make_task()
        model = make_model(task, sigma2)
        (out / name).mkdir(exist_ok=True)
        t0 = time.time()
        with open(out / f"{name}-train.log", "w") as log, contextlib.redirect_stdout(log):
            tr = trainer.Trainer(model=model, train_data=task.get_generator(), test_data=task.get_test_batch(),
                                 lr=1e-3, test_freq=args.steps, save_freq=10**9, path=str(out / name), device="cpu")
            tr.train(n_epochs=args.steps)
        timing[name] = time.time() - t0
        last = tr.train_metrics[max(tr.train_metrics)]
        print(f"their code: {name} trained {args.steps} steps in {timing[name]:.0f} s; last train metrics {last}", flush=True)
        decoded[name] = quiesce(model, name)

    utils.set_random_seeds(args.seed)
    untrained = make_model(make_task(), args.noise)
    decoded["untrained"] = quiesce(untrained, "untrained")

    from scipy import stats  # noqa: E402
    kl = {}
    active = {a: stats.gaussian_kde(decoded[a][0].reshape(-1, 2).T) for a in ("noisy", "no-noise")}
    for q_name in ("noisy", "no-noise", "untrained", "uniform"):
        if q_name == "uniform":
            # As output_kl.py: a one-dimensional uniform, whose density per coordinate (1/2.2) the
            # estimate takes for the plane's (1/2.2²): it overstates the KL by ln 2.2 ≈ 0.79.
            q_kde = stats.uniform(loc=-1.1, scale=2.2)
        else:
            q_kde = stats.gaussian_kde(decoded[q_name][1].reshape(-1, 2).T)
        kl[q_name] = {a: float(utils.kl_divergence(active[a], q_kde)) for a in active}
    # The same Monte Carlo estimate with the uniform density of the plane, 1/2.2².
    points = np.random.uniform(-1.1, 1.1, (2, 2500))
    kl["uniform (plane density)"] = {
        a: float(np.log(((1 / 2.2**2) / active[a].pdf(points)).clip(1e-7, 1e7)).mean()) for a in active}
    result = {"kl_quiescent_from_active": kl, "train_seconds": timing, "hidden": args.hidden, "batch": args.batch,
              "steps": args.steps, "chains": args.chains, "quiescent_steps": args.quiescent_steps,
              "noise": "gaussian" if args.gaussian_noise else "uniform (torch.rand_like)", "torch": torch.__version__}
    (out / "their-kl.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
