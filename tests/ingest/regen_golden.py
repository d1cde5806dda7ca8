"""Regenerate tests/ingest/golden/<seed>.json from the current pipeline.

    python tests/ingest/regen_golden.py            # rewrite all five
    python tests/ingest/regen_golden.py --check    # exit 1 if any differs (prints a diff)

Review the diff (``git diff tests/ingest/golden``) against the seed texts before committing:
the golden files are the reference, not a snapshot to accept blindly.
"""
from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEEDS = Path(os.environ.get("VBGRAPH_SEEDS", HERE.parents[2] / "shared" / "seeds"))
SEED_FILES = {
    "kien_giang": "000_998ba29ac72eea2d.txt",
    "thua_thien_hue": "001_7bc9196491bcdfd9.txt",
    "khanh_hoa": "002_114a9a95a0ee316d.txt",
    "lai_chau": "003_9db9d3dfc8a2892c.txt",
    "hau_giang": "004_0040b4a24e2cad8b.txt",
}
MODULES = ("citations", "agencies", "localities", "topics")


def available_modules() -> list[str]:
    from vbgraph.ingest import pipeline

    return [m for m in MODULES if pipeline._optional(m) is not None]


def golden_for(key: str) -> dict:
    from vbgraph.ingest.pipeline import extract_file

    doc = extract_file(SEEDS / SEED_FILES[key])
    out = doc.to_json()
    out["source"] = SEED_FILES[key]  # independent of where the seeds are
    out["_modules"] = available_modules()
    return out


def dump(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    status = 0
    for key in SEED_FILES:
        path = HERE / "golden" / f"{key}.json"
        new = dump(golden_for(key))
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        if args.check:
            if new != old:
                status = 1
                sys.stdout.writelines(difflib.unified_diff(
                    old.splitlines(True), new.splitlines(True), str(path), "regenerated", n=1))
        elif new != old:
            path.parent.mkdir(exist_ok=True)
            path.write_text(new, encoding="utf-8")
            print(f"wrote {path}")
    return status


if __name__ == "__main__":
    sys.exit(main())
