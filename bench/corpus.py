"""A national-size corpus of provincial foreign-affairs plans, with ground truth (issue #7).

    python bench/corpus.py --docs 10000 --seed 7 --out /tmp/vbcorpus-10k

Writes ``DIR/docs/<shard>/<id>.txt`` (one plan per file, 1 000 per shard) and
``DIR/truth.jsonl`` (one object per document, same order), streaming: nothing but a few
per-province counters is held in memory, so 100k documents cost the same RAM as 1k.

The grammar is the seeds' (``/work/shared/seeds``), written down in ``bench/data/corpus_grammar.json``;
the vocabularies are the project's own gazetteers (63 provinces: ``ingest/data/provinces.json``;
agency kinds: ``ontology/data/agency_kinds.json``; foreign partners: ``ingest/data/localities.json``).
What a document looks like:

* layouts, in the seeds' proportions: ``portal`` (header table cells split by lone ``|`` lines,
  lines wrapped mid-phrase, title/heading words broken across lines), ``paragraph`` (one paragraph
  per line, blank lines), ``headerless`` (no number/date header, Khánh Hòa-like), ``draft``
  (``Số: /KH-UBND``, ``ngày tháng 12 năm 2022``), ``news`` (a web page reporting the plan in
  prose, with site chrome);
* sections I (purpose) – II (tasks: lettered ``a)``, dashed ``-`` or paragraph items) – III
  (assignment blocks ``N. Sở …`` with ``Chủ trì, phối hợp với …``) – optionally IV (budget);
* citations of real Party/state documents with their real numbers, dates and issuers, Zipf-like:
  rank *r* of ``cited`` is cited by a plan with probability ``0.9 / r**0.8`` (272-QĐ/TW by
  ~90 %, the 25th by ~7 %), plus a long tail of the province's own Tỉnh ủy/UBND/HĐND
  documents and the province's previous plan; ~30 % of mentions are spelled as in real scraped
  text: without ``số``, spaces around ``-``/``/``, a line break inside the number, ``QD``/``ND``
  without diacritics, and short forms (``Quyết định 272``) after a full mention;
* partner localities: each province has 1–3 stable foreign partners (drawn once per province
  from the gazetteer), named in partnership sentences; sometimes a prospective partner
  (``Nghiên cứu, thiết lập quan hệ với …``), which is a mention, not a partnership.

Ground truth per document (``truth.jsonl``): ``id`` (canonical id; ``null`` for drafts and
headerless plans, whose id is the content hash), ``number``, ``province``, ``layout``,
``citations`` (cited ids), ``mentions`` (one per mention: cited id, spelling ``canonical`` |
``variant`` | ``short``, and the text as written), ``lead`` / ``cooperate`` (agency ids),
``partners`` / ``mentioned_localities`` (locality ids), ``tasks`` (number of task items written).
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
GRAMMAR = Path(__file__).resolve().parent / "data" / "corpus_grammar.json"
SHARD = 1000

__all__ = ["GeneratedDoc", "Vocab", "generate", "iter_documents", "load_vocab", "write_corpus"]

LAYOUTS = (("portal", 0.45), ("paragraph", 0.25), ("headerless", 0.08), ("draft", 0.07),
           ("news", 0.15))
# the province-scoped agency kinds that get assignment blocks, roughly by frequency in plans
BLOCK_KINDS = (
    "so-ke-hoach-va-dau-tu", "cong-an-tinh", "so-thong-tin-va-truyen-thong", "so-cong-thuong",
    "so-tai-chinh", "so-noi-vu", "so-van-hoa-the-thao-va-du-lich", "so-lao-dong-thuong-binh-va-xa-hoi",
    "so-giao-duc-va-dao-tao", "bo-chi-huy-quan-su-tinh", "bo-chi-huy-bo-doi-bien-phong-tinh",
    "van-phong-ubnd-tinh", "lien-hiep-cac-to-chuc-huu-nghi-tinh", "so-tu-phap", "so-y-te",
    "so-nong-nghiep-va-phat-trien-nong-thon", "so-tai-nguyen-va-moi-truong",
    "so-khoa-hoc-va-cong-nghe", "ban-quan-ly-khu-kinh-te", "trung-tam-xuc-tien",
    "so-du-lich", "dai-phat-thanh-va-truyen-hinh-tinh", "uy-ban-mttq-tinh",
)
CENTRAL_PARTNERS = ("bo-ngoai-giao", "ban-doi-ngoai-trung-uong")
# a line may not start like an outline item (``2. ``, ``a) ``, ``- ``, ``IV. ``) or a closing line
_BAD_LINE_START = re.compile(r"^(?:\d+[.)]|[a-zđ][.)]|[-+•]|[IVXLC]+\.|Nơi nhận|KT\.|TM\.)",
                             re.IGNORECASE)


# -- vocabularies ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Province:
    slug: str
    name: str
    unit: str            # "tỉnh" | "thành phố"

    @property
    def tinh(self) -> str:
        return f"{self.unit} {self.name}"


@dataclass(frozen=True)
class Vocab:
    grammar: dict[str, Any]
    provinces: tuple[Province, ...]
    kinds: dict[str, dict[str, Any]]            # agency kind id -> concept
    localities: tuple[dict[str, Any], ...]      # foreign localities with their country
    countries: dict[str, dict[str, Any]]


@lru_cache(maxsize=1)
def load_vocab() -> Vocab:
    grammar = json.loads(GRAMMAR.read_text(encoding="utf-8"))
    prov = json.loads((REPO / "ingest/data/provinces.json").read_text(encoding="utf-8"))
    kinds = json.loads((REPO / "ontology/data/agency_kinds.json").read_text(encoding="utf-8"))
    loc = json.loads((REPO / "ingest/data/localities.json").read_text(encoding="utf-8"))
    provinces = tuple(Province(p["slug"], p["name"], p["prefix"]) for p in prov["provinces"])
    countries = {c["id"]: c for c in loc["countries"]}
    # foreign localities whose name is not also a Vietnamese place or a country word
    locs = tuple(x for x in loc["foreign_localities"] if x.get("country") in countries)
    return Vocab(grammar, provinces, {c["id"]: c for c in kinds["concepts"]}, locs, countries)


# -- text helpers ----------------------------------------------------------------------------
def _date_vn(iso: str, rng: random.Random) -> str:
    y, m, d = iso.split("-")
    if rng.random() < 0.3:
        return f"ngày {d} tháng {m} năm {y}"
    return f"ngày {d}/{m}/{y}" if rng.random() < 0.7 else f"ngày {int(d)}/{int(m)}/{y}"


def _wrap(paragraph: str, rng: random.Random, lo: int = 35, hi: int = 85) -> str:
    """Break a paragraph into portal-style lines at spaces, never so that a continuation line
    starts like an outline item."""
    words = paragraph.split(" ")
    lines: list[str] = []
    cur: list[str] = []
    width = rng.randint(lo, hi)
    for w in words:
        cur.append(w)
        if sum(len(x) + 1 for x in cur) >= width:
            lines.append(" ".join(cur))
            cur = []
            width = rng.randint(lo, hi)
    if cur:
        lines.append(" ".join(cur))
    # merge a line into its predecessor when it would look like an outline item
    out: list[str] = []
    for line in lines:
        if out and _BAD_LINE_START.match(line):
            out[-1] = out[-1] + " " + line
        else:
            out.append(line)
    return "\n".join(out)


def _break_heading(line: str, rng: random.Random) -> str:
    """``III. TỔ CHỨC THỰC\\nHIỆN``: the portal breaks headings before their last word."""
    parts = line.rsplit(" ", 1)
    if len(parts) == 2 and len(parts[0]) > 8 and rng.random() < 0.5:
        return parts[0] + "\n" + parts[1]
    return line


# -- citations -------------------------------------------------------------------------------
_DIACRITIC_FREE = {"Đ": "D", "đ": "d"}


def _variant_number(number: str, rng: random.Random) -> str:
    """A realistic misspelling of a document number that still denotes it."""
    choice = rng.randrange(4)
    if choice == 0:                     # spaces around the separators
        return re.sub(r"-", " - ", number, count=1)
    if choice == 1:                     # a line break after a separator (portal wrapping)
        i = max(number.find("/"), number.find("-"))
        return number[:i + 1] + "\n" + number[i + 1:]
    if choice == 2 and "Đ" in number:   # typed without diacritics: QD, ND
        return "".join(_DIACRITIC_FREE.get(c, c) for c in number)
    return number.replace("/", "/ ", 1)


@dataclass
class Mention:
    id: str
    spelling: str      # canonical | variant | short
    text: str


@dataclass
class Doc:
    """Working state of one document being written."""

    rng: random.Random
    province: Province
    year: int
    mentions: list[Mention] = field(default_factory=list)
    cited_full: set[str] = field(default_factory=set)
    cited_entries: list[dict[str, Any]] = field(default_factory=list)
    lead: list[str] = field(default_factory=list)
    cooperate: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    mentioned: list[str] = field(default_factory=list)
    tasks: int = 0

    def cite(self, entry: dict[str, Any]) -> str:
        """The text of one citation of ``entry`` (a ``cited`` row or a provincial one)."""
        rng = self.rng
        first = entry["id"] not in self.cited_full
        if not first and entry.get("short") and rng.random() < 0.5:
            text = f"{entry['short']} của {entry['issuer']}"
            self.mentions.append(Mention(entry["id"], "short", text))
            return text
        number = entry["number"]
        spelling = "canonical"
        if rng.random() < 0.22:
            number = _variant_number(number, rng)
            spelling = "variant" if number != entry["number"] else "canonical"
        so = "số " if rng.random() < 0.8 else ""
        parts = [f"{entry['type']} {so}{number}"]
        party = "/" in number and "-" in number.split("/")[0]
        if first or party or rng.random() < 0.5:   # Party numbers carry no year: keep the date
            parts.append(_date_vn(entry["date"], rng))
        parts.append(f"của {entry['issuer']}")
        if first and rng.random() < 0.7:
            parts.append(entry["title"])
        text = " ".join(parts)
        if entry["id"] not in self.cited_full:
            self.cited_entries.append(entry)
        self.cited_full.add(entry["id"])
        self.mentions.append(Mention(entry["id"], spelling, text))
        return text


def _agency_id(kind: str, prov: Province) -> str:
    return f"agency:{kind}:{prov.slug}"


def _agency_surface(kind: dict[str, Any], prov: Province, rng: random.Random) -> str:
    label = kind["pref_label"]
    if prov.unit == "thành phố" and label.endswith(" tỉnh"):
        label = label[: -len(" tỉnh")] + " thành phố"
    if kind["id"] == "van-phong-ubnd-tinh" and rng.random() < 0.5:
        label = label.replace("Văn phòng Ủy ban nhân dân", "Văn phòng UBND")
    return label


# -- the generator ---------------------------------------------------------------------------
@dataclass(frozen=True)
class GeneratedDoc:
    path: str            # relative to the corpus root
    text: str
    truth: dict[str, Any]


class _State:
    """The only cross-document state: numbers used per (province, year), previous plans, partners."""

    def __init__(self, vocab: Vocab, seed: int) -> None:
        self.next_number: dict[tuple[str, int], int] = {}
        self.previous: dict[str, dict[str, Any]] = {}
        rng = random.Random(f"{seed}:partners")
        self.partners: dict[str, list[dict[str, Any]]] = {
            p.slug: rng.sample(vocab.localities, rng.randint(1, 3)) for p in vocab.provinces}

    def number(self, prov: Province, year: int, rng: random.Random) -> int:
        n = self.next_number.get((prov.slug, year), rng.randint(1, 40)) + rng.randint(1, 6)
        self.next_number[(prov.slug, year)] = n
        return n


def _zipf_cited(vocab: Vocab, rng: random.Random, before: str = "9999") -> list[dict[str, Any]]:
    """Central documents a plan dated ``before`` cites: rank r with probability 0.9 / r**0.8,
    only documents issued before the plan."""
    out = [e for r, e in enumerate(vocab.grammar["cited"], 1)
           if rng.random() < 0.9 / r ** 0.8 and e["date"] < before]
    rng.shuffle(out)
    return out


def _provincial_cited(vocab: Vocab, prov: Province, year: int, rng: random.Random
                      ) -> list[dict[str, Any]]:
    out = []
    for tpl in vocab.grammar["provincial_cited"]:
        if rng.random() < 0.35:
            y = rng.randint(max(2011, year - 6), year - 1)
            n = rng.randint(1, 400)
            number = tpl["pattern"].format(n=n, year=y)
            out.append({
                "id": tpl["id"].format(n2=f"{n:02d}", slug=prov.slug, year=y),
                "type": tpl["type"], "number": number,
                "date": f"{y}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "issuer": tpl["issuer"].format(name=prov.name, tinh=prov.tinh),
                "title": tpl["title"].format(tinh=prov.tinh)})
    return out


def _task_sentence(g: dict[str, Any], rng: random.Random, words: tuple[int, int] = (25, 90)
                   ) -> str:
    verb = rng.choice(g["verbs"])
    parts = [f"{verb} {rng.choice(g['objects'])}"]
    target = rng.randint(*words)
    while sum(len(p.split()) for p in parts) < target:
        parts.append(f"{rng.choice(g['verbs']).lower()} {rng.choice(g['objects'])}")
    text = "; ".join(parts) + ", " + rng.choice(g["ends"])
    return text


def _deadline(g: dict[str, Any], year: int, rng: random.Random) -> str:
    tpl = rng.choice(g["deadlines"])
    return tpl.format(q=rng.choice(["I", "II", "III", "IV"]), y=year, d=rng.randint(1, 28),
                      m=rng.randint(1, 12))


def _partner_phrase(vocab: Vocab, loc: dict[str, Any]) -> tuple[str, list[str]]:
    country = vocab.countries[loc["country"]]
    return (f"tỉnh {loc['name']}, {country['name']}",
            [f"locality:{loc['id']}", f"locality:{country['id']}"])


def _section_ii(doc: Doc, vocab: Vocab, state: _State, cited: list[dict[str, Any]],
                partners: list[dict[str, Any]], prospect: dict[str, Any] | None) -> list[str]:
    """Section II paragraphs (outline lines + items)."""
    g, rng, prov = vocab.grammar, doc.rng, doc.province
    heads = rng.sample(g["task_heads"], rng.randint(3, 6))
    style = rng.choice(("letter", "letter", "dash", "para"))
    lines: list[str] = []
    queue = list(cited)
    for hi, head in enumerate(heads, 1):
        lines.append(f"{hi}. {head}")
        n_items = rng.randint(2, 5) if style != "para" else 1
        for ii in range(n_items):
            body = _task_sentence(g, rng)
            if queue and rng.random() < 0.6:
                k = 1 if rng.random() < 0.6 else 2
                cites = [doc.cite(queue.pop()) for _ in range(min(k, len(queue)))]
                body = rng.choice(g["cite_frames"]).format(cite="; ".join(cites)) + ". " + body
            again = [e for e in doc.cited_entries if e.get("short")]
            if again and rng.random() < 0.2:   # a second, short mention ("Chỉ thị 38 của …")
                body += "; thực hiện tốt " + doc.cite(rng.choice(again))
            if hi == 1 and ii == 0 and partners:
                names, ids = [], []
                for loc in partners:
                    n, i = _partner_phrase(vocab, loc)
                    names.append(n)
                    ids += i
                body = rng.choice(g["partner_frames"]).format(
                    tinh=prov.tinh, partner=" và ".join(names)) + ". " + body
                doc.partners += ids
            if hi == 2 and ii == 0 and prospect is not None:
                n, ids = _partner_phrase(vocab, prospect)
                body = body + ". " + rng.choice(g["prospect_frames"]).format(partner=n)
                doc.mentioned += ids
            if rng.random() < 0.15:   # an in-line lead: "Sở X chủ trì, phối hợp với Sở Y …"
                a, b = rng.sample(BLOCK_KINDS[:10], 2)
                ka, kb = vocab.kinds[a], vocab.kinds[b]
                body = (f"{_agency_surface(ka, prov, rng)} chủ trì, phối hợp với "
                        f"{_agency_surface(kb, prov, rng)} {body[0].lower()}{body[1:]}")
                doc.lead.append(_agency_id(a, prov))
                doc.cooperate.append(_agency_id(b, prov))
            if rng.random() < 0.25:
                body += _deadline(g, doc.year, rng)
            body += "."
            doc.tasks += 1
            if style == "letter":
                lines.append(f"{'abcdđeghik'[ii]}) {body}")
            elif style == "dash":
                lines.append(f"- {body}")
            else:
                lines.append(body)
    while queue:   # leftovers go to the last item
        lines[-1] = lines[-1][:-1] + "; " + rng.choice(g["cite_frames"]).format(
            cite=doc.cite(queue.pop())) + "."
    return lines


def _section_iii(doc: Doc, vocab: Vocab, lettered_closing: bool) -> list[str]:
    g, rng, prov = vocab.grammar, doc.rng, doc.province
    kinds = ["so-ngoai-vu"] + rng.sample(BLOCK_KINDS, rng.randint(3, 12))
    lines: list[str] = []
    for bi, kind_id in enumerate(kinds, 1):
        kind = vocab.kinds[kind_id]
        lines.append(f"{bi}. {_agency_surface(kind, prov, rng)}")
        doc.lead.append(_agency_id(kind_id, prov))
        n_items = rng.randint(1, 3)
        for ii in range(n_items):
            task = rng.choice(g["block_tasks"])
            if ii == 0 and rng.random() < 0.7:
                others = [k for k in rng.sample(kinds, min(3, len(kinds))) if k != kind_id][:2]
                names = [_agency_surface(vocab.kinds[k], prov, rng) for k in others]
                ids = [_agency_id(k, prov) for k in others]
                if rng.random() < 0.3:
                    c = rng.choice(CENTRAL_PARTNERS)
                    names.append(vocab.kinds[c]["pref_label"])
                    ids.append(f"agency:{c}")
                body = (f"Chủ trì, phối hợp với {', '.join(names)} và các cơ quan, đơn vị "
                        f"liên quan {task}")
                doc.cooperate += ids
            else:
                body = task[0].upper() + task[1:]
            if rng.random() < 0.2:
                body += _deadline(g, doc.year, rng)
            body += "."
            doc.tasks += 1
            lines.append(f"{'abcdđeghik'[ii]}) {body}" if n_items > 1 else body)
    last = len(kinds) + 1
    lines.append(f"{last}. Các sở, ban, ngành, đoàn thể cấp tỉnh; Ủy ban nhân dân các huyện, "
                 f"thị xã, thành phố")
    closing = ["Quán triệt, phổ biến nội dung Kế hoạch này đến cán bộ, công chức, viên chức "
               "thuộc quyền quản lý.",
               "Căn cứ chức năng, nhiệm vụ được giao chủ động xây dựng kế hoạch triển khai "
               "thực hiện; định kỳ báo cáo Ủy ban nhân dân tỉnh (qua Sở Ngoại vụ) theo quy định."]
    if lettered_closing:   # portal layout: a plain paragraph after a wrapped heading is ambiguous
        lines += [f"a) {closing[0]}", f"b) {closing[1]}"]
        doc.tasks += 2
    else:
        lines.append(closing[1])
        doc.tasks += 1
    doc.lead.append(_agency_id("ubnd-cac-huyen", prov))
    return lines


def _signer(g: dict[str, Any], rng: random.Random) -> str:
    return f"{rng.choice(g['signers'])} {rng.choice(g['signer_last'])}"


def _plan_text(doc: Doc, vocab: Vocab, state: _State, layout: str, number: int | None,
               date: tuple[int, int, int]) -> tuple[str, str]:
    g, rng, prov = vocab.grammar, doc.rng, doc.province
    y0 = doc.year
    title = rng.choice(g["plan_titles"]).format(y0=y0, y1=y0 + rng.randint(1, 4), tinh=prov.tinh)
    d, m, y = date
    cited = (_zipf_cited(vocab, rng, f"{y}-{m:02d}-{d:02d}")
             + _provincial_cited(vocab, prov, doc.year, rng))
    prev = state.previous.get(prov.slug)
    if prev is not None and prev["date"] < f"{y}-{m:02d}-{d:02d}" and rng.random() < 0.4:
        cited.append(prev)
    partners = state.partners[prov.slug] if rng.random() < 0.7 else []
    others = [x for x in vocab.localities if x not in state.partners[prov.slug]
              and x["country"] not in {p["country"] for p in partners}]
    prospect = rng.choice(others) if rng.random() < 0.25 else None
    # the preamble cites the first one or two documents
    pre_cited = [cited.pop() for _ in range(min(len(cited), rng.randint(1, 2)))]
    pre = (f"{rng.choice(g['preamble_verbs'])} " + "; ".join(doc.cite(e) for e in pre_cited)
           + f", Ủy ban nhân dân {prov.tinh} ban hành Kế hoạch {title} như sau:")
    body: list[str] = [pre, "I. MỤC ĐÍCH, YÊU CẦU", "1. Mục đích"]
    purposes = rng.sample(g["purpose"], 3)
    body += [f"- {purposes[0]}", f"- {purposes[1]}", "2. Yêu cầu", f"- {purposes[2]}"]
    body.append(rng.choice(["II. NHIỆM VỤ VÀ GIẢI PHÁP", "II. NỘI DUNG THỰC HIỆN",
                            "II. NHIỆM VỤ TRỌNG TÂM"]))
    body += _section_ii(doc, vocab, state, cited, partners, prospect)
    body.append(rng.choice(["III. TỔ CHỨC THỰC HIỆN", "III. PHÂN CÔNG NHIỆM VỤ"]))
    body += _section_iii(doc, vocab, layout == "portal")
    body.append("Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các cơ quan, đơn vị và "
                "địa phương phản ánh về Ủy ban nhân dân tỉnh (qua Sở Ngoại vụ) để xem xét, "
                "giải quyết./.")
    recips = ["Nơi nhận:"] + [f"- {r}" for r in rng.sample(g["recipients"][:-1], 4)] + [
        f"- {g['recipients'][-1]}"]
    signer = _signer(g, rng)
    sig = rng.choice([["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"], ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]])
    d, m, y = date
    upper = prov.name.upper()
    unit_upper = prov.unit.upper()
    if layout == "portal":
        head = ["ỦY", "BAN NHÂN DÂN", f"{unit_upper} {upper}", "----------", "|", "CỘNG",
                "HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "---------------",
                "|", f"Số: {number}/KH-UBND", "|"]
        first, _, rest = prov.name.partition(" ")
        head += ([first, f"{rest}, ngày {d} tháng {m} năm {y}"] if rest and rng.random() < 0.5
                 else [f"{prov.name}, ngày {d} tháng {m} năm {y}"])
        head += ["|", "KẾ HOẠCH", title.upper()]
        out = head
        for line in body:
            if re.match(r"^[IVX]+\. ", line):
                out.append(_break_heading(line, rng))
            elif re.match(r"^\d+\. ", line) and len(line) < 90:
                out.append(line)
            else:
                out.append(_wrap(line, rng))
        out += recips + ["|"] + sig + [signer, "|"]
        return "\n".join(out) + "\n", title
    # paragraph-shaped layouts: one paragraph per line, blank lines between blocks
    if layout == "headerless":
        head = ["", " KẾ HOẠCH", title.upper(), ""]
    else:
        num = f"{number}" if layout != "draft" else ""
        day = f"{d}" if layout != "draft" else ""
        month = f"{m}"
        head = [f"ỦY BAN NHÂN DÂN {unit_upper} {upper}", "", f"Số: {num}/KH-UBND", "",
                f"{prov.name}, ngày {day} tháng {month} năm {y}", "", "KẾ HOẠCH", "",
                title[0].upper() + title[1:], ""]
    out = head + [line for para in body for line in (para, "")] + recips + [""] + sig + [
        "", signer]
    return "\n".join(out) + "\n", title


def _news_text(doc: Doc, vocab: Vocab, state: _State, number: int,
               date: tuple[int, int, int]) -> str:
    g, rng, prov = vocab.grammar, doc.rng, doc.province
    d, m, y = date
    site = rng.choice(g["news_sites"])
    cited = _zipf_cited(vocab, rng, f"{y}-{m:02d}-{d:02d}")[:6] + _provincial_cited(vocab, prov, doc.year, rng)[:1]
    partners = state.partners[prov.slug] if rng.random() < 0.6 else []
    paras = [f"Chi tiet tin tức - {site}", " ",
             f"{prov.name} đề ra Kế hoạch thực hiện công tác đối ngoại năm {y}", "",
             f"Ngày {min(28, d + 5):02d}-{m:02d}-{y}", "",
             f"Vừa qua, UBND {prov.tinh} đã ban hành Kế hoạch số {number}/KH-UBND ngày {d} tháng "
             f"{m} năm {y} về công tác đối ngoại trên địa bàn {prov.tinh} năm {y} nhằm triển khai "
             f"các hoạt động đối ngoại đảm bảo tích cực, hiệu quả, góp phần phục vụ sự nghiệp "
             f"phát triển kinh tế - xã hội của Tỉnh.", ""]
    topics = rng.sample(g["news_topics"], rng.randint(3, 5))
    for i, topic in enumerate(topics):
        text = f"Về {topic}: {_task_sentence(g, rng, (30, 80))}"
        if cited:
            text += ". Tiếp tục quán triệt và thực hiện nghiêm túc " + "; ".join(
                doc.cite(cited.pop()) for _ in range(min(len(cited), rng.randint(1, 3))))
        if i == 0 and partners:
            names, ids = [], []
            for loc in partners:
                n, lid = _partner_phrase(vocab, loc)
                names.append(n)
                ids += lid
            text += ". Tiếp tục củng cố, tăng cường mối quan hệ hữu nghị với " + ", ".join(names)
            doc.partners += ids
        paras += [text + ".", ""]
        doc.tasks += 1
    while cited:
        paras[-2] = paras[-2][:-1] + "; " + doc.cite(cited.pop()) + "."
    paras += [f"{_signer(g, rng)} (tổng hợp)", "", "", f"Đang online: {rng.randint(1, 40)}",
              f"Hôm nay: {rng.randint(100, 2000)}", f"Đã truy cập: {rng.randint(2000, 90000)}"]
    return "\n".join(paras) + "\n"


def _pick_layout(rng: random.Random) -> str:
    x, acc = rng.random(), 0.0
    for name, p in LAYOUTS:
        acc += p
        if x < acc:
            return name
    return LAYOUTS[-1][0]


def iter_documents(n: int, seed: int = 7) -> Iterator[GeneratedDoc]:
    """``n`` documents, deterministic in ``seed`` (each document has its own
    ``random.Random(f"{seed}:{i}")``, so document *i* does not depend on how many follow)."""
    vocab = load_vocab()
    state = _State(vocab, seed)
    for i in range(n):
        rng = random.Random(f"{seed}:{i}")
        prov = rng.choice(vocab.provinces)
        year = rng.randint(2016, 2024)
        date = (rng.randint(1, 28), rng.randint(1, 12), year)
        layout = _pick_layout(rng)
        doc = Doc(rng, prov, year)
        number = state.number(prov, year, rng)
        if layout == "news":
            text = _news_text(doc, vocab, state, number, date)
            doc.lead, doc.cooperate = [], []
        else:
            text, _ = _plan_text(doc, vocab, state, layout, number, date)
        numbered = layout in ("portal", "paragraph", "news")
        doc_id = f"doc:kh-{number:02d}-ubnd-{prov.slug}-{year}" if numbered else None
        if numbered:
            state.previous[prov.slug] = {
                "id": doc_id, "type": "Kế hoạch", "number": f"{number}/KH-UBND",
                "date": f"{year}-{date[1]:02d}-{date[0]:02d}",
                "issuer": f"Ủy ban nhân dân {prov.tinh}", "title": "về công tác đối ngoại"}
        truth = {
            "i": i, "id": doc_id, "number": f"{number}/KH-UBND" if numbered else None,
            "province": prov.name, "year": year, "layout": layout,
            "citations": sorted({m.id for m in doc.mentions}),
            "mentions": [{"id": m.id, "spelling": m.spelling, "text": m.text}
                         for m in doc.mentions],
            "lead": sorted(set(doc.lead)), "cooperate": sorted(set(doc.cooperate)),
            "partners": sorted(set(doc.partners)),
            "mentioned_localities": sorted(set(doc.mentioned) - set(doc.partners)),
            "tasks": doc.tasks,
        }
        name = f"docs/{i // SHARD:04d}/{i:07d}_{prov.slug}_{layout}.txt"
        truth["path"] = name
        yield GeneratedDoc(name, text, truth)


def write_corpus(out: Path, n: int, seed: int = 7) -> dict[str, Any]:
    """Stream ``n`` documents into ``out``; returns a summary (also written to ``meta.json``)."""
    out.mkdir(parents=True, exist_ok=True)
    total_bytes = 0
    layouts: dict[str, int] = {}
    with (out / "truth.jsonl").open("w", encoding="utf-8") as truth:
        for gdoc in iter_documents(n, seed):
            path = out / gdoc.path
            path.parent.mkdir(parents=True, exist_ok=True)
            data = gdoc.text.encode("utf-8")
            path.write_bytes(data)
            total_bytes += len(data)
            layouts[gdoc.truth["layout"]] = layouts.get(gdoc.truth["layout"], 0) + 1
            truth.write(json.dumps(gdoc.truth, ensure_ascii=False) + "\n")
    meta = {"docs": n, "seed": seed, "bytes": total_bytes, "layouts": layouts}
    (out / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return meta


def read_truth(root: Path) -> Iterator[dict[str, Any]]:
    with (Path(root) / "truth.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


generate = write_corpus


def compare(doc: Any, truth: dict[str, Any]) -> dict[str, dict[str, list[str]]]:
    """What ``doc`` (an :class:`~vbgraph.ontology.records.ExtractedDocument` of the generated
    file) misses or adds against ``truth``: ``{field: {"missing": [...], "extra": [...]}}`` for
    ``id``, ``province``, ``citations``, ``lead``, ``cooperate`` (an agency cited as co-operating
    may also lead another task), ``partners``. Only fields with a difference are returned."""
    from vbgraph.ontology.vocab import LocalityRelation

    got: dict[str, set[str]] = {
        "citations": {c.id for c in doc.citations},
        "lead": {a for t in doc.tasks for a in t.lead},
        "cooperate": {a for t in doc.tasks for a in (*t.cooperate, *t.lead)},
        "partners": {loc.id for loc in doc.localities
                     if loc.relation is LocalityRelation.PARTNER},
    }
    want: dict[str, set[str]] = {k: set(truth[k]) for k in got}
    if truth["id"] is not None:
        got["id"], want["id"] = {doc.document.id}, {truth["id"]}
    else:
        got["id"] = {"src"} if doc.document.id.startswith("doc:src-") else {doc.document.id}
        want["id"] = {"src"}
    got["province"], want["province"] = {doc.document.province or ""}, {truth["province"]}
    out = {}
    for key in got:
        missing = sorted(want[key] - got[key])
        extra = [] if key == "cooperate" else sorted(got[key] - want[key])
        if missing or extra:
            out[key] = {"missing": missing, "extra": extra}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    meta = write_corpus(args.out, args.docs, args.seed)
    print(json.dumps(meta))
    return 0


if __name__ == "__main__":
    sys.exit(main())
