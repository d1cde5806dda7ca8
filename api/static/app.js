/* vbgraph explorer — plain JS, no build step, works offline.
 *
 * Safety rule: every piece of data reaches the page through textContent / createTextNode /
 * setAttribute on safe attributes. Never assigns markup strings built from data (a document may contain HTML or
 * scripts; they must show as text, never run).
 */
"use strict";

(function () {
  // ---------------------------------------------------------------- helpers: DOM
  const $ = (sel) => document.querySelector(sel);

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key === "href") node.setAttribute("href", safeHref(value));
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    }
    for (const child of children) append(node, child);
    return node;
  }

  function append(node, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) { child.forEach((c) => append(node, c)); return; }
    node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function safeHref(href) {
    // only in-app hash routes and same-origin paths
    const s = String(href);
    return s.startsWith("#") || (s.startsWith("/") && !s.startsWith("//")) ? s : "#";
  }

  function setStatus(id, text, isError) {
    const node = $(id);
    node.textContent = text || "";
    node.classList.toggle("error", !!isError);
  }

  // ---------------------------------------------------------------- helpers: Vietnamese folding
  // Same contract as vbgraph.ingest.text.fold: lower case, no diacritics, đ -> d, and one UTF-16
  // unit out per unit in, so offsets found in folded text are offsets in the original (NFC) text.
  function foldUnit(ch) {
    if (ch === "đ" || ch === "Đ") return "d";
    const code = ch.charCodeAt(0);
    if (code >= 0xd800 && code <= 0xdfff) return ch;           // surrogate half: keep
    const base = ch.normalize("NFD")[0].toLowerCase();
    if (base.length === 1) return base;
    const lower = ch.toLowerCase();
    return lower.length === 1 ? lower : ch;
  }

  function fold(text) {
    const s = String(text || "");
    let out = "";
    for (let i = 0; i < s.length; i++) out += foldUnit(s[i]);
    return out;
  }

  const WORD = /[\p{L}\p{N}]+/gu;

  function queryWords(query) {
    const words = new Set();
    for (const m of fold(String(query || "").normalize("NFC")).matchAll(WORD)) {
      if (m[0].length >= 2 || /\d/.test(m[0])) words.add(m[0]);
    }
    return words;
  }

  /** Append `text` to `parent`, wrapping words equal (diacritic-insensitively) to a query word in <mark>. */
  function appendHighlighted(parent, text, words) {
    const s = String(text || "").normalize("NFC");
    const folded = fold(s);
    let last = 0;
    for (const m of folded.matchAll(WORD)) {
      if (!words.has(m[0])) continue;
      if (m.index > last) parent.appendChild(document.createTextNode(s.slice(last, m.index)));
      parent.appendChild(el("mark", { text: s.slice(m.index, m.index + m[0].length) }));
      last = m.index + m[0].length;
    }
    if (last < s.length) parent.appendChild(document.createTextNode(s.slice(last)));
  }

  // ---------------------------------------------------------------- helpers: API
  async function api(path, params) {
    const url = new URL(path, window.location.origin);
    for (const [key, value] of Object.entries(params || {})) {
      if (value !== undefined && value !== null && String(value).trim() !== "") {
        url.searchParams.set(key, value);
      }
    }
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (!response.ok) {
      const message = body && body.error ? body.error.message : `Lỗi ${response.status}`;
      const err = new Error(message);
      err.status = response.status;
      err.code = body && body.error ? body.error.code : "";
      throw err;
    }
    return body;
  }

  function docLink(docId, start, end) {
    let href = "#doc?id=" + encodeURIComponent(docId);
    if (Number.isInteger(start) && Number.isInteger(end)) href += `&start=${start}&end=${end}`;
    return href;
  }

  function graphLink(nodeId) { return "#graph?node=" + encodeURIComponent(nodeId); }

  const ROLE_VI = { lead: "Chủ trì", cooperate: "Phối hợp" };

  function agencyList(label, names, cls) {
    if (!names || !names.length) return null;
    return el("p", { class: "agencies " + cls }, el("span", { class: "role", text: label + ": " }),
      names.join("; "));
  }

  function joinMeta(parts) { return parts.filter((p) => p && String(p).trim()).join(" · "); }

  // ---------------------------------------------------------------- vocabulary (from /vocab)
  let vocab = null;
  async function loadVocab() {
    if (!vocab) vocab = await api("/vocab");
    return vocab;
  }
  const PALETTE = ["#1f6feb", "#d1495b", "#2a9d8f", "#e9c46a", "#8e44ad", "#f4a261",
                   "#6c757d", "#43aa8b", "#577590", "#bc6c25"];
  function labelColour(label) {
    const labels = vocab ? Object.keys(vocab.node_labels) : [];
    const i = labels.indexOf(label);
    return PALETTE[(i >= 0 ? i : labels.length) % PALETTE.length];
  }
  function labelName(label) {
    return (vocab && vocab.node_labels[label]) || label || "?";
  }

  // graph nodes: ``kind`` is the node label (Document, Agency …), ``label`` the display text
  function nodeKind(n) { return (n && n.kind) || ""; }

  function nodeTitle(n) {
    const d = n || {};
    const candidates = [d.label, d.name, d.number, d.title, d.text];
    for (const c of candidates) {
      if (c && String(c).trim()) {
        const s = String(c).trim();
        return s.length > 60 ? s.slice(0, 57) + "…" : s;
      }
    }
    return d.id;
  }

  // ---------------------------------------------------------------- router
  const views = ["search", "cites", "graph", "agency", "documents", "doc"];

  function parseHash() {
    const raw = window.location.hash.replace(/^#/, "");
    const [name, query] = raw.split("?");
    return { name: views.includes(name) ? name : "search", params: new URLSearchParams(query || "") };
  }

  function show(name) {
    for (const v of views) $("#view-" + v).hidden = v !== name;
    document.querySelectorAll(".tabs a").forEach((a) => {
      a.classList.toggle("active", a.dataset.view === name || (name === "doc" && a.dataset.view === "documents"));
    });
  }

  async function route() {
    const { name, params } = parseHash();
    show(name);
    try {
      if (name === "search") await routeSearch(params);
      else if (name === "cites") await routeCites(params);
      else if (name === "graph") await routeGraph(params);
      else if (name === "agency") await routeAgency(params);
      else if (name === "documents") await routeDocuments();
      else if (name === "doc") await routeDoc(params);
    } catch (err) {
      setStatus("#" + name + "-status", err.message, true);
    }
  }

  function go(name, params) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && String(v) !== "") qs.set(k, v);
    const target = "#" + name + (qs.toString() ? "?" + qs.toString() : "");
    if (window.location.hash === target) route(); else window.location.hash = target;
  }

  // ---------------------------------------------------------------- search
  async function routeSearch(params) {
    const q = params.get("q") || "";
    $("#search-q").value = q;
    $("#search-province").value = params.get("province") || "";
    $("#search-agency").value = params.get("agency") || "";
    $("#search-role").value = params.get("role") || "";
    const list = $("#search-results");
    clear(list);
    if (!q.trim()) { setStatus("#search-status", ""); return; }
    setStatus("#search-status", "Đang tìm…");
    const hits = await api("/search", {
      q, k: 20, province: params.get("province"), agency: params.get("agency"), role: params.get("role"),
    });
    setStatus("#search-status", hits.length ? `${hits.length} nhiệm vụ phù hợp` : "Không tìm thấy nhiệm vụ nào.");
    const words = queryWords(q);
    for (const hit of hits) list.appendChild(renderHit(hit, words));
  }

  function renderHit(hit, words) {
    const doc = hit.document || {};
    const text = el("p", { class: "task-text" });
    appendHighlighted(text, hit.text, words);
    const planName = joinMeta([doc.number || doc.id, doc.title]);
    return el("li", { class: "card hit", "data-task": hit.task_id },
      text,
      el("p", { class: "meta" },
        el("a", { href: doc.id ? docLink(doc.id) : "#documents", class: "plan", text: planName || "(kế hoạch)" }),
        " · ", joinMeta([doc.province, doc.date, hit.section ? "mục " + hit.section : ""])),
      agencyList("Chủ trì", hit.lead, "lead"),
      agencyList("Phối hợp", hit.cooperate, "cooperate"),
      el("p", { class: "actions" },
        doc.id ? el("a", { href: docLink(doc.id, hit.start, hit.end), class: "source-link", text: "Xem đoạn gốc" }) : null,
        doc.id ? el("a", { href: graphLink(doc.id), text: "Đồ thị kế hoạch" }) : null,
        el("span", { class: "score", text: "điểm " + Number(hit.score || 0).toFixed(3) })));
  }

  // ---------------------------------------------------------------- cites
  async function routeCites(params) {
    const ref = params.get("ref") || "";
    $("#cites-ref").value = ref;
    const resolvedBox = $("#cites-resolved");
    const list = $("#cites-plans");
    clear(resolvedBox); clear(list);
    if (!ref.trim()) { setStatus("#cites-status", ""); return; }
    setStatus("#cites-status", "Đang tra cứu…");
    const result = await api("/cites", { ref });
    const resolved = result.resolved || [];
    const candidates = result.candidates || [];
    const plans = result.plans || [];
    if (candidates.length && !resolved.length) {
      setStatus("#cites-status", "Số hiệu chưa rõ: có nhiều văn bản trùng. Chọn một văn bản:");
    } else {
      setStatus("#cites-status", plans.length ? `${plans.length} kế hoạch dẫn chiếu` : "Không có kế hoạch nào dẫn chiếu văn bản này.");
    }
    for (const d of resolved) resolvedBox.appendChild(renderCitedDoc(d, "resolved"));
    if (candidates.length) {
      resolvedBox.appendChild(el("h3", { text: "Các văn bản có thể khớp" }));
      for (const d of candidates) resolvedBox.appendChild(renderCitedDoc(d, "candidate"));
    }
    for (const plan of plans) list.appendChild(renderCitingPlan(plan, ref));
  }

  function renderCitedDoc(d, cls) {
    return el("div", { class: "cited " + cls },
      el("strong", { text: joinMeta([d.type, d.number]) || d.id }),
      " ", joinMeta([d.date, d.issuer]), " ",
      el("a", { href: graphLink(d.id), text: "đồ thị" }),
      cls === "candidate" && d.number ? [" ", el("a", { href: "#cites?ref=" + encodeURIComponent(d.number + (d.date ? " " + d.date.slice(0, 4) : "")), text: "chọn" })] : null);
  }

  function renderCitingPlan(plan, ref) {
    const words = queryWords(ref);
    const mentions = el("ul", { class: "mentions" });
    for (const m of plan.mentions || []) {
      const quote = el("blockquote", {});
      appendHighlighted(quote, m.text, words);
      mentions.appendChild(el("li", {}, quote,
        el("span", { class: "meta" }, m.section ? "mục " + m.section + " · " : "",
          el("a", { href: docLink(plan.id, m.start, m.end), class: "source-link", text: "Xem trong văn bản" }))));
    }
    return el("li", { class: "card plan", "data-plan": plan.id },
      el("h3", {}, el("a", { href: docLink(plan.id), text: joinMeta([plan.number, plan.province]) || plan.id })),
      plan.title ? el("p", { class: "title", text: plan.title }) : null,
      el("p", { class: "meta", text: joinMeta([plan.province, plan.date, plan.source]) }),
      mentions);
  }

  // ---------------------------------------------------------------- graph
  let cy = null;
  const expanded = new Set();
  const hiddenLabels = new Set();

  function ensureCy() {
    if (cy) return cy;
    if (typeof window.cytoscape !== "function") throw new Error("Không tải được thư viện vẽ đồ thị.");
    cy = window.cytoscape({
      container: $("#cy"),
      wheelSensitivity: 0.3,
      style: [
        { selector: "node", style: {
          "background-color": "data(colour)", label: "data(title)", "font-size": 10,
          "text-wrap": "ellipsis", "text-max-width": 120, "text-valign": "bottom", "text-margin-y": 3,
          color: "#222", width: 18, height: 18 } },
        { selector: "node.start", style: { width: 28, height: 28, "border-width": 3, "border-color": "#111" } },
        { selector: "node:selected", style: { "border-width": 3, "border-color": "#ff8800" } },
        { selector: "edge", style: {
          width: 1.2, "line-color": "#b8c0cc", "target-arrow-color": "#b8c0cc",
          "target-arrow-shape": "triangle", "curve-style": "bezier", label: "data(type)",
          "font-size": 7, color: "#778", "text-rotation": "autorotate" } },
        { selector: ".hidden", style: { display: "none" } },
      ],
    });
    cy.on("tap", "node", (evt) => {
      const id = evt.target.id();
      showNodeDetails(evt.target.data("raw"));
      if (!expanded.has(id)) expand(id, 1).catch((err) => setStatus("#graph-status", err.message, true));
    });
    return cy;
  }

  function addSubgraph(data) {
    const c = ensureCy();
    const added = [];
    c.batch(() => {
      for (const n of data.nodes || []) {
        if (c.getElementById(n.id).nonempty()) continue;
        const kind = nodeKind(n);
        const title = kind === (vocab && vocab.labels.ASSIGNMENT) ? (ROLE_VI[n.role] || nodeTitle(n)) : nodeTitle(n);
        added.push(c.add({ group: "nodes", data: { id: n.id, title, kind, colour: labelColour(kind), raw: n } }));
      }
      for (const e of data.edges || []) {
        const id = e.id || `${e.source}|${e.type}|${e.target}`;
        if (c.getElementById(id).nonempty()) continue;
        if (c.getElementById(e.source).empty() || c.getElementById(e.target).empty()) continue;
        c.add({ group: "edges", data: { id, source: e.source, target: e.target, type: e.type, raw: e } });
      }
    });
    applyFilters();
    renderFilters();
    return added;
  }

  async function expand(nodeId, depth) {
    setStatus("#graph-status", "Đang mở rộng…");
    const data = await api("/graph/neighborhood", { node: nodeId, depth });
    expanded.add(nodeId);
    const added = addSubgraph(data);
    const c = ensureCy();
    if (added.length) {
      const layout = c.layout({ name: "cose", animate: false, fit: true, padding: 20,
        randomize: false, nodeDimensionsIncludeLabels: true });
      layout.run();
    }
    setStatus("#graph-status", `${c.nodes().length} nút, ${c.edges().length} cạnh` +
      (data.truncated ? " (đã rút gọn)" : ""));
    return data;
  }

  /** The graph resolves ids and typed names (Kiên Giang, 272-QĐ/TW, Salavan …) itself. */
  async function routeGraphStart(text, depth) {
    const data = await api("/graph/neighborhood", { node: text.trim(), depth });
    return data;
  }

  async function routeGraph(params) {
    await loadVocab();
    renderStarts();
    const start = params.get("node") || "";
    const depth = Math.min(3, Math.max(1, parseInt(params.get("depth") || "1", 10) || 1));
    $("#graph-node").value = start;
    $("#graph-depth").value = String(depth);
    if (!start.trim()) { setStatus("#graph-status", "Chọn điểm bắt đầu."); return; }
    setStatus("#graph-status", "Đang vẽ…");
    const data = await routeGraphStart(start, depth);
    const id = data.root || (data.nodes && data.nodes.length ? data.nodes[0].id : start);
    const c = ensureCy();
    c.elements().remove();
    expanded.clear();
    expanded.add(id);
    addSubgraph(data);
    c.layout({ name: "cose", animate: false, fit: true, padding: 20, nodeDimensionsIncludeLabels: true }).run();
    setStatus("#graph-status", `${c.nodes().length} nút, ${c.edges().length} cạnh` + (data.truncated ? " (đã rút gọn)" : ""));
    c.nodes().removeClass("start");
    const node = c.getElementById(id);
    node.addClass("start");
    node.select();
    showNodeDetails(node.data("raw"));
  }

  let startsLoaded = false;
  async function renderStarts() {
    if (startsLoaded) return;
    startsLoaded = true;
    const box = $("#graph-starts");
    box.appendChild(el("span", { class: "hint", text: "Bắt đầu từ: " }));
    try {
      const docs = await api("/documents");
      for (const d of docs.slice(0, 12)) {
        box.appendChild(el("a", { class: "chip", href: graphLink(d.id), text: joinMeta([d.number, d.province]) || d.id }));
      }
      const stats = await api("/stats");
      for (const d of (stats.most_cited || []).slice(0, 5)) {
        const id = d.id || d.document;
        if (id) box.appendChild(el("a", { class: "chip cited", href: graphLink(id), text: d.number || d.label || id }));
      }
    } catch (err) { /* starts are a convenience */ }
  }

  function renderFilters() {
    const box = $("#graph-filters");
    const present = new Set(ensureCy().nodes().map((n) => n.data("kind")));
    for (const label of present) {
      if (box.querySelector(`input[value="${CSS.escape(label)}"]`)) continue;
      const input = el("input", { type: "checkbox", value: label });
      input.checked = !hiddenLabels.has(label);
      input.addEventListener("change", () => {
        if (input.checked) hiddenLabels.delete(label); else hiddenLabels.add(label);
        applyFilters();
      });
      const swatch = el("span", { class: "swatch" });
      swatch.style.backgroundColor = labelColour(label);
      box.appendChild(el("label", { class: "filter" }, input, swatch, labelName(label)));
    }
  }

  function applyFilters() {
    if (!cy) return;
    cy.batch(() => {
      cy.nodes().forEach((n) => n.toggleClass("hidden", hiddenLabels.has(n.data("kind"))));
    });
  }

  function showNodeDetails(raw) {
    const box = $("#graph-details");
    clear(box);
    if (!raw) return;
    box.appendChild(el("h2", { text: nodeTitle(raw) }));
    box.appendChild(el("p", { class: "kind", text: labelName(nodeKind(raw)) }));
    const dl = el("dl", { class: "meta" });
    for (const [key, value] of Object.entries(raw)) {
      if (value === null || value === undefined || value === "" || key === "label" || key === "kind") continue;
      const shown = typeof value === "object" ? JSON.stringify(value) : String(value);
      dl.appendChild(el("dt", { text: key }));
      dl.appendChild(el("dd", { text: shown.length > 400 ? shown.slice(0, 400) + "…" : shown }));
    }
    box.appendChild(dl);
    const actions = el("p", { class: "actions" });
    if (nodeKind(raw) === vocab.labels.DOCUMENT) {
      actions.appendChild(el("a", { href: docLink(raw.id), text: "Mở văn bản" }));
      if (raw.number) actions.appendChild(el("a", { href: "#cites?ref=" + encodeURIComponent(raw.number), text: "Kế hoạch dẫn chiếu" }));
    }
    if (nodeKind(raw) === vocab.labels.AGENCY) {
      actions.appendChild(el("a", { href: "#agency?id=" + encodeURIComponent(raw.id), text: "Nhiệm vụ của cơ quan" }));
    }
    if (nodeKind(raw) === vocab.labels.TASK && raw.document) {
      actions.appendChild(el("a", { href: docLink(raw.document, raw.start, raw.end), text: "Xem đoạn gốc" }));
    }
    actions.appendChild(el("a", { href: graphLink(raw.id), text: "Vẽ lại từ nút này" }));
    box.appendChild(actions);
  }

  // ---------------------------------------------------------------- agencies
  async function routeAgency(params) {
    await loadVocab();
    const topic = params.get("topic") || "";
    const province = params.get("province") || "";
    const agencyId = params.get("id") || "";
    $("#agency-topic").value = topic;
    $("#agency-province").value = province;
    const list = $("#agency-results");
    clear(list);
    clear($("#agency-detail"));
    setStatus("#agency-status", "");
    if (topic.trim()) {
      setStatus("#agency-status", "Đang tìm…");
      const ranks = await api("/agencies", { topic, province });
      setStatus("#agency-status", ranks.length ? `${ranks.length} cơ quan` : "Không có cơ quan nào cho chủ đề này.");
      for (const r of ranks) list.appendChild(renderAgencyRank(r, topic, province));
    }
    if (agencyId) await renderAgencyTasks(agencyId);
  }

  function renderAgencyRank(r, topic, province) {
    const tasks = el("ul", { class: "compact" });
    for (const t of (r.tasks || []).slice(0, 5)) {
      const text = typeof t === "string" ? t : (t.text || t.id || "");
      const item = el("li", {}, text.length > 220 ? text.slice(0, 217) + "…" : text);
      if (t && t.document && Number.isInteger(t.start)) {
        append(item, [" ", el("a", { href: docLink(t.document.id || t.document, t.start, t.end), text: "nguồn" })]);
      }
      tasks.appendChild(item);
    }
    const id = r.id || r.agency_id || r.agency;
    // the API lists the first few evidence tasks; evidence_total counts them all
    const more = Number(r.evidence_total || 0) - Math.min((r.tasks || []).length, 5);
    if (more > 0) {
      tasks.appendChild(el("li", { class: "more" }, el("a", {
        href: "#agency?" + new URLSearchParams({ topic, province, id }).toString(),
        text: `… và ${more} nhiệm vụ khác` })));
    }
    return el("li", { class: "card agency" },
      el("h3", {}, el("a", { href: "#agency?" + new URLSearchParams({ topic, province, id }).toString(),
        text: r.name || r.agency })),
      el("p", { class: "meta", text: joinMeta([ROLE_VI[r.role] || r.role, r.province, r.kind,
        "điểm " + Number(r.score || 0).toFixed(2)]) }),
      tasks);
  }

  async function renderAgencyTasks(agencyId) {
    const box = $("#agency-detail");
    clear(box);
    box.appendChild(el("p", { class: "status", text: "Đang tải nhiệm vụ…" }));
    const data = await api("/graph/neighborhood", { node: agencyId, depth: 3 });
    clear(box);
    const L = vocab.labels, E = vocab.edges;
    const nodes = new Map((data.nodes || []).map((n) => [n.id, n]));
    const agency = nodes.get(agencyId) || { id: agencyId };
    const edges = data.edges || [];
    const out = (src, type) => edges.filter((e) => e.source === src && e.type === type).map((e) => e.target);
    const inn = (dst, type) => edges.filter((e) => e.target === dst && e.type === type).map((e) => e.source);
    box.appendChild(el("h2", { text: nodeTitle(agency) }));
    box.appendChild(el("p", {}, el("a", { href: graphLink(agencyId), text: "Xem trên đồ thị" })));
    const groups = {};
    for (const assignmentId of inn(agencyId, E.ASSIGNED_TO)) {
      const assignment = nodes.get(assignmentId) || {};
      const role = assignment.role || "";
      for (const taskId of inn(assignmentId, E.HAS_ASSIGNMENT)) {
        const task = nodes.get(taskId);
        if (!task || nodeKind(task) !== L.TASK) continue;
        const plans = inn(taskId, E.HAS_TASK).map((id) => nodes.get(id)).filter(Boolean);
        const topics = out(taskId, E.HAS_TOPIC).map((id) => nodes.get(id)).filter(Boolean);
        const key = role || "?";
        (groups[key] = groups[key] || []).push({ task, plans, topics });
      }
    }
    const roles = Object.keys(groups).sort((a, b) => (a === vocab.roles.LEAD ? -1 : b === vocab.roles.LEAD ? 1 : 0));
    if (!roles.length) box.appendChild(el("p", { class: "hint", text: "Không có nhiệm vụ nào được giao cho cơ quan này." }));
    for (const role of roles) {
      box.appendChild(el("h3", { text: `${ROLE_VI[role] || role} (${groups[role].length} nhiệm vụ)` }));
      const byTopic = new Map();
      for (const item of groups[role]) {
        const names = item.topics.length ? item.topics.map(nodeTitle) : ["Chưa phân loại"];
        for (const name of names) { if (!byTopic.has(name)) byTopic.set(name, []); byTopic.get(name).push(item); }
      }
      for (const [topicName, items] of [...byTopic.entries()].sort()) {
        const ul = el("ul", { class: "compact" });
        for (const { task, plans } of items) {
          const plan = plans[0];
          ul.appendChild(el("li", {}, String(task.text || task.id).slice(0, 260),
            plan ? [" — ", el("a", { href: docLink(plan.id, task.start, task.end), text: nodeTitle(plan) })] : null));
        }
        box.appendChild(el("h4", { text: topicName }));
        box.appendChild(ul);
      }
    }
  }

  // ---------------------------------------------------------------- documents
  async function routeDocuments() {
    setStatus("#documents-status", "Đang tải…");
    const docs = await api("/documents");
    const body = $("#documents-table tbody");
    clear(body);
    for (const d of docs) {
      body.appendChild(el("tr", {},
        el("td", {}, el("a", { href: docLink(d.id), text: d.number || d.id })),
        el("td", { text: d.type || "" }), el("td", { text: d.date || "" }),
        el("td", { text: d.province || "" }), el("td", { text: d.title || "" }),
        el("td", {}, el("a", { href: graphLink(d.id), text: "đồ thị" }))));
    }
    setStatus("#documents-status", `${docs.length} văn bản đã nạp`);
  }

  async function routeDoc(params) {
    const id = params.get("id") || "";
    const start = parseInt(params.get("start"), 10);
    const end = parseInt(params.get("end"), 10);
    setStatus("#doc-status", "Đang tải văn bản…");
    const detail = await api("/documents/" + encodeURIComponent(id));
    const meta = detail.document || detail;
    $("#doc-title").textContent = joinMeta([meta.type, meta.number]) || id;
    const dl = $("#doc-meta");
    clear(dl);
    const fields = [["Trích yếu", meta.title], ["Cơ quan ban hành", meta.issuer], ["Tỉnh", meta.province],
      ["Ngày", meta.date], ["Người ký", meta.signer], ["Tệp nguồn", detail.source || meta.source]];
    for (const [k, v] of fields) if (v) { dl.appendChild(el("dt", { text: k })); dl.appendChild(el("dd", { text: v })); }
    renderDocText(detail.text || "", start, end);
    const cites = $("#doc-citations");
    clear(cites);
    for (const c of detail.citations || []) {
      cites.appendChild(el("li", {},
        el("a", { href: docLink(id, c.start, c.end), text: c.surface || c.number || c.id }),
        " ", el("a", { href: "#cites?ref=" + encodeURIComponent(c.number || c.surface || c.id), class: "muted", text: "→ ai dẫn chiếu" })));
    }
    const tasks = $("#doc-tasks");
    clear(tasks);
    for (const t of detail.tasks || []) {
      const text = String(t.text || "");
      tasks.appendChild(el("li", {}, el("a", { href: docLink(id, t.start, t.end),
        text: (t.section ? t.section + " · " : "") + (text.length > 140 ? text.slice(0, 137) + "…" : text) })));
    }
    setStatus("#doc-status", detail.text ? "" : "Không có nội dung văn bản gốc.");
  }

  function renderDocText(text, start, end) {
    const pre = $("#doc-text");
    clear(pre);
    if (Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end > start && end <= text.length) {
      pre.appendChild(document.createTextNode(text.slice(0, start)));
      const mark = el("mark", { id: "passage", class: "passage", text: text.slice(start, end) });
      pre.appendChild(mark);
      pre.appendChild(document.createTextNode(text.slice(end)));
      window.requestAnimationFrame(() => mark.scrollIntoView({ block: "center" }));
    } else {
      pre.textContent = text;
      window.scrollTo(0, 0);
    }
  }

  // ---------------------------------------------------------------- forms
  function bindForms() {
    $("#search-form").addEventListener("submit", (e) => {
      e.preventDefault();
      go("search", { q: $("#search-q").value, province: $("#search-province").value,
        agency: $("#search-agency").value, role: $("#search-role").value });
    });
    $("#cites-form").addEventListener("submit", (e) => { e.preventDefault(); go("cites", { ref: $("#cites-ref").value }); });
    $("#graph-form").addEventListener("submit", (e) => {
      e.preventDefault(); go("graph", { node: $("#graph-node").value, depth: $("#graph-depth").value });
    });
    $("#agency-form").addEventListener("submit", (e) => {
      e.preventDefault(); go("agency", { topic: $("#agency-topic").value, province: $("#agency-province").value });
    });
  }

  // exposed for tests of the folding/highlighting contract
  window.vbgraph = { fold, queryWords, appendHighlighted, graph: () => cy };

  document.addEventListener("DOMContentLoaded", () => {
    bindForms();
    window.addEventListener("hashchange", route);
    loadVocab().catch(() => null).finally(route);
  });
})();
