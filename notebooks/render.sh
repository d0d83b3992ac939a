#!/usr/bin/env bash
# Executes every notebook in place, so that it is committed with its outputs (every figure, table
# and number visible on GitHub, before anything runs): at the quick size, against the quick
# reproduction in RUN_DIR (default: results/, where `go run ./cmd/replay` writes it), with figures
# as PNG (GitHub does not show SVG embedded in HTML). If RUN_DIR does not hold that reproduction
# yet, the first notebook runs it (about 10 minutes on 2 cores with XLA).
#
#   bash notebooks/render.sh [RUN_DIR]
#   NOTEBOOKS="00-quickstart.ipynb" bash notebooks/render.sh [RUN_DIR]   (some of them)
#
# Render from the run whose report is committed in docs/report-sample: TestCommittedOutputsAreCurrent
# fails when the numbers the notebooks quote differ from docs/report-sample/metrics.json.
# Needs bash .ci/install (Jupyter and the gonb kernel).
set -euo pipefail
cd "$(dirname "$0")"
run=$(realpath -m "${1:-../results}")
jupyter=../.venv/bin/jupyter
[ -x "$jupyter" ] || jupyter=jupyter
python=$(dirname "$jupyter")/python
[ -x "$python" ] || python=python3
for nb in "${NOTEBOOKS[@]:-[0-9]*.ipynb}"; do
  for f in $nb; do
    echo "== $f" >&2
    REPLAY_NB_MODE=full REPLAY_NB_DIR="$run" REPLAY_NB_FIGURES=png \
      "$jupyter" nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=3600 \
      --ExecutePreprocessor.kernel_name=gonb --ClearMetadataPreprocessor.enabled=True "$f"
    # The set-up cell's output names this machine's checkout: not kept.
    "$python" - "$f" <<'PY'
import json, sys
path = sys.argv[1]
book = json.load(open(path))
for cell in book["cells"]:
    if cell["cell_type"] == "code" and "".join(cell["source"]).lstrip().startswith("!*rm -f go.work"):
        cell["outputs"] = []
with open(path, "w") as f:
    json.dump(book, f, indent=1, ensure_ascii=False)
    f.write("\n")
PY
  done
done
