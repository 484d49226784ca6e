"""Shared fixtures. Reference data lives beside the project in ../shared/data (never copied in);
tests that need it skip cleanly when it is absent."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings

import milia_scan
from milia_scan.cli import cli

# No deadline: timing is measured in benchmarks/, never in tests. HYPOTHESIS_PROFILE=stress digs deeper.
settings.register_profile("default", max_examples=200, deadline=None)
settings.register_profile("stress", max_examples=5000, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"

# The command's own processes keep lexicon snapshots (`snapshot.py`): in a directory of this run,
# never in the home directory of whoever runs the tests.
if "MILIA_SCAN_CACHE_DIR" not in os.environ:
    import atexit
    import shutil
    import tempfile

    os.environ["MILIA_SCAN_CACHE_DIR"] = tempfile.mkdtemp(prefix="milia-scan-test-snapshots-")
    atexit.register(shutil.rmtree, os.environ["MILIA_SCAN_CACHE_DIR"], True)


def load_benchmark(name: str) -> ModuleType:
    """A script of benchmarks/ as a module (once; the folder on sys.path for its own imports)."""
    if name in sys.modules:
        return sys.modules[name]
    path = ROOT / "benchmarks" / f"{name}.py"
    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def shared_file(relative: str) -> Path:
    """A file of ../shared/data, or skip the test when it is not there."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"reference data not present: {path}")
    return path


@pytest.fixture(scope="session")
def scanner() -> milia_scan.Scanner:
    return milia_scan.default_scanner()


def ids(hits) -> list[str]:
    return [h.id for h in hits]


@pytest.fixture
def run():
    """Invoke the CLI in-process: run("scan", "--json", label, input=...)."""
    runner = CliRunner()

    def invoke(*args: str, input: str | bytes | None = None):
        return runner.invoke(cli, list(args), input=input)

    return invoke
