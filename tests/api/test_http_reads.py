"""Read endpoints of the HTTP API on a workspace built from the five seeds (graph + index)."""
from __future__ import annotations

import json
import re

import pytest
import rdflib
from vbgraph.graph.base import EVIDENCE_PER_AGENCY, MAX_EVIDENCE
from vbgraph.ingest.text import fold

THREE_272 = {"kien giang", "thua thien hue", "hau giang"}


def _error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    assert body["error"]["message"].strip()
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]


def _provinces(plans: list[dict]) -> set[str]:
    return {fold(p["province"] or "") for p in plans}


@pytest.fixture(scope="module")
def docs(http_client) -> list[dict]:
    response = http_client.get("/documents")
    assert response.status_code == 200
    return response.json()


def _doc_of(docs: list[dict], province: str) -> dict:
    found = [d for d in docs if fold(d.get("province") or "") == province]
    assert found, f"no ingested document of {province}: {[d.get('province') for d in docs]}"
    return found[0]


# -- explorer and docs --------------------------------------------------------------------

def test_explorer_page_is_served_offline_and_locked_down(http_client) -> None:
    page = http_client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Văn bản dẫn chiếu" in page.text and 'lang="vi"' in page.text
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "object-src 'none'" in csp
    for asset in ("/static/app.js", "/static/style.css", "/static/vendor/cytoscape.min.js",
                  "/static/vendor/LICENSE.cytoscape.txt"):
        response = http_client.get(asset)
        assert response.status_code == 200, asset
        assert response.headers["x-content-type-options"] == "nosniff"
    # no CDN: nothing the page loads points off-site
    for text in (page.text, http_client.get("/static/app.js").text,
                 http_client.get("/static/style.css").text):
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)
        assert "@import" not in text
    # the explorer never injects data as HTML
    assert "innerHTML" not in http_client.get("/static/app.js").text


def test_openapi_lists_every_endpoint(http_client) -> None:
    spec = http_client.get("/openapi.json").json()
    paths = spec["paths"]
    for path, method in [("/search", "get"), ("/cites", "get"), ("/documents", "get"),
                         ("/documents", "post"), ("/documents/{doc_id}", "get"),
                         ("/agencies", "get"), ("/graph/neighborhood", "get"),
                         ("/graph/path", "get"), ("/stats", "get"), ("/export", "get"),
                         ("/sparql", "post")]:
        assert method in paths[path], (path, method)
    assert http_client.get("/docs").status_code == 200


def test_unknown_route_and_method_get_error_bodies(http_client) -> None:
    _error(http_client.get("/nope"), 404, "not_found")
    _error(http_client.delete("/documents"), 405, "method_not_allowed")


# -- search -------------------------------------------------------------------------------

def test_search_returns_the_cli_shape(http_client) -> None:
    response = http_client.get("/search", params={"q": "bảo hộ công dân", "k": 5})
    assert response.status_code == 200
    hits = response.json()
    assert 0 < len(hits) <= 5
    for hit in hits:
        assert set(hit) >= {"task_id", "text", "score", "document", "lead", "cooperate",
                            "section", "source", "start", "end"}
        assert set(hit["document"]) >= {"number", "title", "province", "date"}
        assert isinstance(hit["lead"], list) and isinstance(hit["cooperate"], list)
    assert any("bao ho cong dan" in fold(h["text"]) for h in hits)
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_search_without_diacritics_finds_the_same_tasks(http_client) -> None:
    with_marks = http_client.get("/search", params={"q": "bảo hộ công dân", "k": 5}).json()
    without = http_client.get("/search", params={"q": "bao ho cong dan", "k": 5}).json()
    assert with_marks and without
    top = {h["task_id"] for h in with_marks[:3]}
    assert top & {h["task_id"] for h in without}


def test_search_filters_by_province_and_role(http_client) -> None:
    hits = http_client.get("/search", params={"q": "hợp tác quốc tế", "k": 20,
                                              "province": "kien giang"}).json()
    assert hits
    assert {fold(h["document"]["province"]) for h in hits} == {"kien giang"}
    hits = http_client.get("/search", params={"q": "biên giới", "k": 10,
                                              "role": "lead"}).json()
    assert all(h["lead"] for h in hits)


def test_search_k_is_bounded(http_client) -> None:
    hits = http_client.get("/search", params={"q": "đối ngoại", "k": 100}).json()
    assert len(hits) <= 100
    assert len(http_client.get("/search", params={"q": "đối ngoại", "k": 2}).json()) == 2


@pytest.mark.parametrize("params, status, code", [
    ({"q": ""}, 400, "empty_query"),
    ({"q": "   \t"}, 400, "empty_query"),
    ({}, 422, "invalid_request"),
    ({"q": "x", "k": 0}, 422, "invalid_request"),
    ({"q": "x", "k": 101}, 422, "invalid_request"),
    ({"q": "x", "k": "many"}, 422, "invalid_request"),
    ({"q": "x", "role": "boss"}, 422, "invalid_request"),
    ({"q": "x", "mode": "magic"}, 422, "invalid_request"),
    ({"q": "x" * 501}, 422, "invalid_request"),
])
def test_search_bad_input(http_client, params: dict, status: int, code: str) -> None:
    _error(http_client.get("/search", params=params), status, code)


# -- citations ----------------------------------------------------------------------------

@pytest.mark.parametrize("ref", ["272-QĐ/TW", "Quyết định 272", "quyet dinh 272-QD/TW",
                                 "QĐ 272/TW"])
def test_cites_272_returns_exactly_the_three_plans(http_client, ref: str) -> None:
    response = http_client.get("/cites", params={"ref": ref})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["query"] == ref
    assert [r["number"] for r in body["resolved"]] == ["272-QĐ/TW"]
    assert len(body["plans"]) == 3
    assert _provinces(body["plans"]) == THREE_272
    for plan in body["plans"]:
        assert plan["mentions"], plan
        for mention in plan["mentions"]:
            assert "272" in mention["text"]
            assert 0 <= mention["start"] < mention["end"]


def test_cites_mentions_point_into_the_document_text(http_client) -> None:
    body = http_client.get("/cites", params={"ref": "272-QĐ/TW"}).json()
    plan = body["plans"][0]
    detail = http_client.get(f"/documents/{plan['id']}").json()
    for mention in plan["mentions"]:
        passage = detail["text"][mention["start"]:mention["end"]]
        assert "272" in passage


def test_cites_chi_thi_38_returns_four_plans(http_client) -> None:
    body = http_client.get("/cites", params={"ref": "Chỉ thị 38"}).json()
    assert len(body["plans"]) == 4


@pytest.mark.parametrize("ref, status", [("", 400), ("   ", 400), ("x" * 301, 422)])
def test_cites_bad_input(http_client, ref: str, status: int) -> None:
    _error(http_client.get("/cites", params={"ref": ref}), status)


def test_cites_unparseable_reference_is_a_clear_400(http_client) -> None:
    response = http_client.get("/cites", params={"ref": "!!! ???"})
    if response.status_code == 200:       # a store may answer "nothing cites that"
        assert response.json()["plans"] == []
    else:
        _error(response, 400, "bad_request")


# -- documents ----------------------------------------------------------------------------

def test_documents_lists_the_five_seed_plans(docs: list[dict]) -> None:
    ingested = [d for d in docs if d.get("source")]
    assert len(ingested) == 5
    assert all(d["id"].startswith("doc:") for d in docs)
    assert {fold(d["province"] or "") for d in ingested} == {
        "kien giang", "thua thien hue", "khanh hoa", "lai chau", "hau giang"}


def test_document_detail_has_text_and_valid_spans(http_client, docs: list[dict]) -> None:
    kg = _doc_of(docs, "kien giang")
    response = http_client.get(f"/documents/{kg['id']}")
    assert response.status_code == 200
    detail = response.json()
    assert detail["id"] == kg["id"]
    text = detail["text"]
    assert "Salavan" in text and detail["document"]["number"] == "64/KH-UBND"
    assert detail["tasks"] and detail["citations"]
    for task in detail["tasks"]:
        assert 0 <= task["start"] < task["end"] <= len(text)
    for citation in detail["citations"]:
        assert text[citation["start"]:citation["end"]] == citation["surface"]
    assert any(c["number"] == "272-QĐ/TW" for c in detail["citations"])


@pytest.mark.parametrize("doc_id", ["doc:does-not-exist-1999", "doc:kh-64-ubnd-kien-giang-1900",
                                    "agency:so-ngoai-vu:kien-giang"])
def test_unknown_document_is_404(http_client, doc_id: str) -> None:
    _error(http_client.get(f"/documents/{doc_id}"), 404, "not_found")


def test_documents_pagination_is_bounded(http_client, docs: list[dict]) -> None:
    page = http_client.get("/documents", params={"limit": 2, "offset": 1}).json()
    assert [d["id"] for d in page] == [d["id"] for d in docs[1:3]]
    _error(http_client.get("/documents", params={"limit": 0}), 422)
    _error(http_client.get("/documents", params={"limit": 100000}), 422)


# -- agencies -----------------------------------------------------------------------------

def test_agencies_for_border_ranks_border_guard_or_police_first(http_client) -> None:
    response = http_client.get("/agencies", params={"topic": "bien gioi"})
    assert response.status_code == 200
    ranks = response.json()
    assert ranks
    for rank in ranks:
        assert set(rank) >= {"agency", "kind", "province", "role", "score", "tasks"}
    top = " | ".join(fold(f"{r['agency']} {r['kind']}") for r in ranks[:3])
    assert "bien phong" in top or "cong an" in top, top
    # one score ranks everyone (a co-operating agency may outrank a lead); role says whether
    # the agency leads any evidence task
    scores = [r["score"] for r in ranks]
    assert scores == sorted(scores, reverse=True)
    assert all((r["role"] == "lead") == (r["lead_tasks"] > 0) for r in ranks)


def test_agencies_province_filter(http_client) -> None:
    ranks = http_client.get("/agencies", params={"topic": "biên giới",
                                                 "province": "Kiên Giang"}).json()
    assert all(fold(r["province"] or "kien giang") == "kien giang" for r in ranks)


def test_agencies_evidence_caps_the_listed_tasks_not_the_counts(http_client) -> None:
    every = http_client.get("/agencies", params={"topic": "biên giới", "evidence": 100}).json()
    top = every[0]
    assert top["evidence_total"] == top["lead_tasks"] + top["cooperate_tasks"] == \
        len(top["tasks"]) >= 3
    for cap in (0, 1, 2):
        capped = http_client.get("/agencies", params={"topic": "biên giới",
                                                      "evidence": cap}).json()
        assert [r["tasks"] for r in capped] == [r["tasks"][:cap] for r in every]
        assert [{k: v for k, v in r.items() if k != "tasks"} for r in capped] == \
            [{k: v for k, v in r.items() if k != "tasks"} for r in every]
    default = http_client.get("/agencies", params={"topic": "biên giới"}).json()
    assert [r["tasks"] for r in default] == [r["tasks"][:EVIDENCE_PER_AGENCY] for r in every]


@pytest.mark.parametrize("params, status", [({"topic": ""}, 400), ({}, 422),
                                            ({"topic": "x", "limit": 0}, 422),
                                            ({"topic": "x", "evidence": -1}, 422),
                                            ({"topic": "x", "evidence": MAX_EVIDENCE + 1}, 422),
                                            ({"topic": "x", "evidence": "many"}, 422)])
def test_agencies_bad_input(http_client, params: dict, status: int) -> None:
    _error(http_client.get("/agencies", params=params), status)


# -- graph --------------------------------------------------------------------------------

def _check_subgraph(body: dict) -> set[str]:
    ids = {n["id"] for n in body["nodes"]}
    assert len(ids) == len(body["nodes"])
    for edge in body["edges"]:
        assert edge["source"] in ids and edge["target"] in ids, edge
        assert edge["type"]
    return ids


def test_neighborhood_of_a_plan(http_client, docs: list[dict]) -> None:
    kg = _doc_of(docs, "kien giang")
    one = http_client.get("/graph/neighborhood", params={"node": kg["id"], "depth": 1}).json()
    ids = _check_subgraph(one)
    assert kg["id"] in ids and len(ids) > 5
    two = http_client.get("/graph/neighborhood", params={"node": kg["id"], "depth": 2}).json()
    assert _check_subgraph(two) >= ids and len(two["nodes"]) > len(one["nodes"])
    assert all(n["label"] for n in one["nodes"])


def test_neighborhood_of_a_cited_decree_reaches_its_three_plans(http_client) -> None:
    decree = http_client.get("/cites", params={"ref": "272-QĐ/TW"}).json()["resolved"][0]["id"]
    body = http_client.get("/graph/neighborhood", params={"node": decree, "depth": 1}).json()
    plans = {p["id"] for p in http_client.get("/cites", params={"ref": "272-QĐ/TW"}).json()["plans"]}
    assert plans <= _check_subgraph(body)


@pytest.mark.parametrize("params, status, code", [
    ({"node": "doc:nope-0000"}, 404, "not_found"),
    ({"node": "' OR 1=1 //"}, 404, "not_found"),
    ({"node": ""}, 400, "bad_request"),
    ({"node": "doc:x", "depth": 0}, 422, "invalid_request"),
    ({"node": "doc:x", "depth": 4}, 422, "invalid_request"),
    ({}, 422, "invalid_request"),
])
def test_neighborhood_bad_input(http_client, params: dict, status: int, code: str) -> None:
    _error(http_client.get("/graph/neighborhood", params=params), status, code)


def test_path_from_kien_giang_to_salavan(http_client) -> None:
    response = http_client.get("/graph/path", params={"from": "province:kien-giang",
                                                      "to": "locality:salavan"})
    assert response.status_code == 200, response.text
    body = response.json()
    ids = _check_subgraph(body)
    assert {"province:kien-giang", "locality:salavan"} <= ids


@pytest.mark.parametrize("params, status", [
    ({"from": "province:kien-giang", "to": "locality:atlantis"}, 404),
    ({"from": "", "to": "locality:salavan"}, 400),
    ({"from": "province:kien-giang"}, 422),
])
def test_path_bad_input(http_client, params: dict, status: int) -> None:
    _error(http_client.get("/graph/path", params=params), status)


def test_stats(http_client) -> None:
    response = http_client.get("/stats")
    assert response.status_code == 200
    text = json.dumps(response.json(), ensure_ascii=False)
    assert "272-QĐ/TW" in text or "qd-272-tw" in text


def test_vocab_comes_from_the_ontology_enums(http_client) -> None:
    from vbgraph.ontology.vocab import EdgeType, NodeLabel, Role

    body = http_client.get("/vocab").json()
    assert set(body["node_labels"]) == {label.value for label in NodeLabel}
    assert set(body["edges"].values()) == {edge.value for edge in EdgeType}
    assert set(body["roles"].values()) == {role.value for role in Role}


# -- RDF ----------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt, rdf_format, media", [("ttl", "turtle", "text/turtle"),
                                                    ("jsonld", "json-ld", "application/ld+json")])
def test_export_parses_as_rdf(http_client, fmt: str, rdf_format: str, media: str) -> None:
    response = http_client.get("/export", params={"format": fmt})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    graph = rdflib.Graph().parse(data=response.content, format=rdf_format)
    assert len(graph) > 100


def test_export_unknown_format_is_422(http_client) -> None:
    _error(http_client.get("/export", params={"format": "xml"}), 422, "invalid_request")


SELECT_TASKS = """
PREFIX vb: <https://w3id.org/vbgraph/ontology#>
SELECT (COUNT(?t) AS ?n) WHERE { ?t a vb:Task }
"""


def test_sparql_select(http_client) -> None:
    for kwargs in ({"json": {"query": SELECT_TASKS}},
                   {"content": SELECT_TASKS.encode(),
                    "headers": {"content-type": "application/sparql-query"}}):
        response = http_client.post("/sparql", **kwargs)
        assert response.status_code == 200, response.text
        assert re.search(r'"[1-9][0-9]*"|: ?[1-9][0-9]*', response.text), response.text
