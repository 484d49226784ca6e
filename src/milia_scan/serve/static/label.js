// milia-scan page: the label as typed, every token the report names marked at its span.
// Label text only ever goes into the page through text nodes and textContent, never as HTML.
"use strict";

window.MiliaLabel = (function (page, P) {
  const { el, clear, interactive, level, points } = page;

  // Mark `label` in `view` under a layer: "milia" the risk hits, helpful actives and unrecognised
  // names; "fungal_acne" / "allergens" a profile's triggers, the parfum / fragrance / aroma tokens
  // (allergens) and the tokens it could not decide. A kit's part headings under every layer.
  function mark(view, label, report, layer) {
    const spans = new Map();
    const at = (start, end) => {
      const key = start + ":" + end;
      if (!spans.has(key)) spans.set(key, { start, end, hits: [], helpful: [], unknown: false, heading: false, profile: [] });
      return spans.get(key);
    };
    if (layer === "milia") {
      report.hits.forEach((hit, i) => at(hit.start, hit.end).hits.push(i));
      report.helpful.forEach((hit, i) => at(hit.start, hit.end).helpful.push(i));
      for (const token of report.unrecognised) at(token.start, token.end).unknown = true;
    } else {
      for (const item of P.profileSpans(report, layer)) at(item.start, item.end).profile.push(item);
    }
    if (report.parts.length > 1) {
      for (const part of report.parts) if (part.heading && part.end > part.start) at(part.start, part.end).heading = true;
    }
    const ordered = [...spans.values()].sort((a, b) => a.start - b.start || a.end - b.end);
    view.dataset.layer = layer;
    clear(view);
    let pos = 0;
    for (const span of ordered) {
      if (span.start < pos) continue; // overlapping: the first one wins
      if (span.start > pos) view.append(document.createTextNode(label.slice(pos, span.start)));
      view.append(markFor(label.slice(span.start, span.end), span, report, layer));
      pos = span.end;
    }
    if (pos < label.length) view.append(document.createTextNode(label.slice(pos)));
  }

  function markFor(text, span, report, layer) {
    if (span.profile.length) {
      const kind = span.profile[0].kind; // trigger, then fragrance, then undecided: the list's order
      return P.profileMark(layer, text, { start: span.start, end: span.end, kind },
        span.profile.filter((item) => item.kind === kind));
    }
    if (span.hits.length) {
      const top = Math.max(...span.hits.map((i) => report.hits[i].contribution));
      const names = span.hits.map((i) => `${report.hits[i].name} +${points(report.hits[i].contribution)}`).join(", ");
      return interactive(el("mark", {
        class: `hit risk lvl${level(top)}`, "data-hits": span.hits.join(","), "data-start": span.start,
        "data-end": span.end, title: `${names}: show why`, text,
      }), "hit-" + span.hits[0]);
    }
    if (span.helpful.length) {
      const names = span.helpful.map((i) => report.helpful[i].name).join(", ");
      return interactive(el("mark", {
        class: "hit helpful", "data-helpful": span.helpful.join(","), "data-start": span.start, "data-end": span.end,
        title: `${names}: helpful active, show why`, text,
      }), "helpful-" + span.helpful[0]);
    }
    if (span.heading) return el("strong", { class: "part-heading", text });
    return el("span", { class: "unknown", title: "not recognised: not in the lexicon, not assessed", text });
  }

  return { mark };
})(window.MiliaPage, window.MiliaProfiles);
