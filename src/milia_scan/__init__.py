"""milia-scan: read a cosmetic ingredient label and explain how likely it is to clog pores and
trigger milia.

    >>> import milia_scan
    >>> report = milia_scan.scan("Petrolatum 41%, Mineral Oil, Ceresin, Lanolin Alcohol, Glycerin")
    >>> report.band, [h.id for h in report.hits][:2]
    ('high', ['petrolatum', 'mineral-oil'])
    >>> report.milia.band, report.pore_clogging.band   # heavy film / comedogenic ratings
    ('high', 'low')
    >>> gel = milia_scan.scan("Aqua, Sodium Laureth Sulfate, Coco-Betaine, Sodium Chloride, Parfum",
    ...                       context=milia_scan.infer_context("Men's Shower Gel"))   # rinse-off
    >>> gel.band, gel.milia.band
    ('moderate', 'low')

The pipeline, one module a step: `tokenizer` (text -> tokens with spans), `match` (tokens ->
lexicon entries), `score` (hits -> score), `scanner` (the report); `context` reads how a product
is used from its name. Not medical advice.
"""

from ._version import __version__
from .context import infer_context, parse_context
from .lexicon import Lexicon, LexiconError, load_lexicon
from .models import Axis, Decision, Hit, Inspection, LexiconEntry, Part, Rating, Report, Source, Token
from .normalizer import normalize
from .scanner import LabelScore, Scanner, default_scanner, scan


def tokenize(label: str) -> list[Token]:
    """The label's ingredient tokens (spans into `label`, normalised forms), with the bundled lexicon."""
    return default_scanner().tokenize(label)


__all__ = [
    "Axis",
    "Decision",
    "Hit",
    "Inspection",
    "LabelScore",
    "Lexicon",
    "LexiconEntry",
    "LexiconError",
    "Part",
    "Rating",
    "Report",
    "Scanner",
    "Source",
    "Token",
    "__version__",
    "infer_context",
    "load_lexicon",
    "normalize",
    "parse_context",
    "scan",
    "tokenize",
]
