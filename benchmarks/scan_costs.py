"""Where `scan()`'s time goes: its warm median as shipped, and with parts of the report taken away.

    .venv/bin/python benchmarks/scan_costs.py            # the labels of make bench's scan() figure
    .venv/bin/python benchmarks/scan_costs.py --labels 500 --rounds 5

The same labels as `make bench`'s "scan() median" (32-40 ingredients, from the 200,000-row
catalogue), warm. Four variants run in turn in one process, each round, and the best median of
the rounds is printed (the machine is shared):

  as shipped          `Scanner.scan`
  no result models    the result models made as plain dicts and namespaces (`built`, `built_one`
                      replaced): what the pydantic models cost, as if making them were free
  no profiles         the condition profiles (issue #13) not worked out: `Report.profiles` None
  neither             both: what tokenizing, matching and scoring cost alone

This replaces internals to measure them; it is a measurement, not a route (scan() never runs so).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402
import catalogue  # noqa: E402


@contextmanager
def replaced(module: Any, name: str, value: Any) -> Iterator[None]:
    before = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, before)


def _plain_rows(cls: type, rows: Any) -> list[Any]:
    return list(rows)


def _plain_one(cls: type, **fields: Any) -> SimpleNamespace:
    return SimpleNamespace(**fields)  # attribute reads, as scan() does on a built model


def no_models(stack: ExitStack) -> None:
    from milia_scan import profiles, scanner

    for module in (scanner, profiles):
        stack.enter_context(replaced(module, "built", _plain_rows))
        stack.enter_context(replaced(module, "built_one", _plain_one))


def no_profiles(stack: ExitStack) -> None:
    from milia_scan import scanner

    stack.enter_context(replaced(scanner, "profiles_of_rows", lambda rules, rows: None))


VARIANTS: dict[str, tuple[Callable[[ExitStack], None], ...]] = {
    "as shipped": (), "no result models": (no_models,), "no profiles": (no_profiles,),
    "neither": (no_models, no_profiles)}


@contextmanager
def variant(changes: tuple[Callable[[ExitStack], None], ...]) -> Iterator[None]:
    """scan() with `changes` made for the block, put back after it."""
    with ExitStack() as stack:
        for change in changes:
            change(stack)
        yield


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="scan() warm median, as shipped and with parts taken away")
    ap.add_argument("--labels", type=int, default=2_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)

    path, _ = catalogue.catalogue_path(200_000, args.seed)
    labels = bench.head_labels(path, args.labels, lambda s: 32 <= bench.n_ingredients(s) <= 40)
    best: dict[str, float] = {}
    for _ in range(args.rounds):
        for name, changes in VARIANTS.items():
            with variant(changes):
                us = bench.measure_scan_latency(labels)["median_us"]  # make bench's own measure
            best[name] = min(best.get(name, us), us)
    print(f"{len(labels):,} labels of {path.name}, {statistics.mean(map(bench.n_ingredients, labels)):.1f} "
          f"ingredients a label; scan() warm median, best of {args.rounds} rounds:")
    shipped = best["as shipped"]
    for name, us in best.items():
        print(f"  {name:18s} {us:6.1f} us  ({us - shipped:+.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
