"""Bulk scoring: every row of a product database, streamed, in order, on all cores.

    >>> from milia_scan.bulk import score_rows
    >>> rows = [{"sku": "1", "ingredients": "Aqua, Petrolatum"}, {"sku": "2", "ingredients": ""}]
    >>> [(r["sku"], r["milia_score"], r["milia_band"]) for r in score_rows(rows)]
    [('1', 59, 'high'), ('2', None, 'unknown')]

Three layers, each usable on its own:

- `score_labels` scores an iterable of labels (str or None) lazily, in input order, optionally in
  worker processes (`jobs`), one `Scanner` per worker, whole chunks per task;
- `score_rows` does the same for rows (mappings), adding the `milia_*` columns;
- `score_file` reads a CSV or JSON Lines file (or stdin; Open Beauty Facts exports are
  recognised and read as published: tabs, no quoting), writes every row in input order with
  the `milia_*` columns added, sends rows it cannot parse to an errors file with their line
  number, and renames the output into place only when it is complete.

`score_frame` does it for a pandas DataFrame (pandas is an optional extra). This module imports
only the standard library and the scanner.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import itertools
import json
import os
import re
import signal
import sys
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

from .models import check_context
from .scanner import LabelScore, Scanner, default_scanner

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "COLUMN_USED",
    "COLUMNS",
    "UNKNOWN",
    "BulkInputError",
    "BulkSummary",
    "Terminated",
    "default_jobs",
    "label_of",
    "result_cells",
    "score_file",
    "score_frame",
    "score_labels",
    "score_rows",
]

#: The columns bulk scoring adds to every row, in this order.
COLUMNS: tuple[str, ...] = ("milia_score", "milia_band", "milia_hits", "milia_helpful")
#: Added after `COLUMNS` when the label column is a fallback list: the column the label came
#: from ("" when all were empty).
COLUMN_USED = "milia_column"
#: The band of a row whose ingredient cell is empty or missing (its score is empty / None).
UNKNOWN = "unknown"
CHUNK_SIZE = 2000
_SAMPLE_BYTES = 64 * 1024
_DELIMITERS = ",;\t|"
_UNDECODABLE = re.compile("[\udc80-\udcff]")  # what errors="surrogateescape" makes of bad bytes
_OBF_TEXT = re.compile(r"ingredients_text(?:_[a-z]{2})?")  # an Open Beauty/Food Facts label column
_IN_CELLS = re.compile(r"[a-z0-9;-]")  # the characters of milia_* values (ids are kebab-case)
P = TypeVar("P")
T = TypeVar("T")
R = TypeVar("R")
Cells = tuple[int | None, str, str, str]
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


def label_of(value: Any) -> str | None:
    """The label text of an ingredient cell, or None when it is empty or missing.

    A list of strings (JSON ``["Aqua", "Petrolatum"]``) is joined with ", ". Anything else that
    is not text raises TypeError. Pandas' missing values (NaN, NA) count as missing.
    """
    if isinstance(value, str):
        return value if value.strip() else None
    if value is None:
        return None
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return ", ".join(value) if any(v.strip() for v in value) else None
    if isinstance(value, float) and value != value:  # NaN
        return None
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    raise TypeError(f"a {type(value).__name__}, not text")


def result_cells(result: LabelScore | None) -> Cells:
    """The values of the `COLUMNS` for one row: score (None when empty), band, hits and helpful
    ids joined with ';'."""
    if result is None:
        return None, UNKNOWN, "", ""
    return result.score, result.band, ";".join(result.hits), ";".join(result.helpful)


# ---------------------------------------------------------------------------- scoring engine

_worker_scanner: Scanner | None = None
_worker_context = "leave-on"
_HELD = {signal.SIGINT, signal.SIGTERM}
_CAN_HOLD = hasattr(signal, "pthread_sigmask")  # not on Windows


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM in this thread for the block; one that came meanwhile is handled
    as the block ends (KeyboardInterrupt, or the CLI's Terminated).

    Around `pool.submit`, which may start worker processes: forking runs Python at-fork hooks
    (logging's, in the parent) where an exception is only printed, so a Ctrl-C landing there was
    lost and the run went on to write its output; and a worker signalled before `_init_worker`
    ran died of it. Held, the signal waits: workers start with it blocked and unblock it once
    they ignore SIGINT, and the pool's threads, started here, keep it blocked for good, so the
    main thread is always the one that receives it.
    """
    if not _CAN_HOLD:  # pragma: no cover
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _init_worker(scanner: Scanner, context: str) -> None:
    """Runs once in each worker process: keep the one Scanner every chunk of this worker uses."""
    global _worker_scanner, _worker_context
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not a handler inherited from the parent
    if _CAN_HOLD:  # held since the fork (see _signals_held)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)
    _worker_scanner, _worker_context = scanner, context


def _score_labels(scanner: Scanner, context: str, labels: list[str | None]) -> list[LabelScore | None]:
    """A chunk task: the scores of these labels."""
    score = scanner.score
    return [None if label is None else score(label, context=context) for label in labels]


def _in_worker(fn: Callable[[Scanner, str, T], R], task: T) -> R:
    assert _worker_scanner is not None
    return fn(_worker_scanner, _worker_context, task)


def _submit(pool: ProcessPoolExecutor, fn: Callable[[Scanner, str, T], R], task: T) -> Future[R]:
    """`fn` on `task` in a worker; signals are held meanwhile, as a submit may start workers."""
    with _signals_held():
        return pool.submit(_in_worker, fn, task)


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop now: cancel what is queued and end the workers (they hold nothing worth keeping)."""
    procs = list((getattr(pool, "_processes", None) or {}).values())  # shutdown() forgets them
    manager = getattr(pool, "_executor_manager_thread", None)
    results = getattr(pool, "_result_queue", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        if proc.is_alive():
            proc.terminate()
    for proc in procs:
        proc.join(5)
    if results is not None:
        # A worker that ended halfway through sending a result left the pool's thread waiting
        # for the rest, and it never reads end-of-file while this process holds the write end
        # too: close it, so the thread sees the pool broken and ends (else exit hangs on it).
        results._writer.close()
    if manager is not None:  # it closes its wake-up pipe: no noise at interpreter exit
        manager.join(5)


def _map_chunks(
    chunks: Iterable[tuple[P, T]], fn: Callable[[Scanner, str, T], R], *, jobs: int, scanner: Scanner,
    context: str,
) -> Iterator[tuple[P, R]]:
    """Run `fn(scanner, context, task)` on each (payload, task), yielding (payload, result) in
    input order. The payload stays here; the task goes to a worker.

    With jobs > 1 the tasks go to worker processes (`fn` must be a module-level function), at
    most 2 x jobs in flight, so memory stays flat however long the input; a pool is started only
    once there is a second chunk.
    """
    chunks = iter(chunks)
    if jobs <= 1:
        for payload, task in chunks:
            yield payload, fn(scanner, context, task)
        return
    first = next(chunks, None)
    if first is None:
        return
    second = next(chunks, None)
    if second is None:  # one chunk: not worth starting processes
        yield first[0], fn(scanner, context, first[1])
        return
    pool = ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(scanner, context))
    window: deque[tuple[P, Future[R]]] = deque()
    try:
        for payload, task in itertools.chain((first, second), chunks):
            window.append((payload, _submit(pool, fn, task)))
            if len(window) >= 2 * jobs:
                done_payload, fut = window.popleft()
                yield done_payload, fut.result()
        while window:
            done_payload, fut = window.popleft()
            yield done_payload, fut.result()
    except BaseException:
        _stop_pool(pool)
        raise
    pool.shutdown(wait=True)


def _batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while batch := list(itertools.islice(it, size)):
        yield batch


def _scanner_or_default(scanner: Scanner | None) -> Scanner:
    return default_scanner() if scanner is None else scanner


def score_labels(
    labels: Iterable[str | None],
    *,
    context: str = "leave-on",
    jobs: int = 1,
    scanner: Scanner | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[LabelScore | None]:
    """Score labels lazily, in input order: a `LabelScore` per label, None for an empty one.

    `jobs` > 1 scores chunks of `chunk_size` labels in that many worker processes (each builds
    nothing: it gets `scanner`, default the bundled one, once). Memory stays flat.
    """
    check_context(context)
    clean = (label if label is None or label.strip() else None for label in labels)
    tasks = ((None, batch) for batch in _batched(clean, chunk_size))
    for _, results in _map_chunks(tasks, _score_labels, jobs=jobs, scanner=_scanner_or_default(scanner),
                                  context=context):
        yield from results


def _names(column: Column) -> list[str]:
    names = [column] if isinstance(column, str) else list(column)
    if not names:
        raise ValueError("no column given")
    return names


def _added(names: Sequence[str]) -> tuple[str, ...]:
    """The columns scoring adds: `COLUMNS`, and `COLUMN_USED` for a fallback list."""
    return (*COLUMNS, COLUMN_USED) if len(names) > 1 else COLUMNS


def _either(names: Sequence[str]) -> str:
    return " or ".join(repr(n) for n in names)


def _first_label(values: Iterable[Any], names: Sequence[str]) -> tuple[str | None, str]:
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


def _with_cells(row: Mapping[str, Any], result: LabelScore | None, used: str,
                added: Sequence[str]) -> dict[str, Any]:
    out = dict(row)
    for name, value in zip(added, (*result_cells(result), used)):
        out[name] = value  # an existing milia_* key keeps its place and gets the new value
    return out


def score_rows(
    rows: Iterable[Mapping[str, Any]],
    column: Column = "ingredients",
    *,
    context: str = "leave-on",
    jobs: int = 1,
    scanner: Scanner | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[dict[str, Any]]:
    """Every row, in order, as a new dict with `COLUMNS` added (`milia_score` is an int, or None
    when the row's `column` is empty or missing, with band "unknown"). A list of strings in
    `column` is read as the ingredients. `column` may be a list of keys: the first non-empty one
    is scored and `COLUMN_USED` says which. Raises ValueError naming the row (0-based) when the
    value scored holds something that is not text.
    """
    check_context(context)
    names = _names(column)
    added = _added(names)

    def items() -> Iterator[tuple[Mapping[str, Any], tuple[str | None, str]]]:
        for i, row in enumerate(rows):
            try:
                yield row, _first_label(map(row.get, names), names)
            except TypeError as exc:
                raise ValueError(f"row {i}: {exc}") from None

    tasks = (([(r, used) for r, (_, used) in batch], [label for _, (label, _) in batch])
             for batch in _batched(items(), chunk_size))
    for chunk, results in _map_chunks(tasks, _score_labels, jobs=jobs, scanner=_scanner_or_default(scanner),
                                      context=context):
        for (row, used), result in zip(chunk, results):
            yield _with_cells(row, result, used, added)


# ---------------------------------------------------------------------------- pandas


def score_frame(
    df: pd.DataFrame,
    column: str = "ingredients",
    *,
    context: str = "leave-on",
    scanner: Scanner | None = None,
) -> pd.DataFrame:
    """A copy of `df` with `COLUMNS` added: `milia_score` as nullable Int64 (<NA> for an empty or
    missing label), the others as strings. Index and every other column are unchanged.
    Needs pandas (`pip install milia-scan[pandas]`).
    """
    import pandas as pd

    check_context(context)
    if column not in df.columns:
        raise KeyError(f"no column {column!r}; the columns are: {', '.join(map(str, df.columns))}")
    values = df[column]
    if isinstance(values, pd.DataFrame):
        raise ValueError(f"column {column!r} appears {values.shape[1]} times")
    scan = None if len(df) == 0 else _scanner_or_default(scanner)
    cells = []
    for i, value in enumerate(values.tolist()):
        try:
            label = label_of(value)
        except TypeError as exc:
            raise ValueError(f"row {i} (index {df.index[i]!r}): the {column!r} value is {exc}") from None
        cells.append(result_cells(None if label is None or scan is None
                                  else scan.score(label, context=context)))
    cols = list(zip(*cells)) if cells else [(), (), (), ()]
    out = df.copy()
    out[COLUMNS[0]] = pd.array(list(cols[0]), dtype="Int64")
    for name, col in zip(COLUMNS[1:], cols[1:]):
        out[name] = pd.Series(list(col), index=df.index, dtype=str)
    return out


# ---------------------------------------------------------------------------- files


@dataclass
class BulkSummary:
    """What a bulk run did. `rows` counts every data row read: rows == written + errors."""

    rows: int = 0
    scored: int = 0
    empty: int = 0
    errors: int = 0
    seconds: float = 0.0
    output: str = ""
    errors_path: str | None = None

    @property
    def written(self) -> int:
        """Rows written to the output (scored + empty)."""
        return self.scored + self.empty

    @property
    def rows_per_second(self) -> float:
        """Throughput over the whole run (reading, scoring, writing)."""
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def __str__(self) -> str:
        where = f" (see {self.errors_path})" if self.errors and self.errors_path else ""
        return (f"{self.rows:,} rows: {self.scored:,} scored, {self.empty:,} empty, "
                f"{self.errors:,} errors{where}; {self.seconds:.1f} s, {self.rows_per_second:,.0f} rows/s")


@dataclass
class _Source:
    """An open input: text lines, plus what the progress bar needs."""

    text: IO[str]
    raw: IO[bytes]  # the file as stored (compressed bytes for gzip): its offset drives the ETA
    size: int | None
    name: str
    closers: list[Any] = field(default_factory=list)

    def position(self) -> int | None:
        try:
            return self.raw.tell() if self.size else None
        except (OSError, ValueError):
            return None

    def close(self) -> None:
        if self.name == "stdin":
            try:
                self.text.detach()  # leave sys.stdin usable
            except ValueError:
                pass
            return
        self.text.close()
        for c in reversed(self.closers):
            c.close()


def _python_encoding(encoding: str) -> str:
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise BulkInputError(f"unknown encoding {encoding!r}") from None
    return "utf-8-sig" if name in ("utf-8", "utf-8-sig") else name


def _open_input(path: str | Path, encoding: str) -> _Source:
    name = str(path)
    if name == "-":
        raw: IO[bytes] = sys.stdin.buffer
        size = None
        closers: list[Any] = []
        name = "stdin"
    else:
        try:
            raw = open(path, "rb")  # noqa: SIM115 - closed by _Source.close
        except OSError as exc:
            raise BulkInputError(f"cannot read {name}: {exc.strerror or exc}") from None
        closers = [raw]
        try:
            size = os.fstat(raw.fileno()).st_size or None
        except OSError:
            size = None
    buffered = raw if hasattr(raw, "peek") else io.BufferedReader(raw)  # type: ignore[arg-type]
    binary: IO[bytes] = buffered
    if buffered.peek(2)[:2] == b"\x1f\x8b":  # gzip, whatever the name says
        binary = gzip.GzipFile(fileobj=buffered, mode="rb")
        closers.append(binary)
    text = io.TextIOWrapper(binary, encoding=_python_encoding(encoding), errors="surrogateescape",
                            newline="")
    return _Source(text=text, raw=raw, size=size, name=name, closers=closers)


class _Output:
    """The output (and errors) files: written under a temporary name, renamed when complete."""

    def __init__(self, path: str | Path, errors: str = "strict") -> None:
        self.path = str(path)
        self.tmp: str | None = None
        if self.path == "-":
            sys.stdout.flush()
            self.stream: IO[str] = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8",
                                                    errors=errors, newline="")
            self._closer: Any = None
            return
        self.tmp = f"{self.path}.tmp-{os.getpid()}"
        try:
            if self.path.endswith(".gz"):
                self.stream = gzip.open(self.tmp, "wt", encoding="utf-8", errors=errors,
                                        newline="")
            else:
                self.stream = open(self.tmp, "w", encoding="utf-8", errors=errors,  # noqa: SIM115
                                   newline="")
        except OSError as exc:
            raise BulkInputError(f"cannot write {self.path}: {exc.strerror or exc}") from None
        self._closer = self.stream

    def commit(self) -> None:
        self.stream.flush()
        if self._closer is not None:
            self._closer.close()
        else:
            self.stream.detach()  # leave sys.stdout open
        if self.tmp is not None:
            os.replace(self.tmp, self.path)
            self.tmp = None

    def discard(self) -> None:
        try:
            if self._closer is not None:
                self._closer.close()
            else:
                self.stream.detach()
        except Exception:  # noqa: BLE001 - a half-written file is being thrown away anyway
            pass
        if self.tmp is not None:
            try:
                os.unlink(self.tmp)
            except OSError:
                pass
            self.tmp = None


class _Errors:
    """Rows that cannot be parsed: `line,reason,record` (the record as it was in the input)."""

    def __init__(self, path: str | Path | None) -> None:
        self.path = None if path is None else str(path)
        self.count = 0
        self._out: _Output | None = None
        self._writer: Any = None

    def add(self, line: int, reason: str, record: str) -> None:
        self.count += 1
        if self.path is None:  # no file: stderr, the record included, so nothing is lost
            sys.stderr.write(f"milia-scan: line {line}: {reason}: {record!r}\n")
            return
        if self._writer is None:  # the file is created only when there is a bad row
            self._out = _Output(self.path, errors="surrogateescape")  # the input's bytes, as they were
            self._writer = csv.writer(self._out.stream, lineterminator="\n")
            self._writer.writerow(["line", "reason", "record"])
        self._writer.writerow([line, reason, record])

    def commit(self) -> None:
        if self._out is not None:
            self._out.commit()

    def discard(self) -> None:
        if self._out is not None:
            self._out.discard()


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


def _read_sample(text: IO[str]) -> list[str]:
    lines, size = [], 0
    while size < _SAMPLE_BYTES:
        line = text.readline()
        if not line:
            break
        lines.append(line)
        size += len(line)
    return lines


def _dialect(delimiter: str, quote_none: bool) -> dict[str, Any]:
    """csv reader and writer arguments: minimal quoting, or none (a quote is a plain character)."""
    if quote_none:
        return {"delimiter": delimiter, "quoting": csv.QUOTE_NONE, "quotechar": None}
    return {"delimiter": delimiter}


def _parse_header(sample: list[str], dialect: dict[str, Any]) -> list[str] | None:
    try:
        return next(csv.reader(iter(sample), strict=True, **dialect), None)
    except csv.Error:
        return None


def _choose_delimiter(
    sample: list[str], columns: Sequence[str], delimiter: str | None, name: str, quote_none: bool = False,
) -> tuple[str, list[str]]:
    """The delimiter to use and the header row, which has one of `columns` at least: else an
    error naming the columns there are."""
    if delimiter is not None:
        candidates = [delimiter]
    else:
        candidates = []
        try:
            candidates.append(csv.Sniffer().sniff("".join(sample), delimiters=_DELIMITERS).delimiter)
        except csv.Error:
            pass
        candidates += [d for d in _DELIMITERS if d not in candidates]
    first: list[str] | None = None
    for d in candidates:
        header = _parse_header(sample, _dialect(d, quote_none))
        if header is None:
            continue
        if first is None:
            first = header
        if any(c in header for c in columns):
            if any(_UNDECODABLE.search(h) for h in header):
                raise BulkInputError(f"{name}: the header is not valid text in this encoding (try --encoding)")
            return d, header
    if first is None:
        raise BulkInputError(f"{name}: cannot read a header row")
    if any(_UNDECODABLE.search(h) for h in first):
        raise BulkInputError(f"{name}: the header is not valid text in this encoding (try --encoding)")
    shown = ", ".join(repr(h) for h in first[:50]) + (", ..." if len(first) > 50 else "")
    how = f"delimiter {candidates[0]!r}" if delimiter is not None else "any of , ; tab |"
    raise BulkInputError(f"{name} has no column {_either(columns)} (read with {how}); its columns: {shown}")


def _obf_header(line: str) -> list[str] | None:
    """The header of an Open Beauty Facts (or Open Food Facts) CSV export: tab-separated, first
    column `code`, an `ingredients_text` or `ingredients_text_XX` column. None for any other."""
    names = line.rstrip("\r\n").split("\t")
    return names if names[0] == "code" and any(_OBF_TEXT.fullmatch(n) for n in names) else None


def _default_columns(obf: list[str] | None) -> list[str]:
    """`ingredients`; in an OBF export that has no such column, `ingredients_text`, or failing
    that its `ingredients_text_XX` columns as a fallback list."""
    if obf is None or "ingredients" in obf:
        return ["ingredients"]
    return ["ingredients_text"] if "ingredients_text" in obf else [n for n in obf if _OBF_TEXT.fullmatch(n)]


def _csv_rows(
    text: IO[str], columns: list[str] | None, delimiter: str | None, quoting: str | None, name: str,
    encoding: str, on_error: Callable[[int, str, str], None],
) -> tuple[list[str], list[str], dict[str, Any], Iterator[list[str]]]:
    """Header, the label columns, the csv dialect, and the good rows (lists of values).

    For an OBF export (unless another `delimiter` is given) the delimiter is tab and `quoting`
    None means none; else None means minimal. `columns` None is `_default_columns`."""
    sample = _read_sample(text)
    obf = _obf_header(sample[0]) if sample and delimiter in (None, "\t") else None
    if obf is not None:
        delimiter, quoting = "\t", quoting or "none"
    columns = _default_columns(obf) if columns is None else columns
    quote_none = quoting == "none"
    if not sample:
        return [], columns, _dialect(delimiter or ",", quote_none), iter(())
    delim, header = _choose_delimiter(sample, columns, delimiter, name, quote_none)
    if quote_none and _IN_CELLS.fullmatch(delim):
        raise BulkInputError(f"{name}: unquoted output cannot use the delimiter {delim!r}, which milia_* "
                             "values may hold; use quoting minimal")
    for c in columns:
        if header.count(c) > 1:
            raise BulkInputError(f"{name}: column {c!r} appears {header.count(c)} times")
    dialect, width = _dialect(delim, quote_none), len(header)
    tap = _LineTap(itertools.chain(sample, text))
    reader = csv.reader(tap, strict=True, **dialect)
    next(reader)  # the header, already parsed
    bad_bytes = f"undecodable bytes (not {encoding})"

    def rows() -> Iterator[list[str]]:
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
            if not all(v.isascii() for v in row) and any(_UNDECODABLE.search(v) for v in row):
                on_error(start, bad_bytes, "".join(tap.taken).rstrip("\r\n"))
                continue
            yield row

    return header, columns, dialect, rows()


def _parse_json_line(
    line: str, columns: Sequence[str], bad_bytes: str,
) -> tuple[dict[str, Any] | None, str | None, str]:
    """(object, label, its column) for a good line, (None, reason, "") for a bad one."""
    if not line.isascii() and _UNDECODABLE.search(line):
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
        return obj, *_first_label(map(obj.get, columns), columns)
    except TypeError as exc:
        return None, str(exc), ""


def _jsonl_lines(
    text: IO[str], columns: Sequence[str], name: str, bad_bytes: str, on_error: Callable[[int, str, str], None],
) -> Iterator[tuple[int, str]]:
    """The numbered lines of a JSON Lines input from its first good record on (the bad lines
    before it are reported here). That record must have one of `columns`: checked before this
    returns."""
    numbered = enumerate(text, 1)
    for n, line in numbered:
        obj, reason, _ = _parse_json_line(line, columns, bad_bytes)
        if obj is None:
            on_error(n, reason or "", line.rstrip("\r\n"))
            continue
        if not any(c in obj for c in columns):
            keys = ", ".join(repr(k) for k in list(obj)[:50])
            raise BulkInputError(f"{name}: the first record has no key {_either(columns)}; its keys: {keys}")
        return itertools.chain([(n, line)], numbered)
    return iter(())


_SURROGATE = re.compile("[\ud800-\udfff]")


def _json_line(obj: dict[str, Any]) -> str:
    line = json.dumps(obj, ensure_ascii=False)
    if _SURROGATE.search(line):  # a lone surrogate from a JSON escape: keep it escaped
        line = json.dumps(obj)
    return line + "\n"


def _csv_chunk(
    scanner: Scanner, context: str,
    task: tuple[list[list[str]], list[int], list[str], list[int | None], dict[str, Any]],
) -> tuple[str, int, int]:
    """A chunk task: score CSV rows and format them as output text. (text, scored, empty).

    `cols` / `names`: the label columns in the header (index, name), tried in order; `places`:
    where each added column goes (None: appended)."""
    rows, cols, names, places, dialect = task
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n", **dialect)
    append_only = all(p is None for p in places)
    with_used = len(places) > len(COLUMNS)
    score = scanner.score
    lines, empty = [], 0
    for values in rows:
        label, used = _first_label(map(values.__getitem__, cols), names)
        if label is None:
            empty += 1
            cells = ["", UNKNOWN, "", ""]
        else:
            r = score(label, context=context)
            cells = [str(r.score), r.band, ";".join(r.hits), ";".join(r.helpful)]
        if with_used:
            cells.append(used)
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
    return buf.getvalue(), len(rows) - empty, empty


def _jsonl_chunk(
    scanner: Scanner, context: str, task: tuple[list[tuple[int, str]], list[str], str],
) -> tuple[str, int, int, list[tuple[int, str, str]]]:
    """A chunk task: parse, score and serialise JSON lines. (text, scored, empty, errors)."""
    items, columns, bad_bytes = task
    added = _added(columns)
    out: list[str] = []
    errors: list[tuple[int, str, str]] = []
    scored = empty = 0
    for n, line in items:
        obj, label, used = _parse_json_line(line, columns, bad_bytes)
        if obj is None:
            errors.append((n, label or "", line.rstrip("\r\n")))
            continue
        result = None if label is None else scanner.score(label, context=context)
        if result is None:
            empty += 1
        else:
            scored += 1
        out.append(_json_line(_with_cells(obj, result, used, added)))
    return "".join(out), scored, empty, errors


class _Progress:
    """rows done, rows/s and ETA on one stderr line, redrawn at most 5 times a second."""

    def __init__(self, source: _Source, enabled: bool) -> None:
        self.source, self.enabled = source, enabled
        self.start = time.monotonic()
        self.last = 0.0
        self.drawn = False

    def update(self, rows: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.last < 0.2:
            return
        self.last = now
        elapsed = max(now - self.start, 1e-9)
        line = f"{rows:,} rows  {rows / elapsed:,.0f} rows/s"
        pos, size = self.source.position(), self.source.size
        if pos and size:
            frac = min(pos / size, 1.0)
            eta = elapsed * (1 - frac) / frac if frac > 0 else 0
            line += f"  {frac:4.0%}  ETA {int(eta) // 60}m{int(eta) % 60:02d}s"
        sys.stderr.write("\r" + line.ljust(60))
        sys.stderr.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            sys.stderr.write("\r" + " " * 60 + "\r")
            sys.stderr.flush()


def _format_of(path: str, fmt: str | None) -> str:
    if fmt is not None:
        if fmt not in ("csv", "jsonl"):
            raise ValueError(f"unknown format {fmt!r}: use csv or jsonl")
        return fmt
    name = path.lower().removesuffix(".gz")
    return "jsonl" if name.endswith((".jsonl", ".ndjson", ".json")) else "csv"


def score_file(
    input: str | Path,
    output: str | Path,
    *,
    column: Column | None = None,
    format: str | None = None,
    context: str = "leave-on",
    jobs: int | None = 1,
    errors: str | Path | None = None,
    delimiter: str | None = None,
    quoting: str | None = None,
    encoding: str = "utf-8",
    scanner: Scanner | None = None,
    progress: bool = False,
    chunk_size: int = CHUNK_SIZE,
) -> BulkSummary:
    """Score every row of a CSV or JSON Lines file into `output` (same format, UTF-8).

    - `input` / `output`: paths, or "-" for stdin / stdout. Gzip input is detected and read
      transparently; an output path ending in ".gz" is gzip-compressed.
    - `column`: the label column (key), or a fallback list of them: the first non-empty one is
      scored and `COLUMN_USED` says which. A column of the list missing from the header (from the
      first JSON record) is fine; all of them missing is an error. Default: "ingredients", except
      for an Open Beauty Facts export (below) that has no such column: "ingredients_text", or
      failing that its "ingredients_text_XX" columns as a fallback list.
    - Every input column and row is kept, in input order; `COLUMNS` are appended (an existing
      `milia_*` column is overwritten in place). CSV output uses the input's delimiter and
      quoting and "\\n" line ends; JSON Lines output re-serialises each object with its keys in
      order (a number stays a number, a string a string).
    - `quoting` (CSV): "minimal" reads quoted fields and quotes only where needed on output;
      "none" reads a quote as a plain character and writes no quotes, so every input cell comes
      back byte for byte (a tab-separated file cannot hold a tab or line break in a field; the
      `milia_*` values hold only a-z 0-9 ; - so the delimiter must be none of those). None
      (auto): "none" for an Open Beauty / Food Facts export, recognised by its header
      (tab-separated, first column "code", an "ingredients_text" or "ingredients_text_XX"
      column; it never quotes, and a quote inside a field is text), else "minimal".
    - A row that cannot be parsed (wrong number of fields, malformed quoting, undecodable bytes,
      a line that is not a JSON object) is not written: it goes to `errors` (a CSV of
      line, reason, record; default: one line each on stderr) with the line it starts on.
      So `rows == written + errors` always.
    - `delimiter`: default sniffed among , ; tab | (the one whose header has `column`); tab
      for an Open Beauty Facts export.
    - `jobs`: worker processes (None: all cores); rows are still written in input order.
    - The output (and errors file) is written under a temporary name and renamed when complete:
      on any exception, Ctrl-C included, nothing is left behind and the exception propagates.

    Raises BulkInputError (before writing anything) for a missing column or unreadable input.
    """
    check_context(context)
    started = time.monotonic()
    fmt = _format_of(str(input), format)
    if quoting not in (None, "none", "minimal"):
        raise ValueError(f"unknown quoting {quoting!r}: use none or minimal")
    if quoting is not None and fmt != "csv":
        raise ValueError("quoting is for CSV input, not JSON Lines")
    names = None if column is None else _names(column)
    jobs = default_jobs() if jobs is None else max(1, jobs)
    scan = _scanner_or_default(scanner)
    summary = BulkSummary(output=str(output), errors_path=None if errors is None else str(errors))
    source = _open_input(input, encoding)
    py_encoding = encoding if _python_encoding(encoding) != "utf-8-sig" else "utf-8"
    bad_bytes = f"undecodable bytes (not {py_encoding})"
    err = _Errors(errors)
    out: _Output | None = None
    bar = _Progress(source, progress)
    try:
        try:
            if fmt == "csv":
                header, names, dialect, rows = _csv_rows(source.text, names, delimiter, quoting, source.name,
                                                         py_encoding, err.add)
            else:
                names = names or ["ingredients"]
                lines = _jsonl_lines(source.text, names, source.name, bad_bytes, err.add)
            out = _Output(output)
            write = out.stream.write
            if fmt == "csv":
                added = _added(names)
                places = [header.index(c) if c in header else None for c in added]
                if header:
                    csv.writer(out.stream, lineterminator="\n", **dialect).writerow(
                        header + [c for c, p in zip(added, places) if p is None])
                found = [c for c in names if c in header]
                cols = [header.index(c) for c in found]
                csv_tasks = ((None, (batch, cols, found, places, dialect)) for batch in _batched(rows, chunk_size))
                for _, (text, scored, empty) in _map_chunks(csv_tasks, _csv_chunk, jobs=jobs, scanner=scan,
                                                            context=context):
                    write(text)
                    summary.scored += scored
                    summary.empty += empty
                    bar.update(summary.written)
            else:
                json_tasks = ((None, (batch, names, bad_bytes)) for batch in _batched(lines, chunk_size))
                for _, (text, scored, empty, bad) in _map_chunks(json_tasks, _jsonl_chunk, jobs=jobs,
                                                                 scanner=scan, context=context):
                    write(text)
                    for e in bad:
                        err.add(*e)
                    summary.scored += scored
                    summary.empty += empty
                    bar.update(summary.written)
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise BulkInputError(f"cannot read {source.name}: {exc}") from None
        summary.errors = err.count
        summary.rows = summary.written + summary.errors
        out.commit()
        err.commit()
    except BaseException:
        bar.close()
        if out is not None:
            out.discard()
        err.discard()
        source.close()
        raise
    bar.close()
    source.close()
    summary.seconds = time.monotonic() - started
    return summary
