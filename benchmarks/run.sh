#!/usr/bin/env bash
# Measures, side by side in one run on this machine, what docs/benchmarks.md reports: the train step
# at the quick size (B=32, N=128, T=50) and the reference size (B=200, N=512, 512 softmax outputs,
# T=100) on XLA's CPU backend, on pure Go and in PyTorch (benchmarks/pytorch, Debian's CPU build;
# installed by it only for this), the first (compiling) step, the first windowed step per training
# horizon, and replay chain-steps per second.
# Run it on an idle machine: the numbers are wall times.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/replay-benchmarks}
mkdir -p "$out"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -g | awk '/Mem:/{print $2}') GiB" | tee "$out/machine.txt"
go test -c -o "$out/model.test" ./replaylib/model/
go test -c -o "$out/replay.test" ./replaylib/replay/
go test -c -o "$out/training.test" ./replaylib/training/
for backend in xla:cpu go; do
  echo "== $backend"
  GOMLX_BACKEND=$backend "$out/model.test" -test.run - -test.bench 'TrainStepSmall|FirstStep/quick' -test.benchtime 20x | tee "$out/model-small-$backend.txt"
  n=5; [ "$backend" = go ] && n=2
  GOMLX_BACKEND=$backend "$out/model.test" -test.run - -test.bench 'TrainStepReference|FirstStep/reference' -test.benchtime ${n}x | tee "$out/model-reference-$backend.txt"
  GOMLX_BACKEND=$backend "$out/replay.test" -test.run - -test.bench 'Replay' -test.benchtime 3x | tee "$out/replay-$backend.txt"
  GOMLX_BACKEND=$backend "$out/training.test" -test.run - -test.bench 'FirstWindowedStep' -test.benchtime 3x | tee "$out/windows-$backend.txt"
done
echo "== pytorch"
bash benchmarks/pytorch/run.sh | tee "$out/pytorch.txt"
