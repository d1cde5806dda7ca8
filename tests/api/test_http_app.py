"""App-level HTTP concerns that need no data: the serve command, CORS, logging, error bodies."""
from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from vbgraph.api.cli import build_parser
from vbgraph.api.http import create_app


def test_serve_command_options(tmp_path) -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.data_dir, args.store) == ("127.0.0.1", 8000, None, None)
    args = build_parser().parse_args([
        "serve", "--host", "0.0.0.0", "--port", "9001", "--data-dir", str(tmp_path),
        "--store", "neo4j", "--cors-origin", "http://localhost:3000", "--max-upload-mb", "5"])
    assert (args.host, args.port, args.data_dir, args.store) == ("0.0.0.0", 9001, tmp_path, "neo4j")
    assert args.cors_origin == ["http://localhost:3000"] and args.max_upload_mb == 5
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--store", "sqlite"])


def test_app_creation_does_not_open_the_workspace(tmp_path) -> None:
    opened = []
    app = create_app(lambda: opened.append(1) or object())
    with TestClient(app) as client:
        assert client.get("/vocab").status_code == 200
        assert client.get("/").status_code == 200
    assert opened == []
    assert not (tmp_path / "never").exists()
    create_app(tmp_path / "never")
    assert not (tmp_path / "never").exists()


def test_cors_is_off_by_default_and_opt_in(tmp_path) -> None:
    headers = {"Origin": "http://evil.example", "Access-Control-Request-Method": "GET"}
    with TestClient(create_app(tmp_path)) as client:
        response = client.get("/vocab", headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in response.headers
        assert "access-control-allow-origin" not in client.options("/vocab", headers=headers).headers
    app = create_app(tmp_path, cors_origins=["http://localhost:3000"])
    with TestClient(app) as client:
        ok = client.get("/vocab", headers={"Origin": "http://localhost:3000"})
        assert ok.headers["access-control-allow-origin"] == "http://localhost:3000"
        other = client.get("/vocab", headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_requests_are_logged(tmp_path, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="vbgraph.api.http"), \
            TestClient(create_app(tmp_path)) as client:
        client.get("/vocab", headers={"Authorization": "Bearer secret-value"})
        client.get("/missing")
    lines = [r.getMessage() for r in caplog.records if r.name == "vbgraph.api.http"]
    assert any(line.startswith("GET /vocab -> 200") for line in lines), lines
    assert any(line.startswith("GET /missing -> 404") for line in lines), lines
    assert not any("secret-value" in line for line in lines)


class _Broken:
    """A workspace whose calls fail in the ways a real one can."""

    data_dir = None

    def stats(self):
        raise RuntimeError("disk on fire")

    def neighborhood(self, node, depth):
        raise KeyError(node)

    def cites(self, ref):
        raise ValueError(f"cannot read the reference {ref!r}")


def test_service_errors_map_to_clear_status_codes() -> None:
    with TestClient(create_app(_Broken()), raise_server_exceptions=False) as client:
        response = client.get("/stats")
        assert response.status_code == 500
        assert response.json()["error"]["code"] == "internal_error"
        assert "disk on fire" not in response.text              # no internals leak
        response = client.get("/graph/neighborhood", params={"node": "doc:x"})
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
        response = client.get("/cites", params={"ref": "???"})
        assert response.status_code == 400
        assert "???" in response.json()["error"]["message"]
        # a method the workspace lacks is a clear 501, not a crash
        response = client.get("/agencies", params={"topic": "biên giới"})
        assert response.status_code == 501
        assert response.json()["error"]["code"] == "not_implemented"
        assert client.get("/vocab").status_code == 200          # still serving


def test_unopenable_data_dir_is_a_503(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")

    def factory():
        raise OSError(f"cannot create {blocker / 'data'}")

    with TestClient(create_app(factory), raise_server_exceptions=False) as client:
        response = client.get("/stats")
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "workspace_unavailable"


def test_openapi_docs_are_served_offline_from_vendored_assets(tmp_path) -> None:
    client = TestClient(create_app(tmp_path / "ws"))
    page = client.get("/docs")
    assert page.status_code == 200
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page.text
    assert "cdn.jsdelivr" not in page.text and "unpkg" not in page.text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        response = client.get(f"/static/vendor/swagger-ui/{asset}")
        assert response.status_code == 200 and len(response.content) > 10_000
    assert client.get("/openapi.json").json()["info"]["title"] == "vbgraph"
