"""The five seeds through the real pipeline, in every store: the issue's acceptance facts."""
from __future__ import annotations

import pytest

from vbgraph.graph.base import EVIDENCE_PER_AGENCY, GraphStore

pipeline = pytest.importorskip("vbgraph.ingest.pipeline")

KG, TTH, HG = ("doc:kh-64-ubnd-kien-giang-2019", "doc:kh-342-ubnd-thua-thien-hue-2022",
               "doc:kh-1112-ubnd-hau-giang-2020")


@pytest.fixture(scope="module")
def seed_docs(seed_paths):
    return [pipeline.extract_file(p) for p in seed_paths.values()]


@pytest.fixture
def seeded(store: GraphStore, seed_docs) -> GraphStore:
    store.upsert_documents(seed_docs)
    return store


def test_cites_272_returns_exactly_three_plans_with_sentences(seeded: GraphStore, seed_docs):
    out = seeded.cites("272-QĐ/TW")
    assert [r["id"] for r in out["resolved"]] == ["doc:qd-272-tw-2015"]
    assert out["resolved"][0]["date"] == "2015-01-21"
    plans = {p["id"]: p for p in out["plans"]}
    assert set(plans) == {KG, TTH, HG}
    assert {p["province"] for p in plans.values()} == {"Kiên Giang", "Thừa Thiên Huế",
                                                        "Hậu Giang"}
    texts = {d.document.id: d.text for d in seed_docs}
    for pid, plan in plans.items():
        assert plan["source"].endswith(".txt") and plan["mentions"]
        for m in plan["mentions"]:
            surface = texts[pid][m["start"]:m["end"]]
            assert "272" in surface
            # the sentence contains the citation (whitespace-normalised) and is one sentence
            assert " ".join(surface.split()) in m["text"]
            assert "\n" not in m["text"] and len(m["text"]) < 800
    kg = [m["text"] for m in plans[KG]["mentions"]]
    assert any(t.startswith("tổ chức thực hiện có hiệu quả Quyết định số 272-QĐ/TW") for t in kg)


@pytest.mark.parametrize("ref", ["272-QĐ/TW", "Quyết định 272", "quyet dinh 272-QD/TW",
                                 "QĐ 272/TW", "qđ 272-qđ/tw"])
def test_272_spelling_variants_agree(seeded: GraphStore, ref: str) -> None:
    out = seeded.cites(ref)
    assert [r["id"] for r in out["resolved"]] == ["doc:qd-272-tw-2015"]
    assert {p["id"] for p in out["plans"]} == {KG, TTH, HG}


@pytest.mark.parametrize("ref", ["Chỉ thị 38", "38-CT/TW", "chi thi 38", "CT 38-CT/TW"])
def test_cites_chi_thi_38_returns_four_plans(seeded: GraphStore, ref: str) -> None:
    out = seeded.cites(ref)
    assert [r["number"] for r in out["resolved"]] == ["38-CT/TW"]
    assert len(out["plans"]) == 4
    assert {p["province"] for p in out["plans"]} >= {"Kiên Giang", "Hậu Giang", "Lai Châu",
                                                      "Thừa Thiên Huế"} - {None}


def test_nghi_dinh_12_2012(seeded: GraphStore) -> None:
    out = seeded.cites("NĐ 12/2012")
    assert [r["number"] for r in out["resolved"]] == ["12/2012/NĐ-CP"]
    assert out["plans"]


def test_agencies_bien_gioi_border_guards_first(seeded: GraphStore) -> None:
    out = seeded.agencies("biên giới")
    assert out[0]["kind"] == "bo-chi-huy-bo-doi-bien-phong-tinh"
    assert out[0]["role"] == "lead"
    kinds = [a["kind"] for a in out]
    assert "cong-an-tinh" in kinds  # police co-operate on border work (Kiên Giang, III.3)
    leads = [a for a in out if a["role"] == "lead"]
    bdbp = [a["agency"] for a in leads if a["kind"] == "bo-chi-huy-bo-doi-bien-phong-tinh"]
    assert len(bdbp) == 2  # Kiên Giang and Thừa Thiên Huế
    assert [a["agency"] for a in seeded.agencies("bien gioi")] == [a["agency"] for a in out]
    kg = seeded.agencies("biên giới", province="Kiên Giang")
    assert kg[0]["agency"] == "Bộ Chỉ huy Bộ đội Biên phòng tỉnh Kiên Giang"
    assert "Công an tỉnh Kiên Giang" in [a["agency"] for a in kg]


def test_path_kien_giang_to_salavan(seeded: GraphStore) -> None:
    p = seeded.path("Kiên Giang", "Salavan")
    assert p["found"]
    assert p["nodes"][0]["id"] == "province:kien-giang"
    assert p["nodes"][-1]["id"] == "locality:salavan"
    assert len(p["edges"]) == 2


def test_reingest_seeds_is_idempotent(seeded: GraphStore, seed_docs) -> None:
    counts = seeded.counts()
    seeded.upsert_documents(seed_docs)
    assert seeded.counts() == counts


def test_cites_pages_are_slices_of_one_order(seeded: GraphStore) -> None:
    full = seeded.cites("Chỉ thị 38", limit=500)
    assert full["total"] == 4 == len(full["plans"])
    keys = [(p["date"] or "9999", p["id"]) for p in full["plans"]]
    assert keys == sorted(keys)  # by date, then id
    pages = [seeded.cites("Chỉ thị 38", limit=3, offset=o) for o in (0, 3, 6)]
    assert [p["total"] for p in pages] == [4, 4, 4]
    assert [len(p["plans"]) for p in pages] == [3, 1, 0]
    assert [p for page in pages for p in page["plans"]] == full["plans"]
    assert seeded.cites("Chỉ thị 38", limit=0)["plans"] == []
    assert seeded.cites("99999-CT/TW")["total"] == 0


def test_agency_score_roles_and_evidence_order(seeded: GraphStore) -> None:
    out = seeded.agencies("biên giới", limit=50)
    top3 = [a["kind"] for a in out[:3]]
    assert top3.count("bo-chi-huy-bo-doi-bien-phong-tinh") == 2  # Huế III.16, Kiên Giang III.3
    scores = [a["score"] for a in out]
    assert scores == sorted(scores, reverse=True)
    every = seeded.agencies("biên giới", limit=50, evidence=10_000)
    for a, uncapped in zip(out, every, strict=True):
        assert a["lead_tasks"] + a["cooperate_tasks"] == a["evidence_total"] == len(
            uncapped["tasks"])
        assert a["tasks"] == uncapped["tasks"][:EVIDENCE_PER_AGENCY]
        assert (a["role"] == "lead") == (a["lead_tasks"] > 0)
        roles = [t["role"] for t in a["tasks"]]
        assert roles == sorted(roles, key=lambda r: r != "lead")  # lead tasks first
    by_name = {a["agency"]: a for a in out}
    # Kiên Giang III.3: the border guards lead, the police co-operate on the same task
    police = by_name["Công an tỉnh Kiên Giang"]
    assert police["role"] == "cooperate" and police["lead_tasks"] == 0
    assert [t["id"] for t in police["tasks"]] == [f"{KG}#t31"]
    assert by_name["Bộ Chỉ huy Bộ đội Biên phòng tỉnh Kiên Giang"]["tasks"][0]["id"] == \
        f"{KG}#t31"
    # a co-operating agency is no longer ranked below every lead
    first_coop = next(i for i, a in enumerate(out) if a["role"] == "cooperate")
    assert any(a["role"] == "lead" for a in out[first_coop:])
    # the page is a slice of the ranking
    assert seeded.agencies("biên giới", limit=3, offset=2) == out[2:5]
    assert len(seeded.agencies("biên giới")) == min(20, len(out))


def test_semantic_hits_weigh_by_rank(seeded: GraphStore) -> None:
    # Huế III.16 tasks are tagged "biên giới"; as semantic-only hits for an unrelated topic
    # they weigh 1/(1 + rank/5)
    hits = [f"{TTH}#t81", f"{TTH}#t85"]
    out = seeded.agencies("zzz không có chủ đề", task_ids=hits)
    (bdbp,) = [a for a in out if a["agency"] == "Bộ Chỉ huy Bộ đội Biên phòng tỉnh Thừa Thiên Huế"]
    rel = {t["id"]: t["relevance"] for t in bdbp["tasks"]}
    assert rel == {hits[0]: 1.0, hits[1]: round(1 / (1 + 1 / 5), 3)}
    assert bdbp["evidence"] == round(1.0 + 1 / 1.2, 3)
    # a tagged task keeps relevance 1.0 when it is also a hit
    tagged = seeded.agencies("biên giới", task_ids=list(reversed(hits)), limit=50)
    (bdbp2,) = [a for a in tagged if a["id"] == bdbp["id"]]
    assert {t["relevance"] for t in bdbp2["tasks"]} == {1.0}


def test_agencies_province_filter_on_seeds(seeded: GraphStore) -> None:
    kg = seeded.agencies("biên giới", province="tỉnh Kiên Giang", limit=50)
    assert kg and all("Kiên Giang" in (a["province"] or "") or all(
        t["province"] == "Kiên Giang" for t in a["tasks"]) for a in kg)
    assert "Bộ Chỉ huy Bộ đội Biên phòng tỉnh Thừa Thiên Huế" not in [a["agency"] for a in kg]
    pcpnn = seeded.agencies("PCPNN", province="Thừa Thiên Huế", limit=50)
    assert pcpnn[0]["agency"] == "Sở Ngoại vụ tỉnh Thừa Thiên Huế"  # leads Huế II.x and III.x
