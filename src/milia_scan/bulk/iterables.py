"""Bulk scoring of Python objects: labels, rows (mappings) and pandas DataFrames."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ..models import check_context
from ..scanner import LabelScore, Scanner, default_scanner
from .contexts import ContextSpec, context_spec
from .kernel import score_batch, score_text_columns, text_array
from .pool import batched, map_chunks
from .rows import (
    CHUNK_SIZE,
    COLUMNS,
    NUMBER_COLUMNS,
    Column,
    added_columns,
    column_names,
    first_label,
    profile_lists,
    result_cells,
    with_cells,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


def scanner_or_default(scanner: Scanner | None) -> Scanner:
    return default_scanner() if scanner is None else scanner


def score_label_list(scanner: Scanner, context: ContextSpec, labels: list[str | None]) -> list[LabelScore | None]:
    """A chunk task: the scores of these labels (None for None), all in `context.fixed` (with the
    profiles' verdicts if `context.profiles`)."""
    score = context.scorer(scanner)
    fixed = context.read(None)
    return [None if label is None else score(label, context=fixed) for label in labels]


def score_pairs(scanner: Scanner, context: ContextSpec,
                pairs: list[tuple[str | None, str]]) -> list[LabelScore | None]:
    """A chunk task: the score of each (label, context) (None for a None label), with the
    profiles' verdicts if `context.profiles`."""
    score = context.scorer(scanner)
    return [None if label is None else score(label, context=row_context) for label, row_context in pairs]


def score_labels(
    labels: Iterable[str | None],
    *,
    context: str = "leave-on",
    jobs: int = 1,
    scanner: Scanner | None = None,
    chunk_size: int = CHUNK_SIZE,
    profiles: bool = False,
) -> Iterator[LabelScore | None]:
    """Score labels lazily, in input order: a `LabelScore` per label, None for an empty one.

    `jobs` > 1 scores chunks of `chunk_size` labels in that many worker processes (each builds
    nothing: it gets `scanner`, default the bundled one, once). Memory stays flat. `profiles`:
    each `LabelScore` also holds the condition profiles' verdicts (`fungal_acne`, `allergens`;
    slower on labels never seen, see `Scanner.score`).
    """
    check_context(context)  # one context for all: there is no name to read it from
    spec = ContextSpec(context, profiles=profiles)  # type: ignore[arg-type]
    clean = (label if label is None or label.strip() else None for label in labels)
    tasks = ((None, batch) for batch in batched(clean, chunk_size))
    for _, results in map_chunks(tasks, score_label_list, jobs=jobs, scanner=scanner_or_default(scanner),
                                 context=spec):
        yield from results


def score_rows(
    rows: Iterable[Mapping[str, Any]],
    column: Column = "ingredients",
    *,
    context: str = "leave-on",
    context_column: str | None = None,
    name_column: str | None = None,
    jobs: int = 1,
    scanner: Scanner | None = None,
    chunk_size: int = CHUNK_SIZE,
    profiles: bool = False,
) -> Iterator[dict[str, Any]]:
    """Every row, in order, as a new dict with `COLUMNS` added (`milia_score` is an int, or None
    when the row's `column` is empty or missing, with band "unknown"). A list of strings in
    `column` is read as the ingredients. `column` may be a list of keys: the first non-empty one
    is scored and `COLUMN_USED` says which. `context`, `context_column` and `name_column` as in
    `score_file` (the name column looked up in the first row's keys). Raises ValueError naming
    the row (0-based) when the value scored holds something that is not text, or its context
    cannot be read. `profiles`: `PROFILE_COLUMNS` too, last (each profile's verdict; "" for an
    empty label).
    """
    spec = context_spec(context, context_column, name_column, profiles)
    names = column_names(column)
    added = added_columns(names, profiles)

    def items() -> Iterator[tuple[Mapping[str, Any], tuple[str | None, str], str]]:
        nonlocal spec
        for i, row in enumerate(rows):
            if i == 0:
                spec = spec.resolve(list(row), "the first row")
            try:
                found = first_label(map(row.get, names), names)
                row_context = spec.read(row.get(spec.column) if spec.per_row else None)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"row {i}: {exc}") from None
            yield row, found, row_context

    tasks = (([(r, c, used) for r, (_, used), c in batch], [(label, c) for _, (label, _), c in batch])
             for batch in batched(items(), chunk_size))
    # each task carries its rows' contexts (read here, where a bad one can name its row)
    for chunk, results in map_chunks(tasks, score_pairs, jobs=jobs, scanner=scanner_or_default(scanner),
                                     context=spec):
        for (row, row_context, used), result in zip(chunk, results):
            yield with_cells(row, result, row_context, used, added)


def score_frame(
    df: pd.DataFrame,
    column: str = "ingredients",
    *,
    context: str = "leave-on",
    context_column: str | None = None,
    name_column: str | None = None,
    scanner: Scanner | None = None,
    profiles: bool = False,
) -> pd.DataFrame:
    """A copy of `df` with `COLUMNS` added: the `NUMBER_COLUMNS` (`milia_score` and the two axes)
    as nullable Int64 (<NA> for an empty or missing label), the others as strings
    (`milia_context`: the context each row was scored in). Index and every other column are
    unchanged. `context`, `context_column` and `name_column` as in `score_file`: a missing
    column is a BulkInputError, a row whose context cannot be read a ValueError naming it.
    `profiles`: `PROFILE_COLUMNS` too, last, as strings ("" for an empty label).
    Needs pandas (`pip install milia-scan[pandas]`).
    """
    import pandas as pd

    spec = context_spec(context, context_column, name_column, profiles)
    if column not in df.columns:
        raise KeyError(f"no column {column!r}; the columns are: {', '.join(map(str, df.columns))}")
    spec = spec.resolve(list(df.columns), "the frame")
    values = df[column]
    if isinstance(values, pd.DataFrame):
        raise ValueError(f"column {column!r} appears {values.shape[1]} times")
    cols: list[Any] = [() for _ in added_columns([column], profiles)]
    if len(df):  # the columnar engine's per-batch functions: each distinct (label, context) scored once
        scanner = scanner_or_default(scanner)
        labels, context_values = values.tolist(), df[spec.column].tolist() if spec.per_row else None
        texts = text_array(labels)
        fast = None if texts is None else score_text_columns([texts], [column], scanner, spec, context_values)
        if fast is not None:  # text labels: plain lists vectorised, as the columnar CSV engine
            got = fast[0]
            cols = [c.to_pylist() for c in (*got[: len(COLUMNS)], *got.verdicts)]
        else:  # lists and other values read (or refused) one by one; bad contexts named
            found = score_batch([labels], [column], scanner, spec, context_values)
            if found.errors:
                i, reason = found.errors[0]
                raise ValueError(f"row {i} (index {df.index[i]!r}): {reason}")
            cols = list(zip(*map(result_cells, found.results, found.contexts)))
            if profiles:
                cols.extend(profile_lists(found.results))
    out = df.copy()
    for name, col in zip(added_columns([column], profiles), cols):
        if name in NUMBER_COLUMNS:
            out[name] = pd.array(list(col), dtype="Int64")
        else:
            out[name] = pd.Series(list(col), index=df.index, dtype=str)
    return out
