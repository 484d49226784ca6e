"""The differential check of the two CSV engines: every `score_file` call the bulk tests make
(directly or through the CLI) also runs the row engine (the reference) and the columnar engine,
the latter with its default blocks and with tiny ones (many blocks, through the worker pool, the
row engine taking over mid-file), and asserts the same output bytes, the same errors file, the
same bad rows and counts, or the same error."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest

from milia_scan import bulk
from milia_scan.bulk import columnar, files

TINY_BLOCK = 64


def _read(path: Path) -> bytes | None:
    if not path.exists():
        return None
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def _run(real: Any, input: Any, out: Path, kw: dict[str, Any]) -> tuple[Any, ...]:
    bad: list[tuple[int, str, str]] = []
    kw = {**kw, "progress": False, "on_error": lambda *e: bad.append(e)}
    if kw.get("errors") is not None:
        kw["errors"] = out.with_name(out.name + ".errors.csv")
    try:
        s = real(input, out, **kw)
    except Exception as exc:  # noqa: BLE001 - the same error from both engines
        return ("raised", type(exc), str(exc).replace(str(out), "OUT"))
    counts = (s.rows, s.scored, s.empty, s.errors)
    errors_file = _read(Path(kw["errors"])) if kw.get("errors") is not None else None
    return counts, _read(out), errors_file, [tuple(e) for e in bad]


@pytest.fixture(autouse=True)
def engines_agree(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch,
                  tmp_path_factory: pytest.TempPathFactory):
    if not columnar.available():
        yield
        return
    real = files.score_file

    def both(input: Any, output: Any, **kw: Any) -> Any:
        if kw.get("engine") is None and str(input) != "-" and str(output) != "-":
            side = tmp_path_factory.mktemp("engines")
            name = Path(str(output)).name
            ref = _run(real, input, side / f"local-{name}", {**kw, "engine": "local"})
            big = Path(str(input)).exists() and Path(str(input)).stat().st_size > 1 << 20
            sizes = [None] if big else [None, TINY_BLOCK]
            for block in sizes:
                got = _run(real, input, side / f"columnar-{block}-{name}",
                           {**kw, "engine": "columnar", "block_bytes": block})
                assert got == ref, f"columnar (blocks of {block or 'default'} bytes) differs from the row engine"
        return real(input, output, **kw)

    monkeypatch.setattr(bulk, "score_file", both)
    if getattr(request.module, "score_file", None) is real:
        monkeypatch.setattr(request.module, "score_file", both)
    yield
