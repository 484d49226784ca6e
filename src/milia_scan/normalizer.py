"""Token text -> match keys. Pure functions; each key function is idempotent.

`match_key` is the normalised form shown in reports and used for exact lookup.
`compact_key` drops everything but letters and digits ("Laureth 4" == "Laureth-4").
`ocr_key` undoes common OCR confusions (rn->m, a 0 or 1 inside a word) for the fuzzy stage.
Offsets never come from these strings: spans always point into the original label.
"""

from __future__ import annotations

import re
import unicodedata

# Characters that carry no meaning in a name: zero-width, soft hyphen, BOM, marks.
_DROP = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad®™©"), None)
# Dashes and slashes of other scripts -> ASCII.
_DASHES = {ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"}
_SLASHES = {ord(c): "/" for c in "\u2044\u2215\uff0f\\"}
# Letters that carry no decomposable accent: "Masło" is printed "Maslo" too.
_LETTERS = {ord(a): b for a, b in zip("łŁøØđĐ", "lLoOdD")}
_TRANS = {**_DROP, **_DASHES, **_SLASHES, **_LETTERS}

_PERCENT = re.compile(r"(?<![\w.,])(?:<\s*)?\d+(?:[.,]\d+)?\s*%")
_NANO = re.compile(r"[\[(]\s*nano\s*[\])]")
_NOT_NAME = re.compile(r"[^\w\s\-/',.]|_")  # \w keeps letters and digits of every script
_LOOSE_PUNCT = re.compile(r"(?<!\d)[,.](?!\d)|(?<=\d)[,.](?!\d)|(?<!\d)[,.](?=\d)|'")
_CI_NO = re.compile(r"\bci no\s?(?=\d)")
# Pharmacopoeia grades after a name ("Petrolatum USP") are not part of the substance's identity.
_GRADE = re.compile(r"(?:\s(?:usp|nf|bp|ep|jp|fcc|ph\s?eur))+$")
_GRADE_ENDS = (" usp", " nf", " bp", " ep", " jp", " fcc", " pheur", " ph eur")
# A name in normal form but for case and spaces: ASCII letters and digits between runs of spaces
# or single hyphens, spaces at the edges.
_SIMPLE = re.compile(r" *[A-Za-z0-9]+(?:(?: +|-)[A-Za-z0-9]+)* *")
_EDGES = "-/ ,."

# A lone 0 or 1 touching a letter is an O or an l ("1anolin", "seed 0il", "glyco1"); digits in a
# number (PEG-100, C10-30, CI 77491) stay.
_OCR_DIGIT = re.compile(r"(?<=[a-z])[01](?![0-9])|(?<![0-9])[01](?=[a-z])")
_OCR_DIGIT_MAP = {"0": "o", "1": "l"}


class _CombiningMarks(dict[int, int | None]):
    """A `str.translate` table that drops combining marks (`unicodedata.combining`), filled in as
    characters are met: a C-level lookup per character instead of a Python test per character."""

    def __missing__(self, code: int) -> int | None:
        if len(self) >= 8192:  # bounded: a label of every code point must not grow it for good
            self.clear()
        self[code] = kept = None if unicodedata.combining(chr(code)) else code
        return kept


_COMBINING_MARKS = _CombiningMarks()


def _strip_accents(s: str) -> str:
    if s.isascii():
        return s
    return unicodedata.normalize("NFKD", s).translate(_COMBINING_MARKS)


def match_key(text: str) -> str:
    """Normalise an ingredient name for exact lookup.

    Case, accents, width, zero-width characters, percentages, footnote marks, brackets and
    spacing are folded away; hyphens, slashes and digits are kept because they are part of an
    INCI name's identity (Laureth-4 vs Laureth-7).

    >>> match_key("Cocos Nucifera (Coconut) Oil*")
    'cocos nucifera coconut oil'
    >>> match_key("PETROLATUM 41 %")
    'petrolatum'
    """
    if _SIMPLE.fullmatch(text):  # most names, and the name around a bracket once it is cut out
        s = " ".join(text.lower().split())
    else:
        s = _folded(text)
    s = _spelling(s)
    return _GRADE.sub("", s).strip(_EDGES) if s.endswith(_GRADE_ENDS) else s


def _folded(text: str) -> str:
    """`match_key` before spellings and grades, for any text."""
    s = unicodedata.normalize("NFKC", text)
    if not s.isascii() or "\\" in s:
        s = s.translate(_TRANS)
    s = _strip_accents(s.casefold())
    # Each step runs only where its characters occur: normalising is on the cold path of bulk runs.
    if "nano" in s:
        s = _NANO.sub(" ", s)
    if "%" in s:
        s = _PERCENT.sub(" ", s)
    s = _NOT_NAME.sub(" ", s)
    if "," in s or "." in s or "'" in s:
        s = _LOOSE_PUNCT.sub(" ", s)
    s = " ".join(s.split())  # str.split splits where the regex \s matches
    if "-" in s or "/" in s:  # no space around a hyphen or slash (at most one on each side now)
        s = s.replace(" -", "-").replace("- ", "-").replace(" /", "/").replace("/ ", "/")
    return s.strip(_EDGES)


_SOFT_HYPHEN_BREAK = re.compile(r"(?<=[a-z])-[ \t]*(?:\r\n|[\r\n\u2028\u2029])[ \t]*(?=[a-z])")
_HARD_HYPHEN_BREAK = re.compile(r"-[ \t]*(?:\r\n|[\r\n\u2028\u2029])[ \t]*")


def token_key(raw: str) -> str:
    """The match key of one token as written: a word hyphenated across a line break is joined
    ("Petro-\\nlatum" -> "petrolatum"; "Coco-\\nGlucoside" keeps its hyphen)."""
    if "\n" in raw or "\r" in raw or "\u2028" in raw or "\u2029" in raw:
        raw = _HARD_HYPHEN_BREAK.sub("-", _SOFT_HYPHEN_BREAK.sub("", raw))
    return match_key(raw)


def _spelling(s: str) -> str:
    """One spelling for names written two ways."""
    if "sulph" in s:  # British spelling: Sodium Lauryl Sulphate is Sodium Lauryl Sulfate
        s = s.replace("sulph", "sulf")
    if "ci no" in s:  # "CI No. 16035" is CI 16035
        s = _CI_NO.sub("ci ", s)
    return s


def compact_key(text: str) -> str:
    """Letters and digits only: catches missing, doubled or stray spaces and hyphens."""
    return compact_of(match_key(text))


def compact_of(key: str) -> str:
    """`compact_key` of a string that is already a match key."""
    if key.isascii():  # most keys: only spaces and hyphens to drop, done by C-level replaces
        s = key.replace(" ", "").replace("-", "")
        if s.isalnum() or not s:
            return s
    return "".join(filter(str.isalnum, key))


def ocr_key(key: str) -> str:
    """Fold common OCR confusions in a match key: rn/m, 0/o, 1/l/I (applied to both sides of a
    comparison, so l and i become one letter)."""
    if "0" in key or "1" in key:
        key = _OCR_DIGIT.sub(lambda m: _OCR_DIGIT_MAP[m.group()], key)
    return key.replace("rn", "m").replace("l", "i")


def normalize(text: str) -> str:
    """The public name for `match_key`: the normalised form of one ingredient."""
    return match_key(text)
