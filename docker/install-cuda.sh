#!/usr/bin/env bash
# Installs XLA's CUDA PJRT plugin and NVIDIA's CUDA 13 libraries from PyPI (docker/requirements-cuda.txt,
# exact versions, --no-deps) into the project's .venv and links them where go-xla v0.1.4 looks:
#
#   PREFIX/lib/go-xla/pjrt_c_api_cuda_plugin.so -> <site-packages>/jax_plugins/xla_cuda13/xla_cuda_plugin.so
#   PREFIX/lib/nvidia                           -> <site-packages>/nvidia
#
# PREFIX is the first argument, ~/.local by default (where .ci/install links the CPU plugin). The
# plugin finds the libraries through its RPATH ($ORIGIN/../nvidia/cu13/lib, ...) and go-xla checks
# for PREFIX/lib/nvidia; XLA finds ptxas and libdevice through
# XLA_FLAGS=--xla_gpu_cuda_data_dir=PREFIX/lib/nvidia/cu13, which the caller sets (docker/Dockerfile.cuda
# does): if XLA_FLAGS is set, this script checks that the directory it names has both.
# Needs no GPU: it installs and checks files, and runs ptxas --version. docker/Dockerfile.cuda runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
prefix=${1:-$HOME/.local}
venv="$root/.venv"
req="$root/docker/requirements-cuda.txt"

if [ ! -x "$venv/bin/python" ]; then
  echo "install-cuda: creating $venv"
  python3 -m venv "$venv"
fi
echo "install-cuda: CUDA PJRT plugin and NVIDIA libraries into .venv ($(grep -c '^[^#]*==' "$req") pinned packages, docker/requirements-cuda.txt)"
"$venv/bin/pip" install --quiet --no-cache-dir --disable-pip-version-check --no-deps -r "$req"

site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
plugin="$site/jax_plugins/xla_cuda13/xla_cuda_plugin.so"
nvidia="$site/nvidia"
missing=0
for f in "$plugin" \
  "$nvidia/cu13/lib/libcudart.so.13" "$nvidia/cu13/lib/libcublas.so.13" "$nvidia/cu13/lib/libcublasLt.so.13" \
  "$nvidia/cu13/lib/libcufft.so.12" "$nvidia/cu13/lib/libcusolver.so.12" "$nvidia/cu13/lib/libcusparse.so.12" \
  "$nvidia/cu13/lib/libnvrtc.so.13" "$nvidia/cu13/lib/libnvJitLink.so.13" "$nvidia/cu13/lib/libcupti.so.13" \
  "$nvidia/cudnn/lib/libcudnn.so.9" "$nvidia/nccl/lib/libnccl.so.2" \
  "$nvidia/cu13/bin/ptxas" "$nvidia/cu13/nvvm/libdevice/libdevice.10.bc"; do
  if [ ! -e "$f" ]; then
    echo "install-cuda: missing ${f#"$site/"}" >&2
    missing=1
  fi
done
[ "$missing" = 0 ] || exit 1

mkdir -p "$prefix/lib/go-xla"
ln -sfn "$plugin" "$prefix/lib/go-xla/pjrt_c_api_cuda_plugin.so"
ln -sfn "$nvidia" "$prefix/lib/nvidia"
echo "install-cuda: linked $prefix/lib/go-xla/pjrt_c_api_cuda_plugin.so and $prefix/lib/nvidia"

# What XLA will use: the data directory named in XLA_FLAGS must hold ptxas and libdevice.
if [[ "${XLA_FLAGS:-}" =~ --xla_gpu_cuda_data_dir=([^[:space:]]+) ]]; then
  dir=${BASH_REMATCH[1]}
  if [ ! -x "$dir/bin/ptxas" ] || [ ! -e "$dir/nvvm/libdevice/libdevice.10.bc" ]; then
    echo "install-cuda: XLA_FLAGS names $dir, which lacks bin/ptxas or nvvm/libdevice/libdevice.10.bc" >&2
    exit 1
  fi
  echo "install-cuda: --xla_gpu_cuda_data_dir=$dir has ptxas ($("$dir/bin/ptxas" --version | grep -m1 -o 'release [0-9.]*')) and libdevice"
fi
echo "install-cuda: ok"
