#!/usr/bin/env bash
# Dependency audit (issue #6): pip-audit over the installed environment (the active virtualenv).
#   scripts/audit.sh [extra pip-audit args]
# Exit status:
#   0  audited, no known vulnerability — or the advisory service (PyPI's JSON API / OSV) could
#      not be reached: then one line says "pip-audit: advisory service unreachable — audit NOT
#      performed" (an offline machine must not pass it off as a clean audit, nor fail CI for it)
#   1  vulnerabilities found (each printed: package, version, advisory, fixed versions)
#   2  pip-audit is missing or failed in another way
# PIP_AUDIT names the pip-audit command (default: pip-audit on PATH).
set -uo pipefail

PIP_AUDIT="${PIP_AUDIT:-pip-audit}"
PY="$(command -v python3 || command -v python || true)"
if ! command -v "$PIP_AUDIT" >/dev/null 2>&1; then
  echo "pip-audit: '$PIP_AUDIT' not found; install the test extra: pip install -e '.[test]'" >&2
  exit 2
fi
if [ -z "$PY" ]; then
  echo "pip-audit: python is needed to read pip-audit's report" >&2
  exit 2
fi

out="$(mktemp)"
err="$(mktemp)"
trap 'rm -f "$out" "$err"' EXIT
"$PIP_AUDIT" --format json --progress-spinner off "$@" >"$out" 2>"$err"
rc=$?

"$PY" - "$out" "$err" "$rc" <<'PY'
import json
import re
import sys

out_path, err_path, rc = sys.argv[1], sys.argv[2], int(sys.argv[3])
UNREACHABLE = "pip-audit: advisory service unreachable — audit NOT performed"
NETWORK = re.compile(
    r"ConnectionError|ConnectTimeout|ReadTimeout|Max retries exceeded|Failed to establish|"
    r"Name or service not known|Temporary failure in name resolution|Network is unreachable|"
    r"Connection refused|timed out|HTTPSConnectionPool|ServiceError|SSLError", re.I)
stderr = open(err_path, encoding="utf-8", errors="replace").read()
try:
    report = json.load(open(out_path, encoding="utf-8"))
except ValueError:
    report = None

if not isinstance(report, dict):
    if NETWORK.search(stderr):
        print(f"{UNREACHABLE} ({NETWORK.search(stderr).group(0)})")
        sys.exit(0)
    tail = "\n".join(stderr.strip().splitlines()[-10:])
    print(f"pip-audit: failed (exit status {rc}) without a report:\n{tail}", file=sys.stderr)
    sys.exit(2)

deps = report.get("dependencies") or []
vulnerable = [d for d in deps if d.get("vulns")]
audited = [d for d in deps if not d.get("skip_reason")]
skipped = len(deps) - len(audited)
if vulnerable:
    for d in vulnerable:
        for v in d["vulns"]:
            fixes = ", ".join(v.get("fix_versions") or []) or "no fixed version"
            print(f"pip-audit: {d['name']} {d.get('version', '?')}: {v.get('id')} "
                  f"(fixed in: {fixes})")
    n = sum(len(d["vulns"]) for d in vulnerable)
    print(f"pip-audit: {n} known vulnerabilit{'y' if n == 1 else 'ies'} in "
          f"{len(vulnerable)} package(s)")
    sys.exit(1)
if not audited:
    print(f"{UNREACHABLE} (0 of {len(deps)} packages could be checked)")
    sys.exit(0)
if rc != 0:
    tail = "\n".join(stderr.strip().splitlines()[-10:])
    print(f"pip-audit: failed (exit status {rc}):\n{tail}", file=sys.stderr)
    sys.exit(2)
note = f" ({skipped} not on PyPI, not audited)" if skipped else ""
print(f"pip-audit: {len(audited)} packages audited, no known vulnerabilities{note}")
sys.exit(0)
PY
