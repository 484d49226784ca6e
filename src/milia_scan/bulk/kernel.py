"""The per-batch scoring functions of the columnar paths: the label of each row (the first
non-empty of the label columns) and its context (`ContextSpec`), each distinct (label, context)
scored once, the results spread back over the rows. `score_batch` takes Python values (Parquet
blocks, Dask partitions, iterables) and calls `Scanner.score`; `score_array` takes a pyarrow
string array (CSV blocks) and sends plain lists down the vectorised route (`explode.py`,
`pieces.py`, `vectorised.py`), the rest to `Scanner.score`."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from ..cache import make_room
from ..models import CONTEXTS, check_context
from ..scanner import LabelScore, Scanner
from ..score import CONTEXT_MULTIPLIER, MAX_SINGLE, band_for
from .contexts import ContextSpec
from .rows import UNKNOWN, first_label, is_missing, label_of, profile_cells

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


class Columns(NamedTuple):
    """The added values of a batch as pyarrow arrays, one entry per row: the `COLUMNS` (numbers
    int64, null for an empty label; the context each row was scored in) and the counts."""

    score: Any
    band: Any
    hits: Any
    helpful: Any
    milia: Any
    pore_clogging: Any
    context: Any
    scored: int
    empty: int
    verdicts: list[Any]  # with `profiles`: the `PROFILE_COLUMNS` (text, "" for an empty label)


def select_labels(columns: Sequence[Any], names: Sequence[str]) -> tuple[Any, Any]:
    """The label of each row of pyarrow string columns (null when all are blank) and the name of
    the column it came from ("" when none): what `first_label` picks, vectorised. A value with a
    printable ASCII character is not blank; the few others are asked `str.strip`, as `label_of`."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(columns[0])
    chosen = np.full(n, len(names))  # the column of each row's label; len(names): none
    for j in reversed(range(len(columns))):
        col = columns[j]
        filled = pc.fill_null(pc.match_substring_regex(col, "[!-~]"), False).to_numpy(zero_copy_only=False)
        ask = np.flatnonzero(~filled & col.is_valid().to_numpy(zero_copy_only=False))
        if len(ask):
            filled[ask] = [label_of(x) is not None for x in col.take(pa.array(ask)).to_pylist()]
        chosen[filled] = j
    labels = pa.nulls(n, pa.string())
    for j in reversed(range(len(columns))):
        labels = pc.if_else(pa.array(chosen == j), columns[j], labels)
    return labels, pa.array([*names, ""], pa.string()).take(pa.array(chosen))


#: Labels `Scanner.score` read for `score_array`, kept across the batches of a run (per process
#: and scanner): a catalogue repeats its few headed or multi-line labels in every block (the
#: repeated-label bench catalogue has 3,300 distinct ones; each is ~1 KB kept).
HARD_LABELS = 4_000
_HARD: WeakKeyDictionary[Scanner, dict[tuple[str, str, bool], LabelScore]] = WeakKeyDictionary()


def forget(scanner: Scanner) -> None:
    """Drop the labels kept for `scanner` (a run's start and end: workers forked at the start
    inherit none, and nothing outlives the run)."""
    _HARD.pop(scanner, None)


def text_array(values: Sequence[Any]) -> Any | None:
    """`values` as a pyarrow string array when each one is text or missing (None, NaN, pandas'
    NA), for `score_array`; None when one is anything else (a list, a number: `score_batch` reads
    or refuses it) or pyarrow and numpy are not installed."""
    try:
        import numpy  # noqa: F401
        import pyarrow as pa
    except ImportError:
        return None
    texts = []
    for v in values:
        if isinstance(v, str):
            texts.append(v)
        elif is_missing(v):
            texts.append(None)
        else:
            return None
    return pa.array(texts, pa.string())


def score_text_columns(columns: Sequence[Any], names: Sequence[str], scanner: Scanner, context: ContextSpec,
                       context_values: Sequence[Any] | None = None) -> tuple[Columns, Any] | None:
    """`score_array` of the labels `select_labels` picks from pyarrow string columns, each row in
    its context (`context.read_all` of `context_values`, the values of `context.column`), and the
    column each label came from; None when a row's context cannot be read (the caller's fallback,
    `score_batch` or the row engine, names that row)."""
    contexts, bad = context.read_all(context_values, len(columns[0]))
    if bad:
        return None
    labels, used = select_labels(columns, names)
    return score_array(labels, scanner, context.fixed or contexts, profiles=context.profiles), used


def score_array(labels: Any, scanner: Scanner, context: str | Sequence[str], *, profiles: bool = False) -> Columns:
    """Score a pyarrow string array of labels (null: an empty row), in one context or one per row.

    Each distinct label (with its context) is scored once. Labels the tokenizer reads as one plain
    list take the vectorised route (`vectorised.score_plain`, verdicts too with `profiles`); the
    others `Scanner.score`. The values are those `score_batch` gives, cell for cell."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from .vectorised import score_plain

    single = isinstance(context, str)
    contexts = [context] if single else list(context)
    for c in set(contexts):
        if c not in CONTEXTS:
            check_context(c)
    scales = {c: MAX_SINGLE * CONTEXT_MULTIPLIER[c] for c in contexts}  # as score_values has it
    rows = labels
    if single:  # a catalogue repeats labels: each distinct one once
        enc = pc.dictionary_encode(labels)
        rows, back = enc.dictionary, enc.indices
    n = len(rows)
    scale = np.full(n, scales[context]) if single else np.array([scales[c] for c in contexts], np.float64)
    got = score_plain(rows, scanner, scale, profiles)
    valid = rows.is_valid().to_numpy(zero_copy_only=False)
    hard = np.flatnonzero(valid & ~got.plain)
    score = partial(scanner.score, profiles=True) if profiles else scanner.score
    memo = _HARD.setdefault(scanner, {})
    make_room(memo, HARD_LABELS)
    results = []
    for i, label in zip(hard.tolist(), rows.take(pa.array(hard)).to_pylist()):
        c = context if single else contexts[i]
        found = memo.get((label, c, profiles))
        if found is None:
            found = memo[label, c, profiles] = score(label, context=c)
        results.append(found)
    band_of = pa.array([band_for(s) for s in range(101)], pa.string()).take(pa.array(np.where(got.plain, got.score, 0)))
    numbers = []
    for values, field in ((got.score, 0), (got.milia, 4), (got.pore_clogging, 5)):
        values[hard] = [r[field] for r in results]
        numbers.append(pa.array(values, pa.int64(), mask=~valid))
    at = np.arange(n)
    at[hard] = n + np.arange(len(hard))  # a hard row's text from the list after the n rows
    take = pa.array(at)
    texts = [pa.concat_arrays([arr, pa.array(extra, pa.string())]).take(take) for arr, extra in (
        (band_of, [r.band for r in results]), (got.hits, [";".join(r.hits) for r in results]),
        (got.helpful, [";".join(r.helpful) for r in results]))]
    texts[0] = pc.if_else(pa.array(valid), texts[0], UNKNOWN)
    cols = [numbers[0], *texts, numbers[1], numbers[2]]
    verdicts = []
    if profiles:  # the hard rows' verdicts from Scanner.score; "" for an empty row
        hard_cells = [profile_cells(r) for r in results]
        verdicts = [pc.if_else(pa.array(valid), pa.concat_arrays([v, pa.array([c[k] for c in hard_cells], pa.string())])
                               .take(take), "") for k, v in enumerate(got.verdicts)]
    if single:
        cols = [c.take(back) for c in cols]
        cols[1] = pc.fill_null(cols[1], UNKNOWN)
        verdicts = [pc.fill_null(v.take(back), "") for v in verdicts]
        for i in (2, 3):
            cols[i] = pc.fill_null(cols[i], "")
    empty = cols[0].null_count
    used = pa.array([context] * len(labels) if single else contexts, pa.string())
    return Columns(*cols, used, len(labels) - empty, empty, verdicts)
