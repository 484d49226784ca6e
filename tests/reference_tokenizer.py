"""A reference tokenizer: the separator and sub-list rules written as plainly as possible, slow and
uncached, for the equivalence tests. Production (`Scanner.tokenize`) takes shortcuts this does
not: `str.split` after a one-character translate, a bracket repair only when a piece is
unbalanced, a cache of trimmed pieces. Shared with production: the regions (headers, sections,
parts) and the trimming of one piece, each tested on their own.

The rules:
  - brackets pair with the nearest opener of their kind; the separators outside every pair are
    at depth 0 and cut the region into pieces;
  - a region with no depth-0 separator and a line break is one name per line: line breaks cut
    too, except one after a hyphen ("Petro-\\nlatum");
  - a piece whose first separator sits inside a bracket is one name when a word follows that
    bracket; else the bracket's items (its own depth-0 pieces, when it has two or more) are
    tokens after the name before it.
"""

from __future__ import annotations

import re

from milia_scan.sections import regions
from milia_scan.separators import _MAX_NESTING, CORE, HYPHEN
from milia_scan.trim import trim
from milia_scan.vocabulary import BULLETS

OPEN = {"(": ")", "[": "]", "{": "}"}
LINE_BREAK = re.compile(r"\r\n|[\r\n\u2028\u2029]")
# the separators, a spaced hyphen among them (production turns it into a comma before splitting)
_SPLIT = re.compile(f"({CORE}|{HYPHEN})", re.I)
_SPLIT_LINES = re.compile(rf"({CORE}|{HYPHEN}|{LINE_BREAK.pattern})", re.I)


def bracket_pairs(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """(open, close) of each matched pair: a closer takes the nearest opener of its kind."""
    stack: list[int] = []
    pairs = []
    for i in range(a, b):
        ch = text[i]
        if ch in OPEN:
            stack.append(i)
        elif ch in ")]}":
            for k in range(len(stack) - 1, -1, -1):
                if OPEN[text[stack[k]]] == ch:
                    pairs.append((stack[k], i))
                    del stack[k:]
                    break
    return pairs


def enclosing(pos: int, pairs: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The outermost pair around pos."""
    around = [p for p in pairs if p[0] < pos < p[1]]
    return min(around) if around else None


def bulleted(text: str) -> bool:
    """Every line starts with a bullet: commas inside a line belong to the name."""
    lines = [line.strip() for line in LINE_BREAK.split(text)]
    return len([x for x in lines if x]) > 1 and all(x[0] in BULLETS for x in lines if x)


def separators(text: str, a: int, b: int, lines: bool | str) -> list[tuple[int, int]]:
    if lines == "only":
        return [(m.start(), m.end()) for m in LINE_BREAK.finditer(text, a, b)]
    pattern = _SPLIT_LINES if lines else _SPLIT
    found = []
    for m in pattern.finditer(text[a:b]):  # a region is read on its own: "\b" does not see past it
        if lines and LINE_BREAK.fullmatch(m.group()) and re.search(r"-[ \t]*\Z", text[a : a + m.start()]):
            continue  # a word hyphenated across the break
        found.append((a + m.start(), a + m.end()))
    return found


def pieces(text: str, a: int, b: int, lines: bool | str | None = None, depth: int = 0) -> tuple[list[tuple[int, int]], int]:
    """Token candidates of text[a:b] as (start, end), and how many depth-0 pieces there were."""
    pairs = bracket_pairs(text, a, b)
    if lines is None and LINE_BREAK.search(text, a, b) and bulleted(text[a:b]):
        lines = "only"
    if lines is None:
        top = [s for s in separators(text, a, b, False) if enclosing(s[0], pairs) is None]
        lines = not top and LINE_BREAK.search(text, a, b) is not None
    seps = separators(text, a, b, lines)
    top = [s for s in seps if enclosing(s[0], pairs) is None]
    bounds = [a] + [x for s in top for x in s] + [b]
    out: list[tuple[int, int]] = []
    for s, e in zip(bounds[::2], bounds[1::2]):
        inside = [sep for sep in seps if s <= sep[0] < e]
        if not inside:
            out.append((s, e))
            continue
        o, c = enclosing(inside[0][0], pairs)  # type: ignore[misc]
        if depth >= _MAX_NESTING or re.search(r"[^\W_]", text[c + 1 : e]):
            out.append((s, e))
            continue
        items, n = pieces(text, o + 1, c, False, depth + 1)
        out += [(s, e)] if n < 2 else [(s, o), *items, (c + 1, e)]
    return out, len(bounds) // 2


def tokenize(label: str) -> list[tuple[int, int, bool, str, int, float | None]]:
    """(start, end, may_contain, section, part, percent) of every token."""
    regs, _ = regions(label)
    found = []
    for r in regs:
        for s, e in pieces(label, r.start, r.end)[0]:
            t = trim(label[s:e], active=r.section == "active")
            if t.b:
                found.append((s + t.a, s + t.b, r.may_contain, r.section, r.part, t.percent))
    parts = sorted({f[4] for f in found})  # parts with no token are not parts: renumbered
    return [(*f[:4], parts.index(f[4]), f[5]) for f in found]
