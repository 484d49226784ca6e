"""How a product is used, read from its name: the one keyword table behind `infer_context`.

A catalogue rarely says whether a product is rinsed off, left on, or put around the eyes, but its
name usually does ("Foaming Facial Cleanser", "Retinol Eye Cream"). `infer_context` reads the name
with the table below; `parse_context` reads a context value written in a data column.

The rules are tried in order and the first that finds one of its phrases decides:

1. removers and micellar cleansers: rinse-off (they are wiped or rinsed off, eye make-up
   removers included);
2. phrases that say the product stays on ("leave-in conditioner", "no-rinse toner",
   "after-shower oil", "lip conditioner"): leave-on, whatever other word the name holds;
3. products that are washed or wiped off (cleanser, foaming gel, face wash, shower gel, shampoo,
   conditioner, scrub, soap, bath, clay and wash-off masks...): rinse-off;
4. products that stay on the thin skin around the eyes (eye cream, eye serum, under-eye
   patches, eyelid, eye shadow, eyeliner): eye-area;
5. anything else: leave-on (the default, and the cautious reading for masks, peels and
   exfoliants whose names do not say they are rinsed). An empty name is "anything else":
   leave-on.

Matching is case- and accent-insensitive and whole-word: the name is folded to lower-case
letters and digits with single spaces, so "Rinse-Off", "rinse off" and "RINSE OFF" read alike,
and "eyes" or "washes" count as "eye" and "wash" but "Brown" never counts as "brow". Brand names
that hold a rule's word (Soap & Glory, Bath & Body Works) are dropped before matching.

Decided on purpose (docs/scoring.md, section 3):

- eye make-up that sits on the lid (eye shadow, eyeliner, eye primer) is eye-area: the
  multiplier is about the thin skin the product stays on, not whether it is skincare. Mascara,
  brow and lash products are leave-on: they sit on hair, not on that skin.
- a cleansing balm or oil is rinse-off; a leave-in conditioner is leave-on.
- a mask is leave-on unless its name says it is rinsed or peeled off (clay, mud, wash-off,
  peel-off, cleansing, hair masks): sheet, gel and sleeping masks stay on the skin.

    >>> infer_context("CeraVe Foaming Facial Cleanser 473ml")
    'rinse-off'
    >>> infer_context("Retinol Eye Cream"), infer_context("Leave-In Conditioner")
    ('eye-area', 'leave-on')
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from .models import CONTEXTS, Context


class ContextRule(NamedTuple):
    """One row of the keyword table: the context its phrases mean, and why."""

    context: Context
    phrases: tuple[str, ...]  # folded: lower case, no accents, words separated by one space
    why: str


# The keyword table, in the order the rules are tried (the first rule with a phrase in the name
# decides). A phrase also matches its plural ("eyes", "washes", "masks").
CONTEXT_RULES: tuple[ContextRule, ...] = (
    ContextRule("rinse-off", (
        "makeup remover", "make up remover", "makeup removing", "make up removing", "mascara remover",
        "micellar", "demaquillant",
    ), "a make-up remover or micellar cleanser is wiped or rinsed off, around the eyes too"),
    ContextRule("leave-on", (
        "leave in", "leave on", "no rinse", "rinse free", "after shower", "after bath", "after shave",
        "lip conditioner",
    ), "the name says the product stays on the skin or hair"),
    ContextRule("rinse-off", (
        "cleanser", "cleanse", "cleansing", "foaming gel", "foaming cream", "wash", "shower", "bath",
        "bathing", "soap", "shampoo", "shampooing", "conditioner", "scrub", "exfoliator", "polish",
        "rinse", "rinse off", "wash off", "peel off", "clay mask", "mud mask", "hair mask", "hair masque",
        "shave", "shaving", "nettoyant", "gel douche", "duschgel",
    ), "washed or wiped off after use: cleansers, washes, shower and bath products, hair rinse-offs, "
       "scrubs, wash-off masks"),
    ContextRule("eye-area", (
        "eye", "eyelid", "undereye", "eyeshadow", "eyeliner", "yeux", "ojos", "occhi", "periorbital",
    ), "stays on the thin skin around the eyes, where milia are most common"),
)

# Brand names that hold a rule's word, dropped from a name before the rules are tried.
IGNORED_NAMES: tuple[str, ...] = ("soap glory", "bath body works")

DEFAULT_CONTEXT: Context = "leave-on"

# The columns bulk scoring reads a product's name from for context "auto" when no name column is
# given (`milia-scan bulk --context auto`, `score_file(context="auto")`): the first of these in the
# header (JSON Lines: the first record's keys) is used; a file with none of them is refused before
# any row is read. Names first ("Foaming Facial Cleanser" says how it is used), then categories;
# `name` is the shared label catalogues', `product_name` and `categories` Open Beauty Facts'.
NAME_COLUMNS: tuple[str, ...] = ("name", "product_name", "product", "title", "category", "product_type",
                                 "categories")


class ContextMatch(NamedTuple):
    """What `match_context` found: the context, and the phrase of the table that decided it
    (None when no phrase matched and the default applies)."""

    context: Context
    phrase: str | None


def _pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?:^| )({alternatives})(?:e?s)?(?= |$)")


_RULES = tuple((rule, _pattern(rule.phrases)) for rule in CONTEXT_RULES)
_IGNORED = re.compile(rf"(?:^| )(?:{'|'.join(map(re.escape, IGNORED_NAMES))})(?= |$)")
_NOT_WORD = re.compile(r"[\W_]+")


def fold_name(name: str) -> str:
    """A product name as the table reads it: lower case, accents dropped, every run of
    characters that are not letters or digits one space ("Rinse-Off Eye Make-Up" -> "rinse off
    eye make up")."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", plain).strip()


def match_context(name: str) -> ContextMatch:
    """The context a product name implies and the phrase of `CONTEXT_RULES` that decided it."""
    folded = _IGNORED.sub(" ", fold_name(name))
    for rule, pattern in _RULES:
        found = pattern.search(folded)
        if found:
            return ContextMatch(rule.context, found.group(1))
    return ContextMatch(DEFAULT_CONTEXT, None)


def infer_context(name: str) -> Context:
    """How a product is used, from its name or category: 'rinse-off', 'eye-area' or 'leave-on'.

    One keyword table (`CONTEXT_RULES`), tried in order; case-, accent- and plural-insensitive,
    whole words only; 'leave-on' when nothing matches.

    >>> infer_context("Men's Shower Gel"), infer_context("Micellar Cleansing Water")
    ('rinse-off', 'rinse-off')
    >>> infer_context("Eye Make-Up Remover"), infer_context("Cleansing Balm"), infer_context("Night Cream")
    ('rinse-off', 'rinse-off', 'leave-on')
    """
    return match_context(name).context


def parse_context(value: str) -> Context:
    """A context written in a data column: 'leave-on', 'rinse-off' or 'eye-area', in any case and
    with surrounding spaces ignored. Anything else is a ValueError naming the value (never a guess).

    >>> parse_context(" Rinse-Off ")
    'rinse-off'
    """
    folded = value.strip().lower() if isinstance(value, str) else value
    if folded not in CONTEXTS:
        raise ValueError(f"unknown context {value!r}: use one of {', '.join(CONTEXTS)}")
    return folded  # type: ignore[return-value]
