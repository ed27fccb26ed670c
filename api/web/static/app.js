// techmatch web page: vanilla JS over the /v1 API. No build step, no framework.
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const RESTRICTED_VI = { yes: "Hạn chế", review: "Cần xem xét", no: "" };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined) node.append(c);
  return node;
}

// Vietnamese folding for highlighting: "Xử lý" and "xu ly" compare equal.
function fold(s) {
  return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
}

// Text with every occurrence of the matched words wrapped in <mark> (DOM nodes, never innerHTML).
function highlight(text, terms) {
  const frag = document.createDocumentFragment();
  const wanted = new Set((terms || []).map(fold).filter((t) => t.length > 1));
  if (!wanted.size) { frag.append(text); return frag; }
  const parts = text.split(/([\p{L}\p{N}]+)/u);
  for (const part of parts) {
    if (part && wanted.has(fold(part))) frag.append(el("mark", { text: part }));
    else frag.append(part);
  }
  return frag;
}

async function api(path, options = {}) {
  const res = await fetch(path, {
    ...options,
    headers: options.body && !(options.body instanceof FormData)
      ? { "Content-Type": "application/json", ...(options.headers || {}) } : options.headers,
  });
  if (!res.ok) {
    let detail = `Lỗi ${res.status}`;
    try { const body = await res.json(); if (body.detail) detail = body.detail; } catch (_) { /* not JSON */ }
    throw new Error(detail);
  }
  return res;
}

function showError(node, message) {
  node.textContent = message || "";
  node.hidden = !message;
}

// ---------------------------------------------------------------- tabs
function setupTabs() {
  const tabs = [...document.querySelectorAll('[role="tab"]')];
  const select = (tab, focus) => {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
    }
    if (focus) tab.focus();
    if (tab.id === "tab-officer") loadFacets();
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => select(tab, false));
    tab.addEventListener("keydown", (e) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
      if (step) { e.preventDefault(); select(tabs[(i + step + tabs.length) % tabs.length], true); }
      if (e.key === "Home") { e.preventDefault(); select(tabs[0], true); }
      if (e.key === "End") { e.preventDefault(); select(tabs[tabs.length - 1], true); }
    });
  });
}

// ---------------------------------------------------------------- shared rendering
function badges(r) {
  const out = [];
  const v = r.verdict;
  const prio = v.sectors.filter((s) => s.priority).map((s) => s.name);
  if (prio.length) out.push(el("span", { class: "badge prio", text: `Ngành ưu tiên: ${prio.slice(0, 2).join(", ")}` }));
  if (v.priority_rules.some((h) => (h.section || "").startsWith("IV.1.a")))
    out.push(el("span", { class: "badge core", text: "Công nghệ lõi" }));
  else if (v.priority_rules.length) out.push(el("span", { class: "badge core", text: "Ưu tiên theo kế hoạch" }));
  if (r.restricted === "yes") out.push(el("span", { class: "badge bad", text: "Công nghệ hạn chế" }));
  if (r.restricted === "review") out.push(el("span", { class: "badge review", text: "Cần xem xét" }));
  return out;
}

function renderWarnings(container, result) {
  container.replaceChildren();
  for (const w of result.warnings) {
    const list = w.replacements.length
      ? el("ul", {}, w.replacements.map((rep) => el("li", {},
          el("button", { type: "button", class: "link", onclick: () => openDetail(rep.tech_id) }, rep.name),
          ` (${rep.tech_id})`)))
      : null;
    container.append(el("div", { class: "warning", role: "alert" },
      el("h3", { text: "Cảnh báo: nhu cầu liên quan tới công nghệ bị hạn chế" }),
      el("p", { text: w.message }),
      el("p", { class: "help", text: `Căn cứ: mục ${w.rule.section} – ${w.rule.text}` }),
      w.replacement_queries.length ? el("p", { text: "Lộ trình thay thế: " + w.replacement_queries.join("; ") }) : null,
      list ? el("p", { text: "Công nghệ thay thế gợi ý trong danh mục:" }) : null,
      list));
  }
}

function renderSectors(container, result) {
  container.replaceChildren();
  const top = result.sectors.filter((s) => s.score > 0).slice(0, 3);
  if (!top.length) return;
  container.append(el("p", { class: "sectors" }, "Ngành có khả năng liên quan: ",
    top.map((s, i) => [i ? ", " : "", el("strong", { text: s.name }), s.priority ? " (ưu tiên)" : ""])));
}

// ---------------------------------------------------------------- details dialog
async function openDetail(techId) {
  const dialog = $("#detail");
  const content = $("#detail-content");
  content.replaceChildren(el("p", { text: "Đang tải…" }));
  if (!dialog.open) dialog.showModal();
  try {
    const d = await (await api(`/v1/technologies/${encodeURIComponent(techId)}`)).json();
    const t = d.technology;
    const rules = [...d.verdict.restricted_rules, ...d.verdict.priority_rules];
    $("#detail-title").textContent = t.name;
    content.replaceChildren(
      el("dl", {},
        el("dt", { text: "Mã" }), el("dd", { text: t.id }),
        el("dt", { text: "Đơn vị" }), el("dd", { text: t.institute }),
        el("dt", { text: "Lĩnh vực" }), el("dd", { text: t.field }),
        el("dt", { text: "TRL" }), el("dd", { text: t.trl ?? "chưa rõ" }),
        el("dt", { text: "Hình thức chuyển giao" }), el("dd", { text: t.transfer_form || "chưa rõ" }),
        el("dt", { text: "Từ khóa" }), el("dd", { text: (t.keywords || []).join(", ") || "—" })),
      el("p", { text: t.description }),
      rules.length ? el("h3", { text: "Theo Kế hoạch 16/KH-UBND" }) : null,
      rules.length ? el("ul", {}, rules.map((h) => el("li", { text: `${h.section}: ${h.reason || h.text}` }))) : null);
  } catch (err) {
    content.replaceChildren(el("p", { class: "error", text: err.message }));
  }
}

// ---------------------------------------------------------------- business view
async function sendFeedback(needText, techId, relevant, box) {
  box.querySelectorAll("button").forEach((b) => { b.disabled = true; });
  try {
    await api("/v1/feedback", { method: "POST", body: JSON.stringify({ need_text: needText, tech_id: techId, relevant }) });
    box.replaceChildren(el("span", { class: "thanks", role: "status", text: "Cảm ơn, phản hồi đã được ghi nhận." }));
  } catch (err) {
    box.append(el("span", { class: "error", text: err.message }));
    box.querySelectorAll("button").forEach((b) => { b.disabled = false; });
  }
}

function card(r, needText) {
  const terms = r.explanation.matched_terms;
  const desc = r.technology.description;
  const short = desc.length > 320 ? desc.slice(0, 320) + "…" : desc;
  const fb = el("div", { class: "feedback", role: "group", "aria-label": `Đánh giá kết quả: ${r.name}` },
    el("span", { class: "help", text: "Kết quả này có phù hợp không?" }),
    el("button", { type: "button", onclick: (e) => sendFeedback(needText, r.tech_id, true, e.target.closest(".feedback")) }, "👍 Hữu ích"),
    el("button", { type: "button", onclick: (e) => sendFeedback(needText, r.tech_id, false, e.target.closest(".feedback")) }, "👎 Không phù hợp"));
  const actions = el("div", { class: "buttons" },
    el("button", { type: "button", onclick: () => openDetail(r.tech_id) }, "Xem chi tiết"), fb);
  return el("li", { class: "card" + (r.restricted === "yes" ? " restricted" : ""), "data-tech-id": r.tech_id },
    el("h3", {}, `${r.rank}. `, highlight(r.name, terms)),
    el("p", { class: "meta", text: `${r.institute} · ${r.field} · TRL ${r.trl ?? "chưa rõ"} · mã ${r.tech_id}` }),
    el("div", { class: "badges" }, badges(r)),
    el("p", { class: "why" }, el("strong", { text: "Vì sao phù hợp: " }), r.explanation.summary || ""),
    el("p", { class: "desc" }, highlight(short, terms)),
    actions);
}

async function businessSearch(e) {
  e.preventDefault();
  const text = $("#need").value;
  const err = $("#need-error");
  showError(err, "");
  if (!text.trim()) { showError(err, "Hãy mô tả nhu cầu công nghệ trước khi tìm."); $("#need").focus(); return; }
  const status = $("#business-status");
  status.textContent = "Đang tìm…";
  $("#business-submit").disabled = true;
  try {
    const data = await (await api("/v1/match", { method: "POST", body: JSON.stringify({ text, top_k: 10 }) })).json();
    const result = data.result;
    renderWarnings($("#business-warnings"), result);
    renderSectors($("#business-sectors"), result);
    const list = $("#business-results");
    list.replaceChildren(...result.results.map((r) => card(r, text)));
    const abbreviations = result.abbreviations.length ? ` (viết tắt: ${result.abbreviations.join("; ")})` : "";
    const corrections = result.spelling_corrections.length
      ? ` (đã sửa chính tả: ${result.spelling_corrections.join("; ")})`
      : "";
    const restored = result.diacritics_restored
      ? ` (đã hiểu là: “${result.restored_text}”)`
      : result.translated_terms.length
        ? ` (tìm theo thuật ngữ đã dịch: ${result.translated_terms.join("; ")})`
        : result.vietnamese
          ? ""
          : " (không nhận ra tiếng Việt và không dịch được thuật ngữ nào: chỉ tìm theo ngữ nghĩa, hãy kiểm tra kỹ)";
    status.textContent = result.results.length
      ? `Tìm thấy ${result.results.length} công nghệ phù hợp${restored}${corrections}${abbreviations}.`
      : "Không tìm thấy công nghệ phù hợp. Hãy mô tả nhu cầu chi tiết hơn.";
  } catch (ex) {
    status.textContent = "";
    showError(err, ex.message);
  } finally {
    $("#business-submit").disabled = false;
  }
}

// ---------------------------------------------------------------- officer view
let facetsLoaded = false;
let officerRows = [];
let officerQuery = null;
let sortState = { key: "rank", dir: 1 };

async function loadFacets() {
  if (facetsLoaded) return;
  try {
    const f = await (await api("/v1/facets")).json();
    const fill = (sel, entries) => { for (const [value, label] of entries) sel.append(el("option", { value, text: label })); };
    fill($("#f-sector"), Object.entries(f.sectors).map(([id, name]) => [id, name]));
    fill($("#f-field"), f.fields.map((x) => [x, x]));
    fill($("#f-institute"), f.institutes.map((x) => [x, x]));
    facetsLoaded = true;
  } catch (ex) {
    $("#officer-status").textContent = ex.message;
  }
}

function currentQuery() {
  const filters = {};
  if ($("#f-sector").value) filters.sector = [$("#f-sector").value];
  if ($("#f-field").value) filters.field = [$("#f-field").value];
  if ($("#f-institute").value) filters.institute = [$("#f-institute").value];
  if ($("#f-priority").checked) filters.priority_only = true;
  return {
    text: $("#officer-need").value,
    top_k: Math.min(100, Math.max(1, parseInt($("#f-topk").value, 10) || 20)),
    filters,
    include_restricted: $("#f-restricted").checked,
  };
}

function renderTable() {
  const { key, dir } = sortState;
  const numeric = ["rank", "trl", "score"].includes(key);
  const rows = [...officerRows].sort((a, b) => {
    const x = a[key] ?? (numeric ? -Infinity : ""), y = b[key] ?? (numeric ? -Infinity : "");
    return (numeric ? x - y : String(x).localeCompare(String(y), "vi")) * dir;
  });
  for (const th of document.querySelectorAll("#officer-table th")) {
    const k = th.querySelector("button").dataset.key;
    if (k === key) th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
    else th.removeAttribute("aria-sort");
  }
  $("#officer-table tbody").replaceChildren(...rows.map((r) => el("tr", { class: r.restricted === "yes" ? "restricted" : null },
    el("td", { text: r.rank }), el("td", { class: "nowrap", text: r.tech_id }),
    el("td", {}, el("button", { type: "button", class: "link", onclick: () => openDetail(r.tech_id) }, r.name)),
    el("td", { text: r.institute }), el("td", { text: r.field }), el("td", { text: r.trl ?? "" }),
    el("td", { text: r.score.toFixed(4) }), el("td", { text: r.priority ? "có" : "" }),
    el("td", { text: RESTRICTED_VI[r.restricted] }))));
}

async function officerSearch(e) {
  e.preventDefault();
  const q = currentQuery();
  const err = $("#officer-error");
  showError(err, "");
  if (!q.text.trim()) { showError(err, "Hãy nhập nhu cầu cần tra cứu."); $("#officer-need").focus(); return; }
  const status = $("#officer-status");
  status.textContent = "Đang tra cứu…";
  try {
    const data = await (await api("/v1/match", { method: "POST", body: JSON.stringify(q) })).json();
    officerQuery = q;
    officerRows = data.result.results;
    renderWarnings($("#officer-warnings"), data.result);
    $("#officer-table").hidden = false;
    sortState = { key: "rank", dir: 1 };
    renderTable();
    status.textContent = `${officerRows.length} kết quả (chỉ mục ${data.index.version}).`;
    $("#export-csv").disabled = $("#export-xlsx").disabled = !officerRows.length;
  } catch (ex) {
    status.textContent = "";
    showError(err, ex.message);
  }
}

function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = el("a", { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

async function exportResults(format) {
  if (!officerQuery) return;
  const { text, ...rest } = officerQuery;
  const status = $("#officer-status");
  try {
    const res = await api(`/v1/export?format=${format}`, { method: "POST", body: JSON.stringify({ texts: [text], ...rest }) });
    download(await res.blob(), `techmatch-ket-qua.${format}`);
    status.textContent = `Đã tạo tệp ${format.toUpperCase()}.`;
  } catch (ex) {
    status.textContent = ex.message;
  }
}

async function uploadSurvey(e) {
  e.preventDefault();
  const file = $("#survey-file").files[0];
  const status = $("#survey-status");
  const box = $("#survey-progress-box");
  const bar = $("#survey-progress");
  const links = $("#survey-downloads");
  links.replaceChildren();
  if (!file) { status.textContent = "Hãy chọn tệp khảo sát."; $("#survey-file").focus(); return; }
  const form = new FormData();
  form.append("file", file);
  form.append("top_k", $("#survey-topk").value || "5");
  if ($("#survey-column").value.trim()) form.append("column", $("#survey-column").value.trim());
  status.textContent = "Đang tải tệp lên…";
  try {
    const accepted = await (await api("/v1/surveys", { method: "POST", body: form })).json();
    box.hidden = false;
    bar.value = 0;
    let job = accepted.job;
    status.textContent = job.message;
    let lost = 0;  // polls in a row that failed: a restarting service resumes the job, so wait
    while (job.state === "queued" || job.state === "running") {
      await new Promise((r) => setTimeout(r, lost ? 2000 : 500));
      try {
        job = await (await api(accepted.status_url)).json();
        lost = 0;
      } catch (ex) {
        if (++lost > 60) throw ex;  // about two minutes without an answer: give up and say why
        status.textContent = "Tạm mất kết nối với dịch vụ, đang thử lại… (tác vụ vẫn được lưu)";
        continue;
      }
      bar.value = Math.round(job.progress * 100);
      status.textContent = job.message;
    }
    if (job.state === "failed") throw new Error(job.error || "Tác vụ thất bại.");
    bar.value = 100;
    status.textContent = job.message;
    links.replaceChildren(
      el("a", { href: job.downloads.xlsx, download: "", class: "button primary", id: "survey-download-xlsx" }, "Tải kết quả Excel (XLSX)"),
      el("a", { href: job.downloads.csv, download: "", class: "button", id: "survey-download-csv" }, "Tải kết quả CSV"));
  } catch (ex) {
    status.textContent = ex.message;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  setupTabs();
  $("#business-form").addEventListener("submit", businessSearch);
  for (const chip of document.querySelectorAll(".chip")) {
    chip.addEventListener("click", () => { $("#need").value = chip.dataset.example; $("#business-form").requestSubmit(); });
  }
  $("#officer-form").addEventListener("submit", officerSearch);
  for (const btn of document.querySelectorAll("#officer-table th button")) {
    btn.addEventListener("click", () => {
      const key = btn.dataset.key;
      sortState = { key, dir: sortState.key === key ? -sortState.dir : (btn.dataset.type === "num" && key !== "rank" ? -1 : 1) };
      renderTable();
    });
  }
  $("#export-csv").addEventListener("click", () => exportResults("csv"));
  $("#export-xlsx").addEventListener("click", () => exportResults("xlsx"));
  $("#survey-form").addEventListener("submit", uploadSurvey);
  // Ctrl+Enter submits from the big text box (keyboard users).
  $("#need").addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) $("#business-form").requestSubmit(); });
});
