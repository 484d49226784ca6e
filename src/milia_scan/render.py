"""Plain-text rendering of reports and lexicon entries for the terminal."""

from __future__ import annotations

import re
import textwrap

from .lexicon import Lexicon
from .models import DISCLAIMER, Axis, Inspection, LexiconEntry, Report

_AXIS_TEXT = {
    "milia": "Milia (heavy occlusive film)",
    "pore_clogging": "Pore-clogging (comedogenic ratings)",
}
_BAND_TEXT = {
    "low": "low: little in this label is linked to clogged pores or milia",
    "moderate": "moderate: some ingredients are linked to clogged pores or milia",
    "high": "high: heavy occlusive or comedogenic ingredients near the top of the list",
}


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(text, width=88, initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False)


def _axis_line(name: str, axis: Axis, width: int) -> str:
    hits = ", ".join(axis.hits) or "-"
    return f"{_AXIS_TEXT[name] + ':':<{width}} {axis.score:>3}/100 {axis.band:<8}  {hits}"


def _axes_brief(milia: Axis, pore_clogging: Axis) -> str:
    return f"milia {milia.score} {milia.band}, pore-clogging {pore_clogging.score} {pore_clogging.band}"


def _one_line(text: str) -> str:
    """A token as one line: a word hyphenated across a break joined, other breaks a space."""
    return " ".join(_SOFT_BREAK.sub("", text).split())


_SOFT_BREAK = re.compile(r"(?<=[a-z])-[ \t]*(?:\r\n|[\r\n])[ \t]*(?=[a-z])")


def _profile_lines(report: Report) -> list[str]:
    """One line per condition profile (beside the score, never in it)."""
    if report.profiles is None:
        return []
    lines = []
    for v in (report.profiles.fungal_acne, report.profiles.allergens):
        names = ", ".join(dict.fromkeys(_one_line(t.text) for t in v.triggers))
        unsure = f" ({len(v.unknown)} not understood)" if v.verdict == "cannot tell" else ""
        lines.append(f"{v.name}: {v.verdict}" + (f": {names}" if names else "") + unsure)
    return lines


def render_report(report: Report) -> str:
    """The report as text: the two axes first, then the overall score, the hits and the rest."""
    width = max(map(len, _AXIS_TEXT.values())) + 1
    lines = [
        _axis_line("milia", report.milia, width),
        _axis_line("pore_clogging", report.pore_clogging, width),
        f"Score {report.score}/100 ({_BAND_TEXT[report.band]}); context: {report.context}",
        *_profile_lines(report),
        "",
    ]
    if len(report.parts) > 1:
        lines.append(f"{len(report.parts)} products in this label, each scored on its own (the label's score and "
                     "each axis are the highest part's):")
        for p in report.parts:
            lines.append(f"  part {p.index + 1}: {p.heading or '(no heading)'}: {p.score}/100 ({p.band}); "
                         f"{_axes_brief(p.milia, p.pore_clogging)}")
        lines.append("")
    if report.hits:
        lines.append("Risk ingredients, in label order:")
        for h in report.hits:
            written = f"{h.text!r}" if h.text != h.name else h.name
            where = f"; part {h.part + 1}" if len(report.parts) > 1 else ""
            feeds = " + ".join(a.replace("_", "-") for a in h.axes) or "no axis"
            lines.append(f"  {h.position + 1:>2}. {written} -> {h.name} [{h.id}]  +{h.contribution:g} ({feeds}{where})")
            lines.append(_wrap(h.why, "      "))
    else:
        lines.append("No risk ingredients found.")
    if report.helpful:
        lines += ["", "Helpful actives (reported, not subtracted from the score):"]
        for h in report.helpful:
            lines.append(f"  {h.position + 1:>2}. {h.text} -> {h.name} [{h.id}]")
    if report.unrecognised:
        names = ", ".join(t.text.replace("\n", " ") for t in report.unrecognised)
        lines += ["", f"Not in the lexicon, not assessed ({len(report.unrecognised)}):", _wrap(names, "  ")]
    lines += ["", f"{len(report.ingredients)} ingredients read. {DISCLAIMER}"]
    return "\n".join(lines)


def render_inspection(inspection: Inspection) -> str:
    """Every token with its span, section, part and the rule that decided it."""
    lines = []
    if len(inspection.parts) > 1:
        lines += [f"part {p.index + 1}: {p.heading or '(no heading)'} [{p.start}:{p.end}]" for p in inspection.parts]
        lines.append("")
    for d in inspection.tokens:
        t = d.token
        where = [t.section] if t.section != "ingredients" else []
        where += [f"part {t.part + 1}"] if len(inspection.parts) > 1 else []
        where += ["may contain"] if t.may_contain else []
        where += [f"{t.percent:g}%"] if t.percent is not None else []
        ids = ", ".join(d.ids) or "-"
        lines.append(f"{t.position + 1:>3}. {t.text!r} [{t.start}:{t.end}]{' (' + ', '.join(where) + ')' if where else ''}")
        lines.append(f"       {d.rule} -> {ids}" + (f"  ({d.detail})" if d.detail else ""))
    lines += ["", "Rules: " + "; ".join(sorted({f"{d.rule}: {d.explanation}" for d in inspection.tokens}))]
    return "\n".join(lines)


def render_entry(e: LexiconEntry, lex: Lexicon) -> str:
    lines = [f"{e.inci} [{e.id}]: {e.role}, family {e.family}"]
    if e.synonyms:
        lines.append(_wrap("Also written: " + ", ".join(e.synonyms), ""))
    lines.append(f"Occlusion: {e.occlusion}" + (f" ({e.occlusion_source})" if e.occlusion_source else ""))
    if e.comedogenic:
        lines.append("Published comedogenic ratings (0-5), each as its source gives it:")
        lines += [f"  {r}" + (f"  note: {r.note}" if r.note else "") for r in e.comedogenic]
        lines.append(f"  the score uses the median: {e.rating:g}")
    else:
        lines.append(f"Comedogenic rating: none ({e.unrated})")
    lines += ["", _wrap(e.note, "")]
    cited = {r.source for r in e.comedogenic} | {s for s in (e.occlusion_source, e.helpful_source) if s}
    if cited:
        lines += ["", "Sources:"]
        for key in sorted(cited):
            src = lex.sources[key]
            lines.append(_wrap(f"{key}: {src.title}" + (f" <{src.url}>" if src.url else ""), "  "))
    return "\n".join(lines)


def render_lexicon(lex: Lexicon) -> str:
    rows = [("id", "INCI name", "role", "occlusion", "rating")]
    for e in sorted(lex.entries.values(), key=lambda e: (e.role, e.family, e.id)):
        rating = "-" if e.rating is None else f"{e.rating:g}"
        rows.append((e.id, e.inci, e.role, e.occlusion, rating))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    out = ["  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[4] for r in rows]
    out.append(f"\n{len(lex.entries)} entries. `milia-scan explain ID` shows names, ratings and sources.")
    return "\n".join(out)
