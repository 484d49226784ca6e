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

`score_frame` does it for a pandas DataFrame (pandas is an optional extra). The package imports
only the standard library, click and the scanner.

Each row is scored in a context: one for all (`context`), each row's own from a column
(`context_column`), or read from its product name (`context="auto"`, `name_column`); the
`milia_context` column says which (`contexts.ContextSpec`). With `profiles=True` each row also
gets the condition profiles' verdicts, `milia_fungal` and `milia_allergens` (`PROFILE_COLUMNS`,
last); the spec carries that flag to the workers too.

Modules: `rows` (the added columns, labels of cells, errors), `contexts` (each row's context),
`pool` (worker processes, ordered chunks), `sources` (opening inputs, CSV headers), `formats`
(CSV and JSON Lines behind one interface), `output` (atomic output, the errors file), `progress`
(the click bar), `iterables` and `files` (the public functions). With pyarrow: `columnar` and
`blocks` (the CSV engine), `parquet`, `kernel` (a batch's labels and contexts), and the
vectorised route's stages `explode` (split), `pieces` (resolve each distinct piece once) and
`vectorised` (score), with `strings` (byte tests on Arrow strings).
"""

from __future__ import annotations

from .contexts import ContextSpec, context_spec
from .files import BulkSummary, format_of, score_file
from .iterables import score_frame, score_labels, score_rows
from .output import AtomicOutput, AtomicPath, ErrorSink, atomic_path
from .progress import ProgressBar
from .rows import (
    CHUNK_SIZE,
    COLUMN_USED,
    COLUMNS,
    CONTEXT_USED,
    NUMBER_COLUMNS,
    PROFILE_COLUMNS,
    UNKNOWN,
    BulkInputError,
    Terminated,
    default_jobs,
    label_of,
    result_cells,
)

__all__ = [
    "CHUNK_SIZE",
    "COLUMN_USED",
    "COLUMNS",
    "CONTEXT_USED",
    "NUMBER_COLUMNS",
    "PROFILE_COLUMNS",
    "UNKNOWN",
    "AtomicOutput",
    "AtomicPath",
    "BulkInputError",
    "BulkSummary",
    "ContextSpec",
    "ErrorSink",
    "ProgressBar",
    "Terminated",
    "atomic_path",
    "context_spec",
    "default_jobs",
    "format_of",
    "label_of",
    "result_cells",
    "score_file",
    "score_frame",
    "score_labels",
    "score_rows",
]
