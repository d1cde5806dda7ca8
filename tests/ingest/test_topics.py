"""Topic scheme, tagging task text and matching user text."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vbgraph.ingest.text import fold
from vbgraph.ingest.topics import match_topics, tag_topics, topic_scheme


def test_scheme_is_consistent():
    s = topic_scheme()
    ids = {c.id for c in s.concepts}
    assert len(ids) == len(s.concepts) >= 25
    for c in s.concepts:
        assert c.id.startswith("topic:") and c.pref_label and c.en_label
        assert set(c.broader) <= ids and c.id not in c.broader
    assert "topic:ngu-dan-bi-bat-giu" in {c.id for c in s.narrower("topic:bao-ho-cong-dan")}


@pytest.mark.parametrize("query,first", [
    ("bao ho cong dan", "topic:bao-ho-cong-dan"),
    ("Bảo hộ công dân", "topic:bao-ho-cong-dan"),
    ("ngư dân bị bắt giữ", "topic:ngu-dan-bi-bat-giu"),
    ("tàu cá bị nước ngoài bắt giữ ở vùng biển", "topic:ngu-dan-bi-bat-giu"),
    ("viện trợ phi chính phủ", "topic:vien-tro-pcpnn"),
    ("PCPNN", "topic:vien-tro-pcpnn"),
    ("biên giới", "topic:bien-gioi-lanh-tho"),
    ("nguoi viet nam o nuoc ngoai", "topic:nguoi-viet-nam-o-nuoc-ngoai"),
    ("kiều bào", "topic:nguoi-viet-nam-o-nuoc-ngoai"),
    ("kết nghĩa", "topic:dia-phuong-ket-nghia"),
    ("citizen protection", "topic:bao-ho-cong-dan"),
    ("ngoại giao văn hoá", "topic:ngoai-giao-van-hoa"),
])
def test_match_topics(query, first):
    got = match_topics(query)
    assert got and got[0] == first


@pytest.mark.parametrize("query", ["", "a", "xyz qwerty", "thời tiết"])
def test_match_nothing(query):
    assert match_topics(query) == ()


@pytest.mark.parametrize("text,expected", [
    ("Tăng cường công tác quản lý biên giới, thực hiện tốt chế độ tuần tra, kiểm tra biên giới, cột mốc",
     "topic:bien-gioi-lanh-tho"),
    ("ngăn chặn tình trạng tàu cá và ngư dân bị nước ngoài bắt giữ", "topic:ngu-dan-bi-bat-giu"),
    ("Làm đầu mối thu hút viện trợ PCPNN của tỉnh", "topic:vien-tro-pcpnn"),
    ("tổ chức các lớp bồi dưỡng, tập huấn về kiến thức, nghiệp vụ đối ngoại cho CBCCVC", "topic:dao-tao-can-bo-doi-ngoai"),
    ("Thực hiện nghiêm túc công tác quản lý đoàn ra, đoàn vào", "topic:doan-ra-doan-vao"),
    ("công tác thanh tra ngoại\ngiao", "topic:thanh-tra-ngoai-giao"),
    ("thu hút các dự án FDI, ODA", "topic:von-oda"),
])
def test_tag_topics(text, expected):
    assert expected in tag_topics(text)


def test_tag_is_diacritic_insensitive():
    text = "Tuyên truyền về chủ quyền biển đảo và thông tin đối ngoại"
    assert tag_topics(text) == tag_topics(fold(text))


@given(st.text(max_size=200))
def test_never_crashes_and_returns_known_ids(text):
    known = {c.id for c in topic_scheme().concepts}
    assert set(tag_topics(text)) <= known
    assert set(match_topics(text)) <= known


@pytest.mark.parametrize("text, border", [
    ("giao lưu văn hóa, thể thao với các tỉnh giáp biên giới", False),
    ("giao luu van hoa, the thao voi cac tinh giap bien gioi", False),
    ("hợp tác với các tỉnh biên giới của Lào về thương mại", False),
    ("tăng cường công tác quản lý biên giới, bảo vệ chủ quyền", True),
    ("tuần tra song phương tại các huyện biên giới", True),      # tagged by 'tuần tra song phương'
    ("phân giới cắm mốc với các tỉnh giáp biên giới của Campuchia", True),
])
def test_place_descriptors_do_not_make_a_border_task(text, border):
    assert ("topic:bien-gioi-lanh-tho" in tag_topics(text)) is border
