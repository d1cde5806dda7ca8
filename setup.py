"""Map the design card's top-level folders onto the ``vbgraph`` namespace, and optionally
compile the extraction hot path with mypyc.

``graph/``, ``ingest/``, ``search/``, ``ontology/`` and ``api/`` sit at the top of the
repository (the card's layout) and install as ``vbgraph.graph``, ``vbgraph.ingest``, … so that
no generic top-level name (``graph``, ``api``, ``search``) lands in site-packages.
All metadata lives in pyproject.toml; this file only computes the package map and the
extension modules.

``VBGRAPH_COMPILE=1 pip install .`` compiles the modules listed under
``[tool.vbgraph.compile] modules`` in pyproject.toml with mypyc (the same source, type-checked,
turned into C extension modules installed beside the ``.py`` files, which Python then imports
first). Without it, or for an editable install, the package is pure Python. An editable
install never compiles: the extensions would sit in the work tree and shadow every later edit
of the ``.py`` files.
"""
from __future__ import annotations

import os
import shutil
import sys
import tomllib
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).parent
FOLDERS = ("ontology", "ingest", "graph", "search", "api")
#: the tree mypyc type-checks and compiles: the folders the compiled modules import, laid out
#: under their installed names (mypy names a module after its path)
STAGE = ROOT / "build" / "mypyc-src"

package_dir: dict[str, str] = {}
packages: list[str] = []
for folder in FOLDERS:
    for init in sorted((ROOT / folder).rglob("__init__.py")):
        rel = init.parent.relative_to(ROOT)
        name = "vbgraph." + ".".join(rel.parts)
        packages.append(name)
        package_dir[name] = rel.as_posix()


def compiled_modules() -> list[str]:
    """``[tool.vbgraph.compile] modules``: repository paths of the modules to compile."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return list(config["tool"]["vbgraph"]["compile"]["modules"])


def _editable() -> bool:
    return any(arg in ("editable_wheel", "develop") for arg in sys.argv[1:])


def _ext_modules() -> list:
    wanted = os.environ.get("VBGRAPH_COMPILE", "0").strip().lower() in ("1", "true", "yes")
    if not wanted:
        return []
    if _editable():
        print("vbgraph: VBGRAPH_COMPILE ignored for an editable install (compiled modules in the "
              "work tree would shadow edits of the sources); installing pure Python", file=sys.stderr)
        return []
    from mypyc.build import mypycify   # build requirement (pyproject.toml [build-system])

    modules = compiled_modules()
    if STAGE.exists():
        shutil.rmtree(STAGE)
    (STAGE / "vbgraph").mkdir(parents=True)
    (STAGE / "vbgraph" / "__init__.py").write_text("", encoding="utf-8")
    for folder in {Path(m).parts[0] for m in modules} | {"ontology"}:
        shutil.copytree(ROOT / folder, STAGE / "vbgraph" / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.so", "data", "*.ttl"))
    paths = [str((STAGE / "vbgraph" / m).relative_to(ROOT)) for m in modules]
    return mypycify(["--ignore-missing-imports", "--follow-imports=silent", *paths], opt_level="3",
                    target_dir=str(ROOT / "build" / "mypyc"))


class BuildExt(build_ext):
    """Refuses to put compiled modules into the work tree (``--inplace``)."""

    def run(self) -> None:
        if self.extensions and self.inplace:
            raise SystemExit("vbgraph: compiled modules are not built in place; "
                             "use `VBGRAPH_COMPILE=1 pip install .` (not -e)")
        super().run()


setup(packages=packages, package_dir=package_dir, ext_modules=_ext_modules(),
      cmdclass={"build_ext": BuildExt})
