"""Golden files per seed: every assignment block's heading agency, the roles of every task in
it, a few tasks outside blocks, and every foreign partner / locality with its relation.

The golden files (``golden_agencies/<seed key>.json``) were written from reading the seeds:
each task is located by the text it starts with; it ends where the next item starts.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from vbgraph.ingest.agencies import agency_heading, roles_for_task
from vbgraph.ingest.localities import find_localities
from vbgraph.ingest.text import nfc

GOLDEN = Path(__file__).parent / "golden_agencies"
KEYS = ["kien_giang", "thua_thien_hue", "khanh_hoa", "lai_chau", "hau_giang"]
_FREE_END = re.compile(r"\n(?=[a-zđ]\) |\d+\. |[IVX]+\. |\n)")


def run_items(text: str, province: str, items: list[dict]) -> list[dict]:
    """Resolve the golden file's items against ``text``: headings → agency, tasks → roles."""
    located = []
    cursor = 0
    for item in items:
        (kind, snippet), = [(k, v) for k, v in item.items() if k in ("heading", "task", "free", "until")]
        pos = text.index(snippet, cursor if kind != "free" else 0)
        located.append((kind, snippet, pos))
        if kind != "free":
            cursor = pos + 1
    out = []
    heading = None
    block_items = [x for x in located if x[0] != "free"]
    for kind, snippet, pos in located:
        if kind == "heading":
            heading = agency_heading(snippet, province)
            out.append({"heading": snippet, "agency": heading.id if heading else None})
        elif kind == "task":
            nxt = min((p for k, _, p in block_items if p > pos), default=len(text))
            lead, coop = roles_for_task(text, pos, nxt, province, heading)
            out.append({"task": snippet, "lead": [a.id for a in lead], "cooperate": [a.id for a in coop]})
        elif kind == "free":
            m = _FREE_END.search(text, pos + 1)
            end = m.start() if m else len(text)
            lead, coop = roles_for_task(text, pos, end, province, None)
            out.append({"free": snippet, "lead": [a.id for a in lead], "cooperate": [a.id for a in coop]})
    return out


def _golden(key: str) -> dict:
    return json.loads((GOLDEN / f"{key}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("key", KEYS)
def test_roles_match_golden(key, seed_paths):
    golden = _golden(key)
    text = nfc(seed_paths[key].read_text(encoding="utf-8"))
    got = run_items(text, golden["province"], golden["items"])
    want = [{k: v for k, v in r.items()} for r in golden["expected"]]
    assert got == want


@pytest.mark.parametrize("key", KEYS)
def test_localities_match_golden(key, seed_paths):
    golden = _golden(key)
    text = nfc(seed_paths[key].read_text(encoding="utf-8"))
    got = [{"id": loc.id, "name": loc.name, "kind": loc.kind.value, "country": loc.country,
            "relation": loc.relation.value, "surface": text[loc.start:loc.end]}
           for loc in find_localities(text, lambda i: "", golden["province"])]
    assert got == golden["localities"]


def test_facts_the_graph_relies_on(seed_paths):
    kg = _golden("kien_giang")["localities"]
    assert {"id": "locality:salavan", "relation": "partner", "country": "Lào"}.items() <= \
        next(x for x in kg if x["id"] == "locality:salavan").items()
    hg = {x["id"]: x for x in _golden("hau_giang")["localities"]}
    for loc in ("gangjin", "gokseong", "jeollanam-do"):
        assert hg[f"locality:{loc}"]["relation"] == "partner"
        assert hg[f"locality:{loc}"]["country"] == "Hàn Quốc"
    assert hg["locality:phung-hiep"]["kind"] == "vietnamese_place"
    # Huế assigns 19 blocks, each heading resolves (17/18 via "Đề nghị", 19 to the collective)
    hue = [r for r in _golden("thua_thien_hue")["expected"] if "heading" in r]
    assert len([r for r in hue if r["heading"].startswith(tuple(f"{i}. " for i in range(1, 20)))]) >= 19
    assert all(r["agency"] for r in hue)
