"""Map the design card's top-level folders onto the ``vbgraph`` namespace.

``graph/``, ``ingest/``, ``search/``, ``ontology/`` and ``api/`` sit at the top of the
repository (the card's layout) and install as ``vbgraph.graph``, ``vbgraph.ingest``, … so that
no generic top-level name (``graph``, ``api``, ``search``) lands in site-packages.
All metadata lives in pyproject.toml; this file only computes the package map.
"""
from pathlib import Path

from setuptools import setup

ROOT = Path(__file__).parent
FOLDERS = ("ontology", "ingest", "graph", "search", "api")

package_dir: dict[str, str] = {}
packages: list[str] = []
for folder in FOLDERS:
    for init in sorted((ROOT / folder).rglob("__init__.py")):
        rel = init.parent.relative_to(ROOT)
        name = "vbgraph." + ".".join(rel.parts)
        packages.append(name)
        package_dir[name] = rel.as_posix()

setup(packages=packages, package_dir=package_dir)
