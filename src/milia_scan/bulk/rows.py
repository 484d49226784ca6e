"""What every bulk engine shares about a row: the columns it adds, how a cell becomes a label,
and the errors it raises."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..scanner import LabelScore

#: The columns bulk scoring adds to every row, in this order.
COLUMNS: tuple[str, ...] = ("milia_score", "milia_band", "milia_hits", "milia_helpful", "milia_occlusion",
                            "milia_comedogenic", "milia_context")
#: Of `COLUMNS`, the whole numbers (empty / None for an empty label): the overall score and the
#: two axes (Report.milia: heavy occlusive film; Report.pore_clogging: comedogenic ratings).
NUMBER_COLUMNS = frozenset({"milia_score", "milia_occlusion", "milia_comedogenic"})
#: Of `COLUMNS`, the context the row was scored in (leave-on, rinse-off or eye-area): always
#: there, so the output's columns do not depend on how the context was given.
CONTEXT_USED = "milia_context"
#: Added after `COLUMNS` when the label column is a fallback list: the column the label came
#: from ("" when all were empty).
COLUMN_USED = "milia_column"
#: Added last, after `COLUMN_USED` if there, when the condition profiles are asked for
#: (`profiles=True`, `--profiles`): each profile's verdict, "flag", "clear" or "cannot tell"
#: (`LabelScore.fungal_acne`, `.allergens`); "" for an empty label. Last, so a run with them
#: writes the columns of a run without them, in the same places, and then these two.
PROFILE_COLUMNS: tuple[str, ...] = ("milia_fungal", "milia_allergens")
#: The band of a row whose ingredient cell is empty or missing (its score is empty / None).
UNKNOWN = "unknown"
#: Rows per task sent to a worker process.
CHUNK_SIZE = 2000
Cells = tuple[int | None, str, str, str, int | None, int | None, str]
#: A label column, or a fallback list of them: the first non-empty one wins.
Column = str | Sequence[str]


class BulkInputError(ValueError):
    """The input cannot be scored at all (missing column, unreadable file, unknown encoding).
    Raised before any output is written, or mid-run for a stream that breaks (a truncated gzip)."""


class Terminated(BaseException):
    """Raised by the CLI's SIGTERM handler so a bulk run cleans up like on Ctrl-C."""


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def is_missing(value: Any) -> bool:
    """None, NaN, or pandas' NA / NaT: a cell with no value."""
    return (value is None or isinstance(value, float) and value != value
            or type(value).__name__ in ("NAType", "NaTType"))


def label_of(value: Any) -> str | None:
    """The label text of an ingredient cell, or None when it is empty or missing.

    A list of strings (JSON ``["Aqua", "Petrolatum"]``) is joined with ", ". Anything else that
    is not text raises TypeError. Pandas' missing values (NaN, NA) count as missing.
    """
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return ", ".join(value) if any(v.strip() for v in value) else None
    if is_missing(value):
        return None
    raise TypeError(f"a {type(value).__name__}, not text")


def result_cells(result: LabelScore | None, context: str) -> Cells:
    """The values of the `COLUMNS` for one row: score (None when empty), band, hits and helpful
    ids joined with ';', the two axes' scores (None when empty), and the context it was scored in
    (given for an empty label too: it is the row's, read before any scoring)."""
    if result is None:
        return None, UNKNOWN, "", "", None, None, context
    return (result.score, result.band, ";".join(result.hits), ";".join(result.helpful), result.milia,
            result.pore_clogging, context)


def text_cells(result: LabelScore | None, context: str) -> list[str]:
    """`result_cells` as CSV text: an empty number is ""."""
    return ["" if v is None else str(v) for v in result_cells(result, context)]


def column_names(column: Column) -> list[str]:
    """A column or a fallback list of them, as a non-empty list."""
    names = [column] if isinstance(column, str) else list(column)
    if not names:
        raise ValueError("no column given")
    return names


def added_columns(names: Sequence[str], profiles: bool = False) -> tuple[str, ...]:
    """The columns scoring adds, in this order: `COLUMNS`, `COLUMN_USED` for a fallback list,
    `PROFILE_COLUMNS` with `profiles`."""
    used = (COLUMN_USED,) if len(names) > 1 else ()
    return (*COLUMNS, *used, *(PROFILE_COLUMNS if profiles else ()))


def has_used(added: int, profiles: bool) -> bool:
    """Whether `added` added columns (`added_columns`) include `COLUMN_USED`."""
    return added > len(COLUMNS) + (len(PROFILE_COLUMNS) if profiles else 0)


def profile_cells(result: LabelScore | None) -> tuple[str, str]:
    """The values of the `PROFILE_COLUMNS` for one row: the verdicts of a result scored with
    `profiles=True`; "" for an empty label (None). ValueError for a result scored without them."""
    if result is None:
        return "", ""
    if result.fungal_acne is None or result.allergens is None:
        raise ValueError("a result scored without profiles (Scanner.score(..., profiles=True))")
    return result.fungal_acne, result.allergens


def profile_lists(results: Sequence[LabelScore | None]) -> list[list[str]]:
    """`profile_cells` of each result, as the two columns (lists of text)."""
    cells = [profile_cells(r) for r in results]
    return [[c[0] for c in cells], [c[1] for c in cells]]


def either(names: Sequence[str]) -> str:
    """'a' or 'b', for messages."""
    return " or ".join(repr(n) for n in names)


def first_label(values: Iterable[Any], names: Sequence[str]) -> tuple[str | None, str]:
    """The first of `values` (those of the columns `names`) that is a label, and the name of its
    column; (None, "") when all are empty. TypeError names a column whose value is not text."""
    for name, value in zip(names, values):
        try:
            label = label_of(value)
        except TypeError as exc:
            raise TypeError(f"the {name!r} value is {exc}") from None
        if label is not None:
            return label, name
    return None, ""


def with_cells(row: Mapping[str, Any], result: LabelScore | None, context: str, used: str,
               added: Sequence[str]) -> dict[str, Any]:
    """A copy of `row` with the added columns (`added_columns`) set (an existing milia_* key
    keeps its place)."""
    out = dict(row)
    values: tuple[Any, ...] = result_cells(result, context)
    if COLUMN_USED in added:
        values = (*values, used)
    if len(added) > len(values):  # the profiles, last
        values = (*values, *profile_cells(result))
    for name, value in zip(added, values):
        out[name] = value
    return out
