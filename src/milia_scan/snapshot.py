"""A loaded lexicon kept on disk between runs: a short-lived process (the CLI) then reads it back
in ~3 ms instead of parsing and validating the TOML files (~40 ms of a ~0.2 s one-shot scan).

A snapshot is a pickle of the validated `Lexicon`, named by a digest of everything it was built
from: the lexicon directory's path, each of its files' name and bytes, and the versions of this
package, Python, pydantic and pydantic-core. Any change gives another name, so a snapshot is
never stale. One that cannot be read back (corrupt, or from a pickle this Python cannot load)
is ignored and written again; a directory that cannot be written is ignored. A pickle runs code
when loaded: the directory must be the user's own, as the default is.

Off unless a process asks for it (`lexicon.keep_snapshots`): the command line does, a library
caller's process never writes files it did not ask for.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

#: The environment variable naming the directory; set and empty, no snapshots are kept.
ENV = "MILIA_SCAN_CACHE_DIR"
#: Snapshots kept at most (the newest): each edit of a lexicon leaves one behind.
KEEP = 8


def default_dir() -> Path | None:
    """`$MILIA_SCAN_CACHE_DIR` (empty: None), else `$XDG_CACHE_HOME/milia-scan`, else
    `~/.cache/milia-scan` (on Windows `%LOCALAPPDATA%\\milia-scan`); None without a home."""
    chosen = os.environ.get(ENV)
    if chosen is not None:
        return Path(chosen) if chosen else None
    base = os.environ.get("XDG_CACHE_HOME") or (os.environ.get("LOCALAPPDATA") if os.name == "nt" else None)
    if base:
        return Path(base) / "milia-scan"
    try:
        return Path.home() / ".cache" / "milia-scan"
    except RuntimeError:  # no home directory
        return None


def digest(root: Path, files: Iterable[Path]) -> str:
    """The snapshot name for a lexicon built from `files` of the directory `root`."""
    import hashlib  # here and below: `import milia_scan` stays as light without snapshots

    import pydantic
    import pydantic_core

    from ._version import __version__

    h = hashlib.blake2b(digest_size=16)
    for part in (__version__, sys.version, pydantic.VERSION, pydantic_core.__version__, str(root)):
        h.update(part.encode() + b"\0")
    for path in files:
        data = path.read_bytes()
        h.update(f"{path.name}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def read(directory: Path, key: str) -> Any | None:
    """The object kept under `key`, or None when there is none or it cannot be read back."""
    import pickle

    try:
        with open(directory / f"lexicon-{key}.pickle", "rb") as fh:
            return pickle.load(fh)
    except Exception:  # missing, truncated, or from another pickle format: build it again
        return None


def write(directory: Path, key: str, value: Any) -> None:
    """Keep `value` under `key`, atomically (a reader never sees half a file), and the `KEEP`
    newest snapshots only; any OSError (a read-only or full disk, no permission) is ignored."""
    import pickle
    import tempfile

    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".lexicon-", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, directory / f"lexicon-{key}.pickle")
        except BaseException:
            os.unlink(tmp)
            raise
        kept = sorted(directory.glob("lexicon-*.pickle"), key=_modified, reverse=True)
        for old in kept[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # removed meanwhile by another process
        return 0.0
