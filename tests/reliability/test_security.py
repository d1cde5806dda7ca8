"""Security (issue #6): injection strings through every user-facing parameter (HTTP and CLI)
are data; SPARQL is read-only; writes need the token (constant-time comparison); upload size,
request rate and result sizes are bounded."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

#: the injection table, shared with test_security_neo4j.py
_TABLE = json.loads((Path(__file__).parent / "data" / "injections.json").read_text(encoding="utf-8"))
INJECTIONS: list[str] = _TABLE["strings"]
READ_ENDPOINTS = [tuple(e) for e in _TABLE["read_endpoints"]]  # (path, user-text params, fixed)


def _state(client) -> tuple:
    stats = client.get("/stats").json()
    return stats.get("nodes"), stats.get("edges"), stats.get("generation")


@pytest.mark.parametrize("path,params,fixed", READ_ENDPOINTS, ids=[e[0] for e in READ_ENDPOINTS])
def test_http_injection_strings_are_data(path, params, fixed, rel_indexed_client, rel_helpers):
    data_dir, client = rel_indexed_client
    before = rel_helpers.snapshot(data_dir)
    state = _state(client)
    for name, value, url, query in rel_helpers.injection_requests(path, params, fixed, INJECTIONS):
        r = client.get(url, params=query)
        assert r.status_code in (200, 400, 404), (url, name, value, r.status_code, r.text)
        assert r.headers["content-type"].startswith("application/json")
        if r.status_code == 200 and path == "/search":
            assert all(h["task_id"].startswith("doc:") for h in r.json())
    assert _state(client) == state
    assert rel_helpers.snapshot(data_dir) == before


def test_sparql_injections_in_literals_are_data(rel_indexed_client):
    _, client = rel_indexed_client
    state = _state(client)
    for value in INJECTIONS:
        literal = json.dumps(value)  # a correctly escaped SPARQL string literal
        q = f"SELECT ?n WHERE {{ ?n ?p ?o . FILTER(STR(?o) = {literal}) }}"
        r = client.post("/sparql", json={"query": q})
        assert r.status_code in (200, 400), (value, r.text)
        if r.status_code == 200:
            assert r.json()["rows"] == []
    assert _state(client) == state


@pytest.mark.parametrize("query", [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "insert data { <urn:a> <urn:b> 'x' }",
    "DELETE WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/evil.ttl>",
    "CLEAR ALL", "DROP ALL", "CREATE GRAPH <urn:g>", "COPY DEFAULT TO <urn:g>",
    "MOVE DEFAULT TO <urn:g>", "ADD DEFAULT TO <urn:g>",
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o } ; INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "INSERT#comment\nDATA { <urn:a> <urn:b> <urn:c> }",
    "PREFIX x: <urn:x> INS\\u0045RT DATA { <urn:a> <urn:b> <urn:c> }",
])
def test_sparql_is_read_only(query, rel_indexed_client):
    _, client = rel_indexed_client
    state = _state(client)
    for send in ({"json": {"query": query}},
                 {"content": query.encode(), "headers": {"content-type": "application/sparql-query"}}):
        r = client.post("/sparql", **send)
        assert r.status_code == 400, (query, r.status_code, r.text)
        assert r.json()["error"]["code"] == "bad_query"
    assert _state(client) == state


@pytest.mark.parametrize("template", [
    "SELECT * FROM <http://127.0.0.1:{port}/remote.ttl> WHERE {{ ?s ?p ?o }} LIMIT 3",
    "SELECT * FROM NAMED <http://127.0.0.1:{port}/g.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "DESCRIBE <http://127.0.0.1:{port}/x>",
])
def test_sparql_never_fetches_remote_graphs(template, rel_indexed_client):
    """FROM / FROM NAMED / DESCRIBE of a URL: answered from the local graph or refused, and
    the server never connects out (a listening socket records any connection)."""
    import socket

    _, client = rel_indexed_client
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(0.5)
        port = listener.getsockname()[1]
        r = client.post("/sparql", json={"query": template.format(port=port)})
        assert r.status_code in (200, 400), r.text
        with pytest.raises(socket.timeout):
            listener.accept()


def test_sparql_select_still_works_and_rows_are_bounded(rel_indexed_client, monkeypatch):
    from vbgraph.api import http

    _, client = rel_indexed_client
    r = client.post("/sparql", json={"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 5"})
    assert r.status_code == 200 and len(r.json()["rows"]) == 5
    rows = [{"s": str(i)} for i in range(50)]
    bounded = http._bound_sparql({"type": "SELECT", "vars": ["s"], "rows": rows}, max_rows=10)
    assert len(bounded["rows"]) == 10 and bounded["truncated"] is True
    assert http._bound_sparql({"type": "ASK", "boolean": True}, max_rows=1) == {
        "type": "ASK", "boolean": True}


@pytest.mark.parametrize("argv", [
    ["cites", "{v}"], ["cited-by", "{v}"], ["graph", "{v}"], ["path", "{v}", "Quảng Ninh"],
    ["agencies", "{v}", "--no-semantic"], ["agencies", "đối ngoại", "--province", "{v}",
                                           "--no-semantic"],
    ["chain", "{v}"],
])
def test_cli_injection_strings_are_data(argv, rel_data_dir, rel_helpers, capsys):
    from vbgraph.api.cli import main

    before = rel_helpers.snapshot(rel_data_dir)
    for value in INJECTIONS:
        args = [a.replace("{v}", value) for a in argv] + ["--data-dir", str(rel_data_dir), "--json"]
        code = main(args)
        out, err = capsys.readouterr()
        assert code in (0, 1, 2), (args, code)
        assert "Traceback" not in err
        if code == 0:
            json.loads(out)
    assert rel_helpers.snapshot(rel_data_dir) == before


@pytest.mark.parametrize("query", ["DROP ALL", "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                                   "LOAD <http://127.0.0.1:9/x.ttl>"])
def test_cli_sparql_is_read_only(query, rel_data_dir, rel_helpers, capsys):
    from vbgraph.api.cli import main

    before = rel_helpers.snapshot(rel_data_dir)
    assert main(["sparql", query, "--data-dir", str(rel_data_dir)]) != 0
    assert "not allowed" in capsys.readouterr().err
    assert rel_helpers.snapshot(rel_data_dir) == before


# -- token -----------------------------------------------------------------------------------

def test_writes_need_the_token(rel_client, rel_helpers):
    data_dir, client = rel_client
    before = rel_helpers.snapshot(data_dir)
    files = {"file": ("k.txt", rel_helpers.plan_text("lao_cai", 3).encode())}
    cases = [
        ({}, 401, "missing_token"),
        ({"Authorization": "Bearer "}, 401, "missing_token"),
        ({"Authorization": "Basic " + rel_helpers.TOKEN}, 401, "missing_token"),
        ({"Authorization": "Bearer wrong"}, 401, "invalid_token"),
        ({"Authorization": "Bearer " + rel_helpers.TOKEN[:-1]}, 401, "invalid_token"),
        ({"Authorization": "Bearer " + rel_helpers.TOKEN + "x"}, 401, "invalid_token"),
        ({"X-API-Token": rel_helpers.TOKEN.upper()}, 401, "invalid_token"),
    ]
    for headers, status, code in cases:
        r = client.post("/documents", headers=headers, files=files)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), headers
        assert r.headers.get("www-authenticate") == "Bearer"
    r = client.post(f"/documents?token={rel_helpers.TOKEN}", files=files)
    assert r.status_code == 401          # a token in the URL (logged, cached) is not accepted
    assert rel_helpers.snapshot(data_dir) == before
    r = client.post("/documents", headers={"X-API-Token": rel_helpers.TOKEN}, files=files)
    assert r.status_code == 201, r.text


def test_token_comparison_is_constant_time(rel_client, rel_helpers, monkeypatch):
    from vbgraph.api import http

    calls = []
    real = http.hmac.compare_digest

    def spy(a, b):
        calls.append((type(a), type(b)))
        return real(a, b)

    monkeypatch.setattr(http.hmac, "compare_digest", spy)
    _, client = rel_client
    client.post("/documents", headers={"Authorization": "Bearer nope"},
                files={"file": ("k.txt", b"x")})
    assert calls == [(bytes, bytes)]


def test_without_a_configured_token_writes_are_disabled(rel_data_dir, rel_helpers):
    from fastapi.testclient import TestClient
    from vbgraph.api.http import create_app

    with TestClient(create_app(rel_data_dir, index=False, token="", rate_limit=None)) as client:
        r = client.post("/documents", headers={"Authorization": "Bearer "},
                        files={"file": ("k.txt", rel_helpers.plan_text().encode())})
        assert r.status_code == 403 and r.json()["error"]["code"] == "writes_disabled"


def test_declared_oversize_body_is_refused_before_reading(rel_client, rel_helpers):
    data_dir, client = rel_client
    before = rel_helpers.snapshot(data_dir)
    r = client.post("/documents", headers={**rel_helpers.auth(),
                                           "content-type": "multipart/form-data; boundary=x",
                                           "content-length": str(10 * 1024 ** 3)}, content=b"--x--")
    assert r.status_code == 413
    assert rel_helpers.snapshot(data_dir) == before


# -- bounds ----------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "/search?q=a&k=101", "/search?q=a&k=0", "/graph/neighborhood?node=x&depth=4",
    "/documents?limit=1001", "/documents?offset=-1", "/agencies?topic=a&limit=501",
    "/agencies?topic=a&offset=-1",
    "/search?q=" + "a" * 501, "/cites?ref=" + "1" * 301, "/search?q=a&year=99999",
])
def test_result_and_parameter_bounds(url, rel_indexed_client):
    _, client = rel_indexed_client
    r = client.get(url)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request", r.text


def test_sparql_query_size_is_bounded(rel_indexed_client):
    _, client = rel_indexed_client
    q = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 20_001
    r = client.post("/sparql", content=q.encode(), headers={"content-type": "application/sparql-query"})
    assert r.status_code == 413


# -- request rate ----------------------------------------------------------------------------

def test_rate_limit_429_with_retry_after_per_client(rel_data_dir):
    from fastapi.testclient import TestClient
    from vbgraph.api.http import RateLimit, create_app

    app = create_app(rel_data_dir, index=False, token="t", rate_limit=RateLimit(rate=0.5, burst=3))
    with TestClient(app, client=("10.0.0.1", 1)) as a, TestClient(app, client=("10.0.0.2", 1)) as b:
        codes = [a.get("/vocab").status_code for _ in range(5)]
        assert codes == [200, 200, 200, 429, 429]
        r = a.get("/vocab")
        assert r.json()["error"]["code"] == "too_many_requests"
        assert int(r.headers["retry-after"]) >= 1
        assert b.get("/vocab").status_code == 200       # another client has its own bucket


def test_rate_limit_from_env(rel_data_dir, monkeypatch):
    from fastapi.testclient import TestClient
    from vbgraph.api.http import RateLimit, create_app

    monkeypatch.setenv("VBGRAPH_API_RATE", "1/2")
    with TestClient(create_app(rel_data_dir, index=False)) as c:
        assert [c.get("/vocab").status_code for _ in range(3)] == [200, 200, 429]
    monkeypatch.setenv("VBGRAPH_API_RATE", "off")
    with TestClient(create_app(rel_data_dir, index=False)) as c:
        assert {c.get("/vocab").status_code for _ in range(300)} == {200}
    assert RateLimit.parse("20") == RateLimit(20.0, 100)
    with pytest.raises(ValueError):
        RateLimit.parse("fast")
    with pytest.raises(ValueError):
        RateLimit(0, 1)


@settings(max_examples=200)
@given(st.floats(0.1, 50), st.integers(1, 20),
       st.lists(st.floats(0, 5, allow_nan=False), min_size=1, max_size=200))
def test_token_bucket_never_admits_more_than_burst_plus_rate(rate, burst, gaps):
    from vbgraph.api.http import RateLimit, TokenBuckets

    now = [0.0]
    buckets = TokenBuckets(RateLimit(rate, burst), clock=lambda: now[0])
    admitted = 0
    for gap in gaps:
        now[0] += gap
        wait = buckets.take("c")
        assert wait >= 0
        if wait == 0:
            admitted += 1
        else:
            assert wait <= 1 / rate + 1e-9
    assert admitted <= burst + rate * now[0] + 1e-6
    assert admitted >= min(len(gaps), burst) or now[0] > 0


def test_token_bucket_memory_is_bounded():
    from vbgraph.api.http import RateLimit, TokenBuckets

    b = TokenBuckets(RateLimit(1, 1), clock=lambda: 0.0, max_clients=100)
    for i in range(1000):
        b.take(f"c{i}")
    assert len(b._buckets) == 100
