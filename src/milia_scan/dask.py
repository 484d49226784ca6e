"""Bulk scoring on a Dask cluster (`pip install 'milia-scan[dask]'`).

    >>> import dask.dataframe as dd, pandas as pd
    >>> from milia_scan.dask import score_dataframe
    >>> ddf = dd.from_pandas(pd.DataFrame({"ingredients": ["Aqua, Petrolatum", ""]}), npartitions=1)
    >>> score_dataframe(ddf).compute()[["milia_score", "milia_band"]].values.tolist()
    [[59, 'high'], [<NA>, 'unknown']]

`score_dataframe` is a `map_partitions` of `milia_scan.bulk.score_frame`, so every row gets
exactly what the single-machine path gives it. The scanner (lexicon and matcher) travels as one
key of the task graph: each worker receives and unpickles it once, then every partition that
worker scores uses that same object, and its token cache warms up across partitions.
"""

from __future__ import annotations

import glob
import logging
import os
import pickle
import threading
import time
from pathlib import Path
from typing import Any

import dask
import dask.dataframe as dd
import pandas as pd

from .bulk import (
    COLUMNS,
    NUMBER_COLUMNS,
    PROFILE_COLUMNS,
    BulkInputError,
    BulkSummary,
    default_jobs,
    format_of,
    label_of,
    score_frame,
)
from .bulk.contexts import ContextSpec, context_spec
from .bulk.output import AtomicPath, is_local
from .bulk.sources import choose_delimiter, open_input, python_encoding, read_sample
from .scanner import Scanner, default_scanner

__all__ = ["score_dataframe", "score_file"]

#: How many scanners this process has received from a client (one per worker; see the tests).
scanners_received = 0


class _Shipped:
    """A Scanner on its way to the workers: pickled once on the client (never while a worker
    thread is using it), unpickled on first use in each process that receives it."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self._scanner: Scanner | None = None
        self._lock = threading.Lock()

    @classmethod
    def of(cls, scanner: Scanner) -> _Shipped:
        return cls(pickle.dumps(scanner, protocol=pickle.HIGHEST_PROTOCOL))

    @property
    def scanner(self) -> Scanner:
        global scanners_received
        if self._scanner is None:
            with self._lock:
                if self._scanner is None:
                    self._scanner = pickle.loads(self.data)
                    scanners_received += 1
        return self._scanner

    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        return _Shipped, (self.data,)


def _frame_args(spec: ContextSpec) -> dict[str, Any]:
    """`score_frame`'s arguments for a resolved spec: the context's, and `profiles`."""
    if not spec.per_row:
        return {"context": spec.fixed, "profiles": spec.profiles}
    how = {"context": "auto", "name_column": spec.column} if spec.infer else {"context_column": spec.column}
    return {**how, "profiles": spec.profiles}


def _score_partition(df: pd.DataFrame, column: str, context: ContextSpec, shipped: _Shipped,
                     partition_info: dict[str, Any] | None = None) -> pd.DataFrame:
    """`score_frame` of one partition; a bad row's error names the partition too (Dask passes
    `partition_info`): a row number counts from the partition's start, and `read_csv` starts
    each partition's index at 0 again."""
    try:
        return score_frame(df, column, **_frame_args(context), scanner=shipped.scanner)
    except ValueError as exc:
        if partition_info is None:  # the meta, or Dask without it
            raise
        raise ValueError(f"partition {partition_info['number']}, {exc}") from None


def score_dataframe(
    ddf: dd.DataFrame,
    column: str = "ingredients",
    *,
    context: str = "leave-on",
    context_column: str | None = None,
    name_column: str | None = None,
    scanner: Scanner | None = None,
    profiles: bool = False,
) -> dd.DataFrame:
    """`ddf` with the `milia_*` columns added to every partition (lazy: nothing runs until you
    compute or write it). The `NUMBER_COLUMNS` are nullable Int64; the others are strings.
    `context`, `context_column` and `name_column` as in `milia_scan.bulk.score_file` (the name
    column picked once, from `ddf`'s columns); a row whose context cannot be read stops the
    computation with a ValueError naming it. `scanner` (default: the bundled lexicon) reaches
    each worker once, not once per task. `profiles`: `milia_fungal` and `milia_allergens` too,
    last (strings, in the meta as in every partition).
    """
    spec = context_spec(context, context_column, name_column, profiles)
    if column not in ddf.columns:
        raise KeyError(f"no column {column!r}; the columns are: {', '.join(map(str, ddf.columns))}")
    spec = spec.resolve(list(ddf.columns), "the dataframe")
    shipped = dask.delayed(_Shipped.of(default_scanner() if scanner is None else scanner), pure=False,
                           name=f"milia-scanner-{os.getpid()}-{id(scanner)}-{time.monotonic_ns()}")
    meta = score_frame(ddf._meta, column, **_frame_args(spec))  # explicit, and typed like the partitions
    return ddf.map_partitions(_score_partition, column, spec, shipped, meta=meta)


def _parquet_schema(paths: list[str], ddf: dd.DataFrame) -> Any:
    """The output schema: the input file's, plus the milia_* columns ("infer" for a URL)."""
    if not paths:
        return "infer"
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pq.read_schema(paths[0])
    fields = {f.name: f for f in schema}
    if schema.pandas_metadata:  # no pandas index columns: the output is written without them
        schema = schema.remove_metadata()
    added = {c: pa.field(c, pa.int64() if c in NUMBER_COLUMNS else pa.string()) for c in (*COLUMNS, *PROFILE_COLUMNS)}
    return pa.schema([added[c] if c in added else fields[c] for c in ddf.columns])  # in the output's order


def _part_name(i: int) -> str:
    return f"{i:05d}"


def _tally(labels: pd.Series) -> pd.DataFrame:
    empty = sum(1 for v in labels.tolist() if label_of(v) is None)
    return pd.DataFrame({"rows": [len(labels)], "empty": [empty]})


def _has_line_breaks_in_fields(paths: list[str], delimiter: str, encoding: str) -> bool:
    """Whether any quoted field of these local CSV files holds a line break (dask cannot split
    such a file at byte offsets without cutting a record in two)."""
    import csv

    for path in paths:
        source = open_input(path, encoding)
        try:
            reader = csv.reader(source.text, delimiter=delimiter)
            for records, _ in enumerate(reader, 1):
                if reader.line_num != records:
                    return True
        finally:
            source.close()
    return False


def score_file(
    input: str | Path,
    output: str | Path,
    *,
    column: str = "ingredients",
    format: str | None = None,
    context: str = "leave-on",
    context_column: str | None = None,
    name_column: str | None = None,
    delimiter: str | None = None,
    encoding: str = "utf-8",
    scanner: Scanner | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    blocksize: str | int | None = "64MB",
    profiles: bool = False,
) -> BulkSummary:
    """Score a CSV or Parquet file (or a glob of them, or a URL dask can read) on a Dask cluster.

    - `scheduler`: a scheduler address ("tcp://10.0.0.5:8786"); None starts a `LocalCluster`
      on loopback with `workers` single-threaded worker processes (default: all cores).
    - `output` ending in "/" (or an existing directory): a directory of partition files
      `00000.csv`, `00001.csv`, ... each with the header; otherwise one CSV file. Either is
      written under a temporary name and renamed into place when complete (local paths).
    - The input is split into `blocksize` blocks, except when a quoted field holds a line break
      (checked for local files), when each file is one partition.
    - Parquet (a name ending in .parquet / .pq, or `format="parquet"`): read with
      `dd.read_parquet`, written as a directory of Parquet files `00000.parquet`, ... at
      `output` (whatever its name), with the label column as plain text (a string column).
    - Every partition is scored by `score_frame`, which runs the columnar engine's per-batch
      function (`bulk.kernel.score_array`: each distinct label of the partition scored once, plain
      lists vectorised; labels held as lists go through `score_batch`).
    - `context`, `context_column`, `name_column`: as in `milia_scan.bulk.score_file`; the
      columns are checked in the header before any work.
    - `profiles`: `milia_fungal` and `milia_allergens` too, as `milia_scan.bulk.score_file`.
    - Rows, columns, order and `milia_*` values are the same as `milia_scan.bulk.score_file`
      writes for the same well-formed input. A malformed row, or one whose context cannot be
      read, stops the run (BulkInputError): the local engine is the one that sets bad rows aside
      with their line numbers.
    """
    from distributed import Client, LocalCluster

    spec = context_spec(context, context_column, name_column, profiles)
    started = time.monotonic()
    src, dst = str(input), str(output)
    name = src.lower().removesuffix(".gz")
    fmt = format_of(src, format)
    if fmt == "jsonl":
        raise BulkInputError("the dask engine reads CSV and Parquet; score JSON Lines with the local engine")
    if src == "-" or dst == "-":
        raise BulkInputError("the dask engine reads and writes files, not stdin / stdout")
    paths = sorted(glob.glob(src)) if is_local(src) else []
    if is_local(src) and not paths:
        raise BulkInputError(f"cannot read {src}: no such file")
    compressed = any(p.endswith(".gz") for p in paths) or name != src.lower()
    if fmt == "parquet":
        pass  # its schema is checked once dask has read it
    elif paths:  # the local engine's header and delimiter rules, checked before any work
        source = open_input(paths[0], encoding)
        try:
            sample = read_sample(source.text)
        finally:
            source.close()
        if not sample:
            raise BulkInputError(f"{paths[0]} is empty")
        delimiter, header = choose_delimiter(sample, [column], delimiter, paths[0])
        if header.count(column) > 1 or len(set(header)) != len(header):
            raise BulkInputError(f"{paths[0]}: repeated column names; the dask engine needs unique ones")
        spec = spec.resolve(header, paths[0])
        if compressed or _has_line_breaks_in_fields(paths, delimiter, encoding):
            blocksize = None
    elif compressed:
        blocksize = None
    sep = delimiter or ","
    directory = fmt == "parquet" or dst.endswith(("/", os.sep)) or os.path.isdir(dst)
    dst = dst.rstrip("/" + os.sep) if directory else dst
    if directory and os.path.exists(dst):
        raise BulkInputError(f"{dst} already exists: give a new directory (it is created whole)")
    final = AtomicPath(dst)  # written under final.tmp, renamed when complete (a URL: in place)
    tmp = final.tmp

    cluster = None
    if scheduler is None:
        n = workers or default_jobs()
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=":0", silence_logs=logging.ERROR)
    try:
        with Client(cluster if cluster is not None else scheduler) as client:  # noqa: F841
            if fmt == "parquet":
                ddf = dd.read_parquet(src)
            else:
                ddf = dd.read_csv(src, sep=sep, dtype=str, keep_default_na=False, na_filter=False,
                                  encoding=python_encoding(encoding), blocksize=blocksize)
            if column not in ddf.columns:
                cols = ", ".join(repr(c) for c in ddf.columns)
                raise BulkInputError(f"{src} has no column {column!r}; its columns: {cols}")
            spec = spec.resolve(list(ddf.columns), src)
            scored = score_dataframe(ddf, column, **_frame_args(spec), scanner=scanner)
            target = os.path.join(tmp, "*.csv") if directory else tmp
            try:
                if fmt == "parquet":
                    scored.to_parquet(tmp, write_index=False, schema=_parquet_schema(paths, scored),
                                     name_function=lambda i: f"{i:05d}.parquet")
                else:
                    scored.to_csv(target, index=False, sep=sep, lineterminator="\n", encoding="utf-8",
                                  single_file=not directory,
                                  **({"name_function": _part_name} if directory else {}))
                # rows and empty labels, from the input (cheap: reading, no scoring)
                tally = ddf[column].map_partitions(_tally, meta=pd.DataFrame({"rows": [0], "empty": [0]})).compute()
            except pd.errors.ParserError as exc:
                raise BulkInputError(f"{src}: {exc} (the dask engine stops at malformed rows; the local "
                                     "engine sets them aside with --errors and goes on)") from None
            except ValueError as exc:  # from score_frame: a row whose context cannot be read
                raise BulkInputError(f"{src}: {exc} (the dask engine stops at a bad row; the local engine "
                                     "sets it aside with its line number, --errors, and goes on)") from None
        final.commit()
    except BaseException:
        final.discard()
        raise
    finally:
        if cluster is not None:
            cluster.close()
    rows, empty = int(tally["rows"].sum()), int(tally["empty"].sum())
    return BulkSummary(rows=rows, scored=rows - empty, empty=empty, errors=0,
                       seconds=time.monotonic() - started, output=dst)
