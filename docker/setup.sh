#!/usr/bin/env bash
# Builds the replay repository inside the image (docker/Dockerfile runs it as the notebook user) and
# tests what it installed. Set PJRT_SKIP=1 to skip the plugin download (e.g. on a machine without
# network, where everything else still runs), PJRT_CUDA=1 to add the CUDA plugin.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$(go env GOPATH)/bin:$PATH"

echo "setup: Go modules"
go mod download

echo "setup: the replay command"
go install ./cmd/replay

if ! command -v gonb >/dev/null || ! jupyter kernelspec list 2>/dev/null | grep -q '^ *gonb '; then
  echo "setup: GoNB kernel"
  d=$(mktemp -d)
  (cd "$d" && go mod init tools >/dev/null 2>&1 && go get github.com/janpfeifer/gonb@v0.11.1 >/dev/null 2>&1 && go install github.com/janpfeifer/gonb)
  rm -rf "$d"
  command -v goimports >/dev/null || go install golang.org/x/tools/cmd/goimports@v0.52.0
  command -v gopls >/dev/null || go install golang.org/x/tools/gopls@v0.23.0
  gonb --install >/dev/null 2>&1
fi

if [ "${PJRT_SKIP:-0}" != 1 ]; then
  echo "setup: PJRT plugins"
  go run ./docker/installpjrt -path "${PJRT_INSTALL_PATH:-$HOME/.local/lib}" ${PJRT_CUDA:+-cuda}
else
  go run ./docker/installpjrt -dry-run -path "${PJRT_INSTALL_PATH:-$HOME/.local/lib}" ${PJRT_CUDA:+-cuda}
fi

echo "setup: smoke test"
replay datasets >/dev/null
replay reproduce --size tiny --out "$(mktemp -d)" >/dev/null 2>&1
echo "setup: ok ($(replay datasets | wc -l) tasks; backend: $(replay reproduce --size tiny --out "$(mktemp -d)" 2>&1 >/dev/null | grep -m1 'backend' || true))"
