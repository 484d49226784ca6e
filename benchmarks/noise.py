"""A seeded noise suite: turn a clean ingredient label into what users really paste.

Each kind is a pure function `(label, rng) -> noisy label` (rng: a `random.Random`); the same
label and seed give the same output. One kind at a time, so a failure points at one cause. Every
kind keeps the label's ingredients readable by a person as the same substances, so the expected
lexicon ids do not change:

  ocr           OCR confusions, at most one per ingredient: rn<->m, l/1/I, O/o->0
  typo          one-letter typos (neighbour key, dropped, doubled or swapped letter) in names of
                eight letters or more, never in a word's first letter or a number
  caps          the whole label in CAPITALS
  separators    commas replaced by one other separator: ; • · newlines 、 ，
  headers       an "Ingredients:" header in one of several languages, product copy before it and
                directions after
  hyphenation   the label wrapped at 28-48 columns, long words hyphenated across line breaks
  percentages   concentrations after some names: "41%", "(0.5%)", "2,5 %", "<1%"
  footnotes     footnote marks (*, **, †, ¹, °) after some names, and their legend at the end
  translations  slash-joined translations: "Paraffinum Liquidum/Mineral Oil", "Aqua/Water/Eau"
  spaces        missing or doubled spaces inside names and around separators

ocr and typo never produce another real INCI name (the EU CosIng inventory when ../shared/data is
present, plus every lexicon and look-alike name), nor a name one edit from a real name other than
the original: such an edit is skipped.
"""

from __future__ import annotations

import csv
import random
import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parents[1]
COSING = ROOT.parent / "shared" / "data" / "cosing" / "cosing_inventory.csv"
LOOKALIKES_CSV = ROOT / "tests" / "data" / "lookalikes.csv"

Noise = Callable[[str, random.Random], str]

# =========================================================================== helpers


def bracket_pairs(text: str) -> dict[int, int]:
    """Matched brackets: opening index -> closing index (unmatched ones are left out)."""
    pairs: dict[int, int] = {}
    stack: list[tuple[int, str]] = []
    for i, ch in enumerate(text):
        if ch in "([{":
            stack.append((i, {"(": ")", "[": "]", "{": "}"}[ch]))
        elif ch in ")]}":
            for k in range(len(stack) - 1, -1, -1):
                if stack[k][1] == ch:
                    pairs[stack[k][0]] = i
                    del stack[k:]
                    break
    return pairs


def items(label: str) -> list[tuple[int, int]]:
    """Spans of the comma-separated ingredients (outside brackets; 1,2-Hexanediol keeps its
    comma), whitespace trimmed. Separators and spacing between them are left as they are."""
    pairs = bracket_pairs(label)
    cuts: list[int] = []
    i = 0
    while i < len(label):
        if i in pairs:
            i = pairs[i] + 1
            continue
        if label[i] == "," and not (0 < i < len(label) - 1 and label[i - 1].isdigit() and label[i + 1].isdigit()):
            cuts.append(i)
        i += 1
    spans = []
    start = 0
    for c in [*cuts, len(label)]:
        a, b = start, c
        while a < b and label[a].isspace():
            a += 1
        while b > a and label[b - 1].isspace():
            b -= 1
        if b > a:
            spans.append((a, b))
        start = c + 1
    return spans


def _rebuild(label: str, edits: dict[tuple[int, int], str]) -> str:
    out = []
    pos = 0
    for (a, b), new in sorted(edits.items()):
        out.append(label[pos:a])
        out.append(new)
        pos = b
    out.append(label[pos:])
    return "".join(out)


def compact(text: str) -> str:
    """Letters and digits only, casefolded, accents away (for the real-name guard)."""
    s = unicodedata.normalize("NFKD", text)
    return "".join(c for c in s.casefold() if c.isalnum() and not unicodedata.combining(c))


def _ocr_fold(key: str) -> str:
    return key.replace("rn", "m").replace("0", "o").replace("1", "l").replace("i", "l")


class Vocabulary:
    """Real INCI names, to keep typos and OCR edits from producing another real name."""

    def __init__(self, names: Iterable[str]) -> None:
        self.keys: set[str] = set()
        for n in names:
            k = compact(n)
            if len(k) >= 3:
                self.keys.add(k)
        self._deletes: dict[str, list[str]] = {}
        for k in self.keys:
            for i in range(len(k)):
                self._deletes.setdefault(k[:i] + k[i + 1 :], []).append(k)
        self._folds: dict[str, set[str]] = {}
        for k in self.keys:
            self._folds.setdefault(_ocr_fold(k), set()).add(k)

    def near(self, key: str, original: str) -> bool:
        """Is `key` a real name, or one edit from a real name other than `original`?"""
        if key in self.keys and key != original:
            return True
        cands: set[str] = set(self._deletes.get(key, ()))  # key is a real name less one letter
        for i in range(len(key)):
            d = key[:i] + key[i + 1 :]
            if d in self.keys:  # key is a real name plus one letter
                cands.add(d)
            cands.update(self._deletes.get(d, ()))  # one substitution
        cands.discard(original)
        return any(Levenshtein.distance(key, c, score_cutoff=1) <= 1 for c in cands)

    def ocr_ambiguous(self, original: str) -> bool:
        """Does another real name read the same once OCR confusions are undone (Corn/Com)?"""
        return len(self._folds.get(_ocr_fold(original), set()) - {original}) > 0


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """CosIng names when ../shared/data is present, plus every lexicon and look-alike name."""
    names: list[str] = []
    if COSING.exists():
        with COSING.open(encoding="utf-8") as fh:
            names += [row["inci_name"] for row in csv.DictReader(fh)]
    names += _lexicon_names()
    if LOOKALIKES_CSV.exists():
        with LOOKALIKES_CSV.open(encoding="utf-8") as fh:
            names += [row["name"] for row in csv.DictReader(fh)]
    return Vocabulary(names)


@lru_cache(maxsize=1)
def _lexicon():
    import milia_scan

    return milia_scan.load_lexicon()


def _lexicon_names() -> list[str]:
    lex = _lexicon()
    return [n for e in lex.entries.values() for n in e.names] + list(lex.lookalike_names())


@lru_cache(maxsize=1)
def _synonyms() -> dict[str, list[str]]:
    """compact(name) -> the other names of its entry (for slash-joined translations)."""
    out: dict[str, list[str]] = {}
    for e in _lexicon().entries.values():
        for n in e.names:
            others = [o for o in e.names if compact(o) != compact(n) and "/" not in o and "(" not in o]
            if others and "/" not in n:
                out.setdefault(compact(n), others)
    return out


_BRACKETS_RE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")


def _real_name(text: str, vocab: Vocabulary) -> bool:
    """Is this item a correctly spelt real name (typo and OCR noise apply to those only)?"""
    return compact(text) in vocab.keys or compact(_BRACKETS_RE.sub(" ", text)) in vocab.keys


def _match_case(template: str, text: str) -> str:
    if template.isupper():
        return text.upper()
    if template.islower():
        return text.lower()
    return text


# =========================================================================== kinds

_WORD = re.compile(r"[^\W\d_]+")


def ocr(label: str, rng: random.Random) -> str:
    vocab = vocabulary()
    edits: dict[tuple[int, int], str] = {}
    for a, b in items(label):
        if rng.random() >= 0.6:
            continue
        text = label[a:b]
        if not _real_name(text, vocab):
            continue
        options: list[tuple[int, int, str]] = []
        for m in re.finditer(r"rn|m", text):
            options.append((m.start(), m.end(), "m" if m.group() == "rn" else "rn"))
        for m in re.finditer(r"[lI]", text):
            options.append((m.start(), m.end(), rng.choice([c for c in "l1I" if c != m.group()])))
        for m in re.finditer(r"[Oo]", text):
            options.append((m.start(), m.end(), "0"))
        if not options:
            continue
        i, j, rep = rng.choice(options)
        new = text[:i] + rep + text[j:]
        orig_key, new_key = compact(text), compact(new)
        if vocab.ocr_ambiguous(orig_key) or (new_key != orig_key and new_key in vocab.keys):
            continue
        edits[(a, b)] = new
    return _rebuild(label, edits)


_KEYBOARD = {
    c: n
    for row in ("qwertyuiop", "asdfghjkl", "zxcvbnm")
    for i, c in enumerate(row)
    for n in [row[max(0, i - 1) : i] + row[i + 1 : i + 2]]
}


def typo(label: str, rng: random.Random) -> str:
    vocab = vocabulary()
    edits: dict[tuple[int, int], str] = {}
    for a, b in items(label):
        text = label[a:b]
        if sum(c.isalpha() for c in text) < 8 or rng.random() >= 0.6 or not _real_name(text, vocab):
            continue
        # letter positions that are not the first letter of a word
        positions = [m.start() + k for m in _WORD.finditer(text) for k in range(1, len(m.group()))]
        if not positions:
            continue
        for _ in range(4):  # a few tries to find an edit that is not another real name
            p = rng.choice(positions)
            ch = text[p]
            op = rng.choice(("sub", "del", "dup", "swap"))
            if op == "sub":
                near = _KEYBOARD.get(ch.lower(), "")
                if not near:
                    continue
                new = text[:p] + _match_case(ch, rng.choice(near)) + text[p + 1 :]
            elif op == "del":
                new = text[:p] + text[p + 1 :]
            elif op == "dup":
                new = text[:p] + ch + text[p:]
            else:
                if p + 1 >= len(text) or not text[p + 1].isalpha() or text[p + 1] == ch:
                    continue
                new = text[:p] + text[p + 1] + ch + text[p + 2 :]
            if compact(new) == compact(text) or vocab.near(compact(new), compact(text)):
                continue
            edits[(a, b)] = new
            break
    return _rebuild(label, edits)


def caps(label: str, rng: random.Random) -> str:
    return label.upper()


_SEPARATORS = ["; ", ";", " • ", "•", " · ", "\n", "、", "，", " ; "]


def separators(label: str, rng: random.Random) -> str:
    sep = rng.choice(_SEPARATORS)
    spans = items(label)
    out = []
    for k, (a, b) in enumerate(spans):
        out.append(label[a:b])
        if k < len(spans) - 1:
            out.append(sep)
    return "".join(out)


_PREAMBLES = [
    "",
    "Night cream 50 ml / 1.7 fl. oz.\n",
    "Made in France. Dermatologically tested.\n",
    "Hergestellt in Deutschland. 75 ml\n",
    "NET WT. 1 OZ / 28 g\n",
    "Fabriqué en France - 30 ml\n",
    "韓国製 50ml\n",
]
_HEADERS = [
    "Ingredients: ",
    "INGREDIENTS: ",
    "Ingredients:\n",
    "Ingrédients : ",
    "INGRÉDIENTS: ",
    "Inhaltsstoffe: ",
    "Ingredientes: ",
    "Ingredienti: ",
    "Ingrediënten: ",
    "Składniki: ",
    "Composition : ",
    "INCI: ",
    "Full ingredients list: ",
    "成分：",
    "全成分：",
    "성분: ",
]
_AFTERWORDS = [
    "",
    "",
    "\nDirections: Apply morning and evening to clean skin.",
    "\nMode d'emploi : appliquer matin et soir sur une peau propre.",
    "\nAnwendung: Morgens und abends auf die gereinigte Haut auftragen.",
    "\nWarnings: For external use only. Keep out of reach of children.",
    "\nHow to use: massage gently, avoid the eye area.",
]


def headers(label: str, rng: random.Random) -> str:
    return rng.choice(_PREAMBLES) + rng.choice(_HEADERS) + label + rng.choice(_AFTERWORDS)


def hyphenation(label: str, rng: random.Random) -> str:
    width = rng.randint(28, 48)
    words = label.split(" ")
    lines: list[str] = []
    line = ""
    for w in words:
        cand = f"{line} {w}" if line else w
        if len(cand) <= width or not line:
            line = cand
            continue
        room = width - len(line) - 1
        m = max(_WORD.finditer(w), key=lambda x: len(x.group()), default=None)
        if m is not None and len(m.group()) >= 6 and rng.random() < 0.7:
            # split the longest letter run, at least 3 letters each side, where the line ends
            lo, hi = m.start() + 3, m.end() - 3
            cut = min(max(lo, room - 1), hi)
            if lo <= cut <= hi and cut < len(w):
                lines.append(f"{line} {w[:cut]}-" if line else f"{w[:cut]}-")
                line = w[cut:]
                continue
        lines.append(line)
        line = w
    lines.append(line)
    return "\n".join(lines)


def _pct(rng: random.Random) -> str:
    value = rng.choice(["41", "2", "0.5", "10", "1", "25", "3.00", "0,5", "2,5", "7.5"])
    return rng.choice([f" {value}%", f" ({value}%)", f" {value} %", f" <{value}%", f" [{value}%]"])


def percentages(label: str, rng: random.Random) -> str:
    edits = {}
    for a, b in items(label):
        if rng.random() < 0.4:
            edits[(a, b)] = label[a:b] + _pct(rng)
    return _rebuild(label, edits)


_MARKS = ["*", "**", "†", "¹", "°", "*"]
_LEGENDS = {
    "*": ["*Organic ingredient", "*Certified organic", "*Ingrédients issus de l'agriculture biologique"],
    "**": ["**Natural origin", "**From organic farming"],
    "†": ["†Organic"],
    "¹": ["¹naturally derived"],
    "°": ["°Organic ingredient"],
}


def footnotes(label: str, rng: random.Random) -> str:
    edits = {}
    used: list[str] = []
    for a, b in items(label):
        if rng.random() < 0.35:
            mark = rng.choice(_MARKS)
            edits[(a, b)] = label[a:b] + mark
            if mark not in used:
                used.append(mark)
    out = _rebuild(label, edits)
    if used:
        out = out.rstrip().rstrip(".") + ". " + " ".join(rng.choice(_LEGENDS[m]) for m in used)
    return out


_COMMON = {
    "water": ["Aqua", "Eau"],
    "aqua": ["Water", "Eau"],
    "fragrance": ["Parfum"],
    "parfum": ["Fragrance"],
    "glycerin": ["Glycérine"],
    "alcohol": ["Alcool"],
    "alcoholdenat": ["Alcohol"],
}


def translations(label: str, rng: random.Random) -> str:
    syn = _synonyms()
    edits = {}
    for a, b in items(label):
        full = label[a:b]
        if "/" in full or "\\" in full or rng.random() >= 0.6:
            continue
        m = re.match(r"(.*?)([\s*†‡°¹²³.]*)$", full, re.S)  # keep a footnote mark at the end
        text, tail = m.group(1), m.group(2)
        key = compact(text)
        others = syn.get(key) or _COMMON.get(key)
        if not others:
            continue
        picked = [rng.choice(others)]
        if key in _COMMON and len(others) > 1 and rng.random() < 0.5:
            picked = list(others)
        sep = rng.choice(["/", " / ", "/", "\\"])
        edits[(a, b)] = sep.join([text, *(_match_case(text, p) for p in picked)]) + tail
    return _rebuild(label, edits)


def spaces(label: str, rng: random.Random) -> str:
    edits: dict[tuple[int, int], str] = {}
    for a, b in items(label):
        r = rng.random()
        text = label[a:b]
        inner = [m.start() for m in re.finditer(r"(?<=\w) (?=\w)", text)]
        if r < 0.25 and inner:  # a missing space inside a name
            p = rng.choice(inner)
            edits[(a, b)] = text[:p] + text[p + 1 :]
        elif r < 0.45 and inner:  # a doubled space
            p = rng.choice(inner)
            edits[(a, b)] = text[:p] + "  " + text[p + 1 :]
        elif r < 0.6:  # a space before the next separator
            edits[(a, b)] = text + " "
    out = _rebuild(label, edits)
    if rng.random() < 0.5:  # no space after commas at all
        out = re.sub(r",[ \t]+(?=\D)", ",", out)
    return out


KINDS: dict[str, Noise] = {
    "ocr": ocr,
    "typo": typo,
    "caps": caps,
    "separators": separators,
    "headers": headers,
    "hyphenation": hyphenation,
    "percentages": percentages,
    "footnotes": footnotes,
    "translations": translations,
    "spaces": spaces,
}


def rng_for(seed: int, kind: str, key: str) -> random.Random:
    """The generator for one (seed, kind, label): stable whatever subset of labels is run."""
    return random.Random(f"{seed}:{kind}:{key}")


def apply(kind: str, label: str, seed: int, key: str) -> str:
    return KINDS[kind](label, rng_for(seed, kind, key))


if __name__ == "__main__":  # show each kind on one label
    import sys

    text = " ".join(sys.argv[1:]) or (
        "Aqua, Petrolatum, Paraffinum Liquidum, Cera Microcristallina, Lanolin Alcohol, "
        "Isopropyl Myristate, Cetearyl Alcohol, Dimethicone, Glycerin, Parfum"
    )
    for name in KINDS:
        print(f"--- {name}\n{apply(name, text, 6, 'demo')}\n")
