"""The `milia-scan` command line: scan a label, browse the lexicon, explain an ingredient, score
a product database, serve the API. One module per command family; I/O lives here, the work is
done by the public API (`Scanner`, `milia_scan.bulk`).
"""

from __future__ import annotations

import click

from .._version import __version__
from ..lexicon import keep_snapshots
from ..snapshot import default_dir
from .bulk import bulk
from . import common
from .common import Cli, UserError
from .scan import explain, lexicon, scan
from .serve import serve

__all__ = ["UserError", "cli", "main"]


@click.group(cls=Cli, context_settings={"help_option_names": ["-h", "--help"]})
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


for _command in (scan, explain, lexicon, bulk, serve):
    cli.add_command(_command)


def main() -> None:
    """Console-script entry point."""
    common.OWN_PROCESS = True
    keep_snapshots(default_dir())  # a one-shot scan reads the lexicon back in ~3 ms, not ~40 ms
    cli.main(prog_name="milia-scan")
