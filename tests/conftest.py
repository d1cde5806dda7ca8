"""Shared fixtures. The seed corpus is read in place from ``../shared/seeds`` (never copied)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS_DIR = Path(os.environ.get("VBGRAPH_SEEDS", REPO.parent / "shared" / "seeds")).resolve()
SEED_FILES = {
    "kien_giang": "000_998ba29ac72eea2d.txt",
    "thua_thien_hue": "001_7bc9196491bcdfd9.txt",
    "khanh_hoa": "002_114a9a95a0ee316d.txt",
    "lai_chau": "003_9db9d3dfc8a2892c.txt",
    "hau_giang": "004_0040b4a24e2cad8b.txt",
}


def seed_path(key: str) -> Path:
    path = SEEDS_DIR / SEED_FILES[key]
    if not path.exists():
        raise FileNotFoundError(f"seed corpus not found at {SEEDS_DIR} (set VBGRAPH_SEEDS)")
    return path


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    if not SEEDS_DIR.is_dir():
        raise FileNotFoundError(f"seed corpus not found at {SEEDS_DIR} (set VBGRAPH_SEEDS)")
    return SEEDS_DIR


@pytest.fixture(scope="session")
def seed_paths(seeds_dir: Path) -> dict[str, Path]:
    return {key: seeds_dir / name for key, name in SEED_FILES.items()}


@pytest.fixture(scope="session")
def seed_data_dir(tmp_path_factory: pytest.TempPathFactory, seed_paths: dict[str, Path]) -> Path:
    """A data dir holding the five seeds (graph + search index), built once per test session.
    Treat it as read-only: tests that write take a copy."""
    from vbgraph.api.service import Workspace

    data_dir = tmp_path_factory.getbasetemp() / "vbgraph-seeds"
    with Workspace(data_dir, index=True) as workspace:
        workspace.ingest(sorted(seed_paths.values()))
    return data_dir


# Hypothesis: no per-example deadline (timings belong in bench/, and CI has 2 shared cores).
try:
    from hypothesis import HealthCheck, settings

    settings.register_profile(
        "vbgraph", deadline=None, max_examples=200,
        suppress_health_check=[HealthCheck.too_slow],
    )
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "vbgraph"))
except ImportError:  # pragma: no cover
    pass


@pytest.fixture(scope="session")
def generated_plans():
    """``generated_plans(n, seed)``: the first ``n`` plans of the scale corpus generator
    (``bench/corpus.py``, deterministic in ``seed``), as its ``GeneratedDoc`` records."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("vbgraph_bench_corpus", REPO / "bench" / "corpus.py")
    assert spec is not None and spec.loader is not None
    corpus = importlib.util.module_from_spec(spec)
    import sys

    sys.modules[spec.name] = corpus       # dataclasses look their module up while decorating
    spec.loader.exec_module(corpus)

    def plans(n: int, seed: int) -> list:
        return list(corpus.iter_documents(n, seed=seed))

    return plans


@pytest.fixture(scope="session")
def extracted_plans(seed_paths, generated_plans):
    """``extracted_plans(n, seed)``: the five seeds and the first ``n`` generated plans, each as
    ``(text, province)``: the text cleaned as the pipeline cleans it, the province it found."""
    from vbgraph.ingest.pipeline import extract_text

    def texts(n: int, seed: int) -> list[tuple[str, str | None]]:
        out = []
        for path in seed_paths.values():
            doc = extract_text(path.read_text(encoding="utf-8"), path.name)
            out.append((doc.text, doc.document.province))
        for g in generated_plans(n, seed):
            doc = extract_text(g.text, "generated")
            out.append((doc.text, doc.document.province))
        return out

    return texts
