"""Crash safety (issue #6): real ``vbgraph ingest`` subprocesses SIGKILLed at random points and
at every commit checkpoint; after each kill the store opens, every document is in its old or
its new state, and the task index and the graph agree. Disk full (a real tmpfs when this
process may mount one, else simulated at the write call) gives a clear error and the old state."""
from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import time
import sys
from pathlib import Path

import pytest


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check_store(data_dir: Path, expect: dict[str, set[str | None]]) -> dict[str, str]:
    """Open the store; each source in its old or new state; index and graph agree."""
    from vbgraph.api.service import Workspace

    with Workspace(data_dir, index=False) as ws:
        manifest = ws.manifest()
        hashes = ws.graph.source_hashes()
        task_ids = {n["id"] for n in ws.graph.iter_nodes() if n.get("kind") == "Task"}
        doc_ids = {d["id"] for d in ws.documents()}
    for source, allowed in expect.items():
        assert hashes.get(source) in allowed, (source, hashes.get(source), allowed)
    if manifest.get("index"):
        from vbgraph.search.index import TaskIndex

        index = TaskIndex.load(data_dir / manifest["index"])
        assert index.task_ids() == task_ids
        assert index.document_ids() <= doc_ids
    # nothing but the named generation (and leftovers the next writer removes) is read
    assert (data_dir / manifest["graph"]).exists() if manifest.get("graph") else True
    return hashes


def _spawn_ingest(data_dir: Path, paths: list[Path], *, index: bool,
                  env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    args = [sys.executable, "-m", "vbgraph.api", "ingest", *map(str, paths),
            "--data-dir", str(data_dir)]
    if not index:
        args.append("--no-index")
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})


def _corpus(folder: Path, helpers, round_: int) -> list[Path]:
    """Three small plans; each round changes one of them and adds cited decisions to it."""
    folder.mkdir(exist_ok=True)
    paths = []
    for i, key in enumerate(("quang_ninh", "lao_cai", "an_giang")):
        extra = "".join(f"{j}. Thực hiện Quyết định số {j}/QĐ-UBND ngày 01/01/2020 của UBND tỉnh.\n"
                        for j in range(1, 2 + (round_ * 37 + i * 11) % 400))
        if (round_ + i) % 3:
            extra = ""
        path = folder / f"{key}.txt"
        path.write_text(helpers.plan_text(key, 10 + i, extra), encoding="utf-8")
        paths.append(path)
    return paths


@pytest.mark.slow
def test_sigkill_at_random_points_keeps_old_or_new_state(tmp_path, rel_helpers):
    rng = random.Random(6)
    data_dir = tmp_path / "data"
    folder = tmp_path / "docs"
    committed: dict[str, str | None] = {}
    outcomes = {"killed": 0, "finished": 0}
    # kill times are drawn relative to how long one whole ingest takes on this machine now
    # (start-up included), so the loop interrupts writers whatever the machine's speed
    started = time.monotonic()
    calib = _spawn_ingest(tmp_path / "calibration", _corpus(tmp_path / "calib-docs", rel_helpers, 0),
                          index=False)
    calib.communicate(timeout=300)
    full_run = time.monotonic() - started
    for round_ in range(15):
        paths = _corpus(folder, rel_helpers, round_)
        new = {str(p.resolve()): _sha(p) for p in paths}
        proc = _spawn_ingest(data_dir, paths, index=False)
        delay = rng.uniform(0.1, 0.9) * full_run
        try:
            proc.wait(timeout=delay)
            outcomes["finished"] += 1
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            outcomes["killed"] += 1
        expect = {s: {committed.get(s), new[s]} for s in new}
        hashes = _check_store(data_dir, expect) if (data_dir / "manifest.json").exists() else {}
        committed = {s: hashes.get(s) for s in new}
    # the final state is complete after one clean run, leftovers of killed writers removed
    proc = _spawn_ingest(data_dir, paths, index=False)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    hashes = _check_store(data_dir, {s: {h} for s, h in new.items()})
    assert set(new) <= set(hashes)
    assert not [p.name for p in data_dir.iterdir() if p.name.endswith(".tmp")]
    assert len([p for p in data_dir.iterdir() if p.name.startswith("graph-")]) == 1
    assert outcomes["killed"] >= 5, outcomes  # the loop really interrupted writers


@pytest.mark.slow
@pytest.mark.parametrize("checkpoint", ["after-graph", "after-index", "before-manifest",
                                        "after-manifest"])
def test_sigkill_at_each_commit_checkpoint_with_index(checkpoint, tmp_path, rel_helpers):
    """With the search index: killed at each step of the commit, the store holds the old
    generation (or, after the manifest swap, the new one) and index == graph."""
    data_dir = tmp_path / "data"
    folder = tmp_path / "docs"
    first = _corpus(folder, rel_helpers, 0)[:1]
    proc = _spawn_ingest(data_dir, first, index=True)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    old = {str(p.resolve()): _sha(p) for p in first}
    second = folder / "lao_cai.txt"
    proc = _spawn_ingest(data_dir, [*first, second], index=True,
                         env={"VBGRAPH_FAULT_AT": checkpoint})
    proc.communicate(timeout=600)
    assert proc.returncode == -signal.SIGKILL
    new_source = str(second.resolve())
    after_swap = checkpoint == "after-manifest"
    hashes = _check_store(data_dir, {**{s: {h} for s, h in old.items()},
                                     new_source: {_sha(second)} if after_swap else {None}})
    assert (new_source in hashes) is after_swap
    manifest = json.loads((data_dir / "manifest.json").read_text())
    assert manifest["generation"] == (2 if after_swap else 1) and manifest["index"]


@pytest.mark.slow
def test_index_run_after_no_index_run_indexes_every_document(tmp_path, rel_helpers):
    data_dir = tmp_path / "data"
    paths = _corpus(tmp_path / "docs", rel_helpers, 0)
    for chunk, index in ((paths[:1], False), (paths[1:2], True)):
        proc = _spawn_ingest(data_dir, chunk, index=index)
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
    _check_store(data_dir, {})


# -- disk full ---------------------------------------------------------------------------

def _enospc(*_a, **_k):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("where", ["os.replace", "gzip.open"])
def test_disk_full_at_the_write_call_keeps_the_old_state(where, tmp_path, rel_data_dir,
                                                         rel_helpers, monkeypatch):
    from vbgraph.api.service import Workspace

    new = tmp_path / "in" / "lao_cai.txt"
    new.parent.mkdir()
    new.write_text(rel_helpers.plan_text("lao_cai", 4), encoding="utf-8")
    before = rel_helpers.snapshot(rel_data_dir)
    module, _, name = where.rpartition(".")
    monkeypatch.setattr(__import__(module), name, _enospc)
    with Workspace(rel_data_dir, index=False) as ws:
        with pytest.raises(OSError) as info:
            ws.ingest([new])
    assert info.value.errno == errno.ENOSPC
    monkeypatch.undo()
    after = rel_helpers.snapshot(rel_data_dir)
    assert after["manifest"] == before["manifest"] and after["counts"] == before["counts"]
    assert after["documents"] == before["documents"]
    # the next write succeeds and removes what the failed one left
    with Workspace(rel_data_dir, index=False) as ws:
        report = ws.ingest([new])
    assert report.added and report.generation == before["manifest"]["generation"] + 1
    assert not [p for p in rel_data_dir.iterdir() if p.name.endswith(".tmp")]


@pytest.fixture()
def small_tmpfs(tmp_path):
    mount = tmp_path / "tmpfs"
    mount.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("needs root to mount a tmpfs")
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _fill(mount: Path, leave: int) -> Path:
    filler = mount / "filler"
    free = shutil.disk_usage(mount).free
    with open(filler, "wb") as fh:
        fh.write(b"\0" * max(0, free - leave))
    return filler


def test_disk_full_on_a_real_tmpfs_keeps_the_old_state(small_tmpfs, tmp_path, rel_helpers):
    from vbgraph.api.service import Workspace

    data_dir = small_tmpfs / "data"
    docs = tmp_path / "docs"
    docs.mkdir()
    first, big = docs / "quang_ninh.txt", docs / "lao_cai.txt"
    first.write_text(rel_helpers.plan_text(), encoding="utf-8")
    cites = "".join(f"{j}. Thực hiện Quyết định số {j}/QĐ-UBND ngày 01/01/2020 của UBND tỉnh.\n"
                    for j in range(1, 3000))
    big.write_text(rel_helpers.plan_text("lao_cai", 5, cites), encoding="utf-8")
    with Workspace(data_dir, index=False) as ws:
        assert ws.ingest([first]).added
    before = rel_helpers.snapshot(data_dir)
    filler = _fill(small_tmpfs, leave=48 * 1024)
    proc = rel_helpers.run_cli("ingest", str(first), str(big), "--no-index",
                               "--data-dir", str(data_dir))
    assert proc.returncode != 0
    assert "No space left on device" in proc.stderr
    after = rel_helpers.snapshot(data_dir)
    assert after["manifest"] == before["manifest"] and after["counts"] == before["counts"]
    filler.unlink()
    with Workspace(data_dir, index=False) as ws:
        report = ws.ingest([first, big])
    assert len(report.added) == 1 and not report.failed
    assert not [p for p in data_dir.iterdir() if p.name.endswith(".tmp")]


def test_disk_full_cli_message_is_one_line(small_tmpfs, tmp_path, rel_helpers):
    data_dir = small_tmpfs / "data"
    doc = tmp_path / "p.txt"
    doc.write_text(rel_helpers.plan_text(), encoding="utf-8")
    _fill(small_tmpfs, leave=4 * 1024)
    proc = rel_helpers.run_cli("ingest", str(doc), "--no-index", "--data-dir", str(data_dir))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("vbgraph ingest:") and "No space left" in proc.stderr
