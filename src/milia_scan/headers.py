"""Headers: where a label's lists start and stop, found where their cues are.

Known headers ("Ingredients:" in several languages, "Active ingredients", "Inactive:", "Drug
Facts", stops such as "Directions:"), kit sub-headings (a short phrase ending in a colon after a
sentence end: "Time in a Bottle:", "Step Two:"), Estée Lauder product headings, key-ingredient
bullets ("-Retinol: smooths skin."), and "may contain" markers. Python's regex engine is slow
over a whole label, so each is read from its cue: the phrase before each colon, and anchored
matches where "ingredient", "drug", "product name" or a "may contain" word is. Linear in the
label: every window is bounded and every loop moves forward.
"""

from __future__ import annotations

import re
from functools import partial
from operator import attrgetter
from typing import NamedTuple

from . import vocabulary as v


class Mark(NamedTuple):
    start: int
    end: int
    kind: str  # drug | active | inactive | ingr | stop | heading | bullet
    head_start: int  # the heading phrase as printed, for parts
    head_end: int


def _words(*alternatives: str) -> str:
    return "|".join(alternatives)


_INGR = _words(*v.INGREDIENT_WORDS)
# Headers that end in a colon, recognised at the end of the phrase before the colon.
KNOWN = re.compile(
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
MAY_CONTAIN = re.compile(
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
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_REV_PHRASE = re.compile(r"[ \t]*((?:\)[^()\n]{0,40}\([ \t]*)?(?:[^\W_]|[ \t'’&™®+/°-]|(?<=[^\s])\.)+)")
_AMOUNT_AFTER = re.compile(rf"[ \t]*\d+(?:[.,]\d+)?[ \t]*(?:{_words(*v.UNITS)}|%)\b\.?[ \t]*(?:$|[,;\r\n])", re.I | re.M)
_SEPARATOR_CHARS = frozenset("," + v.SEPARATORS)
_HEADING_MAX_CHARS, _HEADING_MAX_WORDS = v.HEADING_MAX_CHARS, v.HEADING_MAX_WORDS
_SENTENCE_END = re.compile(r"[.!?](?=\s)|[\r\n]")
_BULLET_REACH = 300  # a key-ingredient bullet's sentence ends within this many characters
MIN_LIST_COMMAS = 3  # after a heading: "Coconut Face Mask: Water, Butylene Glycol, …"
MIN_LIST_COMMAS_UNHEADED = 5  # copy has commas too: with no heading, a list needs more
_MAY_REACH = 24  # a marker spans at most this far either side of its cue ("[+/-", "peut contenir")
MAY_CUES = ("+", "±", *(w for w in v.CUE_WORDS if w not in ("ngredient", "drug")))


def _find_all(text: str, sub: str) -> list[int]:
    out: list[int] = []
    i = text.find(sub)
    while i >= 0:
        out.append(i)
        i = text.find(sub, i + 1)
    return out


def find_marks(text: str, low: str) -> list[Mark]:
    """Every header, sub-heading and key-ingredient bullet, in order, none overlapping.

    Regex scans are slow in Python, so headers are read where their cues are: the phrase before
    each colon, and anchored matches where "ingredient" or "drug" starts a word."""
    marks: list[Mark] = []
    colons = _find_all(text, ":")
    if "：" in text:
        colons = sorted(colons + _find_all(text, "："))
    for colon in colons:
        mark = _colon_mark(text, colon)
        if mark is not None:
            marks.append(mark)
    if len(low) == len(text):  # offsets in `low` are offsets in `text` (almost always)
        starts = [i - 1 for i in _find_all(low, "ngredient")] + _find_all(low, "drug")
        words = [_word_before(text, i) for i in starts]
        for i in sorted(set(starts + [w for w in words if w is not None])):
            m = _DRUG_HEADER.match(text, i)
            if m is not None and (i == 0 or not text[i - 1].isalnum()):
                marks.append(Mark(m.start(), m.end(), m.lastgroup or "", m.start(), m.start()))
        for i in _find_all(low, "product name"):
            i -= 4 if low[max(0, i - 4) : i] == "rds " else 0
            m = _PRODUCT.match(text, i)
            if m is not None:
                marks.append(Mark(m.start(), m.end(), "heading", m.start("name"), m.end("name")))
    marks = _non_overlapping(_in_order(marks))
    if not _DRUG_KINDS.isdisjoint(map(MARK_KIND, marks)):
        stops = [Mark(m.start(), m.end(), "stop", m.start(), m.start()) for m in _DRUG_STOP.finditer(text)]
        marks = _non_overlapping(_in_order(marks + stops))
    return marks


def _in_order(marks: list[Mark]) -> list[Mark]:
    """Sorted by start, the longest first where two start together: two stable sorts on C-level
    keys (a Python key function was a tenth of a label made of colons)."""
    marks = sorted(marks, key=_END, reverse=True)
    marks.sort(key=_START)
    return marks


_START = attrgetter("start")
_END = attrgetter("end")
MARK_KIND = attrgetter("kind")  # a mark's kind, read by C-level calls (here and in `sections`)
_DRUG_KINDS = frozenset({"drug", "active", "inactive"})  # a Drug Facts label: its stops are read too


def _word_before(text: str, i: int) -> int | None:
    """Where the word before position i starts ("active" in "active ingredients")."""
    j = i - 1
    while j >= 0 and text[j] in " \t":
        j -= 1
    k = j
    while k >= 0 and text[k].isalpha() and j - k < 12:
        k -= 1
    return k + 1 if k < j else None


def _colon_mark(text: str, colon: int) -> Mark | None:
    """The header, sub-heading or bullet that ends at this colon, or None.

    First the phrase before the colon, read backwards from it (inline: this runs once per colon):
    letters, digits, spaces and a few marks, at most a heading's length and words."""
    lo = colon - _HEADING_MAX_CHARS if colon > _HEADING_MAX_CHARS else 0
    m = _REV_PHRASE.match(text[lo:colon][::-1])
    if m is None or m.end() == colon - lo and lo > 0:
        return None  # nothing, or longer than a heading: a sentence
    start = colon - m.end(1)
    phrase = text[start : colon - m.start(1)]
    core = phrase.lstrip(" \t")
    start += len(phrase) - len(core)
    phrase = core.rstrip(" \t")
    if not (phrase[:1].isalpha() or _has_letter(phrase)):  # most headings start with a letter
        return None
    if len(phrase) > _HEADING_MAX_WORDS and len(phrase.split()) > _HEADING_MAX_WORDS:
        return None  # (a phrase of at most that many characters has at most that many words)
    if _AMOUNT_AFTER.match(text, colon + 1):
        return None  # "Vaseline : 40 g" is a recipe line, not a heading
    end = start + len(phrase)
    known = KNOWN.search(text, start, end)
    j = start - 1  # the phrase follows a list separator ("Aqua, Vitamin E:"), spaces apart
    while j >= 0 and text[j].isspace():
        j -= 1
    after_separator = j >= 0 and text[j] in _SEPARATOR_CHARS
    if known is not None:
        if after_separator or known.start() == start:  # "…, inactive:" or "Ingredients:" alone
            return Mark(known.start(), colon + 1, known.lastgroup or "", known.start(), known.end())
        return Mark(start, colon + 1, known.lastgroup or "", start, end)  # "Cleanser ingredients:"
    if after_separator or MAY_CONTAIN.match(text, start):
        return None  # "Aqua, Vitamin E: …" is not a heading, nor is "May contain (+/-):"
    if text[start] == "-":
        stop = _SENTENCE_END.search(text, colon + 1, colon + 1 + _BULLET_REACH)
        if not listlike(text, colon, stop.start() if stop else len(text), MIN_LIST_COMMAS_UNHEADED):
            return Mark(start, stop.end() if stop else colon + 1, "bullet", start, start)
        head = text.rfind("-", start, end) + 1  # "-Pure Vitamin E -Centella Concentrate: Water, …"
        head += len(text[head:end]) - len(text[head:end].lstrip())
        return Mark(start, colon + 1, "heading", head, end)
    return _new_mark((start, colon + 1, "heading", start, end))


_new_mark = partial(tuple.__new__, Mark)  # Mark(*fields) without the Python-level __new__: one per colon


def _has_letter(s: str) -> bool:
    return _ASCII_LETTER.search(s) is not None if s.isascii() else any(c.isalpha() for c in s)


def _non_overlapping(marks: list[Mark]) -> list[Mark]:
    """Like one scan: leftmost (and longest) first, none overlapping."""
    out: list[Mark] = []
    for m in marks:
        if not out or m.start >= out[-1].end:
            out.append(m)
    return out


def may_contain_marks(text: str, low: str) -> list[tuple[int, int]]:
    """(start, end) of each "may contain" marker, read in small windows around its cue words
    (a regex scan of the whole label is slow in Python)."""
    if len(low) != len(text):
        return [m.span() for m in MAY_CONTAIN.finditer(text)]
    cues = sorted({i for cue in MAY_CUES for i in _find_all(low, cue)})
    found: list[tuple[int, int]] = []
    for i in cues:
        lo = max(found[-1][1] if found else 0, i - _MAY_REACH)
        for m in MAY_CONTAIN.finditer(text, lo, min(len(text), i + _MAY_REACH)):
            if m.start() <= i < m.end():
                found.append(m.span())
                break
    return found


def listlike(text: str, a: int, b: int, commas: int) -> bool:
    return text.count(",", a, b) >= commas
