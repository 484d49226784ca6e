// milia-scan page: a report's two axes (issue #11) and its condition profiles (issue #13).
// The wording is the report's and src/milia_scan/render.py's, so the page and `milia-scan scan` say
// the same things. Label text only ever goes into the page as text, never as HTML.
"use strict";

window.MiliaProfiles = (function (page) {
  const { el, clear, oneLine, openDetails } = page;
  const AXES = ["milia", "pore_clogging"];
  const AXIS_TEXT = { // render._AXIS_TEXT
    milia: "Milia (heavy occlusive film)",
    pore_clogging: "Pore-clogging (comedogenic ratings)",
  };
  const PROFILES = ["fungal_acne", "allergens"];
  const TRIGGERS_TITLE = { fungal_acne: "Can feed Malassezia", allergens: "Labelled fragrance allergens" };
  // The sentence the report gives when parfum / fragrance / aroma is on the label (profiles.py).
  const FRAGRANCE_NOTE = "it can contain allergens below the labelling thresholds without naming them.";

  // ---------------------------------------------------------------- the axes

  // Which hit (index in report.hits) feeds this axis under this id: the first one in label order.
  function axisHitIndex(report, axisName, id) {
    const i = report.hits.findIndex((h) => h.id === id && h.axes.includes(axisName));
    return i >= 0 ? i : report.hits.findIndex((h) => h.id === id);
  }

  // The two axes, each a line as in `milia-scan scan`: name, score/100, band, the hits that feed it.
  function renderAxes(list, report) {
    clear(list);
    for (const name of AXES) {
      const axis = report[name];
      const hits = el("span", { class: "axis-hits" });
      axis.hits.forEach((id, n) => {
        const i = axisHitIndex(report, name, id);
        if (n) hits.append(", ");
        if (i < 0) { hits.append(el("span", { class: "axis-hit", text: id })); return; }
        hits.append(el("button", {
          type: "button", class: "axis-hit linkish", "data-id": id, "data-hit": i, "aria-controls": "hit-" + i,
          title: `${report.hits[i].name}: show why`, text: report.hits[i].name, onclick: () => openDetails("hit-" + i),
        }));
      });
      if (!axis.hits.length) hits.append(el("span", { class: "none", text: "none" }));
      list.append(el("li", { class: "axis", "data-axis": name },
        el("span", { class: "axis-name", text: AXIS_TEXT[name] + ":" }), " ",
        el("span", { class: "axis-score", text: `${axis.score}/100` }), " ",
        el("span", { class: "axis-band band-" + axis.band, text: axis.band }), " ",
        hits));
    }
  }

  // A kit part's axes in brief, as render._axes_brief.
  function axesBrief(part) {
    return `milia ${part.milia.score} ${part.milia.band}, pore-clogging ${part.pore_clogging.score} ${part.pore_clogging.band}`;
  }

  // ---------------------------------------------------------------- the profiles

  // One profile as one line, as render._profile_lines.
  function profileLine(v) {
    const names = [...new Set(v.triggers.map((t) => oneLine(t.text)))].join(", ");
    const unsure = v.verdict === "cannot tell" ? ` (${v.unknown.length} not understood)` : "";
    return `${v.name}: ${v.verdict}` + (names ? `: ${names}` : "") + unsure;
  }

  function verdictClass(verdict) {
    return "verdict verdict-" + verdict.replace(/\s+/g, "-");
  }

  function triggerEntries(key, v) {
    const list = el("ol", { class: "entries", "aria-label": TRIGGERS_TITLE[key] });
    v.triggers.forEach((t, i) => {
      const written = oneLine(t.text);
      const summary = el("summary", {},
        el("span", { class: "swatch " + key, "aria-hidden": "true" }),
        el("span", { class: "entry-text", text: written }),
        written.toLowerCase() !== t.name.toLowerCase() ? el("span", { class: "entry-name", text: ` → ${t.name}` }) : null);
      const body = el("div", { class: "entry-body" },
        el("p", { class: "why", text: t.note }),
        el("p", { class: "hint" }, "Rule ", el("code", { text: t.rule }), "; sources: ",
          ...t.sources.flatMap((s, n) => (n ? [", ", el("code", { text: s })] : [el("code", { text: s })]))));
      list.append(el("li", {}, el("details", { id: `${key}-trigger-${i}`, class: "entry" }, summary, body)));
    });
    return list;
  }

  function fragranceNote(v) {
    if (!v.fragrance.length) {
      return el("p", { class: "fragrance", "data-present": "false", text: "No parfum / fragrance / aroma on the label." });
    }
    const names = [...new Set(v.fragrance.map((f) => oneLine(f.text)))].join(", ");
    return el("p", { class: "fragrance", "data-present": "true" },
      el("strong", { text: "The label has parfum / fragrance / aroma" }), ` (${names}): ${FRAGRANCE_NOTE}`);
  }

  function undecidedList(key, v) {
    if (!v.unknown.length) return null;
    const titleId = `${key}-unknown-title`;
    const list = el("ul", { class: "undecided-list", "aria-labelledby": titleId });
    for (const t of v.unknown) {
      list.append(el("li", {}, el("span", { class: "token", text: oneLine(t.text) }), " ",
        el("span", { class: "reason", text: t.reason })));
    }
    return el("div", { class: "undecided-block" },
      el("p", { id: titleId, class: "undecided-title", text: `Not understood (${v.unknown.length})` }), list);
  }

  // One section per profile: the line, the report's note, the triggers, the fragrance note
  // (allergens), the tokens not understood, and a button that marks them in the label.
  function renderProfiles(box, report, showInLabel) {
    clear(box);
    if (!report.profiles) return;
    for (const key of PROFILES) {
      const v = report.profiles[key];
      const titleId = `profile-${key}-title`;
      const names = [...new Set(v.triggers.map((t) => oneLine(t.text)))].join(", ");
      const heading = el("h4", { id: titleId, class: "profile-line" },
        el("span", { class: "profile-name", text: v.name }), ": ",
        el("span", { class: verdictClass(v.verdict), text: v.verdict }),
        names ? `: ${names}` : "",
        v.verdict === "cannot tell" ? ` (${v.unknown.length} not understood)` : "");
      box.append(el("section", {
        class: "profile", id: "profile-" + key, "data-verdict": v.verdict, "aria-labelledby": titleId,
      },
      heading,
      el("p", { class: "profile-note", text: v.note }),
      v.triggers.length ? el("p", { class: "triggers-title", text: `${TRIGGERS_TITLE[key]} (${v.triggers.length})` }) : null,
      v.triggers.length ? triggerEntries(key, v) : null,
      key === "allergens" ? fragranceNote(v) : null,
      undecidedList(key, v),
      v.triggers.length || v.unknown.length || (v.fragrance && v.fragrance.length)
        ? el("button", { type: "button", class: "button secondary small", "data-layer": key,
          "aria-label": `Mark the ${v.name} ingredients in the label`, onclick: () => showInLabel(key),
          text: "Mark them in the label" })
        : null));
    }
  }

  // The spans to mark in the label for one profile: {start, end, kind, items} keyed by span;
  // kind is "trigger", "fragrance" or "undecided"; items the indexes into that list.
  function profileSpans(report, key) {
    const v = report.profiles && report.profiles[key];
    const spans = [];
    if (!v) return spans;
    const add = (kind, list) => list.forEach((t, i) => spans.push({ start: t.start, end: t.end, kind, index: i, token: t }));
    add("trigger", v.triggers);
    add("fragrance", v.fragrance || []);
    add("undecided", v.unknown);
    return spans;
  }

  // A mark for a profile span in the label (the first of the span's items names it).
  function profileMark(key, text, span, items) {
    if (span.kind === "trigger") {
      const first = items[0];
      return page.interactive(el("mark", {
        class: `hit profile-${span.kind} ${key}`, "data-triggers": items.map((x) => x.index).join(","),
        "data-start": span.start, "data-end": span.end, title: `${first.token.name}: show why`, text,
      }), `${key}-trigger-${first.index}`);
    }
    if (span.kind === "fragrance") {
      return el("mark", { class: "hit fragrance", title: "parfum / fragrance / aroma: " + FRAGRANCE_NOTE, text });
    }
    return el("span", { class: "undecided", title: items[0].token.reason, text });
  }

  function statusText(report) {
    const axes = AXES.map((n) => `${AXIS_TEXT[n]} ${report[n].score}, ${report[n].band}`).join("; ");
    const profiles = report.profiles ? PROFILES.map((k) => profileLine(report.profiles[k])).join(". ") : "";
    return `${axes}. Score ${report.score} of 100, ${report.band}.` + (profiles ? ` ${profiles}.` : "");
  }

  return { AXIS_TEXT, PROFILES, renderAxes, axesBrief, profileLine, renderProfiles, profileSpans, profileMark, statusText };
})(window.MiliaPage);
