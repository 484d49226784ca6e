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
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402
import catalogue  # noqa: E402

from milia_scan import profiles, scanner  # noqa: E402


def _plain_rows(cls: type, rows: Any) -> list[Any]:
    return list(rows)


def _plain_one(cls: type, **fields: Any) -> SimpleNamespace:
    return SimpleNamespace(**fields)  # attribute reads, as scan() does on a built model


# Each variant: the (module, name, stand-in) it replaces for the time of a measurement.
NO_MODELS = [(module, name, stand_in) for module in (scanner, profiles)
             for name, stand_in in (("built", _plain_rows), ("built_one", _plain_one))]
NO_PROFILES = [(scanner, "profiles_of_rows", lambda rules, rows: None)]
VARIANTS: dict[str, list[tuple[Any, str, Any]]] = {
    "as shipped": [], "no result models": NO_MODELS, "no profiles": NO_PROFILES, "neither": NO_MODELS + NO_PROFILES}


@contextmanager
def variant(replaced: list[tuple[Any, str, Any]]) -> Iterator[None]:
    """scan() with `replaced` in place for the block, put back after it."""
    with ExitStack() as stack:
        for module, name, stand_in in replaced:
            stack.enter_context(mock.patch.object(module, name, stand_in))
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
