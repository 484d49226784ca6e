"""`bulk`: score every row of a product database (the work is `milia_scan.bulk`'s)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ..context import NAME_COLUMNS
from .common import CONTEXT_HELP, UserError, fail, make_scanner, scanner_options, tune_for_bulk


@click.command()
@click.argument("input_path", metavar="INPUT")
@click.option("-o", "--output", required=True, metavar="OUTPUT",
              help="Where to write (same format as INPUT; '-' for stdout; '.gz' compresses). "
                   "With --engine dask: a file, or a directory of partitions if it ends with '/'.")
@click.option("--column", default=None, metavar="NAME[,NAME...]",
              help="The column (JSON key) holding the label. A list means the first non-empty one, and "
                   "adds milia_column saying which. Default: ingredients; for an Open Beauty Facts "
                   "export without it, ingredients_text (else its ingredients_text_XX columns, as a list).")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "parquet"]), default=None,
              help="INPUT's format (default: from its name, .jsonl/.ndjson are JSON Lines, .parquet/.pq "
                   "Parquet, written as Parquet; csv for stdin).")
@click.option("--delimiter", default=None, help="CSV delimiter (default: sniffed among , ; tab |). 'tab' or '\\t' for tab.")
@click.option("--quoting", type=click.Choice(["none", "minimal"]), default=None,
              help="CSV quoting. minimal: \"quoted\" fields, quotes written only where needed. none: a quote "
                   "is text, nothing is quoted, cells come back byte for byte. Default: none for an "
                   "Open Beauty Facts export, minimal otherwise.")
@click.option("--encoding", default="utf-8", show_default=True, help="INPUT's encoding (a UTF-8 BOM is always fine).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: all cores). Rows are still written in input order.")
@click.option("--context", type=click.Choice(["leave-on", "rinse-off", "eye-area", "auto"]), default=None,
              help=f"{CONTEXT_HELP} One for every row (default: leave-on), or auto: each row's from its "
                   "product name or category (--name-column), e.g. 'Foaming Cleanser' is rinse-off.")
@click.option("--context-column", default=None, metavar="NAME",
              help="Each row's context from this column: leave-on, rinse-off or eye-area (any case). "
                   "Any other value, empty included, makes the row a bad row (--errors), never a guess.")
@click.option("--name-column", default=None, metavar="NAME",
              help="With --context auto: the column holding the product name or category. Default: the "
                   f"first of {', '.join(NAME_COLUMNS)} in the header.")
@click.option("--profiles", is_flag=True, default=False,
              help="Add milia_fungal and milia_allergens, last: each condition profile's verdict (as "
                   "'milia-scan scan' prints it). flag: a fungal-acne trigger / an EU-listed fragrance "
                   "allergen is named. clear: every ingredient was understood and none is. cannot tell: "
                   "some ingredient was not understood (allergens: or parfum/fragrance is listed, which may "
                   "hide allergens below the labelling threshold); it is NOT clear. Empty for an empty label. "
                   "Slower on labels never seen before (see docs/profiles.md); without it the output is as before.")
@click.option("--errors", "errors_path", default=None, metavar="ERRORS.csv",
              help="Write rows that cannot be parsed here (line, reason, record). Default: stderr.")
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr (default: when it is a terminal).")
@click.option("--engine", type=click.Choice(["columnar", "local", "dask"]), default=None,
              help="columnar (default when pyarrow is installed: pip install 'milia-scan[bulk]'): CSV read "
                   "in blocks with Arrow, each distinct label of a block scored once; local: the row engine "
                   "(default without pyarrow); both write the same bytes. dask: on a Dask cluster "
                   "(pip install 'milia-scan[dask]').")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="With --engine dask: the scheduler, e.g. tcp://10.0.0.5:8786 (default: a LocalCluster).")
@scanner_options
def bulk(input_path: str, output: str, column: str | None, fmt: str | None, delimiter: str | None,
         quoting: str | None, encoding: str, jobs: int | None, context: str | None, context_column: str | None,
         name_column: str | None, errors_path: str | None, progress: bool | None, engine: str | None,
         scheduler: str | None, profiles: bool, lexicon_dir: Path | None, vocabulary: Path | None) -> None:
    """Score every row of a product database: INPUT is CSV, JSON Lines or Parquet ('-' for stdin, gzip
    read transparently), one ingredient list per row in --column.

    The output keeps every input row and column, in input order, and adds milia_score,
    milia_band, milia_hits and milia_helpful (ids joined with ';'), the two axes
    milia_occlusion and milia_comedogenic (0-100), and milia_context, the context the row was
    scored in. An empty label gets empty scores and band 'unknown'. A row that cannot be parsed,
    or whose --context-column value is not a context, goes to --errors with its line number
    instead. The output appears only when complete. A summary goes to stderr.

    --profiles adds two more columns, after all of these (milia_column included): milia_fungal
    (fungal acne) and milia_allergens (EU fragrance allergens), each 'flag', 'clear' or 'cannot
    tell', the verdict 'milia-scan scan' shows; empty for an empty label. 'cannot tell' means
    part of the label was not understood: it is not 'clear'. They never change the score.

    The context (rinse-off 0.35 x, leave-on 1 x, eye-area 1.3 x) is one for all rows with
    --context, each row's own with --context-column, or read from each row's product name with
    --context auto: cleansers, washes, shower gels, shampoos, scrubs, micellar waters and
    wash-off masks are rinse-off; eye creams, eye serums and under-eye products eye-area;
    anything else, an empty name included, leave-on (the table: docs/scoring.md, section 3).

    Open Beauty Facts exports are recognised by their header (tab-separated, first column
    'code', an ingredients_text or ingredients_text_XX column) and read as published: tabs,
    no quoting (a '"' in a field is text), label in ingredients_text. The output is the same
    format, so every input cell comes back byte for byte. --delimiter, --quoting or --column
    override what is detected.

    \b
    Examples:
      milia-scan bulk products.csv -o scored.csv
      milia-scan bulk en.openbeautyfacts.org.products.csv -o scored.csv
      milia-scan bulk products.jsonl.gz -o scored.jsonl --jobs 4 --errors bad-rows.csv
      milia-scan bulk products.parquet -o scored.parquet
      milia-scan bulk catalogue.csv -o scored.csv --context auto                # from its name column
      milia-scan bulk catalogue.csv -o scored.csv --context auto --name-column title
      milia-scan bulk catalogue.csv -o scored.csv --context-column usage --errors bad-rows.csv
      milia-scan bulk obf.jsonl -o scored.jsonl --column ingredients_text_en,ingredients_text
      milia-scan bulk catalogue.csv -o scored.csv --profiles         # + milia_fungal, milia_allergens
      zcat dump.csv.gz | milia-scan bulk - -o - --delimiter ';' > scored.csv
      milia-scan bulk big.csv -o scored/ --engine dask --scheduler tcp://10.0.0.5:8786
    """
    import signal

    from .. import bulk as bulk_mod

    if delimiter is not None:
        delimiter = "\t" if delimiter in ("tab", "\\t") else delimiter
        if len(delimiter) != 1:
            raise UserError(f"--delimiter must be one character, not {delimiter!r}")
    if scheduler is not None and engine != "dask":
        raise UserError("--scheduler needs --engine dask")
    if errors_path is not None and engine == "dask":
        raise UserError("--errors is for the local engine: the dask engine stops at the first malformed row")
    if context_column is not None and context is not None:
        raise UserError("give --context or --context-column, not both (the column gives each row's context)")
    if name_column is not None and context != "auto":
        raise UserError("--name-column is for --context auto")
    names = None if column is None else [c.strip() for c in column.split(",")]
    if names is not None and not all(names):
        raise UserError(f"--column has an empty name: {column!r}")
    if engine == "dask" and (quoting is not None or (names is not None and len(names) > 1)):
        raise UserError("--quoting and a --column list are for the local engine")
    scanner = make_scanner(lexicon_dir, vocabulary)
    show = sys.stderr.isatty() if progress is None else progress

    def on_term(signum: int, frame: Any) -> None:
        raise bulk_mod.Terminated()

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        if engine == "dask":
            try:
                from .. import dask as dask_mod
            except ImportError as exc:
                raise UserError(f"--engine dask needs dask: pip install 'milia-scan[dask]' ({exc})") from None

            summary = dask_mod.score_file(input_path, output, column=(names or ["ingredients"])[0], format=fmt,
                                          context=context or "leave-on", context_column=context_column,
                                          name_column=name_column, delimiter=delimiter, encoding=encoding, scanner=scanner,
                                          scheduler=scheduler, workers=jobs, profiles=profiles)
        else:
            tune_for_bulk()  # before pyarrow's first pa.array, in this process and the workers it forks
            with bulk_mod.ProgressBar(force=progress is True) as bar:
                summary = bulk_mod.score_file(input_path, output, column=names, format=fmt,
                                              context=context or "leave-on", context_column=context_column,
                                              name_column=name_column, jobs=jobs, errors=errors_path, delimiter=delimiter,
                                              quoting=quoting, encoding=encoding, scanner=scanner,
                                              progress=bar if show else False,
                                              on_error=None if errors_path else _bad_row, engine=engine,
                                              profiles=profiles)
    except (bulk_mod.BulkInputError, ValueError) as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        fail(f"interrupted: no output written ({output} unchanged)", 130)
    except bulk_mod.Terminated:
        fail(f"terminated: no output written ({output} unchanged)", 143)
    finally:
        signal.signal(signal.SIGTERM, previous)
    click.echo(f"milia-scan: {summary}", err=True)


def _bad_row(line: int, reason: str, record: str) -> None:
    """A row `bulk` cannot parse, without --errors: one line on stderr, the record included."""
    click.echo(f"milia-scan: line {line}: {reason}: {record!r}", err=True)
