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
# Headers that end in a colon, recognised at the end of the phrase before the colon.
_KNOWN = re.compile(
    rf"""(?ix)(?<![^\W_])(?:
    (?P<inactive>inactive(?:\s+ingredients?)?)
  | (?P<active>active(?:\s+ingredients?)?(?:\s+purposes?)?)
  | (?P<stop>(?:key\s+ingredients?|{_words(*v.STOP_WORDS)}))
  | (?P<ingr>(?:(?:full|complete|other)\s+)?(?:{_INGR})(?:\s+list)?(?:\s*/\s*(?:{_INGR}))*)
    )\Z""",
)
# Drug Facts headings that need no colon, tried only where their words are.
_DRUG_HEADER = re.compile(
    r"""(?ix)(?:
    (?P<drug>drug\s+facts(?:\s*\(continued\))?)
  | (?P<inactive>inactive\s+ingredients?(?:\s*\([^)\n]{0,40}\))?(?:\s*[:：])?)
  | (?P<active>active\s+ingredients?(?:\s*\([^)\n]{0,40}\))?(?:\s*[:：])?(?:[ \t]*purposes?\b(?:\s*[:：])?)?)
    )"""
)
_PRODUCT = re.compile(v.PRODUCT_HEADING, re.I)
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
# A heading read backwards from its colon: letters, digits, spaces and a few marks, perhaps
# ending in a short bracket ("-Vitamin A (retinol):"); a period only when glued ("No.9").
_REV_PHRASE = re.compile(r"[ \t]*((?:\)[^()\n]{0,40}\([ \t]*)?(?:[^\W_]|[ \t'’&™®+/°-]|(?<=[^\s])\.)+)")
_AMOUNT_AFTER = re.compile(rf"[ \t]*\d+(?:[.,]\d+)?[ \t]*(?:{_words(*v.UNITS)}|%)\b\.?[ \t]*(?:$|[,;\r\n])", re.I | re.M)
_SEPARATOR_CHARS = frozenset("," + v.SEPARATORS)
_SENTENCE_END = re.compile(r"[.!?](?=\s)|[\r\n]")
_BULLET_REACH = 300  # a key-ingredient bullet's sentence ends within this many characters
_GLUED_PCT = re.compile(r"%(?=[^\W\d_])")  # "Salicylic Acid 1.50%Water": the actives end there
_OTHER = re.compile(r"(?i)others?|inactive")
_HAS_WORD = re.compile(r"[^\W_]")
_MIN_LIST_COMMAS = 3  # after a heading: "Coconut Face Mask: Water, Butylene Glycol, …"
_MIN_LIST_COMMAS_UNHEADED = 5  # copy has commas too: with no heading, a list needs more
_LIST_KINDS = frozenset({"ingr", "active", "inactive"})
_MAY_REACH = 24  # a marker spans at most this far either side of its cue ("[+/-", "peut contenir")
_MAY_CUES = ("+", "±", *(w for w in v.CUE_WORDS if w not in ("ngredient", "drug")))
_PLAIN = (PartHead(None, 0, 0),)


def regions(text: str) -> tuple[list[Region], tuple[PartHead, ...]]:
    """The list regions of a label, in order, and the parts they belong to."""
    low = text.lower()
    if not has_cues(text, low):
        return plain(text)
    cut, parts = _cut(text, _marks(text, low))
    if any(map(low.__contains__, _MAY_CUES)):
        cut = _split_may_contain(text, low, cut)
    return cut, parts


def has_cues(text: str, low: str | None = None) -> bool:
    """Whether the label may hold a header or a "may contain" marker."""
    return any(map(text.__contains__, v.CUE_CHARS)) or any(map((low or text.lower()).__contains__, v.CUE_WORDS))


def plain(text: str) -> tuple[list[Region], tuple[PartHead, ...]]:
    """The regions of a label with no header or marker: one list."""
    return [Region(0, len(text), "ingredients", 0, False)], _PLAIN


# --------------------------------------------------------------------------- finding headers


def _find_all(text: str, sub: str) -> list[int]:
    out: list[int] = []
    i = text.find(sub)
    while i >= 0:
        out.append(i)
        i = text.find(sub, i + 1)
    return out


def _marks(text: str, low: str) -> list[_Mark]:
    """Every header, sub-heading and key-ingredient bullet, in order, none overlapping.

    Regex scans are slow in Python, so headers are read where their cues are: the phrase before
    each colon, and anchored matches where "ingredient" or "drug" starts a word."""
    marks: list[_Mark] = []
    for colon in sorted(_find_all(text, ":") + _find_all(text, "：")):
        mark = _colon_mark(text, colon)
        if mark is not None:
            marks.append(mark)
    if len(low) == len(text):  # offsets in `low` are offsets in `text` (almost always)
        starts = [i - 1 for i in _find_all(low, "ngredient")] + _find_all(low, "drug")
        words = [_word_before(text, i) for i in starts]
        for i in sorted(set(starts + [w for w in words if w is not None])):
            m = _DRUG_HEADER.match(text, i)
            if m is not None and (i == 0 or not text[i - 1].isalnum()):
                marks.append(_Mark(m.start(), m.end(), m.lastgroup or "", m.start(), m.start()))
        for i in _find_all(low, "product name"):
            i -= 4 if low[max(0, i - 4) : i] == "rds " else 0
            m = _PRODUCT.match(text, i)
            if m is not None:
                marks.append(_Mark(m.start(), m.end(), "heading", m.start("name"), m.end("name")))
    marks = _non_overlapping(sorted(marks, key=lambda m: (m.start, -m.end)))
    if any(m.kind in ("drug", "active", "inactive") for m in marks):
        stops = [_Mark(m.start(), m.end(), "stop", m.start(), m.start()) for m in _DRUG_STOP.finditer(text)]
        marks = _non_overlapping(sorted(marks + stops, key=lambda m: (m.start, -m.end)))
    return marks


def _word_before(text: str, i: int) -> int | None:
    """Where the word before position i starts ("active" in "active ingredients")."""
    j = i - 1
    while j >= 0 and text[j] in " \t":
        j -= 1
    k = j
    while k >= 0 and text[k].isalpha() and j - k < 12:
        k -= 1
    return k + 1 if k < j else None


def _colon_mark(text: str, colon: int) -> _Mark | None:
    """The header, sub-heading or bullet that ends at this colon, or None."""
    found = _phrase_before(text, colon)
    if found is None or _AMOUNT_AFTER.match(text, colon + 1):
        return None  # "Vaseline : 40 g" is a recipe line, not a heading
    start, end = found
    known = _KNOWN.search(text, start, end)
    after_separator = _after_separator(text, start)
    if known is not None:
        if after_separator or known.start() == start:  # "…, inactive:" or "Ingredients:" alone
            return _Mark(known.start(), colon + 1, known.lastgroup or "", known.start(), known.end())
        return _Mark(start, colon + 1, known.lastgroup or "", start, end)  # "Cleanser ingredients:"
    if after_separator or _MAY.match(text, start):
        return None  # "Aqua, Vitamin E: …" is not a heading, nor is "May contain (+/-):"
    if text[start] == "-":
        stop = _SENTENCE_END.search(text, colon + 1, colon + 1 + _BULLET_REACH)
        if not _listlike(text, colon, stop.start() if stop else len(text), _MIN_LIST_COMMAS_UNHEADED):
            return _Mark(start, stop.end() if stop else colon + 1, "bullet", start, start)
        head = text.rfind("-", start, end) + 1  # "-Pure Vitamin E -Centella Concentrate: Water, …"
        head += len(text[head:end]) - len(text[head:end].lstrip())
        return _Mark(start, colon + 1, "heading", head, end)
    return _Mark(start, colon + 1, "heading", start, end)


def _phrase_before(text: str, colon: int) -> tuple[int, int] | None:
    """The phrase that ends at `colon`, as (start, end), or None when it is not a heading."""
    lo = max(0, colon - v.HEADING_MAX_CHARS)
    m = _REV_PHRASE.match(text[lo:colon][::-1])
    if m is None or m.end() == colon - lo and lo > 0:
        return None  # nothing, or longer than a heading: a sentence
    end = colon - m.start(1)
    start = colon - m.end(1)
    while text[start] in " \t":
        start += 1
    while end > start and text[end - 1] in " \t":
        end -= 1
    phrase = text[start:end]
    if not any(c.isalpha() for c in phrase) or len(phrase.split()) > v.HEADING_MAX_WORDS:
        return None
    return start, end


def _after_separator(text: str, start: int) -> bool:
    j = start - 1
    while j >= 0 and text[j].isspace():
        j -= 1
    return j >= 0 and text[j] in _SEPARATOR_CHARS


def _non_overlapping(marks: list[_Mark]) -> list[_Mark]:
    """Like one scan: leftmost (and longest) first, none overlapping."""
    out: list[_Mark] = []
    for m in marks:
        if not out or m.start >= out[-1].end:
            out.append(m)
    return out


# --------------------------------------------------------------------------- cutting regions


def _cut(text: str, marks: list[_Mark]) -> tuple[list[Region], tuple[PartHead, ...]]:
    """Regions between the marks, each with its section and part.

    A sub-heading, a list header or an "Active ingredients" header after a part's sections
    starts a new part once the current one has content; "Inactive:" and an "Ingredients:" right
    after a part's actives continue it, as does a header glued to a heading ("Mask:INGREDIENTS:").
    """
    listed = any(m.kind in _LIST_KINDS for m in marks)
    # "Moisturizer ingredients:": list headers that name a product make the label a kit, whose
    # earlier sub-headings ("Cleanser:") head products too.
    kit = any(m.kind == "ingr" and not _KNOWN.fullmatch(text, m.head_start, m.head_end) for m in marks)
    parts: list[PartHead] = [PartHead(None, 0, 0)]
    out: list[Region] = []
    section = "ingredients"
    sections: set[str] = set()  # sections the current part has
    content = False  # whether the current part has any text yet
    # Before the first list header (or, after key-ingredient bullets, the first sub-heading)
    # everything is marketing copy.
    reading = (not listed and not _bullets_first(marks)
               or bool(marks) and _listlike(text, 0, marks[0].start, _MIN_LIST_COMMAS_UNHEADED))
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


def _bullets_first(marks: list[_Mark]) -> bool:
    """Whether key-ingredient bullets come before the first sub-heading: copy, then a kit."""
    for m in marks:
        if m.kind == "bullet":
            return True
        if m.kind == "heading":
            return False
    return False


def _list_follows(text: str, m: _Mark, marks: list[_Mark], i: int) -> bool:
    """Whether a sub-heading before the first list header heads a list ("Coconut Face Mask: Water,
    Butylene Glycol, …") rather than copy ("Benefits: hydrates."): three separators at least."""
    return _listlike(text, m.end, marks[i + 1].start if i + 1 < len(marks) else len(text), _MIN_LIST_COMMAS)


def _listlike(text: str, a: int, b: int, commas: int) -> bool:
    return text.count(",", a, b) >= commas


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


def _may_contain_marks(text: str, low: str) -> list[tuple[int, int]]:
    """(start, end) of each "may contain" marker, read in small windows around its cue words
    (a regex scan of the whole label is slow in Python)."""
    if len(low) != len(text):
        return [m.span() for m in _MAY.finditer(text)]
    cues = sorted({i for cue in _MAY_CUES for i in _find_all(low, cue)})
    found: list[tuple[int, int]] = []
    for i in cues:
        lo = max(found[-1][1] if found else 0, i - _MAY_REACH)
        for m in _MAY.finditer(text, lo, min(len(text), i + _MAY_REACH)):
            if m.start() <= i < m.end():
                found.append(m.span())
                break
    return found


def _split_may_contain(text: str, low: str, cut: list[Region]) -> list[Region]:
    """Each region cut at its "may contain" markers; what follows the first one is flagged."""
    marks = _may_contain_marks(text, low)
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
