// The upload page of kyso serve: a PDF dropped or chosen here is posted to /v1/verify and the
// report shown, in Vietnamese (the default) or English. Everything from the report is written
// with textContent, never as HTML: a certificate's name is the signer's to choose.
"use strict";

const STRINGS = {
  vi: {
    title: "Kiểm tra chữ ký số trên văn bản PDF",
    drop: "Kéo thả tệp PDF đã ký vào đây, hoặc bấm để chọn tệp",
    privacy: "Tệp chỉ được gửi tới máy chủ này để kiểm tra; không tải tài nguyên nào từ nơi khác.",
    file: "Tệp:",
    checking: "Đang kiểm tra…",
    failed: "Không kiểm tra được tệp",
    notPdf: "Hãy chọn một tệp PDF.",
    overall: "Kết quả chung:",
    none: "Văn bản không có chữ ký số nào.",
    signature: "Chữ ký",
    signer: "Người ký",
    organisation: "Cơ quan, tổ chức",
    time: "Thời gian ký",
    provenTime: "Thời điểm được chứng thực (dấu thời gian)",
    level: "Mức chữ ký",
    changes: "Thay đổi sau khi ký",
    noChanges: "Không có thay đổi nào sau khi ký",
    permitted: "được phép",
    notPermitted: "KHÔNG được phép",
    reasons: "Lý do",
    trusted: "Chứng thư số",
    trustedYes: "chuỗi tới một gốc tin cậy",
    trustedNo: "không chuỗi tới gốc tin cậy nào",
    wholeFile: "Chữ ký bao phủ toàn bộ văn bản",
    verdicts: { VALID: "HỢP LỆ", INVALID: "KHÔNG HỢP LỆ", INDETERMINATE: "CHƯA XÁC ĐỊNH" },
    levels: { "none": "không thay đổi", "lta-updates": "chỉ bổ sung dữ liệu xác thực dài hạn",
      "form-filling": "ký thêm, điền biểu mẫu", "annotations": "thêm ghi chú", "other": "thay đổi khác" },
  },
  en: {
    title: "Check the digital signatures of a PDF",
    drop: "Drop a signed PDF here, or click to choose a file",
    privacy: "The file is sent only to this server to be checked; nothing is loaded from elsewhere.",
    file: "File:",
    checking: "Checking…",
    failed: "The file could not be checked",
    notPdf: "Choose a PDF file.",
    overall: "Overall:",
    none: "The document has no digital signature.",
    signature: "Signature",
    signer: "Signer",
    organisation: "Organisation",
    time: "Signing time",
    provenTime: "Proven time (time-stamp)",
    level: "Level",
    changes: "Changes after signing",
    noChanges: "No change after signing",
    permitted: "permitted",
    notPermitted: "NOT permitted",
    reasons: "Reasons",
    trusted: "Certificate",
    trustedYes: "chains to a trusted root",
    trustedNo: "does not chain to a trusted root",
    wholeFile: "The signature covers the whole document",
    verdicts: { VALID: "VALID", INVALID: "INVALID", INDETERMINATE: "INDETERMINATE" },
    levels: { "none": "no change", "lta-updates": "long-term validation data only",
      "form-filling": "further signatures, form filling", "annotations": "annotations", "other": "other changes" },
  },
};

let lang = new URLSearchParams(location.search).get("lang") === "en" ? "en" : "vi";
let last = null; // { name, report } or { name, error }

function t(key) { return STRINGS[lang][key]; }

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function verdictBadge(v) {
  const b = el("span", STRINGS[lang].verdicts[v] || v, "verdict " + v);
  b.dataset.verdict = v;
  return b;
}

/// A time of the report (RFC 3339) in Vietnam's time, with its zone said.
function showTime(iso) {
  const d = new Date(iso);
  if (isNaN(d)) return iso;
  return d.toLocaleString(lang === "vi" ? "vi-VN" : "en-GB", { timeZone: "Asia/Ho_Chi_Minh" }) + " (GMT+7)";
}

function row(dl, label, value) {
  dl.append(el("dt", label));
  const dd = el("dd");
  if (value instanceof Node) dd.append(value); else dd.textContent = value;
  dl.append(dd);
}

function render() {
  document.documentElement.lang = lang;
  document.title = t("title") + " — kyso";
  for (const e of document.querySelectorAll("[data-text]")) e.textContent = t(e.dataset.text);
  for (const b of document.querySelectorAll("nav button")) b.setAttribute("aria-pressed", String(b.dataset.lang === lang));
  const status = document.getElementById("status");
  const result = document.getElementById("result");
  status.className = "";
  status.textContent = "";
  if (!last) { result.hidden = true; return; }
  if (last.pending) { status.textContent = t("checking"); result.hidden = true; return; }
  if (last.error) {
    status.className = "error";
    status.textContent = t("failed") + ": " + last.error;
    result.hidden = true;
    return;
  }
  const report = last.report;
  document.getElementById("file-name").textContent = last.name;
  const overall = document.getElementById("overall");
  overall.replaceChildren(el("span", t("overall") + " "), verdictBadge(report.verdict));
  overall.dataset.verdict = report.verdict;
  // Reasons about the document as a whole (a signature dictionary nothing reaches, one shared
  // by two fields): they can make it INVALID whatever its signatures say.
  const documentReasons = document.getElementById("document-reasons");
  documentReasons.replaceChildren(...(report.reasons || []).map((r) => el("li", r.code + ": " + r.message)));
  documentReasons.hidden = !documentReasons.children.length;
  const list = document.getElementById("signatures");
  list.replaceChildren();
  if (!report.signatures.length) list.append(el("li", t("none")));
  report.signatures.forEach((s, i) => {
    const li = el("li");
    li.dataset.verdict = s.verdict;
    const h = el("h3", t("signature") + " " + (i + 1) + " (" + (s.field ?? "—") + "): ");
    h.append(verdictBadge(s.verdict));
    li.append(h);
    const dl = el("dl");
    const signer = s.signer || {};
    row(dl, t("signer"), signer.name || signer.subject || "—");
    if (signer.organisation) row(dl, t("organisation"), signer.organisation);
    row(dl, t("trusted"), s.trusted ? t("trustedYes") : t("trustedNo"));
    if (s.signing_time) row(dl, t("time"), showTime(s.signing_time));
    if (s.proven_time) row(dl, t("provenTime"), showTime(s.proven_time));
    if (s.level) row(dl, t("level"), "PAdES " + s.level);
    const changes = s.changes || [];
    if (!changes.length) {
      row(dl, t("changes"), s.coverage === "whole-file" ? t("wholeFile") : t("noChanges"));
    } else {
      const ul = el("ul");
      for (const c of changes) {
        const what = c.kind.replace(/-/g, " ") + (c.object ? " (" + c.object + ")" : "");
        ul.append(el("li", what + " — " + (STRINGS[lang].levels[c.level] || c.level) + ", " +
          (c.permitted ? t("permitted") : t("notPermitted"))));
      }
      row(dl, t("changes"), ul);
    }
    if (s.reasons && s.reasons.length) {
      const ul = el("ul");
      for (const r of s.reasons) ul.append(el("li", r.code + ": " + r.message));
      row(dl, t("reasons"), ul);
    }
    li.append(dl);
    list.append(li);
  });
  result.hidden = false;
}

async function check(file) {
  if (!file) return;
  if (file.type && file.type !== "application/pdf" && !/\.pdf$/i.test(file.name)) {
    last = { name: file.name, error: t("notPdf") };
    render();
    return;
  }
  last = { name: file.name, pending: true };
  render();
  try {
    const answer = await fetch("/v1/verify", {
      method: "POST",
      headers: { "Content-Type": "application/pdf" },
      body: file,
    });
    const body = await answer.json();
    last = answer.ok ? { name: file.name, report: body } : { name: file.name, error: body.error || answer.status };
  } catch (e) {
    last = { name: file.name, error: String(e) };
  }
  render();
}

document.addEventListener("DOMContentLoaded", () => {
  const drop = document.getElementById("drop");
  const input = document.getElementById("file");
  input.addEventListener("change", () => check(input.files[0]));
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    check(e.dataTransfer.files[0]);
  });
  for (const b of document.querySelectorAll("nav button")) {
    b.addEventListener("click", () => {
      lang = b.dataset.lang;
      const url = new URL(location.href);
      url.searchParams.set("lang", lang);
      history.replaceState(null, "", url);
      render();
    });
  }
  render();
});
