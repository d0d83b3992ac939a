#!/bin/sh
# Time the PyTorch train step at both sizes and print one JSON line per size.
#
#   benchmarks/pytorch/run.sh [train_step.py options, e.g. --threads 1]
#
# Uses Debian's CPU build of PyTorch (python3-torch) with the system Python, /usr/bin/python3, not
# whatever python3 comes first on PATH. Installs it only if missing; PyPI's plain `torch` is a
# multi-GB CUDA build and is not used. The Debian build calls BLAS through libblas.so.3, which without
# the recommended packages is the unoptimised, single-threaded reference BLAS (a step 8× slower at
# the quick size, 30× at the reference size, on a 2-core machine): an
# optimised one (OpenBLAS, OpenMP flavour, as torch uses OpenMP) is installed if none is present.
set -eu

PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)

SUDO=
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
fi

apt_install() {
	# Try without refreshing first; refresh the package lists only if that fails (fresh images).
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" ||
		{ $SUDO apt-get update && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"; }
}

if ! "$PY" -c 'import torch' 2>/dev/null; then
	echo "installing python3-torch (Debian's CPU build of PyTorch)" >&2
	apt_install python3-torch
fi

# Which library libblas.so.3 resolves to (the reference BLAS lives in .../blas/).
LDCONFIG=$(command -v ldconfig || echo /sbin/ldconfig) # /sbin is not on every user's PATH
blas=$("$LDCONFIG" -p | awk '$1 == "libblas.so.3" {print $NF; exit}')
blas_real=$(readlink -f "${blas:-/nonexistent}" 2>/dev/null || true)
case "$blas_real" in
*openblas* | *blis* | *mkl* | *atlas*) ;;
*)
	echo "libblas.so.3 is ${blas_real:-missing} (reference BLAS): installing libopenblas0-openmp" >&2
	apt_install libopenblas0-openmp
	;;
esac

# OpenMP threads that spin while they wait contend with each other on a small VM: two threads were
# slower than one (2026-12-08, 2 cores). Passive waiting measures PyTorch at its best.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"

"$PY" "$HERE/train_step.py" --size quick "$@"
"$PY" "$HERE/train_step.py" --size reference "$@"
