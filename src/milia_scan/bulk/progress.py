"""A progress bar for bulk runs, drawn with `click.progressbar` on stderr.

The library only calls `progress(rows, position, size)` after each chunk (`position` / `size`:
bytes of the input as stored, None when unknown, e.g. stdin); `ProgressBar` is one such callback.
"""

from __future__ import annotations

import itertools
import sys
from typing import Any

import click


class ProgressBar:
    """rows done, % and ETA of a file (rows alone for a stream), redrawn by click.

        with ProgressBar() as bar:
            score_file("in.csv", "out.csv", progress=bar)

    `force` draws even when stderr is not a terminal (click hides the bar there by default).
    """

    def __init__(self, force: bool = False) -> None:
        self.force = force
        self.rows = 0
        self._bar: Any = None
        self._at = 0

    def _open(self, size: int | None) -> Any:
        show = lambda _: f"{self.rows:,} rows"  # noqa: E731
        if size:
            bar = click.progressbar(length=size, file=sys.stderr, item_show_func=show, show_pos=False)
        else:
            bar = click.progressbar(itertools.count(), file=sys.stderr, item_show_func=show, show_pos=False)
        if self.force:
            bar._is_atty = True  # click draws only the label on a non-terminal
        bar.__enter__()
        return bar

    def __call__(self, rows: int, position: int | None, size: int | None) -> None:
        self.rows = rows
        if self._bar is None:
            self._bar = self._open(size if position is not None else None)
        at = position if position is not None and size else rows  # bytes of a file, else rows
        self._bar.update(max(at - self._at, 0), rows)
        self._at = max(at, self._at)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
