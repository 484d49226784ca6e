"""Two versions of the core, measured alternately in one run: the A/B a noisy machine allows.

    git worktree add /tmp/old <commit>
    python benchmarks/ab.py /tmp/old/src src --rows 50000 --rounds 3

Each round runs each version in a fresh process (PYTHONPATH=<src>) on the first N rows of the
catalogue: `Scanner.score` per label cold (a fresh scanner) and warm (the second pass), and
medians on 36-ingredient labels (32-40) for `score()` and `scan()`, plain and "hard" (the shapes
the old tokenizer sent down its general route: see bench.is_hard). Prints the median of the rounds
and the ratio new / old. A measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = r"""
import csv, json, statistics, sys, time
sys.path.insert(0, sys.argv[2])
from bench import is_hard, n_ingredients
from milia_scan import Scanner
labels = [r["ingredients"] for _, r in zip(range(int(sys.argv[3])), csv.DictReader(open(sys.argv[1], encoding="utf-8")))]
s = Scanner()
def mean_us(fn):
    t = time.perf_counter()
    for label in labels:
        fn(label)
    return (time.perf_counter() - t) / len(labels) * 1e6
def median_us(fn, group):
    for label in group:
        fn(label)
    times = []
    for label in group:
        t = time.perf_counter_ns(); fn(label); times.append(time.perf_counter_ns() - t)
    return statistics.median(times) / 1000
mid = [x for x in labels if 32 <= n_ingredients(x) <= 40]
plain = [x for x in mid if not is_hard(x)][:2000]
hard = [x for x in mid if is_hard(x)][:500]
print(json.dumps({
    "score cold, mean us": mean_us(s.score), "score warm, mean us": mean_us(s.score),
    "score median, plain us": median_us(s.score, plain), "score median, hard us": median_us(s.score, hard),
    "scan median, plain us": median_us(s.scan, plain), "scan median, hard us": median_us(s.scan, hard),
}))
"""


def run(src: str, catalogue: str, rows: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(Path(src).resolve())}
    out = subprocess.run([sys.executable, "-c", CHILD, catalogue, str(HERE), str(rows)], env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old", help="the old version's src/ directory")
    ap.add_argument("new", help="the new version's src/ directory")
    ap.add_argument("--rows", type=int, default=50_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(HERE))
    import catalogue

    path, _ = catalogue.catalogue_path(200_000, args.seed, False)
    runs: dict[str, list[dict[str, float]]] = {"old": [], "new": []}
    for _ in range(args.rounds):
        for name in ("old", "new"):
            runs[name].append(run(getattr(args, name), str(path), args.rows))
    print(f"{'figure':<26} {'old':>9} {'new':>9} {'new/old':>8}   (median of {args.rounds} rounds, {args.rows:,} rows)")
    for key in runs["old"][0]:
        old = statistics.median(r[key] for r in runs["old"])
        new = statistics.median(r[key] for r in runs["new"])
        print(f"{key:<26} {old:>9.1f} {new:>9.1f} {new / old:>8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
