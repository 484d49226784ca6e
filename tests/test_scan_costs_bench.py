"""benchmarks/scan_costs.py takes parts of scan()'s report away to time them: each variant must
take away what it says, and scan() must be as shipped again after it."""

from __future__ import annotations

from milia_scan import Report, Scanner

from .conftest import load_benchmark

LABEL = "Aqua, Petrolatum, Isopropyl Myristate, Parfum, Linalool, Glycerin"
costs = load_benchmark("scan_costs")


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
