"""Tasks on the seeds (section choice, spans, deadlines), synthetic plans, injected hooks,
and properties on random text."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vbgraph.ingest.header import parse_header
from vbgraph.ingest.sections import PATH_RE, parse_outline
from vbgraph.ingest.tasks import TaskHooks, extract_tasks, find_deadline, plan_period
from vbgraph.ontology.records import Agency

SYNTHETIC = Path(__file__).with_name("synthetic")


def tasks_of(text, hooks=None):
    o = parse_outline(text)
    h = parse_header(text, o)
    return extract_tasks(text, o, "doc:test", plan_title=h.title, hooks=hooks)[0]


def seed_tasks(seed_paths, key):
    text = seed_paths[key].read_text(encoding="utf-8")
    return text, tasks_of(text)


# counts and sections checked by reading each seed: mục đích/yêu cầu and kinh phí excluded
EXPECTED = {
    "kien_giang": (40, "II.1.a", "III.10.b"),     # II: 25 lettered items, III: 15 items/bodies
    "thua_thien_hue": (101, "II.1", "V.2"),       # II 28 (II.5 a–đ: its title mentions "tình hình mới"), III 71, V 2 (IV kinh phí skipped)
    "khanh_hoa": (31, "II.1", "III.6.-4"),        # II 7, III 24
    "lai_chau": (30, "II.1", "IV.3"),             # one task per paragraph in the blank layout
    "hau_giang": (7, "p1", "p7"),                 # the seven "Về công tác …:" paragraphs
}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_seed_tasks(seed_paths, key):
    text, tasks = seed_tasks(seed_paths, key)
    count, first, last = EXPECTED[key]
    assert len(tasks) == count
    assert (tasks[0].section, tasks[-1].section) == (first, last)
    assert [t.id for t in tasks] == [f"doc:test#t{i}" for i in range(1, count + 1)]
    for t in tasks:
        assert 0 <= t.start < t.end <= len(text)
        assert "\n" not in t.text and "  " not in t.text and "*" not in t.text
        assert t.text.split()[0] in text[t.start:t.end]
        assert not t.section.startswith("I.")  # never mục đích / yêu cầu
        assert "Nơi nhận" not in t.text and "Trên đây là" not in t.text


def test_kien_giang_details(seed_paths):
    text, tasks = seed_tasks(seed_paths, "kien_giang")
    t = {t.section: t for t in tasks}
    assert t["III.3"].text.startswith("Chủ trì, phối hợp với Công an tỉnh, Sở Ngoại vụ, Cảnh sát biển")
    assert t["III.10.b"].deadline == "định kỳ 6 tháng (trước ngày 25/5) và báo cáo năm (trước ngày 10/10)"
    assert t["III.10.b"].text.endswith("cơ quan có thẩm quyền theo quy định.")  # closing excluded
    assert t["II.2.a"].text.startswith("Đẩy mạnh mối quan hệ hợp tác hữu nghị giữa tỉnh Kiên Giang")


def test_thua_thien_hue_details(seed_paths):
    _, tasks = seed_tasks(seed_paths, "thua_thien_hue")
    t = {t.section: t for t in tasks}
    assert "IV" not in {x.section.split(".")[0] for x in tasks}  # kinh phí
    assert t["V.2"].deadline == ("Định kỳ 6 tháng (trước ngày 25/5), cuối năm (trước ngày 25/10) "
                                 "và đột xuất (khi có yêu cầu)")
    assert t["V.2"].text.startswith("căn cứ chức năng, nhiệm vụ")
    assert t["III.11.b"].deadline == "Hằng năm"
    assert t["III.19.g"].text.startswith("UBND thành phố Huế chủ trì")


def test_khanh_hoa_details(seed_paths):
    _, tasks = seed_tasks(seed_paths, "khanh_hoa")
    t = {t.section: t for t in tasks}
    assert t["III.6.-4"].deadline == "Định kỳ trước ngày 15 tháng 12 hàng năm"
    assert "III.5" not in t  # "Là cơ quan đầu mối …, trong đó:" introduces the items
    assert len([x for x in tasks if x.section.startswith("III.5.")]) == 8


def test_lai_chau_details(seed_paths):
    _, tasks = seed_tasks(seed_paths, "lai_chau")
    assert all(t.deadline == "năm 2023" for t in tasks)  # the annual plan's period
    assert not any(t.text.startswith("(Có biểu") for t in tasks)  # an annex note
    assert sum(1 for t in tasks if t.section == "II.2") == 4


def test_hau_giang_paragraphs(seed_paths):
    _, tasks = seed_tasks(seed_paths, "hau_giang")
    assert tasks[0].text.startswith("Về công tác đoàn ra: Tiếp tục quán triệt")
    assert not any("Hàng năm nhiều đoàn" in t.text for t in tasks)


def test_decision_plan_tasks():
    tasks = tasks_of((SYNTHETIC / "qd_quang_nam.txt").read_text(encoding="utf-8"))
    assert [t.section for t in tasks] == ["II.1.a", "II.1.b", "II.2", "III.1", "III.2.-1", "III.2.-2", "III.3"]
    assert tasks[2].deadline == "trước ngày 30/9/2021"
    assert tasks[3].deadline == "định kỳ 6 tháng (trước ngày 15/6) và năm (trước ngày 15/12)"
    assert tasks[3].text.startswith("Chủ trì, phối hợp")  # "Sở Ngoại vụ:" is the heading


def test_articles_and_blank_layout():
    tasks = tasks_of((SYNTHETIC / "dieu_lao_cai.txt").read_text(encoding="utf-8"))
    assert [t.section for t in tasks] == ["art1.1", "art1.2", "art2"]  # art3 is boilerplate
    assert tasks[1].deadline == "trước ngày 20 tháng 11 hằng năm"
    assert tasks[2].deadline == "trong quý IV năm 2020" and tasks[2].text.startswith("Chủ trì theo dõi")
    tasks = tasks_of((SYNTHETIC / "ke_hoach_an_giang_blank.txt").read_text(encoding="utf-8"))
    assert [t.section for t in tasks] == ["II.1", "II.1", "II.2", "III.-1", "III.-2"]
    assert tasks[1].text.endswith("(khi có yêu cầu của Bộ Ngoại giao).")
    assert tasks[0].deadline == "trong quý III năm 2022" and tasks[4].deadline == "định kỳ hằng quý"


def _agency(kind: str) -> Agency:
    return Agency(id=f"agency:{kind}:kien-giang", name=kind, kind=kind, kind_label=kind, province="Kiên Giang")


def test_hooks_receive_block_headings(seed_paths):
    text = seed_paths["kien_giang"].read_text(encoding="utf-8")
    seen = []

    def heading(title):
        return _agency("so-van-hoa") if title == "Sở Văn hóa và Thể thao" else None

    def roles(txt, a, b, head):
        seen.append((txt[a:b][:20], head))
        return ((head,) if head else ()), (_agency("so-du-lich"),)

    tasks, agencies = extract_tasks(text, parse_outline(text), "doc:kg",
                                    hooks=TaskHooks(heading, roles, lambda s: ("topic:x",)))
    t = next(t for t in tasks if t.section == "III.8")
    assert t.lead == ("agency:so-van-hoa:kien-giang",) and t.cooperate == ("agency:so-du-lich:kien-giang",)
    assert all(t.topics == ("topic:x",) for t in tasks)
    assert {a.id for a in agencies} == {"agency:so-van-hoa:kien-giang", "agency:so-du-lich:kien-giang"}
    assert sum(1 for _, h in seen if h is not None) == 1


@pytest.mark.parametrize("text,expected", [
    ("gửi báo cáo trước ngày 15/12 hằng năm về Sở", "trước ngày 15/12 hằng năm"),
    ("định kỳ hằng quý báo cáo", "định kỳ hằng quý"),
    ("trong thời gian 15 ngày kể từ ngày ban hành Kế hoạch", "trong thời gian 15 ngày kể từ ngày ban hành Kế hoạch"),
    ("dinh ky 6 thang (truoc ngay 20/6) bao cao", "dinh ky 6 thang (truoc ngay 20/6)"),
    ("Tăng cường quản lý đoàn ra.", None),
])
def test_find_deadline(text, expected):
    assert find_deadline(text) == expected


def test_plan_period():
    assert plan_period("Công tác đối ngoại trên địa bàn tỉnh Lai Châu năm 2023") == "năm 2023"
    assert plan_period("HÀNH ĐỘNG CÔNG TÁC ĐỐI NGOẠI GIAI ĐOẠN 2019 - 2021") is None
    assert plan_period(None) is None


PIECES = st.sampled_from(["I. NỘI DUNG", "II. TỔ CHỨC THỰC HIỆN", "III. KINH PHÍ", "1. Sở Ngoại vụ",
                          "a) Chủ trì tổ chức.", "- Phối hợp thực hiện.", "", "|", "tiếp theo dòng",
                          "Về công tác đoàn ra: Tiếp tục.", "Nơi nhận:", "(ghi chú)", "Điều 1. Giao việc."])


@given(st.lists(st.one_of(PIECES, st.text(max_size=25)), max_size=30))
def test_task_properties(lines):
    text = "\n".join(lines)
    tasks = tasks_of(text)
    for i, t in enumerate(tasks, start=1):
        assert t.id == f"doc:test#t{i}"
        assert 0 <= t.start < t.end <= len(text)
        assert PATH_RE.fullmatch(t.section)
        assert t.text and "\n" not in t.text


@pytest.mark.parametrize("part_title, is_task_part", [
    ("Tiếp tục đẩy mạnh công tác người Việt Nam ở nước ngoài trong tình hình mới:", True),
    ("Đánh giá và nâng cao hiệu quả hợp tác quốc tế", False),
    ("Tình hình thực hiện năm 2022", False),
    ("Kinh phí thực hiện", False),
    ("Nhiệm vụ và giải pháp", True),
])
def test_only_a_leading_excluded_kind_removes_a_part(part_title, is_task_part):
    text = (
        "KẾ HOẠCH\nCông tác đối ngoại năm 2024\n"
        "I. MỤC ĐÍCH, YÊU CẦU\n1. Mục đích\nBảo đảm hiệu quả.\n"
        f"II. NỘI DUNG\n1. {part_title}\n"
        "a) Rà soát, cập nhật cơ sở dữ liệu về kiều bào của tỉnh.\n"
        "b) Tổ chức gặp mặt kiều bào dịp Tết.\n"
        "2. Tăng cường quản lý đoàn ra, đoàn vào\n"
        "a) Thẩm định kế hoạch đoàn ra trước khi trình cấp có thẩm quyền.\n"
    )
    tasks, _ = extract_tasks(text, parse_outline(text), "doc:x", plan_title="Công tác đối ngoại năm 2024")
    sections = {t.section for t in tasks}
    assert "II.2.a" in sections
    assert ({"II.1.a", "II.1.b"} <= sections) is is_task_part
