"""The row engine's formats, behind one interface: `plan(source, options, on_error)` reads an
input up to its first row and returns a `Plan`: the text to write first, the chunk tasks, and
the module-level function a worker runs on a task (parse what is left, score, format).

Bad rows are reported through `on_error(line, reason, record)` (in the parent) or returned with
a chunk's result (from a worker), always with the line they start on.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from ..scanner import Scanner
from .contexts import DEFAULT, ContextSpec
from .pool import batched
from .rows import BulkInputError, added_columns, either, first_label, has_used, profile_cells, text_cells, with_cells
from .sources import UNDECODABLE, CsvLayout, Source, csv_layout

OnError = Callable[[int, str, str], None]


class Chunk(NamedTuple):
    """What a worker returns for a task: the output text, counts, and the bad rows it found."""

    text: str
    scored: int
    empty: int
    errors: list[tuple[int, str, str]]


@dataclass
class Options:
    """How to read an input: label columns (None: the format's default), CSV delimiter and
    quoting, the Python encoding, rows per task, how rows get their context (a column not yet
    looked up in the header)."""

    columns: list[str] | None
    delimiter: str | None
    quoting: str | None
    encoding: str
    chunk_size: int
    context: ContextSpec = DEFAULT

    @property
    def bad_bytes(self) -> str:
        return f"undecodable bytes (not {self.encoding})"


@dataclass
class Plan:
    """An input read up to its first row: what to write first, the work on the rest, and how
    its rows get their context (resolved against its header: what the workers get)."""

    head: str
    tasks: Iterable[Any]
    chunk: Callable[[Scanner, ContextSpec, Any], Chunk]
    context: ContextSpec = DEFAULT


# ---------------------------------------------------------------------------- CSV


class _LineTap:
    """The input's lines for csv.reader, keeping the ones the current record is made of."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)
        self.count = 0
        self.taken: list[str] = []

    def __iter__(self) -> _LineTap:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.count += 1
        self.taken.append(line)
        return line


def csv_rows(lines: Iterable[str], dialect: dict[str, Any], width: int, bad_bytes: str, on_error: OnError,
             *, header: bool = True, lines_before: int = 0,
             check: Callable[[list[str]], str | None] | None = None) -> Iterator[list[str]]:
    """The good rows (lists of values) of these lines, after the header if `header`; the bad ones
    go to `on_error` with their line number (`lines_before` lines come before `lines`). `check`
    (a row's values: the reason it is bad, or None) sets aside rows that parse but cannot be
    scored (a context column's unknown value)."""
    tap = _LineTap(lines)
    tap.count = lines_before
    reader = csv.reader(tap, strict=True, **dialect)
    if header:
        next(reader)  # the header, already parsed
    while True:
        start = tap.count + 1
        tap.taken.clear()
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            on_error(start, f"malformed CSV: {exc}", "".join(tap.taken).rstrip("\r\n"))
            continue
        if len(row) != width:
            if not row and width == 1:
                row = [""]  # a blank line in a one-column file is an empty cell
            else:
                reason = "blank line" if not row else f"{len(row)} fields, expected {width}"
                on_error(start, reason, "".join(tap.taken).rstrip("\r\n"))
                continue
        if not all(v.isascii() for v in row) and any(UNDECODABLE.search(v) for v in row):
            on_error(start, bad_bytes, "".join(tap.taken).rstrip("\r\n"))
            continue
        if check is not None:
            reason = check(row)
            if reason is not None:
                on_error(start, reason, "".join(tap.taken).rstrip("\r\n"))
                continue
        yield row


class CsvOutput(NamedTuple):
    """How a CSV input's rows are written: the output header line, the label columns found in
    the header (indices, names), where each added column goes (None: appended), and the column
    each row's context is read from (index; None for one context for all)."""

    head: str
    cols: list[int]
    found: list[str]
    places: list[int | None]
    context_col: int | None = None


def csv_output(layout: CsvLayout, context: ContextSpec = DEFAULT) -> CsvOutput:
    """`context` resolved against the layout's header."""
    header, names = layout.header, layout.columns
    added = added_columns(names, context.profiles)
    places = [header.index(c) if c in header else None for c in added]
    buf = io.StringIO()
    if header:
        csv.writer(buf, lineterminator="\n", **layout.dialect).writerow(
            header + [c for c, p in zip(added, places) if p is None])
    found = [c for c in names if c in header]
    context_col = header.index(context.column) if context.per_row and context.column in header else None
    return CsvOutput(buf.getvalue(), [header.index(c) for c in found], found, places, context_col)


def csv_tasks(rows: Iterable[list[str]], layout: CsvLayout, how: CsvOutput, chunk_size: int) -> Iterator[Any]:
    """The `csv_chunk` tasks for these rows: each row carries its context's cell (`context_col`)."""
    return ((batch, how.cols, how.found, how.places, layout.dialect, how.context_col)
            for batch in batched(rows, chunk_size))


def plan_csv(source: Source, options: Options, on_error: OnError) -> Plan:
    layout = csv_layout(source.text, options.columns, options.delimiter, options.quoting, source.name,
                        options.context.profiles)
    context = options.context.resolve(layout.header, source.name) if layout.sample else options.context
    how = csv_output(layout, context)
    rows = (csv_rows(itertools.chain(layout.sample, source.text), layout.dialect, len(layout.header),
                     options.bad_bytes, on_error, check=context.row_check(how.context_col)) if layout.sample
            else iter(()))
    return Plan(how.head, csv_tasks(rows, layout, how, options.chunk_size), csv_chunk, context)


def csv_chunk(
    scanner: Scanner, context: ContextSpec,
    task: tuple[list[list[str]], list[int], list[str], list[int | None], dict[str, Any], int | None],
) -> Chunk:
    """A chunk task: score CSV rows and format them as output text.

    `cols` / `names`: the label columns in the header (index, name), tried in order; `places`:
    where each added column goes (None: appended); `context_col`: the column each row's context
    is read from (checked by the parent: `ContextSpec.row_check`), None for `context.fixed`."""
    rows, cols, names, places, dialect, context_col = task
    read = context.read
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n", **dialect)
    append_only = all(p is None for p in places)
    profiles = context.profiles
    with_used = has_used(len(places), profiles)
    score = context.scorer(scanner)
    lines, empty = [], 0
    for values in rows:
        label, used = first_label(map(values.__getitem__, cols), names)
        row_context = read(None if context_col is None else values[context_col])
        if label is None:
            empty += 1
            result = None
        else:
            result = score(label, context=row_context)
        cells = text_cells(result, row_context)
        if with_used:
            cells.append(used)
        if profiles:
            cells.extend(profile_cells(result))
        if append_only:
            lines.append(values + cells)
        else:
            values = list(values)
            extra = []
            for value, place in zip(cells, places):
                if place is None:
                    extra.append(value)
                else:
                    values[place] = value
            lines.append(values + extra)
    writer.writerows(lines)
    return Chunk(buf.getvalue(), len(rows) - empty, empty, [])


# ---------------------------------------------------------------------------- JSON Lines


def _parse_json_line(
    line: str, columns: Sequence[str], bad_bytes: str,
) -> tuple[dict[str, Any] | None, str | None, str]:
    """(object, label, its column) for a good line, (None, reason, "") for a bad one."""
    if not line.isascii() and UNDECODABLE.search(line):
        return None, bad_bytes, ""
    if not line.strip():
        return None, "blank line", ""
    try:
        obj = json.loads(line)
    except ValueError as exc:
        return None, f"not JSON: {exc}", ""
    if not isinstance(obj, dict):
        return None, f"a JSON {type(obj).__name__}, not an object", ""
    try:
        return obj, *first_label(map(obj.get, columns), columns)
    except TypeError as exc:
        return None, str(exc), ""


def plan_jsonl(source: Source, options: Options, on_error: OnError) -> Plan:
    """The numbered lines from the first good record on (the bad lines before it are reported
    here). That record must have one of the columns, and the context or name column if one is
    read: checked before this returns."""
    columns = options.columns or ["ingredients"]
    numbered = enumerate(source.text, 1)
    lines: Iterator[tuple[int, str]] = iter(())
    context = options.context
    for n, line in numbered:
        obj, reason, _ = _parse_json_line(line, columns, options.bad_bytes)
        if obj is None:
            on_error(n, reason or "", line.rstrip("\r\n"))
            continue
        if not any(c in obj for c in columns):
            keys = ", ".join(repr(k) for k in list(obj)[:50])
            raise BulkInputError(f"{source.name}: the first record has no key {either(columns)}; its keys: {keys}")
        context = context.resolve(list(obj), f"{source.name} (its first record)")
        lines = itertools.chain([(n, line)], numbered)
        break
    tasks = ((batch, columns, options.bad_bytes) for batch in batched(lines, options.chunk_size))
    return Plan("", tasks, jsonl_chunk, context)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _json_line(obj: dict[str, Any]) -> str:
    line = json.dumps(obj, ensure_ascii=False)
    if _SURROGATE.search(line):  # a lone surrogate from a JSON escape: keep it escaped
        line = json.dumps(obj)
    return line + "\n"


def jsonl_chunk(scanner: Scanner, context: ContextSpec, task: tuple[list[tuple[int, str]], list[str], str]) -> Chunk:
    """A chunk task: parse, score and serialise JSON lines. A line whose context cannot be read
    (`context.column`'s value) is a bad row, like one that is not JSON."""
    items, columns, bad_bytes = task
    added = added_columns(columns, context.profiles)
    out: list[str] = []
    errors: list[tuple[int, str, str]] = []
    scored = empty = 0
    for n, line in items:
        obj, label, used = _parse_json_line(line, columns, bad_bytes)
        if obj is not None:
            try:
                row_context = context.read(obj.get(context.column) if context.per_row else None)
            except ValueError as exc:
                obj, label = None, str(exc)
        if obj is None:
            errors.append((n, label or "", line.rstrip("\r\n")))
            continue
        result = None if label is None else context.scorer(scanner)(label, context=row_context)
        if result is None:
            empty += 1
        else:
            scored += 1
        out.append(_json_line(with_cells(obj, result, row_context, used, added)))
    return Chunk("".join(out), scored, empty, errors)


#: The row engine's formats by name.
FORMATS: dict[str, Callable[[Source, Options, OnError], Plan]] = {"csv": plan_csv, "jsonl": plan_jsonl}
