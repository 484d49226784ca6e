"""Run the service with uvicorn: one process, or N worker processes sharing the port."""

from __future__ import annotations

import errno
import json
import os
import socket
from collections.abc import Sequence
from pathlib import Path

from ..scanner import Scanner
from .app import ENV_CONFIG, create_app


class AddressError(ValueError):
    """The host and port cannot be listened on; the message says why in one line."""


def check_address(host: str, port: int) -> None:
    """Bind and release HOST:PORT once, as uvicorn will, so that a port in use is one clear error
    rather than a log dump."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET  # uvicorn's choice
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            sock.bind((host, port))
        except socket.gaierror as exc:
            raise AddressError(f"cannot listen on host {host!r}: {exc.strerror}") from None
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise AddressError(f"port {port} on {host} is in use: stop what runs there, or pick another "
                                   "--port") from None
            if exc.errno == errno.EACCES:
                raise AddressError(f"no permission to listen on port {port} (ports below 1024 need root): "
                                   "pick another --port") from None
            raise AddressError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def run(*, host: str = "127.0.0.1", port: int = 8000, workers: int = 1, cors_origins: Sequence[str] = (),
        lexicon: Path | None = None, vocabulary: Path | None = None, scanner: Scanner | None = None,
        access_log: bool = True) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM stop it gracefully).

    With one worker the app is built here around `scanner` (or a new one from `lexicon` and
    `vocabulary`); with several, each worker process builds its own from the same settings.
    """
    import uvicorn

    options = {"host": host, "port": port, "access_log": access_log, "log_level": "info",
               "timeout_graceful_shutdown": 10}
    if workers <= 1:
        if scanner is None and (lexicon or vocabulary):
            scanner = Scanner(lexicon, vocabulary=vocabulary)
        uvicorn.run(create_app(scanner, cors_origins=cors_origins), **options)  # type: ignore[arg-type]
        return
    os.environ[ENV_CONFIG] = json.dumps({
        "lexicon": str(lexicon) if lexicon else None, "vocabulary": str(vocabulary) if vocabulary else None,
        "cors_origins": list(cors_origins),
    })
    uvicorn.run("milia_scan.serve.app:app_from_env", factory=True, workers=workers, **options)  # type: ignore[arg-type]
