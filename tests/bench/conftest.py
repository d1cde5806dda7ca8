"""The bench scripts are modules in ``bench/`` (not a package): put that folder on ``sys.path``
once, so the bench tests import them by name (``import corpus``)."""
from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))
