"""Bounded load test of the HTTP API (issue #6): the same readers with and without a writer.

    python bench/load_api.py [--connections 8] [--duration 30] [--rounds 2] [--think-ms 400]
                             [--out FILE]

All on loopback:
1. builds a data dir (graph + search index) from the seed corpus in a temp folder;
2. starts ``uvicorn`` on 127.0.0.1 with the write token and the rate limit off (uploads are
   ingested by a child process of the server, see ``api/service.py``);
3. **idle**: ``/search`` alone, one connection, closed loop, ``--idle`` seconds;
4. ``--rounds`` times, back to back, two phases of ``--duration`` seconds with the *same* reader
   load: **readers only**, then **readers + writer**. Readers are ``wrk`` (Debian:
   ``apt-get install wrk``) with ``bench/data/load_mixed.lua``: ``--connections`` connections
   of mixed ``/search``, ``/cites`` and ``/graph/neighborhood`` plus a one-connection
   ``/search`` probe, each connection pausing ``--think-ms`` (probe: half of it) between
   requests, so the offered rate is bounded below saturation (``--think-ms 0`` gives wrk's
   saturating closed loop: then queueing, not the writer, dominates latency); a checker thread
   reads ``/documents`` and ``/documents/{id}`` in both phases: every listed document must be
   complete (its task count is what its file extracts to). In the writer phase a writer thread
   uploads generated plans (``POST /documents``) one after another for the whole phase and
   reads each one back at once (read-your-writes);
5. prints (and writes to ``--out``) every phase's throughput, p50/p95/p99, errors, and the
   ratios of the probe's p95 ``/search``: writer phase / readers-only phase (the writer's
   cost), and writer phase / idle.

The machine is shared: numbers are as measured, under whatever else runs.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SEEDS = Path(os.environ.get("VBGRAPH_SEEDS", REPO.parent / "shared" / "seeds"))
LUA = Path(__file__).resolve().parent / "data" / "load_mixed.lua"
TOKEN = "load-test-token"

PLAN = """ỦY BAN NHÂN DÂN
TỈNH {upper}
Số: {number}/KH-UBND
{name}, ngày 10 tháng 3 năm 2021
KẾ HOẠCH
Công tác đối ngoại năm 2021
Căn cứ Quyết định số 272-QĐ/TW ngày 21/01/2015 của Bộ Chính trị; Nghị định số 12/2012/NĐ-CP ngày 01/3/2012 của Chính phủ;
I. NHIỆM VỤ
1. Sở Ngoại vụ chủ trì, phối hợp với Sở Công Thương tổ chức đoàn công tác sang Lào.
2. Công an tỉnh phối hợp với Bộ đội Biên phòng tỉnh quản lý người nước ngoài trên địa bàn.
3. Sở Văn hóa, Thể thao và Du lịch chủ trì quảng bá du lịch tại Hàn Quốc.
II. TỔ CHỨC THỰC HIỆN
Sở Ngoại vụ theo dõi, đôn đốc việc thực hiện Kế hoạch này.
"""
PROVINCES = [("Quảng Ninh", "QUẢNG NINH"), ("Lào Cai", "LÀO CAI"), ("An Giang", "AN GIANG"),
             ("Hà Giang", "HÀ GIANG"), ("Điện Biên", "ĐIỆN BIÊN"), ("Cao Bằng", "CAO BẰNG")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(base: str, path: str, timeout: float = 30) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(base + path, timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, None


def _post_file(base: str, name: str, data: bytes) -> tuple[int, Any]:
    boundary = "----vbgraphload"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            f"Content-Type: text/plain\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    req = urllib.request.Request(base + "/documents", data=body, method="POST", headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Authorization": f"Bearer {TOKEN}"})
    try:
        with urllib.request.urlopen(req, timeout=600) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def _wrk(base: str, connections: int, duration: int, threads: int, paths: str,
         think_ms: int = 0) -> dict[str, Any]:
    env = {**os.environ, "VBGRAPH_LOAD_PATHS": paths, "VBGRAPH_LOAD_DELAY_MS": str(think_ms)}
    proc = subprocess.run(["wrk", "-t", str(min(threads, connections)), "-c", str(connections),
                           "-d", f"{duration}s", "--timeout", "30s", "-s", str(LUA), base],
                          capture_output=True, text=True, env=env, timeout=duration + 120,
                          check=False)
    for line in proc.stdout.splitlines():
        if line.startswith("JSON "):
            return json.loads(line[5:])
    raise RuntimeError(f"wrk gave no summary: {proc.stdout}\n{proc.stderr}")


def _plan(i: int) -> tuple[str, bytes]:
    name, upper = PROVINCES[i % len(PROVINCES)]
    return f"load_{i}.txt", PLAN.format(name=name, upper=upper, number=100 + i).encode()


class _Checker(threading.Thread):
    """Reads the document list and every generated document, over and over: each must be
    complete (no half-ingested read)."""

    def __init__(self, base: str, expected_tasks: dict[str, int]) -> None:
        super().__init__(daemon=True)
        self.base, self.expected = base, expected_tasks
        self.stop = threading.Event()
        self.result: dict[str, Any] = {"reads": 0, "documents_seen": 0, "half_ingested": [],
                                       "errors": 0}

    def run(self) -> None:
        r = self.result
        while not self.stop.is_set():
            status, docs = _get(self.base, "/documents")
            r["reads"] += 1
            if status != 200:
                r["errors"] += 1
                continue
            for d in docs:
                if d["id"] not in self.expected:
                    continue
                status, detail = _get(self.base,
                                      "/documents/" + urllib.parse.quote(d["id"], safe=""))
                r["reads"] += 1
                if status != 200:
                    r["errors"] += 1
                    continue
                r["documents_seen"] += 1
                if len(detail["tasks"]) != self.expected[d["id"]]:
                    r["half_ingested"].append((d["id"], len(detail["tasks"])))
            time.sleep(0.2)


class _Writer(threading.Thread):
    """Uploads generated plans one after another until stopped; reads each back at once."""

    def __init__(self, base: str, uploads: list[tuple[str, bytes]], ids: list[str]) -> None:
        super().__init__(daemon=True)
        self.base, self.uploads, self.ids = base, uploads, ids
        self.stop = threading.Event()
        self.result: dict[str, Any] = {"ok": 0, "errors": [], "not_read_back": [],
                                       "upload_s": []}

    def run(self) -> None:
        for (name, data), doc_id in zip(self.uploads, self.ids):
            if self.stop.is_set():
                break
            t0 = time.perf_counter()
            status, body = _post_file(self.base, name, data)
            self.result["upload_s"].append(round(time.perf_counter() - t0, 2))
            if status != 201:
                self.result["errors"].append((status, str(body)[:200]))
                continue
            self.result["ok"] += 1
            status, _ = _get(self.base, "/documents/" + urllib.parse.quote(doc_id, safe=""))
            if status != 200:
                self.result["not_read_back"].append((doc_id, status))


def _phase(base: str, args: argparse.Namespace, checker_expected: dict[str, int],
           writer: _Writer | None) -> dict[str, Any]:
    checker = _Checker(base, checker_expected)
    checker.start()
    if writer is not None:
        writer.start()
    probe: dict[str, Any] = {}
    prober = threading.Thread(target=lambda: probe.update(
        _wrk(base, 1, args.duration, 1, "search", args.think_ms // 2)))
    prober.start()
    mixed = _wrk(base, args.connections, args.duration, args.threads, "mixed", args.think_ms)
    prober.join()
    checker.stop.set()
    out: dict[str, Any] = {"mixed": mixed, "search_probe": probe}
    if writer is not None:
        writer.stop.set()
        writer.join(timeout=900)
        out["writer"] = writer.result
    checker.join(timeout=120)
    out["checker"] = checker.result
    return out


def _ratio(a: dict[str, Any], b: dict[str, Any]) -> float | None:
    return round(a["p95_ms"] / b["p95_ms"], 2) if a.get("p95_ms") and b.get("p95_ms") else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--duration", type=int, default=30, help="seconds of each phase")
    ap.add_argument("--rounds", type=int, default=2,
                    help="readers-only / readers+writer pairs, back to back")
    ap.add_argument("--think-ms", type=int, default=400,
                    help="pause per connection between requests (0: saturating closed loop)")
    ap.add_argument("--idle", type=int, default=10, help="seconds of idle /search measurement")
    ap.add_argument("--uploads", type=int, default=40, help="most documents the writer uploads")
    ap.add_argument("--ingest", default="child",
                    help="how the server ingests uploads: child (a child process, the default), "
                         "in-process (the threadpool, as before), or both: child,in-process")
    ap.add_argument("--out", type=Path, help="write the JSON summary here")
    args = ap.parse_args(argv)
    if not shutil.which("wrk"):
        print("load_api: needs wrk (apt-get install -y wrk)", file=sys.stderr)
        return 2

    from vbgraph.api.service import Workspace
    from vbgraph.ingest.pipeline import extract_text

    tmp = Path(tempfile.mkdtemp(prefix="vbgraph-load-"))
    server = None
    try:
        seed_dir = tmp / "seed"
        t0 = time.perf_counter()
        with Workspace(seed_dir, index=True) as ws:
            ws.ingest(sorted(p for p in SEEDS.glob("*.txt") if p.name != "README.md"))
        print(f"seed workspace built in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        uploads = [_plan(i) for i in range(args.uploads)]
        docs = [extract_text(d.decode(), f) for f, d in uploads]
        expected_tasks = {d.document.id: len(d.tasks) for d in docs}
        ids = [d.document.id for d in docs]
        summary = {
            "machine": f"{os.cpu_count()} cores, shared with other engineers' jobs",
            "connections": args.connections, "duration_s": args.duration,
            "think_ms": args.think_ms, "modes": {},
        }
        for mode in args.ingest.split(","):
            data_dir = tmp / f"data-{mode}"
            shutil.copytree(seed_dir, data_dir, ignore=shutil.ignore_patterns("*.lock"))
            port = _free_port()
            base = f"http://127.0.0.1:{port}"
            env = {**os.environ, "VBGRAPH_API_TOKEN": TOKEN, "VBGRAPH_API_RATE": "off",
                   "VBGRAPH_HOME": str(data_dir), "LOAD_INGEST": mode}
            server = subprocess.Popen(
                [sys.executable, "-c",
                 ("import os, uvicorn; from vbgraph.api.http import create_app; "
                  "uvicorn.run(create_app(os.environ['VBGRAPH_HOME'], "
                  "ingest_process=os.environ['LOAD_INGEST'] == 'child'), host='127.0.0.1', "
                  f"port={port}, log_level='warning')")], env=env, stdout=subprocess.DEVNULL)
            for _ in range(600):
                try:
                    if _get(base, "/vocab", timeout=2)[0] == 200:
                        break
                except OSError:
                    time.sleep(0.2)
            _get(base, "/search?q=bi%C3%AAn%20gi%E1%BB%9Bi")           # warm the embedder
            print(f"[{mode}] idle …", file=sys.stderr)
            idle = _wrk(base, 1, args.idle, 1, "search")
            rounds = []
            next_upload = 0
            for r in range(args.rounds):
                print(f"[{mode}] round {r + 1}: readers only …", file=sys.stderr)
                readers = _phase(base, args, expected_tasks, None)
                print(f"[{mode}] round {r + 1}: readers + writer …", file=sys.stderr)
                writer = _Writer(base, uploads[next_upload:], ids[next_upload:])
                loaded = _phase(base, args, expected_tasks, writer)
                next_upload += len(writer.result["upload_s"])
                rounds.append({
                    "readers_only": readers, "readers_and_writer": loaded,
                    "p95_search_writer_over_readers_only": _ratio(loaded["search_probe"],
                                                                  readers["search_probe"]),
                    "p95_search_writer_over_idle": _ratio(loaded["search_probe"], idle),
                    "p95_mixed_writer_over_readers_only": _ratio(loaded["mixed"],
                                                                 readers["mixed"]),
                })
            summary["modes"][mode] = {"idle_search": idle, "rounds": rounds}
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
            server = None
        text = json.dumps(summary, indent=1, ensure_ascii=False)
        print(text)
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(text + "\n", encoding="utf-8")
        for mode, res in summary["modes"].items():
            print(f"\ningest: {mode}\n" + _table(res), file=sys.stderr)
        return 1 if any(_failures(res) for res in summary["modes"].values()) else 0
    finally:
        if server is not None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def _failures(result: dict[str, Any]) -> list[str]:
    """Errors, half-ingested reads and uploads not read back, in one mode's result."""
    out = [f"idle: {result['idle_search']['errors']} errors"] if result["idle_search"]["errors"] else []
    for i, rnd in enumerate(result["rounds"], 1):
        for key in ("readers_only", "readers_and_writer"):
            ph = rnd[key]
            for what in ("mixed", "search_probe"):
                if ph[what].get("errors"):
                    out.append(f"round {i} {key} {what}: {ph[what]['errors']} errors")
            c = ph["checker"]
            if c["errors"] or c["half_ingested"]:
                out.append(f"round {i} {key} checker: {c['errors']} errors, "
                           f"half-ingested {c['half_ingested']}")
            w = ph.get("writer")
            if w and (w["errors"] or w["not_read_back"]):
                out.append(f"round {i} writer: {w['errors']} {w['not_read_back']}")
    return out


def _table(summary: dict[str, Any]) -> str:
    """The figures as a Markdown table (what RELIABILITY.md shows)."""
    rows = ["| round / phase | load | requests | req/s | p50 ms | p95 ms | p99 ms | errors |",
            "|---|---|---|---|---|---|---|---|"]

    def row(name: str, what: str, w: dict[str, Any]) -> None:
        rows.append(f"| {name} | {what} | {w['requests']} | {w['rps']} | {w['p50_ms']:.0f} | "
                    f"{w['p95_ms']:.0f} | {w['p99_ms']:.0f} | {w['errors']} |")

    row("idle", "`/search`, 1 conn, closed loop", summary["idle_search"])
    for i, rnd in enumerate(summary["rounds"], 1):
        for key, label in (("readers_only", "readers only"),
                           ("readers_and_writer", "readers + writer")):
            ph = rnd[key]
            row(f"{i} {label}", "mixed", ph["mixed"])
            row(f"{i} {label}", "`/search` probe", ph["search_probe"])
        w = rnd["readers_and_writer"]["writer"]
        rows.append(f"| {i} ratios | p95 `/search` writer / readers-only = "
                    f"{rnd['p95_search_writer_over_readers_only']}, writer / idle = "
                    f"{rnd['p95_search_writer_over_idle']} | uploads {w['ok']} "
                    f"({', '.join(map(str, w['upload_s']))} s) | | | | | |")
    return "\n".join(rows)

if __name__ == "__main__":
    sys.exit(main())
