"""`serve`: the HTTP API and the web page (FastAPI + uvicorn, the serve extra)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .common import UserError, make_scanner, scanner_options


_SERVE_PACKAGES = {"fastapi", "uvicorn", "starlette", "anyio"}


@click.command()
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
        from ..serve.server import AddressError, check_address, run
    except ImportError as exc:
        if (exc.name or "").split(".")[0] in _SERVE_PACKAGES:
            raise UserError(f"serve needs FastAPI and uvicorn ({exc.name} is not installed): "
                            "pip install 'milia-scan[serve]'") from None
        raise
    if print_openapi:
        from ..serve import create_app

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
