"""Lexicon snapshots (`snapshot.py`): a process that asks for them reads a loaded lexicon back
instead of parsing and validating the files again; any change to the files gives another
snapshot; a snapshot that cannot be read or written is ignored; a broken lexicon is never kept."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from milia_scan import lexicon, snapshot
from milia_scan.lexicon import LexiconError, default_lexicon_path, keep_snapshots, load_lexicon


@pytest.fixture
def kept(tmp_path: Path) -> Iterator[Path]:
    """Snapshots kept in a directory of this test; the in-process memo cleared around it."""
    where = tmp_path / "snapshots"
    lexicon._load.cache_clear()
    keep_snapshots(where)
    yield where
    keep_snapshots(None)
    lexicon._load.cache_clear()


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The lexicon directories read from their files (not from a snapshot)."""
    calls: list[Path] = []
    real = lexicon._read

    def spy(root: Path) -> lexicon.Lexicon:
        calls.append(root)
        return real(root)

    monkeypatch.setattr(lexicon, "_read", spy)
    return calls


def _copy(tmp_path: Path) -> Path:
    lex = tmp_path / "lex"
    shutil.copytree(default_lexicon_path(), lex)
    return lex


def test_a_second_process_reads_the_snapshot_back(kept: Path, reads: list[Path]) -> None:
    first = load_lexicon()
    assert len(reads) == 1 and len(list(kept.glob("lexicon-*.pickle"))) == 1
    lexicon._load.cache_clear()  # as a new process would start
    again = load_lexicon()
    assert len(reads) == 1, "read back, not parsed again"
    assert again is not first and again == first


def test_an_edited_file_gives_another_snapshot(kept: Path, reads: list[Path], tmp_path: Path) -> None:
    lex = _copy(tmp_path)
    before = load_lexicon(lex)
    sources = lex / "sources.toml"
    sources.write_text(sources.read_text(encoding="utf-8") + '\n[source.added-here]\ntitle = "A source added by a test"\n'
                       'kind = "list"\n', encoding="utf-8")
    lexicon._load.cache_clear()
    after = load_lexicon(lex)
    assert len(reads) == 2 and len(list(kept.glob("lexicon-*.pickle"))) == 2
    assert "added-here" in after.sources and "added-here" not in before.sources


def test_a_corrupt_snapshot_is_built_again(kept: Path, reads: list[Path]) -> None:
    good = load_lexicon()
    (path,) = kept.glob("lexicon-*.pickle")
    path.write_bytes(path.read_bytes()[:1000])  # cut short, as by a full disk
    lexicon._load.cache_clear()
    assert load_lexicon() == good and len(reads) == 2
    lexicon._load.cache_clear()
    assert load_lexicon() == good and len(reads) == 2, "written again, whole"


def test_a_directory_that_cannot_be_written_is_ignored(tmp_path: Path, reads: list[Path]) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    lexicon._load.cache_clear()
    keep_snapshots(blocked / "snapshots")
    try:
        assert load_lexicon().entries and len(reads) == 1
    finally:
        keep_snapshots(None)
        lexicon._load.cache_clear()


def test_a_broken_lexicon_is_never_kept(kept: Path, tmp_path: Path) -> None:
    lex = _copy(tmp_path)
    victim = sorted(p for p in lex.glob("*.toml") if p.name not in ("sources.toml", "lookalikes.toml"))[0]
    victim.write_text(victim.read_text(encoding="utf-8") + '\n[[entry]]\nid = "Bad Id"\ninci = "X"\n', encoding="utf-8")
    with pytest.raises(LexiconError, match="Bad Id"):
        load_lexicon(lex)
    assert not list(kept.glob("lexicon-*.pickle"))


def test_only_the_newest_snapshots_are_kept(tmp_path: Path) -> None:
    for i in range(snapshot.KEEP + 3):
        snapshot.write(tmp_path, f"k{i:02d}", {"n": i})
        os.utime(tmp_path / f"lexicon-k{i:02d}.pickle", (i, i))  # written in this order
    names = sorted(p.name for p in tmp_path.glob("lexicon-*.pickle"))
    assert names == [f"lexicon-k{i:02d}.pickle" for i in range(3, snapshot.KEEP + 3)]
    assert snapshot.read(tmp_path, f"k{snapshot.KEEP + 2:02d}") == {"n": snapshot.KEEP + 2}
    assert not list(tmp_path.glob(".lexicon-*")), "no temporary file left"


def test_where_snapshots_go(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(snapshot.ENV, str(tmp_path / "mine"))
    assert snapshot.default_dir() == tmp_path / "mine"
    monkeypatch.setenv(snapshot.ENV, "")
    assert snapshot.default_dir() is None, "set and empty: none kept"
    monkeypatch.delenv(snapshot.ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert snapshot.default_dir() == tmp_path / "xdg" / "milia-scan"


def test_the_command_keeps_one_and_a_library_process_none(tmp_path: Path) -> None:
    """The console script reads the lexicon back from a snapshot from its second run on; a
    library caller's process writes nothing."""
    exe = Path(sys.executable).with_name("milia-scan")
    if not exe.exists():
        pytest.skip("milia-scan console script is not installed in this environment")
    env = {**os.environ, snapshot.ENV: str(tmp_path / "cli")}
    runs = [subprocess.run([str(exe), "scan", "--json", "Petrolatum, Lanolin, Aqua"], capture_output=True, text=True,
                           env=env, check=True).stdout for _ in range(2)]
    assert runs[0] == runs[1] and '"petrolatum"' in runs[0]
    assert len(list((tmp_path / "cli").glob("lexicon-*.pickle"))) == 1
    env[snapshot.ENV] = str(tmp_path / "library")
    subprocess.run([sys.executable, "-c", "import milia_scan; milia_scan.scan('Petrolatum')"], env=env, check=True)
    assert not (tmp_path / "library").exists()
