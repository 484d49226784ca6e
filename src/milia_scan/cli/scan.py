"""`scan`, `explain` and `lexicon`: one label, one ingredient, the whole lexicon."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .common import CONTEXT_HELP, make_scanner, read_text_input, scanner_options


@click.command()
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
        from ..render import render_inspection

        inspection = scanner.inspect(text)
        click.echo(inspection.model_dump_json(indent=2) if as_json else render_inspection(inspection))
        return
    report = scanner.scan(text, context=context)
    if as_json:
        click.echo(report.model_dump_json(indent=2))
    else:
        from ..render import render_report

        click.echo(render_report(report))


@click.command()
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
        from ..render import render_entry

        click.echo(render_entry(entry, scanner.lexicon))


@click.group(invoke_without_command=True)
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
        from ..render import render_lexicon

        click.echo(render_lexicon(lex))


@lexicon.command("check")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path), required=False)
def lexicon_check(path: Path | None) -> None:
    """Validate a lexicon directory (default: the bundled one): schema, sources, unique names."""
    from ..lexicon import LexiconError, load_lexicon

    try:
        lex = load_lexicon(path)
    except LexiconError as exc:
        raise click.ClickException(str(exc)) from None
    names = sum(len(e.names) for e in lex.entries.values())
    click.echo(f"ok: {len(lex.entries)} entries, {names} names, {len(lex.sources)} sources, "
               f"{len(list(lex.lookalike_names()))} look-alike names ({lex.path})")
