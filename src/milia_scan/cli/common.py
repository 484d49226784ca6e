"""What every command shares: one-line user errors, the scanner options, reading a label."""

from __future__ import annotations

import importlib.abc
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

CONTEXT_HELP = "How the product is used: rinse-off < leave-on < eye-area (thin skin)."
F = TypeVar("F", bound=Callable[..., Any])


class UserError(click.ClickException):
    """A mistake in the user's input: one line on stderr, exit code 2."""

    exit_code = 2


class Cli(click.Group):
    """A group whose errors are one line on stderr, never a traceback."""

    def main(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs["standalone_mode"] = False
        try:
            rv = super().main(*args, **kwargs)
        except click.exceptions.Abort:
            fail("interrupted", 130)
        except click.UsageError as exc:
            hint = f" (try '{exc.ctx.command_path} --help')" if exc.ctx else ""
            fail(exc.format_message() + hint, 2)
        except click.ClickException as exc:
            fail(exc.format_message(), exc.exit_code)
        except BrokenPipeError:
            sys.stderr.close()  # `milia-scan lexicon | head`: the reader left, nothing to report
            sys.exit(1)
        except KeyboardInterrupt:
            fail("interrupted", 130)
        sys.exit(rv if isinstance(rv, int) else 0)


#: True in the command's own process (the console script), False when called in-process.
OWN_PROCESS = False


class _NoPandas(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name.partition(".")[0] == "pandas":
            raise ModuleNotFoundError(f"{name} is not used by this command", name=name)


def tune_for_bulk() -> None:
    """The command's own process, tuned for the CSV, JSON Lines and Parquet engines (never in a
    library caller's process, which may use pandas or Arrow its own way):

    - pyarrow imports pandas on its first `pa.array` call, to ask whether the input is a pandas
      object: 0.15 s and ~40 MB in each process (measured), which these engines never use. When
      nothing has imported it, `import pandas` raises ImportError, which pyarrow takes as "not
      installed". (A None in sys.modules would not do: Cython's import returns it.)
    - Arrow's default allocator (mimalloc) keeps the pages it frees: a Parquet run on 200,000
      rows peaked at 381 MB with it, 308 MB with the system allocator, at the same speed (set
      through Arrow's environment variable, before pyarrow is imported; a user's setting wins).
    """
    if not OWN_PROCESS:
        return
    if "pandas" not in sys.modules:
        sys.meta_path.insert(0, _NoPandas())
    if "pyarrow" not in sys.modules:  # read when pyarrow is imported: for every pool it makes
        os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")


def fail(message: str, code: int) -> NoReturn:
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
    from ..lexicon import LexiconError
    from ..scanner import Scanner, default_scanner

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
