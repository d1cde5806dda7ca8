"""extract_text / extract_file and the ``vbgraph extract`` command."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from vbgraph.api.cli import main
from vbgraph.ingest.pipeline import extract_file, extract_text
from vbgraph.ontology.records import ExtractedDocument

_spec = importlib.util.spec_from_file_location("ingest_helpers", Path(__file__).with_name("helpers.py"))
helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(helpers)

SYNTHETIC = Path(__file__).with_name("synthetic")


def test_extract_text_is_pure_and_round_trips(seed_paths):
    text = seed_paths["lai_chau"].read_text(encoding="utf-8")
    a = extract_text(text, "x.txt")
    b = extract_text(text, "x.txt")
    assert a == b
    assert a.document.id.startswith("doc:src-") and a.document.id[8:] == a.sha256[:12]
    back = ExtractedDocument.from_json(json.loads(json.dumps(a.to_json(include_text=True))))
    assert back == a
    for t in a.tasks:
        assert t.id.startswith(a.document.id + "#t")


def test_extract_file_uses_the_bytes_hash(seed_paths):
    import hashlib

    path = seed_paths["kien_giang"]
    doc = extract_file(path)
    assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert doc.document.number == "64/KH-UBND" and doc.document.id != f"doc:src-{doc.sha256[:12]}"
    assert len(doc.tasks) == 40
    for c in doc.citations:
        assert doc.text[c.start:c.end]


def test_docx_plan_end_to_end(tmp_path):
    data = helpers.make_docx(
        [("ỦY BAN NHÂN DÂN\nTỈNH BÌNH ĐỊNH", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"),
         ("Số: 77/KH-UBND", "Bình Định, ngày 3 tháng 3 năm 2023")],
        ["KẾ HOẠCH", "Hợp tác với tỉnh Champasak (Lào) năm 2023", "I. MỤC ĐÍCH", "Tăng cường hợp tác.",
         "II. TỔ CHỨC THỰC HIỆN", "1. Sở Ngoại vụ",
         "a) Chủ trì tổ chức đoàn công tác sang tỉnh Champasak trong quý II năm 2023.",
         "b) Phối hợp với Sở Tài chính dự toán kinh phí.", "2. Sở Y tế",
         "Chủ trì khám chữa bệnh cho nhân dân vùng biên.",
         "Nơi nhận:", "- Bộ Ngoại giao;", "- Lưu: VT.", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Lâm Hải Giang"])
    path = tmp_path / "binh_dinh.docx"
    path.write_bytes(data)
    doc = extract_file(path)
    m = doc.document
    assert (m.number, m.type, m.date, m.province) == ("77/KH-UBND", "Kế hoạch", "2023-03-03", "Bình Định")
    assert m.issuer == "Ủy ban nhân dân tỉnh Bình Định" and m.signer == "Lâm Hải Giang"
    assert [t.section for t in doc.tasks] == ["II.1.a", "II.1.b", "II.2"]
    assert doc.tasks[0].deadline == "trong quý II năm 2023"


def test_cli_json_and_errors(seed_paths, tmp_path, capsys):
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    good = SYNTHETIC / "dieu_lao_cai.txt"
    code = main(["extract", "--json", str(good), str(bad), str(seed_paths["hau_giang"])])
    out, err = capsys.readouterr()
    assert code == 1
    assert err.strip().splitlines() == [f"vbgraph extract: {bad}: empty file"]
    data = json.loads(out)
    assert [d["source"] for d in data] == [str(good), str(seed_paths["hau_giang"])]
    assert data[1]["document"]["number"] == "1112/KH-UBND"
    assert "Kế hoạch" in out  # ensure_ascii=False


def test_cli_summary(seed_paths, capsys):
    assert main(["extract", str(seed_paths["khanh_hoa"])]) == 0
    out = capsys.readouterr().out
    assert "missing: number, date" in out and "31 tasks" in out
