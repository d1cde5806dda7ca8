"""Workspace behaviour the HTTP and CLI layers rely on."""
from __future__ import annotations

import shutil
from pathlib import Path

from vbgraph.api.service import Workspace


def test_the_same_bytes_under_another_name_are_one_document(tmp_path, seed_paths):
    src = tmp_path / "in"
    src.mkdir()
    first = src / "kien_giang.txt"
    shutil.copyfile(seed_paths["kien_giang"], first)
    ws = Workspace(tmp_path / "data", index=False)
    report = ws.ingest([first])
    assert len(report.added) == 1

    copy = src / "copy-of-kien-giang.txt"
    shutil.copyfile(first, copy)
    again = Workspace(tmp_path / "data", index=False).ingest([copy])
    assert not again.added and not again.updated
    assert again.unchanged == ({"id": report.added[0]["id"], "source": str(copy),
                                "duplicate_of": str(first)},)
    assert again.counts == report.counts


def test_border_agencies_are_the_ones_the_plans_give_border_work(tmp_path, seeds_dir):
    ws = Workspace(tmp_path / "data", index=False)
    ws.ingest([seeds_dir])
    ranked = ws.agencies("bien gioi")                      # no diacritics
    ids = [a["id"] for a in ranked]
    assert {"agency:bo-chi-huy-bo-doi-bien-phong-tinh:thua-thien-hue",
            "agency:bo-chi-huy-bo-doi-bien-phong-tinh:kien-giang"} <= set(ids[:3])
    # the police cooperate on Kiên Giang's border task (III.3); the culture department's
    # exchange "với các tỉnh giáp biên giới" is not border work
    assert "agency:cong-an-tinh:kien-giang" in ids
    assert "agency:so-van-hoa-va-the-thao:kien-giang" not in ids
    police = ranked[ids.index("agency:cong-an-tinh:kien-giang")]
    assert police["role"] == "cooperate" and police["tasks"][0]["section"] == "III.3"
    # the Workspace passes the evidence cap through; the ranking is the same
    hue = ranked[ids.index("agency:bo-chi-huy-bo-doi-bien-phong-tinh:thua-thien-hue")]
    assert hue["evidence_total"] == 4 and len(hue["tasks"]) == 4
    one = ws.agencies("bien gioi", evidence=1)
    assert [a["id"] for a in one] == ids
    assert [a["tasks"] for a in one] == [a["tasks"][:1] for a in ranked]


def test_readers_see_the_committed_generation_while_an_ingest_runs(tmp_path, seed_paths, monkeypatch):
    """The ingest writes into private copies; a reader of the same Workspace (the HTTP server's)
    sees the last committed state until the new generation is swapped in."""
    import vbgraph.ingest.pipeline as pipeline

    ws = Workspace(tmp_path / "data", index=False)
    ws.ingest([seed_paths["kien_giang"]])
    before = ws.graph.counts()
    seen: list[dict] = []
    real = pipeline.extract_file

    def spying_extract(path, *a, **kw):
        seen.append(ws.graph.counts())       # a read in the middle of the ingest
        return real(path, *a, **kw)

    monkeypatch.setattr(pipeline, "extract_file", spying_extract)
    ws.ingest([seed_paths["thua_thien_hue"], seed_paths["lai_chau"]])
    assert len(seen) == 2 and all(c == before for c in seen)   # the 2nd read came after a write
    after = ws.graph.counts()
    assert after["nodes"] > before["nodes"]



def test_every_command_defaults_to_the_same_data_dir(seed_data_dir, monkeypatch, capsys):
    """The README's flow: ``vbgraph ingest`` then ``vbgraph search``/``cites`` with only
    ``$VBGRAPH_HOME`` set (no ``--data-dir``) read the same store."""
    import json

    from vbgraph.api.cli import main
    from vbgraph.api.service import default_data_dir as service_default
    from vbgraph.search.store import default_data_dir as search_default

    monkeypatch.setenv("VBGRAPH_HOME", str(seed_data_dir))
    assert service_default() == search_default() == seed_data_dir
    assert main(["search", "viện trợ phi chính phủ nước ngoài", "-k", "3", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert len(hits) == 3 and all(h["source"] for h in hits)
    assert main(["cites", "272-QĐ/TW", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["plans"]) == 3
    monkeypatch.delenv("VBGRAPH_HOME")
    assert service_default() == search_default() == Path(".vbgraph")
