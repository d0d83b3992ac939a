#!/usr/bin/env bash
# The predecessor paper's headline, side by side: its own PyTorch code and ours, on its arena, at one
# size, measured by one set of metrics (docs/predecessor.md reports a run).
#
#   benchmarks/predecessor/run.sh CHECKOUT [OUT]
#
# CHECKOUT is a checkout of github.com/nandahkrishna/RNNReactivation at commit
# a3a159d6769c68054dc3277a9bde280ac964a5d9 (its code is not copied into this repository):
#   git clone https://github.com/nandahkrishna/RNNReactivation && git -C RNNReactivation checkout a3a159d6769c68054dc3277a9bde280ac964a5d9
# OUT (default /tmp/replay-predecessor) receives both sides' trajectories, metrics, the table
# (table.md) and the occupancy maps (maps.png, maps.svg).
#
# The size is set by the environment: HIDDEN (512), BATCH (200), STEPS (2500), CHAINS (200),
# QSTEPS (1000), as the paper's code uses them; the paper's size takes about 12 s per step on
# 2 cores in its code, so docs/predecessor.md states the smaller size it ran. GAUSSIAN=1 also runs
# their code with Gaussian instead of uniform noise. A measurement, not a test; run it on an idle machine.
set -euo pipefail
checkout=${1:?usage: run.sh CHECKOUT [OUT]}
out=${2:-/tmp/replay-predecessor}
HIDDEN=${HIDDEN:-512} BATCH=${BATCH:-200} STEPS=${STEPS:-2500} CHAINS=${CHAINS:-200} QSTEPS=${QSTEPS:-1000}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
checkout=$(cd "$checkout" && pwd)
out=$(mkdir -p "$out" && cd "$out" && pwd)
[ -f "$checkout/models/rnn.py" ] && [ -f "$checkout/tasks/spatial_navigation.py" ] ||
	{ echo "run.sh: $checkout is not a checkout of nandahkrishna/RNNReactivation" >&2; exit 2; }
pinned=a3a159d6769c68054dc3277a9bde280ac964a5d9
if commit=$(git -C "$checkout" rev-parse HEAD 2>/dev/null) && [ "$commit" != "$pinned" ]; then
	echo "run.sh: warning: $checkout is at $commit, not the pinned $pinned" >&2
fi

# Their side runs on Debian's CPU build of PyTorch with the system Python (installed if missing, as
# benchmarks/pytorch/run.sh does).
PY=/usr/bin/python3
if ! "$PY" -c 'import torch, scipy' 2>/dev/null; then
	SUDO=; [ "$(id -u)" -ne 0 ] && SUDO=sudo
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-torch python3-scipy
fi

size="size: hidden $HIDDEN, batch $BATCH, $STEPS Adam steps, $CHAINS chains × $QSTEPS quiescent steps"
# Results already in OUT are reused below: only if they were made at this size.
if [ -f "$out/size.txt" ] && [ "$(cat "$out/size.txt")" != "$size" ]; then
	echo "run.sh: $out holds results of another $(cat "$out/size.txt"); use another OUT" >&2
	exit 2
fi
echo "$size" | tee "$out/size.txt"
cd "$root"
go build -o "$out/replay" ./cmd/replay
go build -o "$out/maps" ./benchmarks/predecessor/maps

# Ours: the arena task's defaults (the paper's recipe) at this size; replay as the paper's
# quiescence: zero input, σ_q = √2·σ_train (the default), from the starts of fresh task paths.
# Each side's part is skipped when its results are already in OUT (delete them to redo it).
ours() { # name noise_sd steps
	local dir="$out/ours/$1"
	[ -f "$dir/replay/trajectories.csv" ] && return
	"$out/replay" train --task arena --progress=false --out "$dir" \
		--set "hidden=$HIDDEN;batch_size=$BATCH;steps=$3;noise_sd=$2;checkpoint_every=$(($3 > 0 ? $3 : 1))" | tail -1
	"$out/replay" replay --model "$dir" --out "$dir/replay" --set "chains=$CHAINS;steps=$QSTEPS" >/dev/null
}
SECONDS=0
ours noisy 0.01 "$STEPS"
ours no-noise 0 "$STEPS"
ours untrained 0.01 0
echo "ours: $SECONDS s"

SECONDS=0
[ -f "$out/theirs/their-kl.json" ] ||
	"$PY" "$here/their_code.py" --checkout "$checkout" --out "$out/theirs" --hidden "$HIDDEN" --batch "$BATCH" \
		--steps "$STEPS" --chains "$CHAINS" --quiescent-steps "$QSTEPS"
if [ "${GAUSSIAN:-0}" = 1 ] && [ ! -f "$out/theirs/gaussian-noise/their-kl.json" ]; then
	"$PY" "$here/their_code.py" --checkout "$checkout" --out "$out/theirs" --hidden "$HIDDEN" --batch "$BATCH" \
		--steps "$STEPS" --chains "$CHAINS" --quiescent-steps "$QSTEPS" --gaussian-noise
fi
echo "theirs: $SECONDS s"

# Uniform positions in the arena, as many as one replay (awk's generator, seeded).
awk -v n="$CHAINS" -v t="$QSTEPS" 'BEGIN { srand(1); print "chain,t,x,y"; for (c = 0; c < n; c++) for (s = 0; s < t; s++) printf "%d,%d,%.6f,%.6f\n", c, s, 2.2*rand(), 2.2*rand() }' >"$out/uniform.csv"

# One set of metrics for every replay, against the arena task's training positions.
declare -a rows=(
	"ours, noisy (σ 0.01)=$out/ours/noisy/replay/trajectories.csv"
	"ours, no noise=$out/ours/no-noise/replay/trajectories.csv"
	"ours, untrained=$out/ours/untrained/replay/trajectories.csv"
	"theirs, noisy (σ² 1e-4)=$out/theirs/noisy/quiescent.csv"
	"theirs, no noise=$out/theirs/no-noise/quiescent.csv"
	"theirs, untrained=$out/theirs/untrained/quiescent.csv"
)
if [ -d "$out/theirs/gaussian-noise" ]; then
	rows+=("theirs, noisy, Gaussian noise=$out/theirs/gaussian-noise/noisy/quiescent.csv")
fi
rows+=("uniform positions=$out/uniform.csv")
{
	echo "| replay | W1/floor | KDE KL (nats) | occupancy TV | coverage | coverage/chain | R̂ max | inside |"
	echo "|---|---|---|---|---|---|---|---|"
	for row in "${rows[@]}"; do
		label=${row%%=*} file=${row#*=}
		json=$("$out/replay" metrics --task arena --traj "$file" --format json)
		"$PY" -c 'import json,sys; m=json.loads(sys.argv[2]); f=lambda k,p: ("%."+str(p)+"f") % m[k] if k in m else "n/a"
print("| %s | %s | %s | %s | %s | %s | %s | %s |" % (sys.argv[1], f("w1_ratio",2), f("kde_kl",3), f("occupancy_tv",3), f("coverage",3), f("chain_coverage",3), f("rhat_max",2), f("inside",3)))' "$label" "$json"
	done
} | tee "$out/table.md"

args=()
for row in "${rows[@]}"; do args+=("$row"); done
"$out/maps" --task arena --out "$out/maps" "${args[@]}"
