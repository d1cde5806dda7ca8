"""Localities: real phrasing from other provinces, partner vs mention, provinces, properties."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vbgraph.ingest.localities import find_localities, load_provinces, province_by_name, province_id
from vbgraph.ingest.text import nfc


def locs(text, home="Lạng Sơn"):
    text = nfc(text)
    return {loc.id: (loc.relation.value, loc.country, loc.kind.value)
            for loc in find_localities(text, lambda i: "II.1", home)}


@pytest.mark.parametrize("text,expected", [
    ("Củng cố quan hệ hữu nghị với tỉnh Quảng Tây (Trung Quốc).",
     {"locality:quang-tay": ("partner", "Trung Quốc", "foreign_locality"),
      "locality:trung-quoc": ("partner", None, "country")}),
    ("Thực hiện tốt các thỏa thuận hợp tác đã ký với tỉnh Chămpasắc và tỉnh Attapeu, Lào.",
     {"locality:champasak": ("partner", "Lào", "foreign_locality"),
      "locality:attapeu": ("partner", "Lào", "foreign_locality"), "locality:lao": ("partner", None, "country")}),
    ("Nghiên cứu, thiết lập quan hệ hữu nghị với tỉnh Kampot, Campuchia.",
     {"locality:kampot": ("mention", "Campuchia", "foreign_locality"),
      "locality:campuchia": ("mention", None, "country")}),
    ("Mở rộng quan hệ với các đối tác như Liên bang Nga, Hoa Kỳ, Na Uy.",
     {"locality:nga": ("mention", None, "country"), "locality:hoa-ky": ("mention", None, "country"),
      "locality:na-uy": ("mention", None, "country")}),
    ("Duy trì quan hệ kết nghĩa giữa huyện Long Mỹ và huyện Gokseong, tỉnh Jeollanam-do, Hàn Quốc.",
     {"locality:long-my": ("mention", "Việt Nam", "vietnamese_place"),
      "locality:gokseong": ("partner", "Hàn Quốc", "foreign_locality"),
      "locality:jeollanam-do": ("partner", "Hàn Quốc", "foreign_locality"),
      "locality:han-quoc": ("partner", None, "country")}),
    ("Hợp tác hữu nghị với các tỉnh Luang Prabang, Xiêng Khoảng, Hủa Phăn của Lào",
     {"locality:luang-prabang": ("partner", "Lào", "foreign_locality"),
      "locality:xieng-khouang": ("partner", "Lào", "foreign_locality"),
      "locality:houaphanh": ("partner", "Lào", "foreign_locality"), "locality:lao": ("partner", None, "country")}),
    ("Tuần tra song phương với lực lượng bảo vệ biên giới tỉnh Sê Kông", {"locality:se-kong": ("mention", "Lào", "foreign_locality")}),
    ("Đẩy mạnh giao thương qua Cửa khẩu quốc tế Hữu Nghị", {"locality:cua-khau-huu-nghi": ("mention", "Việt Nam", "vietnamese_place")}),
])
def test_variants(text, expected):
    assert locs(text) == expected


@pytest.mark.parametrize("text", [
    "Mai Anh Nhịn ký; học tiếng Anh; thị xã Long Mỹ; tỉnh Lào Cai; thực thi pháp luật; biện pháp; ý kiến",
    "Diễn đàn hợp tác Đông Á - Mỹ La tinh; đạo đức; quan hệ hữu nghị",
])
def test_ambiguous_words_are_not_countries(text):
    found = locs(text, home="Lào Cai")
    assert not [k for k, v in found.items() if v[2] == "country"]


def test_one_record_per_locality_partner_wins_and_span():
    text = nfc("Phối hợp tuần tra với Salavan. Tăng cường quan hệ hữu nghị với tỉnh Salavan, Lào.")
    out = find_localities(text, lambda i: "II" if i < 30 else "III", "Quảng Trị")
    sal = [x for x in out if x.id == "locality:salavan"]
    assert len(sal) == 1 and sal[0].relation.value == "partner"
    assert text[sal[0].start:sal[0].end] == "Salavan" and sal[0].start > 30 and sal[0].section == "III"


def test_home_province_place_is_skipped_and_order():
    out = find_localities(nfc("Cửa khẩu Lao Bảo; Lào; Hàn Quốc"), lambda i: "", "Quảng Trị")
    assert [x.id for x in out] == ["locality:cua-khau-lao-bao", "locality:lao", "locality:han-quoc"]


def test_provinces():
    provs = load_provinces()
    assert len(provs) == 63 and len({p.slug for p in provs}) == 63
    assert sum(p.is_city for p in provs) == 5
    assert province_id("Khánh Hoà") == province_id("khanh hoa") == "province:khanh-hoa"
    assert province_by_name("TP. Hồ Chí Minh").slug == "ho-chi-minh"
    assert province_by_name("Thừa Thiên - Huế").slug == "thua-thien-hue"
    assert province_by_name("tỉnh Đắc Lắc").slug == "dak-lak"
    assert province_by_name("Salavan") is None


@given(st.text(alphabet=st.sampled_from(list("Lào Salavan Hàn Quốc kết nghĩa hữu nghị,.;\n()-Mỹ Anh")), max_size=150))
def test_random_text_spans_slice(text):
    text = nfc(text)
    out = find_localities(text, lambda i: "", None)
    assert len({x.id for x in out}) == len(out)
    for x in out:
        assert 0 <= x.start < x.end <= len(text)
        assert text[x.start:x.end].strip()


@given(st.text(max_size=200))
def test_arbitrary_text_never_crashes(text):
    find_localities(nfc(text), lambda i: "", "Kiên Giang")
