"""Date forms → ISO; adjacency of a date to its reference."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from vbgraph.ingest.citations import find_citations, find_dates, parse_date


@pytest.mark.parametrize("text,iso", [
    ("ngày 21/01/2015", "2015-01-21"),
    ("ngày 10 tháng 4 năm 2013", "2013-04-10"),
    ("21/01/2015", "2015-01-21"),
    ("21-01-2015", "2015-01-21"),
    ("21.01.2015", "2015-01-21"),
    ("ngày 06/7/2011", "2011-07-06"),
    ("ngày 08 tháng 02 năm 2017", "2017-02-08"),
    ("ngay 6 thang 7 nam 2011", "2011-07-06"),
    ("NGÀY 6 THÁNG 7 NĂM 2011", "2011-07-06"),
    ("ngày\n21/01/2015", "2015-01-21"),
    ("ngày 10 tháng 02\u00a0 năm 2017", "2017-02-10"),
    ("ngày 21 / 01 / 2015", "2015-01-21"),
])
def test_date_forms(text, iso):
    assert parse_date(text) == iso


@pytest.mark.parametrize("text", ["31/02/2015", "21/01-2015", "21/13/2015", "ngày 25/5",
                                  "tháng 4 năm 2013", "2015/01/21"])
def test_not_dates(text):
    assert parse_date(text) is None


@given(st.dates(dt.date(1945, 1, 1), dt.date(2099, 12, 31)),
       st.sampled_from(["{d}/{m}/{y}", "{d:02d}/{m:02d}/{y}", "{d}-{m}-{y}",
                        "ngày {d} tháng {m} năm {y}", "ngày {d:02d}/{m}/{y}"]))
def test_any_date_any_form(day, form):
    text = form.format(d=day.day, m=day.month, y=day.year)
    assert parse_date(text) == day.isoformat()
    found = find_dates(f"xem {text}; tiếp")
    assert [f.iso for f in found] == [day.isoformat()]


def test_date_belongs_only_to_adjacent_reference():
    text = ("Thực hiện Nghị định số 12/2012/NĐ-CP của Chính phủ và Quyết định số 272-QĐ/TW "
            "ngày 21/01/2015 của Bộ Chính trị.")
    a, b = find_citations(text)
    assert a.date is None and a.year == 2012          # year from the symbol, no date
    assert b.date == "2015-01-21" and b.year == 2015


def test_later_date_not_taken():
    text = "Chỉ thị số 38-CT/TW của Bộ Chính trị; báo cáo trước ngày 21/7/2014."
    (c,) = find_citations(text)
    assert c.date is None and c.year is None and c.id == "doc:ct-38-tw"


def test_date_after_comma_and_ban_hanh():
    (c,) = find_citations("theo Quyết định\n272-QĐ/TW, ngày 21/01/2015 của Bộ Chính trị.")
    assert c.date == "2015-01-21"
    (d,) = find_citations("Quyết định số 45/QĐ-UBND ban hành ngày 3-2-2020 của UBND tỉnh.")
    assert d.date == "2020-02-03"
