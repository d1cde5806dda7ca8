"""The explorer in a real browser: search, citations, graph, agencies, document view, escaping."""
from __future__ import annotations

import json
import os
import shutil
import urllib.request
import uuid
from pathlib import Path

TOKEN = "browser-test-token"          # the token tests/browser/conftest.py gives the server
REPO = Path(__file__).resolve().parents[2]


def _fold(text: str) -> str:
    from vbgraph.ingest.text import fold

    return fold(text)


def test_search_shows_results_with_highlights_and_source_link(page, server_url, artifacts_dir):
    page.goto(server_url + "/#search")
    page.fill("#search-q", "bao ho cong dan")            # no diacritics
    page.press("#search-q", "Enter")
    first = page.locator("#search-results > li").first
    first.wait_for()
    assert page.locator("#search-results > li").count() >= 3
    marks = [_fold(t) for t in first.locator("mark").all_text_contents()]
    assert marks and set(marks) <= {"bao", "ho", "cong", "dan"}, marks
    assert first.locator(".plan").inner_text().strip()
    # results carry the agencies assigned to each task (not every task has one: plans also
    # state aims with no agency attached), told apart by role
    results = page.locator("#search-results > li")
    assert page.locator("#search-results .agencies.lead").count() >= 1
    for i in range(results.count()):
        row = results.nth(i)
        assert row.locator(".agencies.lead").count() <= 1
    task_text = first.locator(".task-text").inner_text()
    page.screenshot(path=str(artifacts_dir / "search.png"), full_page=False)

    first.locator("a.source-link").click()
    passage = page.locator("#doc-text mark.passage")
    passage.wait_for()
    shown = " ".join(passage.inner_text().split())
    assert shown and " ".join(task_text.split())[:40] in shown or shown[:40] in " ".join(task_text.split())
    assert page.locator("#doc-citations li").count() > 0
    page.screenshot(path=str(artifacts_dir / "document.png"))


def test_cites_272_shows_three_plans(page, server_url, artifacts_dir):
    page.goto(server_url + "/#cites")
    page.fill("#cites-ref", "272-QĐ/TW")
    page.click("#cites-form button")
    page.locator("#cites-plans > li").first.wait_for()
    plans = page.locator("#cites-plans > li")
    assert plans.count() == 3
    text = _fold(" ".join(plans.all_inner_texts()))
    for province in ("kien giang", "thua thien hue", "hau giang"):
        assert province in text
    assert "272" in page.locator("#cites-resolved").inner_text()
    assert page.locator("#cites-plans blockquote").count() >= 3     # the citing sentences
    page.screenshot(path=str(artifacts_dir / "cites.png"), full_page=True)


def _graph_counts(page) -> tuple[int, int]:
    return tuple(page.evaluate("() => { const c = window.vbgraph.graph();"
                               " return [c.nodes().length, c.edges().length]; }"))


def test_graph_starts_from_a_decree_and_expands_on_click(page, server_url, artifacts_dir):
    page.goto(server_url + "/#graph")
    page.fill("#graph-node", "272-QĐ/TW")
    page.click("#graph-form button")
    page.wait_for_function("() => window.vbgraph.graph() && window.vbgraph.graph().nodes().length > 3")
    nodes_before, _ = _graph_counts(page)
    # colour by kind and a filter per kind present
    kinds = page.evaluate("() => [...new Set(window.vbgraph.graph().nodes().map(n => n.data('kind')))]")
    assert page.locator("#graph-filters input[type=checkbox]").count() == len(kinds) >= 1
    # click a plan node that has not been expanded yet: its neighbours appear
    target = page.evaluate("""() => {
        const c = window.vbgraph.graph();
        const start = c.nodes('.start')[0];
        const other = c.nodes().filter(n => n.id() !== start.id() && n.id().startsWith('doc:'))[0]
                      || c.nodes().filter(n => n.id() !== start.id())[0];
        const p = other.renderedPosition();
        return {id: other.id(), x: p.x, y: p.y};
    }""")
    box = page.locator("#cy").bounding_box()
    page.mouse.click(box["x"] + target["x"], box["y"] + target["y"])
    page.wait_for_function(f"() => window.vbgraph.graph().nodes().length > {nodes_before}")
    assert page.locator("#graph-details h2").inner_text().strip()
    assert target["id"] in page.locator("#graph-details").inner_text()
    # hiding a kind hides its nodes
    first_filter = page.locator("#graph-filters input[type=checkbox]").first
    label = first_filter.get_attribute("value")
    first_filter.uncheck()
    hidden = page.evaluate(f"() => window.vbgraph.graph().nodes('[kind = {json.dumps(label)}]')"
                           ".filter(n => n.style('display') === 'none').length")
    assert hidden >= 1
    first_filter.check()
    page.screenshot(path=str(artifacts_dir / "graph.png"))
    if os.environ.get("VBGRAPH_UPDATE_SCREENSHOT"):      # refresh the README's picture on demand
        shutil.copyfile(artifacts_dir / "graph.png", REPO / "docs" / "explorer.png")


def test_graph_starts_from_a_province_name(page, server_url):
    page.goto(server_url + "/#graph?node=" + "Kiên Giang")
    page.wait_for_function("() => window.vbgraph.graph() && window.vbgraph.graph().nodes().length > 1")
    start = page.evaluate("() => window.vbgraph.graph().nodes('.start')[0].id()")
    assert start.startswith("province:")


def test_agency_view_lists_tasks_by_role_and_topic(page, server_url, artifacts_dir):
    page.goto(server_url + "/#agency")
    page.fill("#agency-topic", "bien gioi")
    page.press("#agency-topic", "Enter")
    first = page.locator("#agency-results > li").first
    first.wait_for()
    # each card shows the agency's first evidence tasks (the API caps them per agency) and
    # says how many more there are
    ranks = page.request.get(server_url + "/agencies?topic=bien+gioi").json()
    cards = page.locator("#agency-results > li")
    assert cards.count() == len(ranks)
    for i, rank in enumerate(ranks):
        card = cards.nth(i)
        shown = min(len(rank["tasks"]), 5)
        assert shown >= 1
        assert card.locator("ul.compact > li:not(.more)").count() == shown
        more = rank["evidence_total"] - shown
        assert card.locator("li.more").count() == (1 if more > 0 else 0)
        if more > 0:
            assert f"{more} nhiệm vụ khác" in card.locator("li.more").inner_text()
    first.locator("h3 a").click()
    page.locator("#agency-detail h3").first.wait_for()
    headings = " ".join(page.locator("#agency-detail h3").all_inner_texts())
    assert "Chủ trì" in headings or "Phối hợp" in headings
    assert page.locator("#agency-detail li").count() >= 1
    page.screenshot(path=str(artifacts_dir / "agency.png"))


def test_agency_card_says_how_many_evidence_tasks_are_not_listed(page, server_url) -> None:
    # a server listing one evidence task per agency: the cards say how many more there are
    page.route("**/agencies?*", lambda route: route.continue_(url=route.request.url
                                                               + "&evidence=1"))
    ranks = page.request.get(server_url + "/agencies?topic=bien+gioi&evidence=1").json()
    assert any(r["evidence_total"] > 1 for r in ranks)
    page.goto(server_url + "/#agency?topic=bien+gioi")
    cards = page.locator("#agency-results > li")
    cards.first.wait_for()
    assert cards.count() == len(ranks)
    for i, rank in enumerate(ranks):
        card = cards.nth(i)
        assert card.locator("ul.compact > li:not(.more)").count() == 1
        more = rank["evidence_total"] - 1
        assert card.locator("li.more").count() == (1 if more else 0)
        if more:
            assert card.locator("li.more").inner_text() == f"… và {more} nhiệm vụ khác"


HOSTILE = """ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ
Số: 77/KH-UBND
Quảng Trị, ngày 02 tháng 3 năm 2023
KẾ HOẠCH
Công tác đối ngoại <script>window.__pwned = 1</script> năm 2023
Căn cứ Quyết định số 272-QĐ/TW ngày 21/01/2015 của Bộ Chính trị;
II. NHIỆM VỤ
1. Sở Ngoại vụ chủ trì <img src=x onerror="window.__pwned = 2"> công tác bảo hộ công dân <b>MARKER-{tag}</b> tại Salavan.
"""


def _upload(server_url: str, name: str, data: bytes) -> dict:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            f"Content-Type: text/plain\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(server_url + "/documents", data=body, method="POST", headers={
        "Authorization": f"Bearer {TOKEN}",
        "Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=300) as response:
        assert response.status == 201
        return json.loads(response.read())


def test_html_in_a_document_never_executes(page, server_url, artifacts_dir):
    tag = uuid.uuid4().hex[:8]
    result = _upload(server_url, "hostile.txt", HOSTILE.format(tag=tag).encode("utf-8"))
    doc_id = result["documents"][0] if result["documents"] else None

    page.goto(server_url + "/#search")
    page.fill("#search-q", f"MARKER-{tag} bảo hộ")
    page.press("#search-q", "Enter")
    page.locator("#search-results > li").first.wait_for()
    assert "<img" in page.locator("#search-results").inner_text() or \
        "<b>" in page.locator("#search-results").inner_text()
    if doc_id is None:
        doc_id = page.locator("#search-results .plan").first.get_attribute("href").split("id=")[1]
    page.goto(server_url + "/#doc?id=" + doc_id)
    page.locator("#doc-text").wait_for()
    page.wait_for_function("() => document.querySelector('#doc-text').textContent.length > 50")
    text = page.locator("#doc-text").inner_text()
    assert "<script>window.__pwned = 1</script>" in text
    assert page.locator("#doc-text script, #doc-text img, #doc-text b, #search-results img").count() == 0
    assert page.evaluate("() => window.__pwned") is None
    page.screenshot(path=str(artifacts_dir / "escaped.png"))
