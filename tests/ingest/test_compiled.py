"""The compiled build (``VBGRAPH_COMPILE=1 pip install .``, what ``scripts/run.sh`` installs):
the modules of ``[tool.vbgraph.compile]`` turned into C extensions by mypyc.

The session builds that wheel from this work tree once, unpacks it, and runs a fresh Python
with it first on ``PYTHONPATH``. It checks that every listed module really is the compiled
one, that the compiled build extracts exactly what the interpreted code in this process
extracts (seeds, the synthetic plans, generated plans), and that the ingest tests pass against
it too (but for those marked ``interpreted``: they patch module globals, which compiled code
does not look up).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest
from vbgraph.ingest.pipeline import extract_text

ROOT = Path(__file__).resolve().parents[2]
MODULES = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["vbgraph"]["compile"]["modules"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.environ.get("VBGRAPH_UNDER_COMPILED") == "1", reason="already the compiled run"),
    pytest.mark.skipif(shutil.which(sysconfig.get_config_var("CC").split()[0] if sysconfig.get_config_var("CC") else "cc") is None,
                       reason="no C compiler: the compiled build cannot be made here"),
]


def _module_name(path: str) -> str:
    return "vbgraph." + path.removesuffix(".py").replace("/", ".")


@pytest.fixture(scope="session")
def compiled_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The compiled wheel, built from this work tree and unpacked."""
    out = tmp_path_factory.mktemp("compiled")
    work = out / "src"
    # build from a copy: the build writes build/ and *.egg-info, the work tree stays as it is
    shutil.copytree(ROOT, work, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "*.egg-info", "__pycache__", ".vbgraph", "tests", "node_modules"))
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out / "wheel"), str(work)],
        env={**os.environ, "VBGRAPH_COMPILE": "1"}, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (wheel,) = (out / "wheel").glob("vbgraph-*.whl")
    assert "-cp3" in wheel.name and "none-any" not in wheel.name, wheel.name   # platform-specific
    root = out / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(root)
    return root


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root), "VBGRAPH_UNDER_COMPILED": "1"}
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, cwd=ROOT)


def test_every_listed_module_is_the_compiled_one(compiled_root: Path):
    names = [_module_name(m) for m in MODULES]
    code = ("import importlib, json, sys; "
            f"print(json.dumps({{n: importlib.import_module(n).__file__ for n in {names!r}}}))")
    done = _run(compiled_root, "-c", code)
    assert done.returncode == 0, done.stderr
    files = json.loads(done.stdout)
    assert set(files) == set(names)
    for name, file in files.items():
        assert file.startswith(str(compiled_root)), (name, file)
        assert file.endswith(".so") or file.endswith(".pyd"), (name, file)


def _corpus(tmp: Path, seed_paths: dict[str, Path], generated_plans) -> list[Path]:
    files = sorted(seed_paths.values()) + sorted((ROOT / "tests" / "ingest" / "synthetic").glob("*"))
    for i, g in enumerate(generated_plans(150, 23)):
        path = tmp / f"gen{i:03d}.txt"
        path.write_text(g.text, encoding="utf-8")
        files.append(path)
    return files


def test_compiled_build_extracts_what_the_interpreted_code_extracts(compiled_root, seed_paths, tmp_path,
                                                                    generated_plans):
    files = _corpus(tmp_path, seed_paths, generated_plans)
    # every field of every record (spans, warnings, the text), not only the JSON contract
    script = ("import dataclasses, json, sys; from pathlib import Path; "
              "from vbgraph.ingest import pipeline; "
              "assert pipeline.__file__.endswith('.so'), pipeline.__file__; "
              "print(json.dumps([_dump(pipeline.extract_text(Path(p).read_text(encoding='utf-8'), p)) "
              "for p in sys.argv[1:]]))")
    done = _run(compiled_root, "-c", _DUMP + script, *map(str, files))
    assert done.returncode == 0, done.stderr[-3000:]
    compiled = json.loads(done.stdout)
    namespace: dict = {}
    exec(_DUMP, namespace)
    interpreted = [namespace["_dump"](extract_text(p.read_text(encoding="utf-8"), str(p))) for p in files]
    assert len(compiled) == len(interpreted) == len(files)
    for path, got, want in zip(files, compiled, interpreted):
        assert got == want, path.name
    assert sum(json.loads(d)["tasks"].__len__() for d in compiled) > 1000   # it covered real work


_DUMP = ("import dataclasses, json\n"
         "def _dump(doc):\n"
         "    return json.dumps(dataclasses.asdict(doc), ensure_ascii=False, sort_keys=True, default=repr)\n")


def test_ingest_tests_pass_against_the_compiled_build(compiled_root):
    done = _run(compiled_root, "-m", "pytest", "tests/ingest", "-q", "-x", "-p", "no:cacheprovider",
                "-m", "not interpreted", "--ignore", "tests/ingest/test_compiled.py")
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
    assert " passed" in done.stdout
