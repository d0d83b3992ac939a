#!/usr/bin/env bash
# Checks an installation end to end, printing what it finds (nothing is hidden): the last build step of
# docker/Dockerfile and docker/Dockerfile.cuda, and usable anywhere after .ci/install and
# 'go install ./cmd/replay'. Fails if Jupyter or the gonb kernel is missing, if no PJRT plugin is
# linked, or if the quickstart notebook does not execute headless with the gonb kernel (quick mode,
# models in a temporary directory that is removed afterwards).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "check: $(go version)"
if ! command -v jupyter >/dev/null; then
  echo "check: jupyter is not on PATH (.ci/install makes it in .venv/bin)" >&2
  exit 1
fi
echo "check: JupyterLab $(jupyter lab --version)"
kernels=$(jupyter kernelspec list)
echo "$kernels"
if ! grep -Eq '^[[:space:]]+gonb[[:space:]]' <<<"$kernels"; then
  echo "check: the gonb kernel is not installed" >&2
  exit 1
fi

plugins=${PJRT_PLUGIN_LIBRARY_PATH:-$HOME/.local/lib/go-xla}
ls -l "$plugins"
if ! ls "$plugins"/pjrt_c_api_*_plugin.so >/dev/null; then
  echo "check: no PJRT plugin in $plugins" >&2
  exit 1
fi

echo "check: $(command -v replay)"
replay datasets

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "check: executing notebooks/00-quickstart.ipynb with the gonb kernel (quick mode)"
start=$SECONDS
REPLAY_NB_MODE=quick REPLAY_NB_DIR="$tmp/models" jupyter nbconvert --to notebook --execute \
  --ExecutePreprocessor.timeout=1200 --ExecutePreprocessor.kernel_name=gonb \
  --output-dir "$tmp" notebooks/00-quickstart.ipynb
python3 - "$tmp/00-quickstart.ipynb" "$((SECONDS - start))" <<'EOF'
import json, sys

nb = json.load(open(sys.argv[1]))
images, problems, backend = 0, [], []
for cell in nb["cells"]:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            problems.append(f"{out.get('ename')}: {out.get('evalue')}")
        text = out.get("text", "")
        text = "".join(text) if isinstance(text, list) else text
        if "panic:" in text:
            problems.append(text[-1500:])
        backend += [l for l in text.splitlines() if l.startswith("replay: backend ")]
        for mime, value in out.get("data", {}).items():
            value = "".join(value) if isinstance(value, list) else str(value)
            # a figure: an image, or HTML with inline SVG (the notebooks' default) or an <img>
            images += mime.startswith("image/") or (mime == "text/html" and ("<svg" in value or "<img" in value))
for line in sorted(set(backend)):
    print("check:", line)
if problems or images == 0 or not backend:
    print("check: quickstart failed:", problems or ("no image" if images == 0 else "no backend line"), file=sys.stderr)
    sys.exit(1)
print(f"check: quickstart ok ({images} images, {sys.argv[2]} s)")
EOF
echo "check: ok"
