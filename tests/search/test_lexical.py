from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from vbgraph.ingest.text import canonical_tones, fold
from vbgraph.search.diacritics import DiacriticRestorer, has_diacritics
from vbgraph.search.lexical import BM25Lexical, document_tokens, expand_query, syllables, tokenize

VIET = st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọ"
                        "ồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ HÒAĐẮ-,.", max_size=60)


@given(VIET)
def test_tokens_are_diacritic_and_tone_placement_insensitive(text):
    assert tokenize(text) == tokenize(fold(text)) == tokenize(canonical_tones(text))
    assert all("_" not in t for t in syllables(text))


def test_tokenize_examples():
    assert syllables("Bảo hộ công dân") == ["bao", "ho", "cong", "dan"]
    assert syllables("hoà bình") == syllables("hòa bình") == ["hoa", "binh"]
    assert tokenize("công dân Việt", bigrams=True) == [
        "cong", "dan", "viet", "cong_dan", "dan_viet"]
    assert tokenize("Nghị định 12/2012/NĐ-CP")[:6] == ["nghi", "dinh", "12", "2012", "nd", "cp"]


def test_abbreviations_expand_both_ways():
    toks = expand_query("quản lý PCPNN")
    assert {"phi", "chinh", "phu", "nuoc", "ngoai", "phi_chinh"} <= set(toks)
    assert "pcpnn" in expand_query("tổ chức phi chính phủ nước ngoài")
    assert "pcpnn" in expand_query("to chuc phi chinh phu nuoc ngoai")  # folded input too
    assert {"kinh", "te", "xa", "hoi"} <= set(expand_query("phát triển KTXH"))
    assert "nvnonn" in expand_query("người Việt Nam ở nước ngoài")
    # a separated spelling in a task matches the bare abbreviation
    assert "ktxh" in document_tokens("phát triển KT-XH của tỉnh")
    assert len(set(expand_query("a b a"))) == len(expand_query("a b a"))   # no duplicates


def test_custom_table():
    toks = expand_query("BĐBP tỉnh", table={"BĐBP": ("Bộ đội Biên phòng",)})
    assert {"bo", "doi", "bien", "phong", "bien_phong"} <= set(toks)


def _bm25(texts):
    lex = BM25Lexical()
    lex.set_documents(list(range(10, 10 + len(texts))), [document_tokens(t) for t in texts])
    return lex


def test_bm25_fold_and_phrase_ranking():
    lex = _bm25(["Tăng cường công tác bảo hộ công dân ở nước ngoài",
                 "Bảo đảm an ninh; công dân được hỗ trợ; hộ gia đình",
                 "Tổ chức Festival Huế"])
    top = [i for i, _ in lex.search(expand_query("bao ho cong dan"), 3)]
    assert top[0] == 10                       # the phrase outranks scattered syllables
    assert 12 not in top                      # nothing in common → not returned
    assert lex.search(expand_query("festival hue"), 3)[0][0] == 12
    assert lex.search(expand_query("bảo hộ"), 3, allowed={11, 12})[0][0] == 11
    assert lex.search(expand_query("zzz"), 3) == []


def test_bm25_empty():
    lex = BM25Lexical()
    lex.set_documents([], [])
    assert lex.search(["a"], 5) == []


def test_diacritic_restorer():
    r = DiacriticRestorer(["Triển khai công tác bảo hộ công dân và lãnh sự",
                           "ngư dân bị nước ngoài bắt giữ", "hòa bình", "hoà bình", "hòa bình"])
    assert r.restore("bao ho cong dan") == "bảo hộ công dân"
    assert r.restore("Ngu dan bi bat giu") == "Ngư dân bị bắt giữ"
    assert r.restore("hoa binh") == "hòa bình"                 # most frequent form
    assert r.restore("bảo hộ") == "bảo hộ"                       # has diacritics: unchanged
    assert r.restore("consular protection abroad") == "consular protection abroad"
    assert has_diacritics("Huế") and not has_diacritics("Hue")


@given(st.lists(st.sampled_from(["bảo hộ", "công dân", "lãnh sự", "ngư dân", "nước ngoài",
                                 "tuần tra", "biên giới"]), min_size=1, max_size=5))
def test_restore_inverts_fold_on_known_phrases(words):
    text = " ".join(words)
    r = DiacriticRestorer([text])
    assert r.restore(fold(text)) == text
