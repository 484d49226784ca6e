"""Label text -> regions that hold ingredient lists, each with its section and part.

A label may hold one list, a US Drug Facts panel (an active and an inactive section), or a kit
of several products' lists ("Cleanser: …. Moisturizer ingredients: …"). This stage finds the
headers and cuts the label into regions; `tokenizer.py` splits each region into tokens.

`headers.py` finds the marks (known headers, kit sub-headings, bullets, "may contain" markers);
this module reads them in order: a sub-heading or a list header starts a new part, "Inactive:"
continues the part's Drug Facts panel, a stop ends the list. Text before the first known list
header is marketing copy and is dropped, unless it is a list itself; so is a key-ingredient
bullet ("-Retinol: smooths skin."). Linear in the number of marks.
"""

from __future__ import annotations

import re
from itertools import compress
from typing import NamedTuple

from . import vocabulary as v
from .headers import (
    KNOWN, MARK_KIND, MAY_CUES, MIN_LIST_COMMAS, MIN_LIST_COMMAS_UNHEADED, Mark, find_marks, listlike,
    may_contain_marks,
)


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


_GLUED_PCT = re.compile(r"%(?=[^\W\d_])")  # "Salicylic Acid 1.50%Water": the actives end there
_OTHER = re.compile(r"(?i)others?|inactive")
_HAS_WORD = re.compile(r"[^\W_]")
_LIST_KINDS = frozenset({"ingr", "active", "inactive"})
_PLAIN = (PartHead(None, 0, 0),)


def regions(text: str) -> tuple[list[Region], tuple[PartHead, ...]]:
    """The list regions of a label, in order, and the parts they belong to."""
    low = text.lower()
    if not has_cues(text, low):
        return plain(text)
    cut, parts = _cut(text, find_marks(text, low))
    if any(map(low.__contains__, MAY_CUES)):
        cut = _split_may_contain(text, low, cut)
    return cut, parts


def has_cues(text: str, low: str | None = None) -> bool:
    """Whether the label may hold a header or a "may contain" marker."""
    return any(map(text.__contains__, v.CUE_CHARS)) or any(map((low or text.lower()).__contains__, v.CUE_WORDS))


def plain(text: str) -> tuple[list[Region], tuple[PartHead, ...]]:
    """The regions of a label with no header or marker: one list."""
    return [Region(0, len(text), "ingredients", 0, False)], _PLAIN


# --------------------------------------------------------------------------- cutting regions


def _cut(text: str, marks: list[Mark]) -> tuple[list[Region], tuple[PartHead, ...]]:
    """Regions between the marks, each with its section and part.

    A sub-heading, a list header or an "Active ingredients" header after a part's sections
    starts a new part once the current one has content; "Inactive:" and an "Ingredients:" right
    after a part's actives continue it, as does a header glued to a heading ("Mask:INGREDIENTS:").
    """
    kinds = list(map(MARK_KIND, marks))  # read by C-level calls: a label can hold a mark per colon
    listed = not _LIST_KINDS.isdisjoint(kinds)
    # "Moisturizer ingredients:": list headers that name a product make the label a kit, whose
    # earlier sub-headings ("Cleanser:") head products too.
    kit = any(not KNOWN.fullmatch(text, m.head_start, m.head_end) for m in compress(marks, map("ingr".__eq__, kinds)))
    parts: list[PartHead] = [PartHead(None, 0, 0)]
    out: list[Region] = []
    section = "ingredients"
    sections: set[str] = set()  # sections the current part has
    content = False  # whether the current part has any text yet
    # Before the first list header (or, after key-ingredient bullets, the first sub-heading)
    # everything is marketing copy.
    reading = (not listed and not _bullets_first(marks)
               or bool(marks) and listlike(text, 0, marks[0].start, MIN_LIST_COMMAS_UNHEADED))
    start, prev_end = 0, -1
    for i, m in enumerate(marks):
        if reading and _HAS_WORD.search(text, start, m.start):
            out.append(Region(start, m.start, section, len(parts) - 1, False))
            content = True
        kind = m.kind
        if kind == "heading" and "active" in sections and _OTHER.fullmatch(text, m.head_start, m.head_end):
            kind = "inactive"  # "Active: Petrolatum 41%. Other: Mineral Oil"
        elif kind == "heading" and listed and not (reading or sections or kit) and not _list_follows(text, m, marks, i):
            kind = "bullet"  # marketing copy before the list ("Benefits: …")
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


def _bullets_first(marks: list[Mark]) -> bool:
    """Whether key-ingredient bullets come before the first sub-heading: copy, then a kit."""
    for m in marks:
        if m.kind == "bullet":
            return True
        if m.kind == "heading":
            return False
    return False


def _list_follows(text: str, m: Mark, marks: list[Mark], i: int) -> bool:
    """Whether a sub-heading before the first list header heads a list ("Coconut Face Mask: Water,
    Butylene Glycol, …") rather than copy ("Benefits: hydrates."): three separators at least."""
    return listlike(text, m.end, marks[i + 1].start if i + 1 < len(marks) else len(text), MIN_LIST_COMMAS)


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


def _split_may_contain(text: str, low: str, cut: list[Region]) -> list[Region]:
    """Each region cut at its "may contain" markers; what follows the first one is flagged."""
    marks = may_contain_marks(text, low)
    out: list[Region] = []
    k = 0
    for r in cut:
        at, flagged = r.start, r.may_contain
        while k < len(marks) and marks[k][0] < r.start:
            k += 1
        for start, end in marks[k:]:
            if end > r.end:
                break
            out.append(Region(at, start, r.section, r.part, flagged))
            at, flagged = end, True
        out.append(Region(at, r.end, r.section, r.part, flagged))
    return out
