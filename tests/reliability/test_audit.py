"""``scripts/audit.sh`` (dependency audit in CI, issue #6): its outcomes, with a fake
``pip-audit`` on PATH standing for the real one (which needs the advisory service)."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit.sh"
UNREACHABLE = "pip-audit: advisory service unreachable — audit NOT performed"


def _fake(tmp_path: Path, stdout: str, stderr: str = "", rc: int = 0) -> dict[str, str]:
    """A ``pip-audit`` that records its arguments and answers as given; PATH finds it first."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (tmp_path / "out.txt").write_text(stdout, encoding="utf-8")
    (tmp_path / "err.txt").write_text(stderr, encoding="utf-8")
    fake = bin_dir / "pip-audit"
    fake.write_text(f"""#!/bin/sh
printf '%s\\n' "$@" > "{tmp_path}/args.txt"
cat "{tmp_path}/out.txt"
cat "{tmp_path}/err.txt" >&2
exit {rc}
""", encoding="utf-8")
    fake.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, env=env,
                          timeout=60, check=False)


def _report(*deps: dict) -> str:
    return json.dumps({"dependencies": list(deps), "fixes": []})


SKIPPED = [{"name": n, "skip_reason": f"Dependency not found on PyPI and could not be audited: "
            f"{n} (1.0)"} for n in ("fastapi", "rdflib", "vbgraph")]


def test_unreachable_service_all_packages_skipped_is_one_line_and_exit_0(tmp_path) -> None:
    """What this machine gets: PyPI's per-version JSON API answers 404, so pip-audit skips
    every package and says "No known vulnerabilities found" — which means nothing."""
    env = _fake(tmp_path, _report(*SKIPPED), "No known vulnerabilities found\n", rc=0)
    proc = _run(env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"{UNREACHABLE} (0 of 3 packages could be checked)"
    args = (tmp_path / "args.txt").read_text().split()
    assert args[:2] == ["--format", "json"]


def test_unreachable_service_network_error_is_one_line_and_exit_0(tmp_path) -> None:
    env = _fake(tmp_path, "", "requests.exceptions.ConnectionError: HTTPSConnectionPool("
                "host='api.osv.dev', port=443): Max retries exceeded\n", rc=1)
    proc = _run(env, "--vulnerability-service", "osv")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(UNREACHABLE) and len(proc.stdout.splitlines()) == 1
    assert (tmp_path / "args.txt").read_text().split()[-2:] == ["--vulnerability-service", "osv"]


def test_a_vulnerability_fails_the_audit(tmp_path) -> None:
    report = _report(
        {"name": "jinja2", "version": "3.1.2", "vulns": [
            {"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"], "aliases": [],
             "description": "xss"}]},
        {"name": "rdflib", "version": "7.1.1", "vulns": []},
        *SKIPPED[2:])
    proc = _run(_fake(tmp_path, report, rc=1))
    assert proc.returncode == 1
    assert "pip-audit: jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (fixed in: 3.1.3)" in proc.stdout
    assert "1 known vulnerability in 1 package(s)" in proc.stdout
    assert UNREACHABLE not in proc.stdout


def test_a_clean_audit_passes_and_says_what_was_audited(tmp_path) -> None:
    report = _report({"name": "rdflib", "version": "7.1.1", "vulns": []},
                     {"name": "fastapi", "version": "0.115.0", "vulns": []}, *SKIPPED[2:])
    proc = _run(_fake(tmp_path, report, rc=0))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ("pip-audit: 2 packages audited, no known vulnerabilities "
                                   "(1 not on PyPI, not audited)")


@pytest.mark.parametrize("stdout,stderr,rc", [
    ("", "error: unrecognized arguments: --bogus\n", 2),      # pip-audit itself failed
    (_report({"name": "rdflib", "version": "7.1.1", "vulns": []}), "internal error\n", 3),
])
def test_other_failures_fail_the_audit(tmp_path, stdout, stderr, rc) -> None:
    proc = _run(_fake(tmp_path, stdout, stderr, rc))
    assert proc.returncode == 2
    assert UNREACHABLE not in proc.stdout
    assert stderr.strip().splitlines()[-1] in proc.stderr


def test_missing_pip_audit_fails(tmp_path) -> None:
    proc = _run({**os.environ, "PIP_AUDIT": "pip-audit-not-installed-here"})
    assert proc.returncode == 2
    assert "not found" in proc.stderr


def test_ci_runs_the_audit_before_the_tests() -> None:
    ci = (SCRIPT.parents[1] / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    commands = [line.strip() for line in ci if line.strip() and not line.startswith("#")]
    assert commands.index("bash scripts/audit.sh") < commands.index("bash scripts/test.sh -q")
    setup = next(i for i, c in enumerate(commands) if c.endswith("source scripts/setup.sh"))
    assert setup < commands.index("bash scripts/audit.sh")
