#!/usr/bin/env bash
# Set up on a fresh machine and run the main job on the embedded default (no server):
#   scripts/run.sh PLANS_DIR [serve]
# ingests PLANS_DIR into ./.vbgraph, then answers the three questions users ask (or serves the
# web explorer on http://127.0.0.1:8000 when the second argument is `serve`).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ $# -lt 1 ]; then
  echo "usage: scripts/run.sh PLANS_DIR [serve]" >&2
  exit 2
fi
PLANS="$(cd "$1" && pwd)"
source "$ROOT/scripts/setup.sh"
export VBGRAPH_HOME="${VBGRAPH_HOME:-$ROOT/.vbgraph}"

vbgraph ingest "$PLANS"
if [ "${2:-}" = "serve" ]; then
  exec vbgraph serve --host 127.0.0.1 --port "${PORT:-8000}"
fi
echo; echo "==> vbgraph cites 272-QĐ/TW"
vbgraph cites "272-QĐ/TW"
echo; echo "==> vbgraph agencies \"bao ho cong dan\""
vbgraph agencies "bao ho cong dan"
echo; echo "==> vbgraph search \"viện trợ phi chính phủ nước ngoài\" -k 5"
vbgraph search "viện trợ phi chính phủ nước ngoài" -k 5
