"""Label text -> regions that hold ingredient lists, each with its section and part.

A label may hold one list, a US Drug Facts panel (an active and an inactive section), or a kit
of several products' lists ("Cleanser: …. Moisturizer ingredients: …"). This stage finds the
headers and cuts the label into regions; `tokenizer.py` splits each region into tokens.

Headers come in two kinds:
  - known headers, found anywhere: "Ingredients:" in several languages, "Active ingredients",
    "Inactive:", "Drug Facts", and stops that end a list ("Directions:");
  - sub-headings: a short phrase ending in a colon after a sentence end or the start of the
    label ("Time in a Bottle:", "Step Two:"); each starts a new part (a kit's product).
Text before the first known list header is marketing copy and is dropped; so is a key-ingredient
bullet ("-Retinol: smooths skin.").

Every step is linear in the label: headers are searched in bounded windows around the cue
characters, and every loop moves forward.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from . import vocabulary as v


class Region(NamedTuple):
    """A stretch of the label holding (part of) one ingredient list."""

    start: int
    end: int
    section: str  # "ingredients" | "active" | "inactive"
    part: int  # index into the label's parts
    may_contain: bool


class PartHead(NamedTuple):
    """Where a part (one product of a kit) begins: its heading as printed, or None."""

    heading: str | None
    start: int  # the heading's span in the label (start == end when there is none)
    end: int


class _Mark(NamedTuple):
    start: int
    end: int
    kind: str  # drug | active | inactive | ingr | stop | heading | bullet
    head_start: int  # the heading phrase as printed, for parts
    head_end: int


def _words(*alternatives: str) -> str:
    return "|".join(alternatives)


_INGR = _words(*v.INGREDIENT_WORDS)
# The lookahead lets the engine skip every position that cannot start a header.
_HEADER = re.compile(
    rf"""(?ix)
    (?=\b[iacdzskohwuqmprnf]|[成성全])
    (?:
    (?P<drug>\bdrug\s+facts(?:\s*\(continued\))?)
  | (?P<inactive>\binactive\s+ingredients?(?:\s*\([^)\n]{{0,40}}\))?(?:\s*[:：])?|\binactive\s*[:：])
  | (?P<active>\bactive\s+ingredients?(?:\s*\([^)\n]{{0,40}}\))?(?:\s*[:：])?(?:[ \t]*purposes?\b(?:\s*[:：])?)?
        |\bactive\s*[:：])
  | (?P<stop>\b(?:key\s+ingredients?|{_words(*v.STOP_WORDS)})\s*[:：])
  | (?P<ingr>(?:\b(?:full|complete|other)\s+)?(?:\b(?:{_INGR}))(?:\s+list)?(?:\s*/\s*(?:{_INGR}))*\s*[:：])
    )
""",
)
_DRUG_STOP = re.compile(rf"(?im)^[ \t]*(?:{_words(*v.DRUG_STOP_WORDS)})\b")
_MAY = re.compile(
    rf"""(?ix)
    (?=[\[(mpkb+±])
    (?:\[\s*|\(\s*)?
    (?:{_words(*v.MAY_CONTAIN)})
    (?:\s*(?:\(\s*\+\s*/\s*-\s*\)|\[\s*\+\s*/\s*-\s*\]))?
    \s*[:：]?
    """
)
_HEADER_CUES = re.compile(r"[:：]|ngredient|drug", re.I)
_HEADER_REACH = 72  # no known header is longer: windows this wide around each cue find them all
_COLON = re.compile(r"[:：]")
# A sub-heading read backwards from its colon: letters, digits, spaces and a few marks; a period
# only when glued ("No.9"). It must not start right after a list separator.
_REV_PHRASE = re.compile(r"[ \t]*((?:[^\W_]|[ \t'’&™®+/°-]|(?<=[^\s])\.)+)")
_AFTER_SEPARATOR = re.compile(rf"[,{re.escape(v.SEPARATORS)}]\s*\Z")
_SENTENCE_END = re.compile(r"[.!?](?=\s)|[\r\n]")
_BULLET_REACH = 300  # a key-ingredient bullet's sentence ends within this many characters
_GLUED_PCT = re.compile(r"%(?=[^\W\d_])")  # "Salicylic Acid 1.50%Water": the actives end there
_OTHER = re.compile(r"(?i)others?|inactive")
_HAS_WORD = re.compile(r"[^\W_]")
_LIST_KINDS = frozenset({"ingr", "active", "inactive"})
_PLAIN = (PartHead(None, 0, 0),)


def has_cues(text: str) -> bool:
    """Whether the label may hold a header or a "may contain" marker (else it is one plain list)."""
    low = text.lower()
    return any(c in low for c in v.CUES)


def regions(text: str) -> tuple[list[Region], tuple[PartHead, ...]]:
    """The list regions of a label, in order, and the parts they belong to."""
    if not has_cues(text):
        return [Region(0, len(text), "ingredients", 0, False)], _PLAIN
    marks = _marks(text)
    cut, parts = _cut(text, marks)
    return _split_may_contain(text, cut), parts


# --------------------------------------------------------------------------- finding headers


def _marks(text: str) -> list[_Mark]:
    found: dict[int, _Mark] = {}  # known headers by start
    floor = 0
    for cue in _HEADER_CUES.finditer(text):
        if cue.end() + _HEADER_REACH <= floor:
            continue
        a, b = max(floor - _HEADER_REACH, cue.start() - _HEADER_REACH, 0), min(len(text), cue.end() + _HEADER_REACH)
        for m in _HEADER.finditer(text, a, b):
            if m.end() < b or b == len(text):  # one cut by the window edge is found again later
                found.setdefault(m.start(), _Mark(m.start(), m.end(), m.lastgroup or "", m.start(), m.start()))
        floor = b  # the next window overlaps this one by one reach at most: each character is read twice
    known = _non_overlapping(sorted(found.values()))
    if any(m.kind in ("drug", "active", "inactive") for m in known):
        known = _non_overlapping(sorted(known + [_Mark(m.start(), m.end(), "stop", m.start(), m.start())
                                                 for m in _DRUG_STOP.finditer(text)]))
    by_colon = {m.end: i for i, m in enumerate(known)}
    marks = list(known)
    for colon in _COLON.finditer(text):
        head = _heading_before(text, colon.start())
        if head is None:
            continue
        i = by_colon.get(colon.end())
        if i is not None:  # "Cleanser ingredients:": a known header with its product's name
            k = marks[i]
            marks[i] = k._replace(start=min(k.start, head[0]), head_start=head[0], head_end=head[1])
        elif text[head[0]] == "-":
            end = _SENTENCE_END.search(text, colon.end(), colon.end() + _BULLET_REACH)
            marks.append(_Mark(head[0], end.end() if end else colon.end(), "bullet", head[0], head[0]))
        else:
            marks.append(_Mark(head[0], colon.end(), "heading", head[0], head[1]))
    return _non_overlapping(sorted(marks))


def _non_overlapping(marks: list[_Mark]) -> list[_Mark]:
    """Like one scan: leftmost first, none overlapping."""
    out: list[_Mark] = []
    for m in marks:
        if not out or m.start >= out[-1].end:
            out.append(m)
    return out


def _heading_before(text: str, colon: int) -> tuple[int, int] | None:
    """The sub-heading phrase ending at `colon`, as (start, end), or None when there is none."""
    lo = max(0, colon - v.HEADING_MAX_CHARS)
    window = text[lo:colon][::-1]
    m = _REV_PHRASE.match(window)
    if m is None:
        return None
    phrase = m.group(1).strip()
    if not phrase or not any(c.isalpha() for c in phrase) or len(phrase.split()) > v.HEADING_MAX_WORDS:
        return None
    end = colon - (len(m.group(0)) - len(m.group(0).lstrip()))
    start = colon - m.end(1)
    start += len(text[start:end]) - len(text[start:end].lstrip())
    if m.end() == len(window) and lo > 0:
        return None  # longer than a heading: a sentence
    if _AFTER_SEPARATOR.search(text, max(0, start - 4), start):
        return None  # "Aqua, Vitamin E: …" is not a heading
    return start, end


# --------------------------------------------------------------------------- cutting regions


def _cut(text: str, marks: list[_Mark]) -> tuple[list[Region], tuple[PartHead, ...]]:
    """Regions between the marks, each with its section and part.

    A sub-heading, a list header or an "Active ingredients" header after a part's sections
    starts a new part once the current one has content; "Inactive:" and an "Ingredients:" right
    after a part's actives continue it, as does a header glued to a heading ("Mask:INGREDIENTS:").
    """
    listed = any(m.kind in _LIST_KINDS for m in marks)
    parts: list[PartHead] = [PartHead(None, 0, 0)]
    out: list[Region] = []
    section = "ingredients"
    sections: set[str] = set()  # sections the current part has
    content = False  # whether the current part has any text yet
    reading = not listed  # before the first known list header everything is marketing copy
    start, prev_end = 0, -1
    for m in marks:
        if reading and _HAS_WORD.search(text, start, m.start):
            out.append(Region(start, m.start, section, len(parts) - 1, False))
            content = True
        kind = m.kind
        if kind == "heading" and "active" in sections and _OTHER.fullmatch(text, m.head_start, m.head_end):
            kind = "inactive"  # "Active: Petrolatum 41%. Other: Mineral Oil"
        elif kind == "heading" and listed and not (reading or sections):
            kind = "bullet"  # marketing copy before the list ("Division: …")
        elif kind == "ingr" and "active" in sections and "inactive" not in sections:
            kind = "inactive"  # Estée Lauder: "Active Ingredients: … Ingredients: Water, …"
        if kind in ("heading", "ingr", "active", "inactive"):
            glued = prev_end >= 0 and not text[prev_end : m.start].strip()
            opens = sections & {"active", "inactive"} if kind == "active" else content and kind != "inactive"
            if opens and not glued:
                parts.append(PartHead(None, m.start, m.start))
                sections, content = set(), False
            if m.head_end > m.head_start and parts[-1].heading is None:
                parts[-1] = PartHead(text[m.head_start : m.head_end], m.head_start, m.head_end)
            section = "ingredients" if kind in ("heading", "ingr") else kind
            sections.add(section)
            reading, prev_end = True, m.end
        elif kind in ("stop", "drug"):
            reading, prev_end = False, -1
        start = m.end
    if reading and _HAS_WORD.search(text, start):
        out.append(Region(start, len(text), section, len(parts) - 1, False))
    return _split_glued_actives(text, out), tuple(parts)


def _split_glued_actives(text: str, out: list[Region]) -> list[Region]:
    """"Active Ingredient: Salicylic Acid 1.50%Water, …": the inactive list starts after the %."""
    fixed: list[Region] = []
    for r in out:
        glued = _GLUED_PCT.search(text, r.start, r.end) if r.section == "active" else None
        if glued is None:
            fixed.append(r)
        else:
            fixed += [r._replace(end=glued.end()), r._replace(start=glued.end(), section="inactive")]
    return fixed


def _split_may_contain(text: str, cut: list[Region]) -> list[Region]:
    """Each region cut at its "may contain" markers; what follows the first one is flagged."""
    out: list[Region] = []
    for r in cut:
        at, flagged = r.start, r.may_contain
        for m in _MAY.finditer(text, r.start, r.end):
            out.append(Region(at, m.start(), r.section, r.part, flagged))
            at, flagged = m.end(), True
        out.append(Region(at, r.end, r.section, r.part, flagged))
    return out
