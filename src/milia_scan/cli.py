"""The `milia-scan` command line: scan a label, browse the lexicon, explain an ingredient.

I/O lives here; the work is done by the public API (`Scanner`).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from ._version import __version__
from .context import NAME_COLUMNS

CONTEXT_HELP = "How the product is used: rinse-off < leave-on < eye-area (thin skin)."
F = TypeVar("F", bound=Callable[..., Any])


class UserError(click.ClickException):
    """A mistake in the user's input: one line on stderr, exit code 2."""

    exit_code = 2


class _Cli(click.Group):
    """A group whose errors are one line on stderr, never a traceback."""

    def main(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs["standalone_mode"] = False
        try:
            rv = super().main(*args, **kwargs)
        except click.exceptions.Abort:
            _fail("interrupted", 130)
        except click.UsageError as exc:
            hint = f" (try '{exc.ctx.command_path} --help')" if exc.ctx else ""
            _fail(exc.format_message() + hint, 2)
        except click.ClickException as exc:
            _fail(exc.format_message(), exc.exit_code)
        except BrokenPipeError:
            sys.stderr.close()  # `milia-scan lexicon | head`: the reader left, nothing to report
            sys.exit(1)
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        sys.exit(rv if isinstance(rv, int) else 0)


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"milia-scan: error: {message}", err=True)
    sys.exit(code)


def scanner_options(f: F) -> F:
    """--lexicon and --vocabulary, shared by every command that builds a scanner."""
    f = click.option(
        "--vocabulary", type=click.Path(dir_okay=False, path_type=Path), default=None,
        help="A CSV of real INCI names (EU CosIng layout, column inci_name). Names in it are never "
             "fuzzy-matched to a different lexicon entry, which makes look-alike rejection stricter.",
    )(f)
    f = click.option(
        "--lexicon", "lexicon_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
        help="Use this lexicon directory instead of the bundled one.",
    )(f)
    return f


def make_scanner(lexicon_dir: Path | None, vocabulary: Path | None) -> Any:
    """Build a Scanner, turning bad lexicon or vocabulary files into one-line user errors."""
    from .lexicon import LexiconError
    from .scanner import Scanner, default_scanner

    try:
        if lexicon_dir is None and vocabulary is None:
            return default_scanner()
        return Scanner(lexicon_dir, vocabulary=vocabulary)
    except (LexiconError, ValueError) as exc:
        raise UserError(str(exc)) from None


def read_text_input(label: str | None) -> str:
    """The label from the argument, or from stdin for no argument or '-'."""
    if label is not None and label != "-":
        return label
    stream = sys.stdin.buffer
    if stream.isatty():
        click.echo("Paste the label, then press Ctrl-D:", err=True)
    data = stream.read()
    if b"\x00" in data:
        raise UserError("the input on stdin is binary, not text: pipe an ingredient label (UTF-8)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(f"the input on stdin is not UTF-8 text (bad byte at offset {exc.start})") from None


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="milia-scan")
def cli() -> None:
    """Read a cosmetic ingredient label (INCI list) and explain how likely it is to clog pores and
    trigger milia.

    \b
    Examples:
      milia-scan scan "Aqua, Paraffinum Liquidum, Cera Microcristallina, Glycerin"
      pbpaste | milia-scan scan --context eye-area
      milia-scan scan --json "Petrolatum, Lanolin" | jq .score
      milia-scan explain "isopropyl myristate"
      milia-scan lexicon

    Not medical advice: a screening aid based on published ingredient ratings.
    """


@cli.command()
@click.argument("label", required=False)
@click.option("--context", type=click.Choice(["leave-on", "rinse-off", "eye-area"]), default="leave-on",
              show_default=True, help=CONTEXT_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON (for apps and scripts).")
@click.option("--explain", is_flag=True,
              help="Show what happened to every token: its span, section, part and the rule that decided "
                   "its match (exact, fuzzy with its edits, vetoed by a look-alike, unknown, ...).")
@scanner_options
def scan(label: str | None, context: str, as_json: bool, explain: bool, lexicon_dir: Path | None,
         vocabulary: Path | None) -> None:
    """Scan one LABEL (the ingredient list as printed; quote it). With no LABEL, or '-', the label
    is read from stdin, so a pasted multi-line label works too.

    The score is 0-100 with a band (low / moderate / high). Each risk ingredient is shown as
    written on the label, with the lexicon entry it matched, its published ratings and sources,
    and its share of the score. Ingredients earlier in the list weigh more (INCI lists run in
    descending concentration). A kit (several products' lists under their own headings) is scored
    part by part; the label's score is the highest part's.

    \b
    Examples:
      milia-scan scan "Aqua, Paraffinum Liquidum, Cera Microcristallina, Glycerin"
      milia-scan scan --explain "Aqua, Petrolaturn, Laureth-7"   # why each token matched or not
      pbpaste | milia-scan scan --json
    """
    text = read_text_input(label)
    scanner = make_scanner(lexicon_dir, vocabulary)
    if explain:
        from .render import render_inspection

        inspection = scanner.inspect(text)
        click.echo(inspection.model_dump_json(indent=2) if as_json else render_inspection(inspection))
        return
    report = scanner.scan(text, context=context)
    if as_json:
        click.echo(report.model_dump_json(indent=2))
    else:
        from .render import render_report

        click.echo(render_report(report))


@cli.command()
@click.argument("id_or_name")
@click.option("--json", "as_json", is_flag=True, help="Print the entry as JSON.")
@scanner_options
def explain(id_or_name: str, as_json: bool, lexicon_dir: Path | None, vocabulary: Path | None) -> None:
    """Show what the lexicon knows about one ingredient: names, ratings with their sources,
    occlusion, and why it matters. ID_OR_NAME is an entry id (see `milia-scan lexicon`) or any
    name it goes by ("Paraffinum Liquidum", "IPM").
    """
    scanner = make_scanner(lexicon_dir, vocabulary)
    entry = scanner.explain(id_or_name)
    if entry is None:
        raise click.ClickException(f"{id_or_name!r} is not in the lexicon (list it with `milia-scan lexicon`)")
    if as_json:
        click.echo(entry.model_dump_json(indent=2, by_alias=True))
    else:
        from .render import render_entry

        click.echo(render_entry(entry, scanner.lexicon))


@cli.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print every entry as JSON.")
@click.option("--lexicon", "lexicon_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Use this lexicon directory instead of the bundled one.")
@click.pass_context
def lexicon(ctx: click.Context, as_json: bool, lexicon_dir: Path | None) -> None:
    """List the lexicon: every ingredient the scanner knows, with its role, occlusion and rating.
    `milia-scan lexicon check DIR` validates a lexicon directory.
    """
    if ctx.invoked_subcommand is not None:
        return
    lex = make_scanner(lexicon_dir, None).lexicon
    if as_json:
        click.echo(json.dumps([e.model_dump(mode="json", by_alias=True) for e in lex.entries.values()], indent=2))
    else:
        from .render import render_lexicon

        click.echo(render_lexicon(lex))


@lexicon.command("check")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path), required=False)
def lexicon_check(path: Path | None) -> None:
    """Validate a lexicon directory (default: the bundled one): schema, sources, unique names."""
    from .lexicon import LexiconError, load_lexicon

    try:
        lex = load_lexicon(path)
    except LexiconError as exc:
        raise click.ClickException(str(exc)) from None
    names = sum(len(e.names) for e in lex.entries.values())
    click.echo(f"ok: {len(lex.entries)} entries, {names} names, {len(lex.sources)} sources, "
               f"{len(list(lex.lookalike_names()))} look-alike names ({lex.path})")


@cli.command()
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
         scheduler: str | None, lexicon_dir: Path | None, vocabulary: Path | None) -> None:
    """Score every row of a product database: INPUT is CSV, JSON Lines or Parquet ('-' for stdin, gzip
    read transparently), one ingredient list per row in --column.

    The output keeps every input row and column, in input order, and adds milia_score,
    milia_band, milia_hits and milia_helpful (ids joined with ';'), the two axes
    milia_occlusion and milia_comedogenic (0-100), and milia_context, the context the row was
    scored in. An empty label gets empty scores and band 'unknown'. A row that cannot be parsed,
    or whose --context-column value is not a context, goes to --errors with its line number
    instead. The output appears only when complete. A summary goes to stderr.

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
      zcat dump.csv.gz | milia-scan bulk - -o - --delimiter ';' > scored.csv
      milia-scan bulk big.csv -o scored/ --engine dask --scheduler tcp://10.0.0.5:8786
    """
    import signal

    from . import bulk as bulk_mod

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
                from . import dask as dask_mod
            except ImportError as exc:
                raise UserError(f"--engine dask needs dask: pip install 'milia-scan[dask]' ({exc})") from None

            summary = dask_mod.score_file(input_path, output, column=(names or ["ingredients"])[0], format=fmt,
                                          context=context or "leave-on", context_column=context_column,
                                          name_column=name_column, delimiter=delimiter, encoding=encoding, scanner=scanner,
                                          scheduler=scheduler, workers=jobs)
        else:
            with bulk_mod.ProgressBar(force=progress is True) as bar:
                summary = bulk_mod.score_file(input_path, output, column=names, format=fmt,
                                              context=context or "leave-on", context_column=context_column,
                                              name_column=name_column, jobs=jobs, errors=errors_path, delimiter=delimiter,
                                              quoting=quoting, encoding=encoding, scanner=scanner,
                                              progress=bar if show else False,
                                              on_error=None if errors_path else _bad_row, engine=engine)
    except (bulk_mod.BulkInputError, ValueError) as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        _fail(f"interrupted: no output written ({output} unchanged)", 130)
    except bulk_mod.Terminated:
        _fail(f"terminated: no output written ({output} unchanged)", 143)
    finally:
        signal.signal(signal.SIGTERM, previous)
    click.echo(f"milia-scan: {summary}", err=True)


def _bad_row(line: int, reason: str, record: str) -> None:
    """A row `bulk` cannot parse, without --errors: one line on stderr, the record included."""
    click.echo(f"milia-scan: line {line}: {reason}: {record!r}", err=True)


_SERVE_PACKAGES = {"fastapi", "uvicorn", "starlette", "anyio"}


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on. 127.0.0.1: this machine only; 0.0.0.0: every interface.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="The TCP port.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes; each scans on one core and loads its own lexicon.")
@click.option("--cors-origin", "cors_origins", multiple=True, metavar="URL",
              help="A web origin whose pages may call the API from a browser (repeat for several), "
                   "e.g. https://shop.example. The page at / needs none.")
@click.option("--access-log/--no-access-log", default=True, show_default=True,
              help="Log one line per request (method, path, status; never a body, so never a label).")
@click.option("--openapi", "print_openapi", is_flag=True, help="Print the OpenAPI schema (JSON) and exit.")
@scanner_options
def serve(host: str, port: int, workers: int, cors_origins: tuple[str, ...], access_log: bool, print_openapi: bool,
          lexicon_dir: Path | None, vocabulary: Path | None) -> None:
    """Serve the HTTP API and the web page. Needs the serve extra: pip install 'milia-scan[serve]'.

    \b
    GET  /                 the page: paste a label, see it with every hit highlighted
    POST /v1/scan          {"label": "...", "context": "leave-on"}  -> the report (as scan --json)
    POST /v1/score         {"labels": ["...", ...]}  -> lean results in order (up to 1,000 labels)
    GET  /v1/lexicon       every entry and source;  GET /v1/lexicon/ID-OR-NAME: one (as explain --json)
    GET  /healthz          up;  GET /docs, /openapi.json: the API's description

    Errors are JSON: {"error": {"code": ..., "message": ..., "field": ...}}, 422 for a body the
    endpoint does not take, 413 for one over its cap (64 KB for /v1/scan, 2 MB for /v1/score,
    32,768 characters a label). Labels are sent in bodies and the page keeps a shared label in
    the link's #fragment, so no label reaches a log.

    \b
    Examples:
      milia-scan serve                                  # http://127.0.0.1:8000/
      milia-scan serve --port 9000 --workers 2
      milia-scan serve --host 0.0.0.0 --cors-origin https://shop.example
      curl -s localhost:8000/v1/scan -H 'Content-Type: application/json' \\
           -d '{"label": "Aqua, Petrolatum, Lanolin"}' | jq .score
      milia-scan serve --openapi > openapi.json
    """
    try:
        from .serve.server import AddressError, check_address, run
    except ImportError as exc:
        if (exc.name or "").split(".")[0] in _SERVE_PACKAGES:
            raise UserError(f"serve needs FastAPI and uvicorn ({exc.name} is not installed): "
                            "pip install 'milia-scan[serve]'") from None
        raise
    if print_openapi:
        from .serve import create_app

        click.echo(json.dumps(create_app(make_scanner(lexicon_dir, vocabulary)).openapi(), indent=2))
        return
    # One worker scans with this scanner; several build their own, so here it is only checked
    # (a broken lexicon is one line now, not a traceback per worker) and not kept.
    scanner = make_scanner(lexicon_dir, vocabulary) if workers == 1 or lexicon_dir or vocabulary else None
    if workers > 1:
        scanner = None
    try:
        check_address(host, port)
    except AddressError as exc:
        raise UserError(str(exc)) from None
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"milia-scan: serving on http://{shown}:{port}/ (the page; API under /v1, its description at /docs)"
               f"{'' if host in ('127.0.0.1', 'localhost', '::1') else '; open to the network'}. Ctrl-C stops.",
               err=True)
    run(host=host, port=port, workers=workers, cors_origins=cors_origins, lexicon=lexicon_dir,
        vocabulary=vocabulary, scanner=scanner, access_log=access_log)


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name="milia-scan")


if __name__ == "__main__":
    main()
