"""Abbreviations table and expansion for lexical search."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vbgraph.ingest.abbreviations import expand_abbreviations, load_abbreviations


def test_table():
    table = load_abbreviations()
    for key in ("UBND", "HĐND", "PCPNN", "NVNONN", "KTXH", "KT-XH", "CBCCVC", "TTHC", "CCHC", "BĐNTW", "MTTQ",
                "ODA", "NGO", "FDI", "BCH", "BĐBP", "QP-AN"):
        assert table[key], key
    assert table["PCPNN"] == ("phi chính phủ nước ngoài",)


@pytest.mark.parametrize("text,expected", [
    ("quản lý viện trợ PCPNN", "quản lý viện trợ PCPNN (phi chính phủ nước ngoài)"),
    ("phát triển KT-XH của tỉnh", "phát triển KT-XH (kinh tế - xã hội) của tỉnh"),
    ("báo cáo HĐND tỉnh", "báo cáo HĐND (Hội đồng nhân dân) tỉnh"),
    ("hdnd", "hdnd (Hội đồng nhân dân)"),
    ("công tác NVNONN", "công tác NVNONN (người Việt Nam ở nước ngoài)"),
])
def test_expand(text, expected):
    assert expand_abbreviations(text) == expected


@pytest.mark.parametrize("text", [
    "Kế hoạch số 64/KH-UBND",                              # inside a document number
    "công tác quản lý phi chính phủ nước ngoài (PCPNN)",     # already spelled out
    "trồng ngô, đi ngõ nhỏ",                                # NGO is case-sensitive
])
def test_left_alone(text):
    assert expand_abbreviations(text) == text


@given(st.text(max_size=200))
def test_expansion_keeps_the_text(text):
    out = expand_abbreviations(text)
    # every original character survives, in order (expansions are only inserted)
    it = iter(out)
    import unicodedata
    assert all(ch in it for ch in unicodedata.normalize("NFC", text))
