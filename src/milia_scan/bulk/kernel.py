"""The per-batch scoring function every columnar path runs (CSV and Parquet blocks, Dask
partitions): the label of each row (the first non-empty of the label columns) and its context
(`ContextSpec`), each distinct (label, context) scored once with `Scanner.score`, the results
spread back over the rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from ..scanner import LabelScore, Scanner
from .contexts import ContextSpec
from .rows import first_label

_MISSING = object()


class Scored(NamedTuple):
    """The added values of a batch, one list entry per row (in row order), and its counts.

    `errors` holds (row index in the batch, reason) for a row whose label value is not text or
    whose context cannot be read; such a row has None / "" everywhere else and is not counted as
    scored or empty."""

    results: list[LabelScore | None]
    used: list[str]
    contexts: list[str]
    scored: int
    empty: int
    errors: list[tuple[int, str]]


def score_batch(columns: Sequence[Sequence[Any]], names: Sequence[str], scanner: Scanner, context: ContextSpec,
                context_values: Sequence[Any] | None = None) -> Scored:
    """Score a batch given as columns (the values of each label column in `names`, in order).

    The label of a row is the first of its values that is a label (`label_of`: text, or a list
    of strings joined with ", "; blank and missing values are skipped). Its context is
    `context.read` of its value in `context_values` (the values of `context.column`; not needed
    for a fixed context). Distinct (label, context) pairs are scored once per batch: a catalogue
    repeats labels, and the batch is what one worker holds. With `context.profiles` the results
    hold the profiles' verdicts too.
    """
    score = context.scorer(scanner)
    n = len(columns[0])
    contexts, bad = context.read_all(context_values, n)
    memo: dict[tuple[str, str], LabelScore] = {}
    results: list[LabelScore | None] = []
    used: list[str] = []
    errors: list[tuple[int, str]] = []
    empty = 0
    rows = columns[0] if len(columns) == 1 else zip(*columns)
    single = len(columns) == 1
    for i, values in enumerate(rows):
        try:
            label, name = first_label((values,) if single else values, names)
        except TypeError as exc:
            errors.append((i, str(exc)))
            results.append(None)
            used.append("")
            contexts[i] = ""
            continue
        if i in bad:
            errors.append((i, bad[i]))
            results.append(None)
            used.append("")
            continue
        used.append(name)
        if label is None:
            empty += 1
            results.append(None)
            continue
        key = (label, contexts[i])
        found = memo.get(key, _MISSING)
        if found is _MISSING:
            found = memo[key] = score(label, context=contexts[i])
        results.append(found)  # type: ignore[arg-type]
    return Scored(results, used, contexts, len(results) - empty - len(errors), empty, errors)
