"""benchmarks/scan_costs.py takes parts of scan()'s report away to time them: each variant must
take away what it says, and scan() must be as shipped again after it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from milia_scan import Report, Scanner

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "scan_costs.py"
LABEL = "Aqua, Petrolatum, Isopropyl Myristate, Parfum, Linalool, Glycerin"


def _load():
    spec = importlib.util.spec_from_file_location("scan_costs_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


costs = _load()


def test_each_variant_takes_away_what_it_names_and_puts_it_back() -> None:
    sc = Scanner()
    shipped = sc.scan(LABEL)
    with costs.variant(costs.VARIANTS["no result models"]):
        plain = sc.scan(LABEL)
        assert not isinstance(plain, Report)
        assert [h["id"] for h in plain.hits] == [h.id for h in shipped.hits]
        assert plain.profiles.fungal_acne.verdict == shipped.profiles.fungal_acne.verdict
    with costs.variant(costs.VARIANTS["no profiles"]):
        assert sc.scan(LABEL).profiles is None
    with costs.variant(costs.VARIANTS["neither"]):
        assert sc.scan(LABEL).profiles is None
    assert sc.scan(LABEL) == shipped
