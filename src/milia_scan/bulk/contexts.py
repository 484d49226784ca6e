"""How each bulk row is scored: the context it is scored in (one for every row, each row's own
from a column, or read from each row's product name, `infer_context`), and whether the condition
profiles are worked out too. Every engine asks `ContextSpec` the same way; it reaches each worker
once (`pool.map_chunks`), so whatever is the same for every row of a run travels with it.

    >>> spec = context_spec("auto").resolve(["sku", "name", "ingredients"], "in.csv")
    >>> spec.column, spec.read("Men's Shower Gel"), spec.read("")
    ('name', 'rinse-off', 'leave-on')
    >>> column = context_spec(context_column="use").resolve(["use", "ingredients"], "in.csv")
    >>> column.read(" Rinse-Off ")
    'rinse-off'
    >>> column.read("bath")
    Traceback (most recent call last):
    ...
    ValueError: the 'use' value is not a context: 'bath' (use leave-on, rinse-off or eye-area)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple

from ..context import DEFAULT_CONTEXT, NAME_COLUMNS, infer_context, parse_context
from ..models import CONTEXTS, Context, check_context
from .rows import BulkInputError, label_of

if TYPE_CHECKING:  # pragma: no cover
    from ..scanner import LabelScore, Scanner

AUTO = "auto"
_ONE_OF = f"use {', '.join(CONTEXTS[:-1])} or {CONTEXTS[-1]}"


class ContextSpec(NamedTuple):
    """How a run scores each row: how it gets the row's context, and `profiles`.

    - `fixed` set: every row is scored in it (`column` None);
    - `infer` False, `column` set: the column holds each row's context (`parse_context`'s
      values; anything else, empty included, makes the row a bad row);
    - `infer` True: the column holds a product name or category and `infer_context` reads it
      (an empty or missing name is leave-on); `column` None until `resolve` picks the first of
      `NAME_COLUMNS` the input has;
    - `profiles`: each label is also given the condition profiles' verdicts
      (`Scanner.score(..., profiles=True)`) and the run adds `rows.PROFILE_COLUMNS`. Not a
      context, but like one it is set once for the run and every engine and worker needs it.
    """

    fixed: Context | None = DEFAULT_CONTEXT
    column: str | None = None
    infer: bool = False
    profiles: bool = False

    def scorer(self, scanner: Scanner) -> Callable[..., LabelScore]:
        """How a row's label is scored, `score(label, context=...)`: `scanner.score`, asked for
        the profiles' verdicts when `profiles` (and called as ever without them, so a `Scanner`
        whose `score` predates `profiles` still runs every run that does not ask for them)."""
        return partial(scanner.score, profiles=True) if self.profiles else scanner.score

    @property
    def per_row(self) -> bool:
        """Whether rows may differ (the context is read from a column)."""
        return self.fixed is None

    def resolve(self, header: Sequence[str], source: str) -> ContextSpec:
        """This spec for an input with these columns: the name column picked, the column checked
        to be there once. BulkInputError (before any row is read) otherwise."""
        if not self.per_row:
            return self
        if self.column is None:
            found = next((c for c in NAME_COLUMNS if c in header), None)
            if found is None:
                raise BulkInputError(
                    f"{source}: context auto reads a product name, and it has none of the name columns "
                    f"{', '.join(NAME_COLUMNS)}; name the column (--name-column){_shown(header)}")
            return self._replace(column=found)
        what = "product name" if self.infer else "context"
        if self.column not in header:
            raise BulkInputError(f"{source} has no {what} column {self.column!r}{_shown(header)}")
        if header.count(self.column) > 1:
            raise BulkInputError(f"{source}: column {self.column!r} appears {header.count(self.column)} times")
        return self

    def read(self, value: Any) -> Context:
        """The context of a row whose `column` holds `value` (the fixed one when there is no
        column). ValueError, naming the column and the value, for a value that is not a context
        (a context column) or not text (either column)."""
        if self.fixed is not None:
            return self.fixed
        try:
            text = label_of(value)  # text, or a list of strings joined; None when empty or missing
        except TypeError as exc:
            raise ValueError(f"the {self.column!r} value is {exc}") from None
        if self.infer:
            return infer_context(text or "")
        if text is None:
            missing = "missing" if value is None else "empty"
            raise ValueError(f"the {self.column!r} value is {missing}, not a context ({_ONE_OF})")
        try:
            return parse_context(text)
        except ValueError:
            raise ValueError(f"the {self.column!r} value is not a context: {text!r} ({_ONE_OF})") from None

    def row_check(self, at: int | None) -> Callable[[Sequence[str]], str | None] | None:
        """For a CSV reader (`formats.csv_rows`), where a bad row's line is known: the reason the
        row's value at index `at` (this spec's column) is not a context, or None when it is. None
        when no row can fail: one context for all, or names (any text is a name)."""
        if at is None or self.infer or not self.per_row:
            return None

        def check(row: Sequence[str]) -> str | None:
            try:
                self.read(row[at])
            except ValueError as exc:
                return str(exc)
            return None

        return check

    def read_all(self, values: Sequence[Any] | None, n: int) -> tuple[list[str], dict[int, str]]:
        """The contexts of `n` rows whose `column` holds `values` ("" for a bad one), and the
        reasons of the bad ones by row index. Each distinct text value is read once."""
        if self.fixed is not None or values is None:
            return [self.fixed or DEFAULT_CONTEXT] * n, {}
        memo: dict[str, str] = {}
        out: list[str] = []
        bad: dict[int, str] = {}
        for i, value in enumerate(values):
            found = memo.get(value) if isinstance(value, str) else None
            if found is None:
                try:
                    found = self.read(value)
                except ValueError as exc:
                    bad[i] = str(exc)
                    found = ""
                else:
                    if isinstance(value, str):
                        memo[value] = found
            out.append(found)
        return out, bad


def _shown(header: Sequence[str]) -> str:
    if not header:
        return ""
    return "; its columns: " + ", ".join(repr(h) for h in header[:50]) + (", ..." if len(header) > 50 else "")


def context_spec(context: str | None = None, context_column: str | None = None,
                 name_column: str | None = None, profiles: bool = False) -> ContextSpec:
    """The spec for a run's options (ValueError for a contradiction or an unknown context):

    - `context`: 'leave-on' (the default, None), 'rinse-off' or 'eye-area' for every row, or
      'auto' to read each row's product name (`name_column`, default the first of
      `NAME_COLUMNS` the input has);
    - `context_column`: each row's context from this column; `context` must then be None or
      the default;
    - `profiles`: the condition profiles' verdicts too (`ContextSpec.profiles`).
    """
    return _context_spec(context, context_column, name_column)._replace(profiles=profiles)


def _context_spec(context: str | None, context_column: str | None, name_column: str | None) -> ContextSpec:
    if context_column is not None:
        if context not in (None, DEFAULT_CONTEXT):
            raise ValueError(f"context {context!r} and a context column exclude each other: the column gives "
                             "each row's context")
        if name_column is not None:
            raise ValueError("a name column is for context auto, not with a context column")
        return ContextSpec(None, context_column, False)
    if context == AUTO:
        return ContextSpec(None, name_column, True)
    if name_column is not None:
        raise ValueError("a name column is for context auto (context='auto', --context auto)")
    context = DEFAULT_CONTEXT if context is None else context
    check_context(context)
    return ContextSpec(context)  # type: ignore[arg-type]


#: Every row leave-on.
DEFAULT = ContextSpec()
