"""The wheel ships the lexicon: built and installed in a clean target, it scans from any directory."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    pytest.importorskip("hatchling")
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(out), str(ROOT)], check=True, capture_output=True)
    return next(out.glob("milia_scan-*.whl"))


def test_wheel_contains_package_data(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "milia_scan/py.typed" in names
    assert "milia_scan/bulk/__init__.py" in names and "milia_scan/bulk/columnar.py" in names
    assert "milia_scan/lexicon/sources.toml" in names and "milia_scan/lexicon/lookalikes.toml" in names
    assert sum(n.startswith("milia_scan/lexicon/") and n.endswith(".toml") for n in names) >= 5


def test_wheel_contains_the_page(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for name in ("index.html", "page.js", "profiles.js", "label.js", "app.js", "app.css", "docs.html", "docs.js",
                 "docs.css"):
        assert f"milia_scan/serve/static/{name}" in names, name


def test_installed_wheel_scans_from_another_directory(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # The installed copy comes first on the path; dependencies come from this environment.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), *sys.path[1:]])}
    code = ("import milia_scan; r = milia_scan.scan('Petrolatum, Aqua'); "
            "print(milia_scan.__file__); print(r.hits[0].id, milia_scan.load_lexicon().path)")
    out = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    module_file, line = out.stdout.splitlines()
    assert module_file.startswith(str(target))
    hit, lexicon_path = line.split(" ", 1)
    assert hit == "petrolatum" and lexicon_path.startswith(str(target))
