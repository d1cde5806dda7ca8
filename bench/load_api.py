"""Bounded load test of the HTTP API (issue #6): N concurrent readers while a writer ingests.

    python bench/load_api.py [--connections 8] [--duration 30] [--threads 2] [--out FILE]

What it does, all on loopback:
1. builds a data dir (graph + search index) from the seed corpus in a temp folder;
2. starts ``uvicorn`` on 127.0.0.1 with the write token and the rate limit off;
3. measures idle ``/search`` latency (wrk, 1 connection, a few seconds);
4. runs ``wrk`` (Debian: ``apt-get install wrk``) with ``bench/data/load_mixed.lua``: a fixed
   mix of ``/search``, ``/cites`` and ``/graph/neighborhood`` for ``--duration`` seconds over
   ``--connections`` connections; meanwhile a writer thread uploads generated plans
   (``POST /documents``) one after another and a checker thread keeps reading ``/documents``
   and ``/documents/{id}``: every document listed must be complete (its task count is what its
   file extracts to) — a reader must never see a half-ingested document;
5. prints (and writes to ``--out``) throughput, p50/p95/p99 latency, errors, the writer's and
   the checker's counts, and p95 search under load vs idle.

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


def _wrk(base: str, connections: int, duration: int, threads: int, paths: str) -> dict[str, Any]:
    env = {**os.environ, "VBGRAPH_LOAD_PATHS": paths}
    proc = subprocess.run(["wrk", "-t", str(min(threads, connections)), "-c", str(connections),
                           "-d", f"{duration}s", "--timeout", "30s", "-s", str(LUA), base],
                          capture_output=True, text=True, env=env, timeout=duration + 120)
    for line in proc.stdout.splitlines():
        if line.startswith("JSON "):
            return json.loads(line[5:])
    raise RuntimeError(f"wrk gave no summary: {proc.stdout}\n{proc.stderr}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--duration", type=int, default=30, help="seconds of mixed load")
    ap.add_argument("--idle", type=int, default=5, help="seconds of idle /search measurement")
    ap.add_argument("--uploads", type=int, default=6, help="documents the writer uploads (max)")
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
        data_dir = tmp / "data"
        t0 = time.perf_counter()
        with Workspace(data_dir, index=True) as ws:
            ws.ingest(sorted(p for p in SEEDS.glob("*.txt") if p.name != "README.md"))
        print(f"seed workspace built in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "VBGRAPH_API_TOKEN": TOKEN, "VBGRAPH_API_RATE": "off"}
        server = subprocess.Popen(
            [sys.executable, "-c",
             "import os, uvicorn; from vbgraph.api.http import create_app; "
             "uvicorn.run(create_app(os.environ['VBGRAPH_HOME']), host='127.0.0.1', "
             f"port={port}, log_level='warning')"],
            env={**env, "VBGRAPH_HOME": str(data_dir)}, stdout=subprocess.DEVNULL)
        for _ in range(600):
            try:
                if _get(base, "/vocab", timeout=2)[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        _get(base, "/search?q=bi%C3%AAn%20gi%E1%BB%9Bi")           # warm the embedder

        idle = _wrk(base, 1, args.idle, 1, "search")
        uploads = [(f"load_{i}.txt", PLAN.format(name=n, upper=u, number=100 + i).encode())
                   for i, (n, u) in enumerate(PROVINCES[: args.uploads])]
        expected_tasks = {extract_text(d.decode(), f).document.id: len(extract_text(d.decode(), f).tasks)
                          for f, d in uploads}
        stop = threading.Event()
        writer = {"ok": 0, "errors": []}
        checker = {"reads": 0, "documents_seen": 0, "half_ingested": [], "errors": 0}

        def write() -> None:
            for name, data in uploads:
                if stop.is_set():
                    break
                status, body = _post_file(base, name, data)
                if status == 201:
                    writer["ok"] += 1
                else:
                    writer["errors"].append((status, str(body)[:200]))

        def check() -> None:
            while not stop.is_set():
                status, docs = _get(base, "/documents")
                checker["reads"] += 1
                if status != 200:
                    checker["errors"] += 1
                    continue
                for d in docs:
                    if d["id"] not in expected_tasks:
                        continue
                    status, detail = _get(base, "/documents/" + urllib.parse.quote(d["id"], safe=""))
                    checker["reads"] += 1
                    if status != 200:
                        checker["errors"] += 1
                        continue
                    checker["documents_seen"] += 1
                    if len(detail["tasks"]) != expected_tasks[d["id"]]:
                        checker["half_ingested"].append((d["id"], len(detail["tasks"])))
                time.sleep(0.05)

        threads = [threading.Thread(target=write), threading.Thread(target=check)]
        for t in threads:
            t.start()
        probe: dict[str, Any] = {}
        prober = threading.Thread(target=lambda: probe.update(
            _wrk(base, 1, max(1, args.duration - 2), 1, "search")))
        prober.start()
        loaded = _wrk(base, args.connections, args.duration, args.threads, "mixed")
        prober.join()
        stop.set()
        for t in threads:
            t.join(timeout=900)
        summary = {
            "machine": f"{os.cpu_count()} cores, shared with other engineers' benchmarks",
            "connections": args.connections, "duration_s": args.duration,
            "idle_search": idle, "mixed_under_write": loaded, "search_probe_under_load": probe,
            "p95_search_load_over_idle": round(probe["p95_ms"] / idle["p95_ms"], 2)
            if idle.get("p95_ms") and probe.get("p95_ms") else None,
            "writer": writer, "checker": checker,
        }
        text = json.dumps(summary, indent=1, ensure_ascii=False)
        print(text)
        if args.out:
            args.out.write_text(text + "\n", encoding="utf-8")
        bad = loaded["errors"] or probe.get("errors") or writer["errors"] or checker["half_ingested"] or checker["errors"]
        return 1 if bad else 0
    finally:
        if server is not None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
