"""Properties of the record → graph mapping (hypothesis) and of the stores under random input."""
from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from vbgraph.graph.embedded import EmbeddedGraphStore
from vbgraph.graph.model import build_document_graph, clean, label_of, mention_sentence, slugify
from vbgraph.ontology.records import Agency, Citation, DocumentMeta, ExtractedDocument, Task
from vbgraph.ontology.vocab import CitationRelation, NodeLabel

VI = st.text(alphabet=st.sampled_from(list("abcđêôơưăâ áàảãạ ĐÔ.;:\n|-/0123456789QĐTW")),
             max_size=200)


@given(VI, st.data())
def test_mention_sentence_contains_the_span(text: str, data) -> None:
    if not text:
        return
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    sentence = mention_sentence(text, start, end)
    core = " ".join(text[start:end].split())
    if core and not any(c in text[start:end] for c in ".;!?:\n|"):
        assert core in sentence
    assert "\n" not in sentence


@given(st.text(max_size=50))
def test_clean_removes_nul_and_is_idempotent(s: str) -> None:
    out = clean(s)
    assert "\x00" not in out and clean(out) == out


@given(st.text(max_size=40))
def test_slugify_is_ascii_and_tone_insensitive(s: str) -> None:
    slug = slugify(s)
    assert slug == "" or (slug.isascii() and not slug.startswith("-") and not slug.endswith("-"))
    assert slugify("Thừa Thiên Huế") == slugify("thua thien hue") == "thua-thien-hue"
    assert slugify("Khánh Hoà") == slugify("Khánh Hòa")


def test_label_of_id_schemes() -> None:
    assert label_of("doc:kh-64-ubnd-kien-giang-2019") is NodeLabel.DOCUMENT
    assert label_of("doc:kh-64-ubnd-kien-giang-2019#t12") is NodeLabel.TASK
    assert label_of("doc:x#t1/lead/agency:so-ngoai-vu:kien-giang") is NodeLabel.ASSIGNMENT
    assert label_of("agency-kind:so-ngoai-vu") is NodeLabel.AGENCY_KIND
    assert label_of("agency:bo-ngoai-giao") is NodeLabel.AGENCY
    assert label_of("' OR 1=1 //") is None


ids = st.sampled_from(["doc:qd-272-tw-2015", "doc:ct-38-tw-2014", "doc:nd-12-cp-2012",
                       "doc:ct-04-tw", "doc:ct-04-tw-2011", "doc:title:luat-abc"])
agencies = st.sampled_from([
    Agency("agency:so-ngoai-vu:a", "Sở Ngoại vụ tỉnh A", "so-ngoai-vu", "Sở Ngoại vụ", "A"),
    Agency("agency:cong-an-tinh:a", "Công an tỉnh A", "cong-an-tinh", "Công an tỉnh", "A"),
    Agency("agency:bo-ngoai-giao", "Bộ Ngoại giao", "bo-ngoai-giao", "Bộ Ngoại giao", None)])


@st.composite
def documents(draw, n: int):
    text = "Căn cứ văn bản. " * 20
    cits = tuple(Citation(id=draw(ids), number=None, type=None, date=None, issuer=None,
                          title=None, relation=draw(st.sampled_from(list(CitationRelation))),
                          surface="văn bản", start=7 + 16 * i, end=14 + 16 * i, section="I",
                          year=None) for i in range(draw(st.integers(0, 4))))
    ags = tuple(dict.fromkeys(draw(st.lists(agencies, min_size=1, max_size=3))))
    tasks = tuple(Task(id=f"doc:kh-{n}-ubnd-a-2020#t{i}", section="II", text="Căn cứ",
                       start=0, end=6, lead=(draw(st.sampled_from(ags)).id,),
                       cooperate=tuple(a.id for a in ags[1:]), topics=("topic:x",))
                  for i in range(1, draw(st.integers(0, 3)) + 1))
    return ExtractedDocument(
        source=f"f{n}.txt", sha256=hashlib.sha256(str(n).encode()).hexdigest(), text=text,
        document=DocumentMeta(id=f"doc:kh-{n}-ubnd-a-2020", number=f"{n}/KH-UBND",
                              province="A"),
        citations=cits, agencies=ags, tasks=tasks)


@settings(max_examples=60)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=6), st.data())
def test_embedded_store_upsert_remove_properties(order, data) -> None:
    """Any sequence of upserts: re-upserting changes nothing; removing every document empties
    the graph; node ids are unique; every edge's ends exist."""
    docs = {n: data.draw(documents(n)) for n in set(order)}
    store = EmbeddedGraphStore()
    for n in order:
        store.upsert_document(docs[n])
    counts = store.counts()
    for n in sorted(docs):
        store.upsert_document(docs[n])
    assert store.counts() == counts
    nodes = {n["id"] for n in store.iter_nodes()}
    assert all(e["source"] in nodes and e["target"] in nodes for e in store.iter_edges())
    for n in sorted(docs):
        store.remove_document(docs[n].document.id)
    assert store.counts() == {"nodes": 0, "edges": 0}


def test_build_document_graph_is_pure() -> None:
    from vbgraph.graph.testing import sample_documents

    doc = sample_documents()[0]
    assert build_document_graph(doc) == build_document_graph(doc)
