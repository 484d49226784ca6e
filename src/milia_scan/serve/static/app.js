// milia-scan page: send the label to this service's POST /v1/scan and show the report.
// Label text only ever goes into the page through textContent and text nodes, never as HTML.
"use strict";

(function () {
  const { $, el, clear, level, points } = window.MiliaPage;
  const P = window.MiliaProfiles;
  const BAND_TEXT = {
    low: "low: little in this label is linked to clogged pores or milia",
    moderate: "moderate: some ingredients are linked to clogged pores or milia",
    high: "high: heavy occlusive or comedogenic ingredients near the top of the list",
  };
  const MAX_FILE = 1024 * 1024;
  const entries = new Map(); // lexicon id -> Promise of GET /v1/lexicon/{id}
  let lastScanned = null; // {label, context} of the report on screen
  let shown = null; // {label, report} on screen, to mark it again under another layer

  // ------------------------------------------------------------------ helpers

  // The axes a hit feeds, as `milia-scan scan` writes them.
  function feeds(hit) {
    return hit.axes.map((a) => a.replace("_", "-")).join(" + ") || "no axis";
  }

  function showMessage(text) {
    const box = $("message");
    box.textContent = text;
    box.hidden = false;
    box.scrollIntoView({ block: "nearest" });
  }

  function hideMessage() {
    $("message").hidden = true;
    $("message").textContent = "";
  }

  function status(text) {
    $("status").textContent = text;
  }

  // ------------------------------------------------------------------ scanning

  async function scan() {
    const label = $("label").value;
    const context = $("context").value;
    hideMessage();
    if (!label.trim()) {
      showMessage("Paste an ingredient label first.");
      $("label").focus();
      return;
    }
    const button = $("scan");
    button.disabled = true;
    status("Scanning…");
    let response;
    let body;
    try {
      response = await fetch("/v1/scan", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ label, context }),
      });
      body = await response.json().catch(() => null);
    } catch (err) {
      showMessage("Could not reach the milia-scan service. Is it still running?");
      status("");
      button.disabled = false;
      return;
    }
    button.disabled = false;
    if (!response.ok || !body || body.error) {
      const reason = body && body.error ? body.error.message : `the service answered ${response.status}`;
      const hint = response.status === 413 ? " Scan one product's list at a time." : "";
      $("result").hidden = true;
      showMessage(`This label could not be scanned: ${reason}.${hint}`);
      status("");
      return;
    }
    lastScanned = { label, context };
    history.replaceState(null, "", "#" + new URLSearchParams({ label, context }).toString());
    $("share-link").hidden = true;
    render(label, body);
    status(P.statusText(body));
    const result = $("result");
    if (result.getBoundingClientRect().top > window.innerHeight - 120) result.scrollIntoView({ block: "start" });
  }

  // ------------------------------------------------------------------ rendering

  function render(label, report) {
    P.renderAxes($("axes"), report);
    $("score").textContent = String(report.score);
    const band = $("band");
    band.textContent = BAND_TEXT[report.band] || report.band;
    band.className = "band band-" + report.band;
    const n = report.ingredients.length;
    $("summary").textContent =
      `${n} ingredient${n === 1 ? "" : "s"} read, ${report.hits.length} risk hit${report.hits.length === 1 ? "" : "s"}, ` +
      `${report.helpful.length} helpful, ${report.unrecognised.length} not recognised; context: ${report.context}.`;

    const kit = report.parts.length > 1;
    $("parts").hidden = !kit;
    const partsList = $("parts-list");
    clear(partsList);
    if (kit) {
      for (const part of report.parts) {
        partsList.append(el("li", { class: "part" },
          el("span", { class: "part-heading", text: part.heading || "(no heading)" }), " ",
          el("span", { class: "part-score band-" + part.band, text: `${part.score}/100 ${part.band}` }), " ",
          el("span", { class: "part-axes", text: P.axesBrief(part) })));
      }
    }

    P.renderProfiles($("profiles"), report, showInLabel);
    $("profiles-block").hidden = !report.profiles;
    if (report.profiles) $("profiles-disclaimer").textContent = report.profiles.disclaimer;
    for (const input of document.querySelectorAll("#layers input")) {
      input.disabled = input.value !== "milia" && !report.profiles;
    }
    if (!report.profiles) $("layer-milia").checked = true;

    shown = { label, report };
    renderLabel();
    renderEntries($("hits"), report.hits, "hit", report);
    $("no-hits").hidden = report.hits.length > 0;
    $("hits-title").hidden = report.hits.length === 0;
    renderEntries($("helpful"), report.helpful, "helpful", report);
    $("helpful-block").hidden = report.helpful.length === 0;

    const unknown = $("unrecognised");
    clear(unknown);
    for (const token of report.unrecognised) unknown.append(el("li", { text: token.text.replace(/\s+/g, " ") }));
    $("unrecognised-block").hidden = report.unrecognised.length === 0;
    $("unrecognised-title").textContent = `Not recognised (${report.unrecognised.length})`;

    $("disclaimer").textContent = report.disclaimer;
    $("result").hidden = false;
  }

  function currentLayer() {
    const checked = document.querySelector("#layers input:checked");
    return checked ? checked.value : "milia";
  }

  // Mark one profile's tokens in the label (from a profile's button), and go there.
  function showInLabel(layer) {
    $("layer-" + layer).checked = true;
    renderLabel();
    $("label-title").scrollIntoView({ block: "start", behavior: "smooth" });
    $("layer-" + layer).focus({ preventScroll: true });
  }

  // The label as typed, every token the report names under the chosen layer marked at its span:
  // "milia" the risk hits, helpful actives and unrecognised names; a profile its triggers, the
  // parfum / fragrance / aroma tokens (allergens) and the tokens it could not decide.
  function renderLabel() {
    if (!shown) return;
    const { label, report } = shown;
    const layer = currentLayer();
    for (const legend of document.querySelectorAll(".legend[data-layer]")) legend.hidden = legend.dataset.layer !== layer;
    window.MiliaLabel.mark($("rendered"), label, report, layer);
  }

  function renderEntries(list, hits, kind, report) {
    clear(list);
    const kit = report.parts.length > 1;
    hits.forEach((hit, i) => {
      const written = hit.text.replace(/-\s*\n\s*/g, "-").replace(/\s+/g, " ");
      const where = kit ? ` (${report.parts[hit.part] && report.parts[hit.part].heading || "part " + (hit.part + 1)})` : "";
      const summary = el("summary", {},
        kind === "hit" ? el("span", { class: `swatch lvl${level(hit.contribution)}`, "aria-hidden": "true" }) : null,
        el("span", { class: "entry-text", text: written }),
        written.toLowerCase() !== hit.name.toLowerCase() ? el("span", { class: "entry-name", text: ` → ${hit.name}` }) : null,
        kind === "hit" ? el("span", { class: "entry-points", text: ` +${points(hit.contribution)} points` }) : null,
        kind === "hit" ? el("span", { class: "entry-axes", text: ` (${feeds(hit)})` }) : null,
        where ? el("span", { class: "entry-part", text: where }) : null);
      const body = el("div", { class: "entry-body" },
        el("p", { class: "why", text: hit.why }),
        hit.ratings.length
          ? el("p", {}, el("strong", { text: "Published comedogenic ratings (0–5): " }), hit.ratings.join("; "))
          : el("p", { text: "No published comedogenic rating." }),
        hit.method === "fuzzy" ? el("p", { class: "hint", text: `Read as “${hit.matched}” (confidence ${hit.confidence.toFixed(2)}).` }) : null,
        el("div", { class: "sources", "data-id": hit.id }, el("p", { class: "hint", text: "Open to load the sources…" })));
      const details = el("details", { id: `${kind === "hit" ? "hit" : "helpful"}-${i}`, class: "entry" }, summary, body);
      details.addEventListener("toggle", () => { if (details.open) loadSources(details, hit.id); });
      list.append(el("li", {}, details));
    });
  }

  async function loadSources(details, id) {
    const box = details.querySelector(".sources");
    if (box.dataset.loaded) return;
    box.dataset.loaded = "1";
    if (!entries.has(id)) {
      entries.set(id, fetch("/v1/lexicon/" + encodeURIComponent(id)).then((r) => (r.ok ? r.json() : Promise.reject(r))));
    }
    clear(box);
    try {
      const { entry, sources } = await entries.get(id);
      box.append(el("p", { class: "note", text: entry.note }));
      if (sources.length) {
        const list = el("ul", { class: "source-list" });
        for (const source of sources) {
          const title = /^https?:\/\//i.test(source.url || "")
            ? el("a", { href: source.url, rel: "noopener noreferrer", target: "_blank", text: source.title })
            : el("span", { text: source.title });
          list.append(el("li", {}, el("code", { text: source.key }), ": ", title));
        }
        box.append(el("p", { class: "sources-title", text: "Sources" }), list);
      }
    } catch (err) {
      entries.delete(id);
      delete box.dataset.loaded;
      box.append(el("p", { class: "hint", text: "Could not load the sources; close and open again to retry." }));
    }
  }

  // ------------------------------------------------------------------ sharing, files, keys

  async function share() {
    const link = location.href;
    const field = $("share-link");
    try {
      await navigator.clipboard.writeText(link);
      status("Link copied.");
      $("share").textContent = "Link copied";
      setTimeout(() => { $("share").textContent = "Copy a link to this label"; }, 2000);
    } catch (err) {
      field.value = link;
      field.hidden = false;
      field.focus();
      field.select();
      status("Copy the selected link.");
    }
  }

  function fromFragment() {
    const params = new URLSearchParams(location.hash.slice(1));
    const label = params.get("label");
    if (label === null) return;
    const context = params.get("context");
    if (lastScanned && lastScanned.label === label && lastScanned.context === (context || "leave-on")) return;
    $("label").value = label;
    if (context && [...$("context").options].some((o) => o.value === context)) $("context").value = context;
    scan();
  }

  async function readFile(file) {
    if (!file) return;
    if (file.size > MAX_FILE) {
      showMessage(`${file.name} is ${Math.round(file.size / 1024)} KB: a label file should be a few KB of text.`);
      return;
    }
    $("label").value = await file.text();
    scan();
  }

  function init() {
    $("scan-form").addEventListener("submit", (event) => { event.preventDefault(); scan(); });
    $("label").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); scan(); }
    });
    $("share").addEventListener("click", share);
    $("file").addEventListener("change", (event) => { readFile(event.target.files[0]); event.target.value = ""; });
    const box = $("label");
    box.addEventListener("dragover", (event) => {
      if ([...event.dataTransfer.types].includes("Files")) { event.preventDefault(); box.classList.add("dropping"); }
    });
    box.addEventListener("dragleave", () => box.classList.remove("dropping"));
    box.addEventListener("drop", (event) => {
      box.classList.remove("dropping");
      if (event.dataTransfer.files.length) { event.preventDefault(); readFile(event.dataTransfer.files[0]); }
    });
    for (const input of document.querySelectorAll("#layers input")) input.addEventListener("change", renderLabel);
    window.addEventListener("hashchange", fromFragment);
    fromFragment();
  }

  init();
})();
