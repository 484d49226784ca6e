"""Raw label text -> ordered ingredient tokens with spans into the original text.

Steps, each on offsets into the unchanged input (so `label[start:end]` is always the token):
  1. sections: find "Ingredients:"-style headers (several languages) and US Drug Facts headings;
     keep the ingredient sections, drop marketing copy before them and "Directions:" after.
  2. brackets: pair (), [], {}; unmatched ones are noise.
  3. split each section on separators outside brackets: , ; • · 、 ， and line breaks when the
     list has no other separator ("1,2-Hexanediol" keeps its comma).
  4. "May contain" / "+/-" markers split too, and flag what follows.
  5. a bracket holding a list ("Parfum (Limonene, Linalool)") becomes sub-tokens; one holding a
     single name ("Aqua (Water)") stays in the token as a synonym for the matcher.
  6. trim each token's edges: percentages, footnote marks, bullets, trailing periods, unmatched
     brackets; drop footnote legends ("*organic ingredient").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import NamedTuple

from .cache import make_room
from .normalizer import match_key


class Span(NamedTuple):
    """A token as offsets into the label, before matching (lean: the bulk path uses these)."""

    start: int
    end: int
    may_contain: bool
    section: str  # "ingredients" | "active" | "inactive"


# --------------------------------------------------------------------------- patterns

_INGREDIENT_WORDS = (
    r"ingr[eé]dients?|ingredientes|ingredienti|ingredi[eë]nten|ingredienser|inhaltsstoffe|"
    r"zutaten|sk[łl]adniki|composition|composici[oó]n|inci|成分|全成分|성분"
)
# The lookahead lets the engine skip every position that cannot start a header (3x faster).
_HEADER = re.compile(
    rf"""(?ix)
    (?=\b[iacdzsfkohwuqmp]|[成성全])
    (?:
    (?P<drug>\bdrug\s+facts(?:\s*\(continued\))?)
  | (?P<active>\bactive\s+ingredients?(?:\s*\([^)\n]{{0,40}}\))?(?:\s*[:：])?(?:[ \t]*purposes?\b(?:\s*[:：])?)?)
  | (?P<inactive>\binactive\s+ingredients?(?:\s*\([^)\n]{{0,40}}\))?(?:\s*[:：])?)
  | (?P<ingr>(?:\b(?:full|complete|key|other)\s+)?(?:\b(?:{_INGREDIENT_WORDS}))(?:\s+list)?
        (?:\s*/\s*(?:{_INGREDIENT_WORDS}))*\s*[:：])
  | (?P<stop>\b(?:directions(?:\s+for\s+use)?|how\s+to\s+use|warnings?|cautions?|precautions|
        usage|storage|other\s+information|questions(?:\s+or\s+comments)?\??|mode\s+d['’]emploi|
        anwendung|pr[ée]cautions\s+d['’]emploi)\s*[:：])
    )
""",
)
# Drug Facts headings that end a section even without a colon (only in a Drug Facts layout).
_DRUG_STOP = re.compile(
    r"(?im)^[ \t]*(?:purposes?|uses?|warnings?|directions|other\s+information|"
    r"questions(?:\s+or\s+comments)?\??|do\s+not\s+use|stop\s+use|keep\s+out\s+of\s+reach)\b"
)
_MAY = re.compile(
    r"""(?ix)
    (?=[\[(mpkb+±])
    (?:\[\s*|\(\s*)?
    (?:may\s+contain|peut\s+contenir|kann\s+enthalten|puede\s+contener|pu[oò]\s+contenere|
       mag\s+bevatten|\+\s*/\s*-|±)
    (?:\s*(?:\(\s*\+\s*/\s*-\s*\)|\[\s*\+\s*/\s*-\s*\]))?
    \s*[:：]?
    """
)
_LIST_SEP = re.compile(r"[;、，；•·●▪◦∙|]|,(?!(?<=\d,)\d)")  # any separator but a digit comma
# A comma between digits is part of a name ("1,2-Hexanediol"); a period before a footnote mark
# ends the list ("Mica. *Organic ingredient").
_SEP_CORE = r"[;、，；•·●▪◦∙|]|,(?!(?<=\d,)\d)|\.(?=\s*[*†‡¹²³])"
_SEP = re.compile(_SEP_CORE + r"|\r?\n|\r|\u2028|\u2029")
_SEP_NO_NL = re.compile(_SEP_CORE)
_BRACKETS = re.compile(r"[()\[\]{}]")
_OPEN = {"(": ")", "[": "]", "{": "}"}
_AND = re.compile(r"(?i)\(\s*(?:and|et|und|y|e)\s*\)")

# A token's edges are letters, digits or brackets; anything else there (spaces, bullets, footnote
# marks, periods, quotes, zero-width characters) is trimmed.
# Superscript digits are footnote marks ("Dimethicone¹"), never part of a name.
_SUPERSCRIPTS = "¹²³⁴⁵⁶⁷⁸⁹⁰"
_KEEP = rf"(?:(?![{_SUPERSCRIPTS}])[^\W_]|[()\[\]{{}}])"
_FIRST_KEEP = re.compile(_KEEP)
_TRAILING_JUNK = re.compile(rf"(?:[^\w()\[\]{{}}]|[_{_SUPERSCRIPTS}])+\Z")
_PCT_END = re.compile(
    r"(?:\(\s*<?\s*\d+(?:[.,]\d+)?\s*%\s*\)|<?\s*\d+(?:[.,]\d+)?\s*%)(?:[^\w()\[\]{}]|_)*\Z"
)
_PCT = re.compile(r"<?\s*\d+(?:[.,]\d+)?\s*%")
_LEGEND = re.compile(
    r"(?i)^[*†‡°¹²³]+\s*(?:certified\s+|from\s+|made\s+with\s+)?"
    r"(?:organic|biologique|bio\b|natural|naturally|ingredients?\s+(?:from|of)|issus?\s+de|aus\s+kontroll)"
)
_SOFT_HYPHEN_BREAK = re.compile(r"(?<=[a-z])-[ \t]*(?:\r?\n|\r)[ \t]*(?=[a-z])")
_HARD_HYPHEN_BREAK = re.compile(r"-[ \t]*(?:\r?\n|\r)[ \t]*")
_HYPHEN_NL = re.compile(r"-[ \t]*$")


# --------------------------------------------------------------------------- sections


def _sections(text: str, *, reference: bool = False) -> list[tuple[int, int, str]]:
    """(start, end, kind) regions that hold ingredient lists; the whole text if no header."""
    low = text.lower()
    if ":" not in text and "：" not in text and "ngredient" not in low and "drug" not in low:
        return [(0, len(text), "ingredients")]  # every header needs one of these
    marks = _header_marks_full(text) if reference else _header_marks(text, low)
    drug = any(k in ("drug", "active", "inactive") for _, _, k in marks)
    if drug:
        marks += [(m.start(), m.end(), "stop") for m in _DRUG_STOP.finditer(text)]
        marks.sort()
    if not any(k in ("ingr", "active", "inactive") for _, _, k in marks):
        return [(0, len(text), "ingredients")]
    out: list[tuple[int, int, str]] = []
    for i, (_, end, kind) in enumerate(marks):
        if kind not in ("ingr", "active", "inactive"):
            continue
        nxt = next((s for s, _, _ in marks[i + 1 :] if s >= end), len(text))
        section = {"ingr": "ingredients"}.get(kind, kind)
        out.append((end, nxt, section))
    return out


_HEADER_CUES = re.compile(r"[:：]|ngredient|drug", re.I)
_HEADER_REACH = 72  # no header is longer: windows this wide around each cue find them all


def _header_marks(text: str, low: str) -> list[tuple[int, int, str]]:
    """Header matches, found in windows around the cues every header contains (a colon,
    "ingredient", "drug") rather than by scanning the whole label."""
    seen: dict[tuple[int, int], str] = {}
    for cue in _HEADER_CUES.finditer(low):
        a = max(0, cue.start() - _HEADER_REACH)
        b = min(len(text), cue.end() + _HEADER_REACH)
        for m in _HEADER.finditer(text, a, b):
            if m.end() < b or b == len(text):  # one cut by the window edge is found again later
                seen.setdefault((m.start(), m.end()), m.lastgroup or "")
    out: list[tuple[int, int, str]] = []
    for s, e, k in sorted((s, e, k) for (s, e), k in seen.items()):
        if not out or s >= out[-1][1]:  # like one scan: leftmost match first, none overlapping
            out.append((s, e, k))
    return out


def _header_marks_full(text: str) -> list[tuple[int, int, str]]:
    """The reference for `_header_marks`: one scan over the whole label."""
    return [(m.start(), m.end(), m.lastgroup or "") for m in _HEADER.finditer(text)]


# --------------------------------------------------------------------------- brackets


def _pairs(text: str, start: int, end: int) -> dict[int, int]:
    """Matched bracket pairs within [start, end): open index -> close index (and back)."""
    pairs: dict[int, int] = {}
    stack: list[tuple[int, str]] = []
    for m in _BRACKETS.finditer(text, start, end):
        ch, i = m.group(), m.start()
        if ch in _OPEN:
            stack.append((i, _OPEN[ch]))
            continue
        # close: pop to the nearest matching opener; openers skipped over stay unmatched
        for k in range(len(stack) - 1, -1, -1):
            if stack[k][1] == ch:
                o = stack[k][0]
                pairs[o] = i
                pairs[i] = o
                del stack[k:]
                break
    return pairs


def _top_intervals(pairs: dict[int, int]) -> list[tuple[int, int]]:
    """Outermost bracket intervals, sorted."""
    out: list[tuple[int, int]] = []
    for o in sorted(k for k, v in pairs.items() if k < v):
        if out and o < out[-1][1]:
            continue
        out.append((o, pairs[o]))
    return out


def _separated(text: str, a: int, b: int, pairs: dict[int, int]) -> bool:
    """Whether [a, b) has a list separator outside brackets: then line breaks are only wrapping.
    "Iron Oxides (CI 77491, CI 77492)" in a one-per-line list does not make it a comma list."""
    first = _LIST_SEP.search(text, a, b)
    if first is None or not pairs:
        return first is not None
    tops = _top_intervals(pairs)
    starts = [o for o, _ in tops]
    return any(not _inside(m.start(), tops, starts) for m in _LIST_SEP.finditer(text, first.start(), b))


def _inside(pos: int, tops: list[tuple[int, int]], starts: list[int]) -> bool:
    i = bisect_right(starts, pos) - 1
    return i >= 0 and tops[i][0] < pos < tops[i][1]


# --------------------------------------------------------------------------- trimming


def _trim(text: str, a: int, b: int, pairs: dict[int, int]) -> tuple[int, int]:
    """Shrink [a, b) past junk, unmatched brackets and percentages at either edge."""
    while a < b:
        m = _FIRST_KEEP.search(text, a, b)
        if m is None:
            return a, a
        a = m.start()
        if not _unmatched(text, a, a, b, pairs):
            break
        a += 1
    while a < b:
        pct = _PCT_END.search(text, a, b)
        if pct is not None:  # "Petrolatum 41%", "Adapalene (0.1%)": the amount is not the name
            if pct.start() == a:
                return a, a
            b = pct.start()
            continue
        junk = _TRAILING_JUNK.search(text, a, b)
        if junk is not None:
            b = junk.start()
        if a < b and _unmatched(text, b - 1, a, b, pairs):
            b -= 1
            continue
        break
    return (a, b) if a < b else (a, a)


def _unmatched(text: str, i: int, a: int, b: int, pairs: dict[int, int]) -> bool:
    if text[i] not in "()[]{}":
        return False
    j = pairs.get(i)
    return j is None or not (a <= j < b)


# --------------------------------------------------------------------------- splitting


def _split(text: str, a: int, b: int, seps: re.Pattern[str], tops: list[tuple[int, int]]) -> list[tuple[int, int]]:
    starts = [o for o, _ in tops]
    parts: list[tuple[int, int]] = []
    cur = a
    for m in seps.finditer(text, a, b):
        p = m.start()
        if _inside(p, tops, starts):
            continue
        if text[p] in "\r\n" and _HYPHEN_NL.search(text, cur, p):
            continue  # "Petro-\nlatum": a word hyphenated across the break
        parts.append((cur, p))
        cur = m.end()
    parts.append((cur, b))
    return parts


def _segments(text: str, a: int, b: int, pairs: dict[int, int], nl_splits: bool) -> list[tuple[int, int]]:
    """Split [a, b) on separators outside brackets, expanding bracketed sub-lists."""
    tops = [(o, c) for o, c in _top_intervals({k: v for k, v in pairs.items() if a <= k < b})]
    seps = _SEP if nl_splits else _SEP_NO_NL
    out: list[tuple[int, int]] = []
    for s, e in _split(text, a, b, seps, tops):
        out.extend(_expand(text, s, e, pairs, tops, seps))
    return out


def _expand(
    text: str, s: int, e: int, pairs: dict[int, int], tops: list[tuple[int, int]], seps: re.Pattern[str]
) -> list[tuple[int, int]]:
    """One depth-0 segment -> tokens: "(and)" blends split; a bracketed list becomes sub-tokens."""
    inner = [(o, c) for o, c in tops if s <= o and c < e]
    for o, c in inner:
        if _AND.fullmatch(text, o, c + 1):
            return _expand(text, s, o, pairs, tops, seps) + _expand(text, c + 1, e, pairs, tops, seps)
    for o, c in inner:
        if _HAS_WORD.search(text, c + 1, e):
            continue  # "Persea Gratissima (Extra Virgin, Cold Pressed Avocado) Oil": one name
        if _sub_seps(text, o + 1, c, pairs, seps):
            sub_pairs = {k: v for k, v in pairs.items() if o < k < c}
            return [(s, o), *_segments(text, o + 1, c, sub_pairs, seps is _SEP), (c + 1, e)]
    return [(s, e)]


def _sub_seps(text: str, a: int, b: int, pairs: dict[int, int], seps: re.Pattern[str]) -> list[int]:
    tops = _top_intervals({k: v for k, v in pairs.items() if a <= k < b})
    starts = [o for o, _ in tops]
    return [m.start() for m in seps.finditer(text, a, b) if not _inside(m.start(), tops, starts)]


# --------------------------------------------------------------------------- public


# --------------------------------------------------------------------------- fast path
#
# Most catalogue labels are a plain separated list. For those the label is split on its
# separators and each distinct piece (" Glycerin") is trimmed once, then cached: catalogues
# repeat the same pieces millions of times. A label with anything that needs the general path's
# judgement goes there instead: headers (":"), line breaks, "+/-", or a piece holding an unmatched
# bracket (a sub-list), "(and)", a "may contain" or header word, or a footnote legend.
# tests/test_tokenize.py checks that both paths agree.

_NOT_PLAIN = re.compile(r"[\n\r\u2028\u2029:：+±]")
_NOT_PLAIN_SOFT = re.compile(r"[:：+±]")
_SPECIAL = re.compile(r"[\n\r\u2028\u2029:：+±;、，；•·●▪◦∙|]")  # one scan for the comma-only case
_PLAIN_SEP = re.compile(r"[,;、，；•·●▪◦∙|]")
_COMMA_DIGIT = re.compile(r",\d")
# In a whole label, these words may start a "may contain" tail or a header: the general path
# decides. Inside a region the general path has already cut those out, and only "(and)" is left.
_PIECE_HAZARD = re.compile(
    r"contain|contenir|enthalten|contener|contenere|bevatten|drug|ngredient|\(\s*(?:and|et|und|y|e)\s*\)",
    re.I,
)
_REGION_HAZARD = re.compile(r"\(\s*(?:and|et|und|y|e)\s*\)", re.I)
_FOOTNOTE_MARKS = "*†‡¹²³"
_PLAIN_SEP_DOT = re.compile(r"[,;、，；•·●▪◦∙|]|\.(?=\s*[*†‡¹²³])")
_BRACKET_CHARS = frozenset("()[]{}")
_PIECE_CACHE: dict[str, tuple[int, int] | None] = {}
_REGION_CACHE: dict[str, tuple[int, int] | None] = {}
_PIECE_CACHE_LIMIT = 25_000  # per mode; the older half dropped when full


def plain_pieces(text: str, *, soft_newlines: bool = False, region: bool = False) -> list[str] | None:
    """The separator-delimited pieces of a plain list, or None if the label needs the general path.

    Pieces keep their spaces and marks; "1,2-Hexanediol" stays one piece. Joining the pieces with
    one separator character each gives back the offsets into `text`. `soft_newlines`: line
    breaks are only wrapping (the list has other separators), so they may stay inside a piece.
    `region`: a list region the general path has cut out (headers and "may contain" markers
    done), where colons and plus signs are ordinary characters.
    """
    if text.isascii():  # most labels: a few substring tests beat one regex over the text
        blocked = (not region and (":" in text or "+" in text)) or (
            not soft_newlines and ("\n" in text or "\r" in text))
        other_seps = ";" in text or "|" in text
        marks = "*" in text
    else:
        if region:
            blocked = not soft_newlines and _HAS_BREAK.search(text) is not None
        else:
            blocked = (_NOT_PLAIN_SOFT if soft_newlines else _NOT_PLAIN).search(text) is not None
        other_seps = _SPECIAL.search(text) is not None
        marks = any(m in text for m in _FOOTNOTE_MARKS)
    if blocked:
        return None
    if marks:  # "Mica. *Organic": a period before a footnote mark ends the list
        pieces = _PLAIN_SEP_DOT.split(text)
    elif other_seps:
        pieces = _PLAIN_SEP.split(text)
    else:
        pieces = text.split(",")
    if _COMMA_DIGIT.search(text):
        merged: list[str] = []
        for piece in pieces:  # a comma between digits is part of a name
            if merged and merged[-1][-1:].isdigit() and piece[:1].isdigit() and _joined_by_comma(text, merged, piece):
                merged[-1] += "," + piece
            else:
                merged.append(piece)
        pieces = merged
    return pieces


def _joined_by_comma(text: str, done: list[str], piece: str) -> bool:
    pos = sum(len(p) + 1 for p in done) - 1  # the separator after done[-1]
    return text[pos] == ","


def piece_token(piece: str, *, region: bool = False) -> tuple[int, int] | None:
    """The token's bounds inside one piece of a plain list: (a, b), (0, 0) when the piece holds no
    token (or is a footnote legend), or None when the label needs the general path. Pure and
    cached per distinct piece."""
    cache = _REGION_CACHE if region else _PIECE_CACHE
    found = cache.get(piece, False)
    if found is not False:
        return found  # type: ignore[return-value]
    make_room(cache, _PIECE_CACHE_LIMIT)
    result: tuple[int, int] | None
    if (_REGION_HAZARD if region else _PIECE_HAZARD).search(piece):
        result = None
    elif _LEGEND.match(piece.lstrip()):
        result = (0, 0)
    else:
        pairs: dict[int, int] = {}
        if not _BRACKET_CHARS.isdisjoint(piece):
            pairs = _pairs(piece, 0, len(piece))
            if len(pairs) != sum(piece.count(c) for c in "()[]{}"):
                pairs = {}
                result = None  # an unmatched bracket: a sub-list or noise, the general path decides
        if pairs or _BRACKET_CHARS.isdisjoint(piece):
            a, b = _trim(piece, 0, len(piece), pairs)
            result = (a, b) if b > a and _HAS_WORD.search(piece, a, b) else (0, 0)
    cache[piece] = result
    return result


_HAS_WORD = re.compile(r"[^\W_]")
_HAS_BREAK = re.compile(r"[\n\r\u2028\u2029]")


def split_label(text: str) -> list[Span]:
    """Find the ingredient tokens of a label, as spans into `text` (no normalisation)."""
    if not isinstance(text, str):
        raise TypeError(f"label must be str, not {type(text).__name__}")
    found = _plain_spans(text, 0, len(text), soft_newlines=False)
    if found is not None:
        return [Span(a, b, False, "ingredients") for a, b in found]
    return split_label_general(text)


def _plain_spans(
    text: str, start: int, end: int, *, soft_newlines: bool, region: bool = False
) -> list[tuple[int, int]] | None:
    """Token spans of text[start:end] if it is a plain list, else None."""
    sub = text[start:end] if start or end != len(text) else text
    pieces = plain_pieces(sub, soft_newlines=soft_newlines, region=region)
    if pieces is None:
        return None
    out: list[tuple[int, int]] = []
    pos = start
    i = 0
    while i < len(pieces):
        piece = pieces[i]
        bounds = piece_token(piece, region=region)
        if bounds is None:
            closed = _sub_list(pieces, i, pos, region) if region else None
            if closed is None:
                return None
            spans, i, pos = closed
            out.extend(spans)
            continue
        if bounds[1]:
            out.append((pos + bounds[0], pos + bounds[1]))
        pos += len(piece) + 1
        i += 1
    return out


def _sub_list(pieces: list[str], i: int, pos: int, region: bool) -> tuple[list[tuple[int, int]], int, int] | None:
    """A bracketed sub-list that ends its item ("Iron Oxides (CI 77491, CI 77492)"), spread over
    pieces i..j: (its token spans, j + 1, the offset after piece j); None for any other shape."""
    first = pieces[i]
    opener = first.find("(")
    if opener < 0 or first.count("(") != 1 or any(c in first for c in ")[]{}"):
        return None
    j = i + 1
    while j < len(pieces) and _BRACKET_CHARS.isdisjoint(pieces[j]):
        j += 1
    if j == len(pieces):
        return None
    last = pieces[j]
    closer = last.find(")")
    if closer < 0 or last.count(")") != 1 or any(c in last for c in "([]{}") or _HAS_WORD.search(last, closer + 1):
        return None
    # (offset of the part, text of the part): the name before the bracket, then each list item.
    parts = [(pos, first[:opener]), (pos + opener + 1, first[opener + 1 :])]
    at = pos + len(first) + 1
    for k in range(i + 1, j):
        parts.append((at, pieces[k]))
        at += len(pieces[k]) + 1
    parts.append((at, last[:closer]))
    spans: list[tuple[int, int]] = []
    for offset, part in parts:
        bounds = piece_token(part, region=region)
        if bounds is None:
            return None
        if bounds[1]:
            spans.append((offset + bounds[0], offset + bounds[1]))
    return spans, j + 1, at + len(last) + 1


def split_label_general(text: str, *, reference: bool = False) -> list[Span]:
    """The general tokenizer: every label shape. Each list region still takes the plain-list path
    when it can; `reference=True` turns that off (the reference the fast paths are tested against).
    """
    spans: list[Span] = []
    for a, b, section in _sections(text, reference=reference):
        pairs = _pairs(text, a, b)
        may_marks = list(_MAY.finditer(text, a, b))
        for m in may_marks:  # a bracket opened by the marker ("[+/- Mica]") is not a synonym
            if text[m.start()] in "([" and m.start() in pairs:
                close = pairs.pop(m.start())
                pairs.pop(close, None)
        nl_splits = not _separated(text, a, b, pairs)
        # Pieces between "may contain" markers; everything after the first marker is flagged.
        bounds = [(a, may_marks[0].start() if may_marks else b, False)]
        for i, m in enumerate(may_marks):
            bounds.append((m.end(), may_marks[i + 1].start() if i + 1 < len(may_marks) else b, True))
        for pa, pb, may in bounds:
            if section != "active" and not reference and not (nl_splits and _HAS_BREAK.search(text, pa, pb)):
                found = _plain_spans(text, pa, pb, soft_newlines=not nl_splits, region=True)
                if found is not None:
                    spans.extend(Span(s, e, may, section) for s, e in found)
                    continue
            for s, e in _segments(text, pa, pb, pairs, nl_splits):
                if section != "active" and not reference:  # the cached plain-piece trimming
                    trimmed = piece_token(text[s:e], region=True)
                    if trimmed is not None:
                        if trimmed[1]:
                            spans.append(Span(s + trimmed[0], s + trimmed[1], may, section))
                        continue
                if _LEGEND.match(text, s, e) or _LEGEND.match(text[s:e].lstrip()):
                    continue
                if section == "active":
                    pct = _PCT.search(text, s, e)
                    if pct is not None:  # "Avobenzone 3% Sunscreen": the purpose follows the %
                        e = pct.start()
                s2, e2 = _trim(text, s, e, pairs)
                if e2 > s2 and _HAS_WORD.search(text, s2, e2):
                    spans.append(Span(s2, e2, may, section))
    return spans


def token_key(raw: str) -> str:
    """The normalised form of one token's text: words hyphenated across a line break are joined."""
    if "\n" in raw or "\r" in raw:
        raw = _SOFT_HYPHEN_BREAK.sub("", raw)
        raw = _HARD_HYPHEN_BREAK.sub("-", raw)
    return match_key(raw)
