"""Smoke test of benchmarks/adversarial.py: its shape builders, and scan() on a small version of
each shape (spans into the input). No timing here: the timings are the benchmark's."""

from __future__ import annotations

import pytest

from .conftest import load_benchmark

adversarial = load_benchmark("adversarial")
CASES = [pytest.param(make, id=f"{shape} / {variant}") for shape, variant, make in adversarial.builders()]


def test_ten_shapes_and_a_baseline():
    assert adversarial.BASELINE in adversarial.SHAPES
    assert len(adversarial.SHAPES) - 1 >= 10


@pytest.mark.parametrize("make", CASES)
@pytest.mark.parametrize("size", [2_000, 10_000])
def test_builder_size(make, size):
    label = make(size)
    assert isinstance(label, str)
    assert 0.95 * size <= len(label.encode()) <= 1.05 * size
    assert make(size) == label  # deterministic


@pytest.mark.parametrize("make", CASES)
def test_scan_spans_slice_the_input(scanner, make):
    label = make(2_000)
    report = scanner.scan(label)
    for t in report.ingredients:
        assert label[t.start : t.end] == t.text
    for h in (*report.hits, *report.helpful):
        assert label[h.start : h.end] == h.text
