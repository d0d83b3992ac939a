#!/usr/bin/env bash
# Submits a sharded reproduction to Slurm as three jobs, each waiting for the one before:
#   1. the training array   (T tasks: replay reproduce --shard i/T --only train)
#   2. the replay array     (R tasks: … --shard i/R --only replay), --dependency=afterok:<training job>
#   3. the merge job        (replay report --from OUT_DIR), --dependency=afterok:<replay job>
# and prints their job IDs. Usage:
#   cluster/slurm/submit.sh [--gpu] OUT_DIR TASKS [reproduce args…]
# TASKS is T (both arrays) or T:R. Units per kind: quick 30 training + 30 replay, full 540 + 30
# ('replay status OUT_DIR' lists them once a task has written plan.json); tasks beyond the units
# of their kind find nothing to do and end at once. For example:
#   go build -o /nfs/bin/replay ./cmd/replay
#   REPLAY_BIN=/nfs/bin/replay cluster/slurm/submit.sh /nfs/runs/quick 15 --size quick --seed 1
#   REPLAY_BIN=/nfs/bin/replay cluster/slurm/submit.sh --gpu /nfs/runs/full 90:30 --full
# OUT_DIR and the binary must be on storage every node sees (the shards share OUT_DIR: plan.json,
# units/, models/, per-unit locks); job logs go to OUT_DIR/logs. The reproduce args (--size, --set,
# --seed) are passed to every task of both arrays as they are. --gpu runs both arrays with
# reproduce-array-gpu.sbatch (one GPU per task, XLA on CUDA); the merge runs on a CPU.
# Environment:
#   REPLAY_BIN          the replay binary (default: replay on PATH), made absolute
#   REPLAY_SBATCH_ARGS  options added to every sbatch call, split on spaces
#                       (e.g. "--partition=short --account=lab --time=02:00:00 --mem=8G")
#   REPLAY_MAX_RUNNING  at most this many tasks of an array at once (sbatch --array=0-N%M)
# A dependent job is cancelled when the job it waits for fails or is cancelled
# (--kill-on-invalid-dep=yes). To resume after a failed, killed or preempted task, run the same
# command again: finished units are skipped, unfinished ones are redone.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
gpu=0
while [ $# -gt 0 ]; do
  case $1 in
    --gpu) gpu=1; shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; break ;;
    -*) echo "submit: unknown option $1 (want --gpu; see --help)" >&2; exit 2 ;;
    *) break ;;
  esac
done
if [ $# -lt 2 ]; then
  echo "submit: usage: submit.sh [--gpu] OUT_DIR TASKS [reproduce args…]" >&2
  exit 2
fi
out=$1 tasks=$2
shift 2
train_tasks=${tasks%%:*} replay_tasks=${tasks#*:}
for n in "$train_tasks" "$replay_tasks"; do
  case $n in
    ''|*[!0-9]*|0) echo "submit: TASKS=$tasks: want a whole number ≥ 1, or two as T:R" >&2; exit 2 ;;
  esac
done
command -v sbatch >/dev/null || { echo "submit: sbatch not found (not on a Slurm submit host?)" >&2; exit 1; }
bin=${REPLAY_BIN:-$(command -v replay || true)}
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
  echo "submit: no replay binary (${bin:-not on PATH}): go build -o /nfs/bin/replay ./cmd/replay, then REPLAY_BIN=/nfs/bin/replay" >&2
  exit 1
fi
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
mkdir -p "$out/logs"
out=$(cd "$out" && pwd)

array_script=$here/reproduce-array.sbatch
[ "$gpu" = 1 ] && array_script=$here/reproduce-array-gpu.sbatch
limit=${REPLAY_MAX_RUNNING:+%$REPLAY_MAX_RUNNING}
train_array=0-$((train_tasks - 1))$limit replay_array=0-$((replay_tasks - 1))$limit
read -r -a extra <<<"${REPLAY_SBATCH_ARGS:-}"
export REPLAY_OUT=$out REPLAY_BIN=$bin

# submit prints the ID of the job that sbatch submitted ("id" or "id;cluster").
submit() { sbatch --parsable --export=ALL "${extra[@]}" "$@" | cut -d';' -f1; }

export REPLAY_PHASE=train REPLAY_SHARDS=$train_tasks
train=$(submit --array="$train_array" --job-name=replay-train --output="$out/logs/train-%A_%a.out" "$array_script" "$@")
export REPLAY_PHASE=replay REPLAY_SHARDS=$replay_tasks
replay=$(submit --array="$replay_array" --job-name=replay-replay --output="$out/logs/replay-%A_%a.out" \
  --dependency="afterok:$train" --kill-on-invalid-dep=yes "$array_script" "$@")
merge=$(submit --job-name=replay-merge --output="$out/logs/merge-%j.out" \
  --dependency="afterok:$replay" --kill-on-invalid-dep=yes "$here/merge.sbatch")

echo "submit: train job $train (array $train_array, $(basename "$array_script") $*)"
echo "submit: replay job $replay (array $replay_array, after $train)"
echo "submit: merge job $merge (replay report --from $out, after $replay)"
echo "submit: logs in $out/logs; progress: $bin status $out; squeue -j $train,$replay,$merge"
