"""The command line, through click's runner and through a real subprocess of the entry point."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from milia_scan import __version__

LABEL = "Aqua, Paraffinum Liquidum, Cera Microcristallina, Glycerin, Salicylic Acid, Xyzzy Extract"


def test_scan_text_report(run) -> None:
    r = run("scan", LABEL)
    assert r.exit_code == 0, r.output
    out = r.output
    assert "Score" in out and "(high" in out
    assert "Paraffinum Liquidum -> Paraffinum Liquidum [mineral-oil]" in out or "[mineral-oil]" in out
    assert "acne-org-bad-list" in out  # the rating's source is shown
    assert "Helpful actives" in out and "[salicylic-acid]" in out
    assert "Xyzzy Extract" in out  # not recognised, listed
    assert out.count("Not medical advice") == 1


def test_scan_text_shows_both_axes_first(run) -> None:
    lines = run("scan", "Aqua, Petrolatum 30%, Isopropyl Myristate, Glycerin").output.splitlines()
    assert lines[0].startswith("Milia (heavy occlusive film):") and "petrolatum" in lines[0]
    assert lines[1].startswith("Pore-clogging (comedogenic ratings):") and lines[1].endswith("isopropyl-myristate")
    assert lines[2].startswith("Score ")
    out = "\n".join(lines)
    assert "[petrolatum]  +" in out and "(milia)" in out and "(pore-clogging)" in out
    assert "30% declared (its amount, instead of its place)" in out
    kit = run("scan", "Cleanser: Aqua, Isopropyl Myristate. Night cream: Aqua, Petrolatum").output
    assert "milia 0 low, pore-clogging" in kit and "(pore-clogging; part 1)" in kit


def test_scan_json(run) -> None:
    r = run("scan", "--json", LABEL)
    data = json.loads(r.output)
    assert data["band"] == "high" and [h["id"] for h in data["hits"]] == ["mineral-oil", "microcrystalline-wax"]
    assert data["hits"][0]["text"] == "Paraffinum Liquidum"
    assert data["milia"]["hits"] == ["mineral-oil", "microcrystalline-wax"] and data["milia"]["band"] == "high"
    assert data["pore_clogging"]["hits"] == ["microcrystalline-wax"]
    assert data["hits"][1]["axes"] == ["milia", "pore_clogging"]
    assert data["parts"][0]["milia"] == data["milia"]


def test_scan_reads_stdin(run) -> None:
    for args in (("scan",), ("scan", "-")):
        r = run(*args, input="Ingredients:\nAqua,\nPetrolatum\n")
        assert r.exit_code == 0 and "[petrolatum]" in r.output


def test_context_option(run) -> None:
    scores = [json.loads(run("scan", "--json", "--context", c, LABEL).output)["score"]
              for c in ("rinse-off", "leave-on", "eye-area")]
    assert scores == sorted(scores) and scores[0] < scores[2]


def test_lexicon_and_explain(run) -> None:
    r = run("lexicon")
    assert r.exit_code == 0 and "petrolatum" in r.output
    entries = json.loads(run("lexicon", "--json").output)
    assert {"petrolatum", "mineral-oil", "retinol"} <= {e["id"] for e in entries}
    r = run("explain", "Paraffinum Liquidum")
    assert r.exit_code == 0 and "[mineral-oil]" in r.output and "Sources:" in r.output
    assert json.loads(run("explain", "--json", "ipm").output)["id"] == "isopropyl-myristate"
    assert run("lexicon", "check").output.startswith("ok:")


@pytest.mark.parametrize("args,input,message", [
    (("scan", "--bogus"), None, "No such option"),
    (("scan", "--context", "face", "x"), None, "--context"),
    (("scan",), b"\x00\x01\x02binary", "binary"),
    (("scan",), b"Aqua, \xff\xfe Petrolatum", "not UTF-8"),
    (("scan", "--lexicon", "/nonexistent/lexicon", "x"), None, "lexicon directory not found"),
    (("nosuchcommand",), None, "No such command"),
])
def test_user_mistakes_are_one_line_exit_2(run, args, input, message) -> None:
    r = run(*args, input=input)
    assert r.exit_code == 2, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("milia-scan: error:") and message in lines[0]
    assert "Traceback" not in r.output


def test_explain_unknown_is_an_error(run) -> None:
    r = run("explain", "unobtainium")
    assert r.exit_code == 1 and "not in the lexicon" in r.output


def test_broken_lexicon_names_file_and_entry(run, tmp_path: Path) -> None:
    from milia_scan.lexicon import default_lexicon_path

    lex = tmp_path / "lex"
    shutil.copytree(default_lexicon_path(), lex)
    victim = sorted(p for p in lex.glob("*.toml") if p.name not in ("sources.toml", "lookalikes.toml"))[0]
    victim.write_text(victim.read_text(encoding="utf-8") + '\n[[entry]]\nid = "Bad Id"\ninci = "X"\n', encoding="utf-8")
    r = run("lexicon", "check", str(lex))
    assert r.exit_code == 1 and victim.name in r.output and "'Bad Id'" in r.output


# ------------------------------------------------------------------ the installed entry point


def _entry_point() -> str:
    exe = Path(sys.executable).with_name("milia-scan")
    if not exe.exists():
        pytest.skip("milia-scan console script is not installed in this environment")
    return str(exe)


def test_subprocess_entry_point(tmp_path: Path) -> None:
    exe = _entry_point()
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    out = subprocess.run([exe, "--version"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert out.returncode == 0 and __version__ in out.stdout
    out = subprocess.run([exe, "scan", "--json"], input="Petrolatum 41%, Mineral Oil, Lanolin",
                         capture_output=True, text=True, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["band"] == "high"
    bad = subprocess.run([exe, "scan"], input=b"\x00\xff", capture_output=True, env=env, cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.decode().count("\n") == 1 and b"Traceback" not in bad.stderr
    assert "Examples" in subprocess.run([exe, "--help"], capture_output=True, text=True, cwd=tmp_path).stdout


def test_subprocess_bulk_is_the_library_without_pandas(tmp_path: Path) -> None:
    """`milia-scan bulk` in its own process hides pandas from pyarrow and uses the system allocator
    for Arrow (`cli.common.tune_for_bulk`):
    every engine that runs then writes what the library writes in this process, a Parquet file
    written by pandas (its index in the metadata) included, with one worker and two."""
    pytest.importorskip("pyarrow")
    pd = pytest.importorskip("pandas")
    import pyarrow.parquet as pq

    from milia_scan.bulk import score_file

    exe = _entry_point()
    labels = [LABEL, "Petrolatum 41%, Mineral Oil, Lanolin", None, "Aqua; Retinyl Palmitate, Isopropyl Myristate"] * 50
    frame = pd.DataFrame({"name": [f"p{i}" for i in range(len(labels))], "ingredients": labels},
                         index=range(7, 7 + len(labels)))
    frame.to_parquet(tmp_path / "in.parquet")
    frame.to_csv(tmp_path / "in.csv", index=False)
    frame.to_json(tmp_path / "in.jsonl", orient="records", lines=True)
    for name in ("in.csv", "in.jsonl", "in.parquet"):
        suffix = Path(name).suffix
        score_file(tmp_path / name, tmp_path / f"lib{suffix}")
        for jobs in ("1", "2"):
            out = tmp_path / f"cli{jobs}{suffix}"
            r = subprocess.run([exe, "bulk", name, "-o", out.name, "--jobs", jobs, "--no-progress"],
                               capture_output=True, text=True, cwd=tmp_path)
            assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
            if suffix == ".parquet":
                assert pq.read_table(out).equals(pq.read_table(tmp_path / "lib.parquet")), jobs
            else:
                assert out.read_bytes() == (tmp_path / f"lib{suffix}").read_bytes(), (name, jobs)
