"""The examples in docstrings, the README and docs/scoring.md say what the code does."""

from __future__ import annotations

import doctest
import re

import pytest

import milia_scan
from milia_scan import context, normalizer, scanner
from milia_scan.bulk import contexts as bulk_contexts

from .conftest import ROOT


@pytest.mark.parametrize("module", [milia_scan, context, normalizer, scanner, bulk_contexts], ids=lambda m: m.__name__)
def test_doctests(module) -> None:
    result = doctest.testmod(module)
    assert result.failed == 0 and result.attempted > 0


def test_readme_python_example() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    label = re.search(r'milia_scan\.scan\("([^"]+)"\)', readme).group(1)
    claimed = re.search(r"report\.score, report\.band\s+# \((\d+), '(\w+)'\)", readme).groups()
    r = milia_scan.scan(label)
    assert (str(r.score), r.band) == claimed


def _scoring_doc() -> tuple[str, list[str]]:
    doc = (ROOT / "docs" / "scoring.md").read_text(encoding="utf-8")
    return doc, re.findall(r'milia-scan scan "([^"]+)"', doc)


def test_scoring_doc_worked_example() -> None:
    doc, labels = _scoring_doc()
    by_context = {c: milia_scan.scan(labels[0], context=c) for c in ("leave-on", "rinse-off", "eye-area")}
    r = by_context["leave-on"]
    assert f"score is **{r.score}, {r.band}**" in doc
    assert f"scores\n{by_context['rinse-off'].score} ({by_context['rinse-off'].band})" in doc
    assert f"{by_context['eye-area'].score} in the eye area" in doc
    for h in r.hits:
        assert f"| {h.contribution:.2f} |" in doc, h.id
    assert f"**milia {r.milia.score}, {r.milia.band}**" in doc
    assert f"**pore-clogging {r.pore_clogging.score}, {r.pore_clogging.band}**" in doc


def test_scoring_doc_declared_percentages_example() -> None:
    """The hand-computed example of section 2: declared percentages replace the place."""
    doc, labels = _scoring_doc()
    r = milia_scan.scan(labels[1])
    assert all(h.percent is not None for h in r.hits[:2])
    assert f"declared score is **{r.score}, {r.band}**" in doc
    assert f"**milia {r.milia.score}, {r.milia.band}**" in doc.replace("\n", " ")
    assert f"**pore-clogging {r.pore_clogging.score},\n{r.pore_clogging.band}**" in doc
    for h in r.hits:
        assert f"| {h.contribution:.2f} |" in doc, h.id
    undeclared = re.sub(r" \d+%", "", labels[1])
    assert f"would score\n**{milia_scan.scan(undeclared).score}**" in doc


def test_scoring_doc_bulk_context_example() -> None:
    """Section 3's bulk example: the LookFantastic shower gel and foaming cleanser, leave-on and in
    the context --context auto reads from their names."""
    from .test_bulk_context import RINSE_OFF

    doc = " ".join((ROOT / "docs" / "scoring.md").read_text(encoding="utf-8").split())
    (_, _, gel, gel_label), (_, _, foam, foam_label) = RINSE_OFF[0], RINSE_OFF[2]
    assert "Shower Gel" in gel and "Foaming Cleanser" in foam
    before, after = (milia_scan.scan(gel_label, context=c) for c in ("leave-on", milia_scan.infer_context(gel)))
    assert f"shower gel ({before.score}, {before.band}, leave-on) into {after.score}, {after.band}" in doc
    before, after = (milia_scan.scan(foam_label, context=c) for c in ("leave-on", milia_scan.infer_context(foam)))
    assert f"foaming cleanser's salt ({before.score}, {before.band}) into {after.score}, {after.band}" in doc
