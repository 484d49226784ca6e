"""`score_file`: a CSV or JSON Lines file (or stdin) in, the same format out, every row in input
order, bad rows set aside with their line numbers, the output renamed into place when complete."""

from __future__ import annotations

import gzip
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..scanner import Scanner
from . import columnar, pool
from .contexts import ContextSpec, context_spec
from .formats import FORMATS, Options, csv_output
from .iterables import scanner_or_default
from .output import AtomicOutput, ErrorSink, atomic_path
from .pool import CACHE_ONE_PROCESS, CACHE_PER_COLUMNAR_WORKER, CACHE_PER_WORKER, map_chunks
from .progress import ProgressBar
from .rows import CHUNK_SIZE, BulkInputError, Column, column_names, default_jobs
from .sources import csv_layout, open_input, python_encoding

#: progress(rows done, bytes read of the input as stored or None, its size or None)
Progress = Callable[[int, int | None, int | None], None]
OnError = Callable[[int, str, str], None]


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


def format_of(path: str, fmt: str | None, known: tuple[str, ...] = ("csv", "jsonl", "parquet")) -> str:
    """The input format: `fmt`, else from the name (.jsonl / .ndjson / .json: JSON Lines;
    .parquet / .pq: Parquet; anything else: CSV)."""
    if fmt is not None:
        if fmt not in known:
            raise ValueError(f"unknown format {fmt!r}: use {', '.join(known[:-1])} or {known[-1]}")
        return fmt
    name = path.lower().removesuffix(".gz")
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    return "jsonl" if name.endswith((".jsonl", ".ndjson", ".json")) else "csv"


def score_file(
    input: str | Path,
    output: str | Path,
    *,
    column: Column | None = None,
    format: str | None = None,
    context: str = "leave-on",
    context_column: str | None = None,
    name_column: str | None = None,
    jobs: int | None = 1,
    errors: str | Path | None = None,
    delimiter: str | None = None,
    quoting: str | None = None,
    encoding: str = "utf-8",
    scanner: Scanner | None = None,
    progress: bool | Progress = False,
    chunk_size: int | None = None,
    on_error: OnError | None = None,
    engine: str | None = None,
    block_bytes: int | None = None,
    cache_limit: int | None = None,
    profiles: bool = False,
) -> BulkSummary:
    """Score every row of a CSV or JSON Lines file into `output` (same format, UTF-8).

    - `input` / `output`: paths, or "-" for stdin / stdout. Gzip input is detected and read
      transparently; an output path ending in ".gz" is gzip-compressed.
    - `column`: the label column (key), or a fallback list of them: the first non-empty one is
      scored and `COLUMN_USED` says which. A column of the list missing from the header (from the
      first JSON record) is fine; all of them missing is an error. Default: "ingredients", except
      for an Open Beauty Facts export (below) that has no such column: "ingredients_text", or
      failing that its "ingredients_text_XX" columns as a fallback list.
    - `context`: how every row is used, "leave-on", "rinse-off" or "eye-area"; or "auto": each
      row's from its product name (`infer_context`), read from `name_column`, default the first
      of `context.NAME_COLUMNS` ("name", "product_name", ...) the header (JSON Lines: the first
      record) has; an empty name is leave-on. `context_column`: each row's context from that
      column ("leave-on", "rinse-off" or "eye-area", any case, spaces around ignored); a row
      with any other value, empty included, is a bad row (below). A named column the input
      lacks, or "auto" with none of the name columns, is a BulkInputError before any row is read.
    - Every input column and row is kept, in input order; `COLUMNS` are appended (an existing
      `milia_*` column is overwritten in place); `milia_context` says which context each row was
      scored in. `profiles`: `PROFILE_COLUMNS` too, after all of these (`milia_fungal`,
      `milia_allergens`: "flag", "clear" or "cannot tell"; "" for an empty label); slower on
      labels never seen (the fungal rules are read per new token). CSV output uses the input's delimiter and
      quoting and "\\n" line ends; JSON Lines output re-serialises each object with its keys in
      order (a number stays a number, a string a string).
    - `quoting` (CSV): "minimal" reads quoted fields and quotes only where needed on output;
      "none" reads a quote as a plain character and writes no quotes, so every input cell comes
      back byte for byte (a tab-separated file cannot hold a tab or line break in a field; the
      `milia_*` values hold only a-z 0-9 ; - and, with `profiles`, a space, so the delimiter must
      be none of those). None
      (auto): "none" for an Open Beauty / Food Facts export, recognised by its header
      (tab-separated, first column "code", an "ingredients_text" or "ingredients_text_XX"
      column; it never quotes, and a quote inside a field is text), else "minimal".
    - A row that cannot be parsed (wrong number of fields, malformed quoting, undecodable bytes,
      a line that is not a JSON object, a context column's value that is not a context) is not
      written: it goes to `errors` (a CSV of
      line, reason, record) with the line it starts on, and to `on_error(line, reason, record)`
      (default without `errors`: one line each on stderr). So `rows == written + errors` always.
    - `delimiter`: default sniffed among , ; tab | (the one whose header has `column`); tab
      for an Open Beauty Facts export.
    - `jobs`: worker processes (None: all cores); rows are still written in input order.
    - `chunk_size`: rows per worker task (row engine: 2,000; Parquet: 20,000).
    - Parquet (`format="parquet"`, or a name ending in .parquet / .pq) is read and written with
      Arrow (`pip install 'milia-scan[bulk]'`), in batches, Parquet out: see `bulk.parquet`.
    - `progress`: a callback `progress(rows, position, size)` called after each chunk (position
      and size in bytes of the input as stored, None when unknown); True draws a `ProgressBar`.
    - The output (and errors file) is written under a temporary name and renamed when complete:
      on any exception, Ctrl-C included, nothing is left behind and the exception propagates.
    - `engine`: "columnar" (default when pyarrow is installed) reads a UTF-8 CSV file in blocks
      of `block_bytes` with Arrow and scores each distinct label of a block once; "local" is the
      row engine (csv module, one `Scanner.score` per row), the reference. Both write the same
      bytes: the columnar engine hands a file over to the row engine from the first block it
      cannot read exactly as the row engine would (bad rows included; see `bulk.columnar`).
      JSON Lines, stdin and other encodings always go through the row engine.
    - `cache_limit`: entries in each of the scanner's caches (pieces, tokens), per process:
      default `pool.CACHE_ONE_PROCESS` (large) for a run in this process (jobs=1; put back
      after the run); in each worker process `pool.CACHE_PER_WORKER` (small) for the row engine,
      `pool.CACHE_PER_COLUMNAR_WORKER` for the columnar engine and Parquet.

    Raises BulkInputError (before writing anything) for a missing column or unreadable input.
    """
    spec = context_spec(context, context_column, name_column, profiles)
    started = time.monotonic()
    fmt = format_of(str(input), format)
    if quoting not in (None, "none", "minimal"):
        raise ValueError(f"unknown quoting {quoting!r}: use none or minimal")
    if quoting is not None and fmt != "csv":
        raise ValueError(f"quoting is for CSV input, not {'Parquet' if fmt == 'parquet' else 'JSON Lines'}")
    names = None if column is None else column_names(column)
    engine = engine or ("columnar" if columnar.available() else "local")
    if engine not in ("columnar", "local"):
        raise ValueError(f"unknown engine {engine!r}: use columnar or local")
    if engine == "columnar" and not columnar.available():
        raise ValueError("the columnar engine needs pyarrow: pip install 'milia-scan[bulk]'")
    jobs = default_jobs() if jobs is None else max(1, jobs)
    scan = scanner_or_default(scanner)
    with pool.cache_limit(scan, (cache_limit or CACHE_ONE_PROCESS) if jobs == 1 else None):
        return _score_file(input, output, fmt, names, jobs, scan, cache_limit, started, context=spec,
                           errors=errors, delimiter=delimiter, quoting=quoting, encoding=encoding,
                           progress=progress, chunk_size=chunk_size, on_error=on_error, engine=engine,
                           block_bytes=block_bytes)


def _score_file(input: str | Path, output: str | Path, fmt: str, names: list[str] | None, jobs: int, scan: Scanner,
                cache_limit: int | None, started: float, *, context: ContextSpec, errors: str | Path | None,
                delimiter: str | None, quoting: str | None, encoding: str, progress: bool | Progress,
                chunk_size: int | None, on_error: OnError | None, engine: str, block_bytes: int | None) -> BulkSummary:
    summary = BulkSummary(output=str(output), errors_path=None if errors is None else str(errors))
    row_cache = cache_limit or CACHE_PER_WORKER  # in each worker: the row engine's, the columnar one's
    worker_cache = row_cache if engine == "local" else cache_limit or CACHE_PER_COLUMNAR_WORKER
    if fmt == "parquet" or str(output).lower().endswith((".parquet", ".pq")):
        _score_parquet(str(input), str(output), fmt, names, summary, jobs=jobs, scanner=scan, context=context,
                       progress=progress, batch_rows=chunk_size, worker_cache=worker_cache,
                       err=ErrorSink(errors, on_error))
        summary.rows = summary.written + summary.errors
        summary.seconds = time.monotonic() - started
        return summary
    source = open_input(input, encoding)
    py_encoding = encoding if python_encoding(encoding) != "utf-8-sig" else "utf-8"
    options = Options(names, delimiter, quoting, py_encoding, chunk_size or CHUNK_SIZE, context)
    err = ErrorSink(errors, on_error)
    out: AtomicOutput | None = None
    bar = ProgressBar() if progress is True else None
    report = bar if bar is not None else progress or None
    arrow = engine == "columnar" and fmt == "csv" and source.name != "stdin" and py_encoding == "utf-8"
    try:
        try:
            if arrow:
                layout = csv_layout(source.text, names, delimiter, quoting, source.name, context.profiles)
                if layout.sample:
                    context = context.resolve(layout.header, source.name)
                how = csv_output(layout, context)
                out = AtomicOutput(output, binary=True)
                out.stream.write(how.head.encode("utf-8"))
                if layout.sample:
                    summary.scored, summary.empty = columnar.run_csv(
                        str(input), layout, how, out.stream.write, err.add, options, jobs=jobs, scanner=scan,
                        context=context, block_bytes=block_bytes or columnar.BLOCK_BYTES, report=report or None,
                        worker_cache=worker_cache, takeover_cache=row_cache)
            else:
                plan = FORMATS[fmt](source, options, err.add)
                out = AtomicOutput(output)
                write = out.stream.write
                write(plan.head)
                for _, chunk in map_chunks(((None, t) for t in plan.tasks), plan.chunk, jobs=jobs, scanner=scan,
                                           context=plan.context, worker_cache=row_cache):
                    write(chunk.text)
                    for e in chunk.errors:
                        err.add(*e)
                    summary.scored += chunk.scored
                    summary.empty += chunk.empty
                    if report:
                        report(summary.written, source.position(), source.size)
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise BulkInputError(f"cannot read {source.name}: {exc}") from None
        summary.errors = err.count
        summary.rows = summary.written + summary.errors
        out.commit()
        err.commit()
    except BaseException:
        if bar is not None:
            bar.close()
        if out is not None:
            out.discard()
        err.discard()
        source.close()
        raise
    if bar is not None:
        bar.close()
    source.close()
    summary.seconds = time.monotonic() - started
    return summary


def _score_parquet(input: str, output: str, fmt: str, names: list[str] | None, summary: BulkSummary, *, jobs: int,
                   scanner: Scanner, context: ContextSpec, progress: bool | Progress, batch_rows: int | None,
                   worker_cache: int, err: ErrorSink) -> None:
    """Parquet in, Parquet out, always with Arrow (see `bulk.parquet`); rows whose context cannot
    be read go to `err`."""
    if fmt != "parquet":
        raise ValueError(f"Parquet output needs Parquet input ({input} is read as {fmt}); name it .parquet "
                         "or give --format parquet")
    if not columnar.available():
        raise ValueError("Parquet needs pyarrow: pip install 'milia-scan[bulk]'")
    if input == "-" or output == "-":
        raise ValueError("Parquet is read from and written to files, not stdin / stdout")
    from .parquet import BATCH_ROWS, run_parquet

    bar = ProgressBar() if progress is True else None
    report = bar if bar is not None else progress or None
    try:
        with atomic_path(output) as tmp:
            summary.scored, summary.empty = run_parquet(input, tmp, names, jobs=jobs, scanner=scanner,
                                                        context=context, batch_rows=batch_rows or BATCH_ROWS,
                                                        report=report or None, worker_cache=worker_cache,
                                                        on_error=err.add)
    except BaseException:
        err.discard()
        raise
    finally:
        if bar is not None:
            bar.close()
    summary.errors = err.count
    err.commit()
