"""Profile the matching core: cProfile on Scanner.score over catalogue labels.

    .venv/bin/python benchmarks/profile_core.py                 # 20,000 labels, cold then warm
    .venv/bin/python benchmarks/profile_core.py --labels 5000 --top 40 --out benchmarks/out/core.prof

Prints, for a fresh Scanner (cold cache, its warm-up included) and then a second pass over the
same labels (warm cache): the share of time per module of milia_scan (self time), and the top
functions by self time and by cumulative time. Open the .prof file with `python -m pstats` or
snakeviz. For a sampling view without cProfile's overhead: `py-spy record -o core.svg --
.venv/bin/python benchmarks/profile_core.py --no-cprofile`.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402
import catalogue  # noqa: E402


def module_of(filename: str, func: str) -> str:
    if "milia_scan" in filename:
        return "milia_scan/" + Path(filename).name
    if "rapidfuzz" in filename or "rapidfuzz" in func or "Levenshtein" in func:
        return "rapidfuzz"
    if filename == "~":
        if "re.Pattern" in func:
            return "re (C)"
        return "builtins (C): " + func.strip("<>").replace("method ", "").replace("built-in ", "")
    return Path(filename).name


def by_module(stats: pstats.Stats) -> list[tuple[str, float]]:
    total = 0.0
    acc: dict[str, float] = defaultdict(float)
    for (filename, _, func), (_, _, tt, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        acc[module_of(filename, func)] += tt
        total += tt
    return sorted(((k, v / total) for k, v in acc.items()), key=lambda kv: -kv[1])


def report(title: str, prof: cProfile.Profile, seconds: float, n: int, top: int) -> None:
    st = pstats.Stats(prof)
    print(f"\n=== {title}: {n:,} labels in {seconds:.2f} s under cProfile ({n / seconds:,.0f} labels/s) ===")
    print("self time by module:")
    for name, share in by_module(st)[:14]:
        print(f"  {share:6.1%}  {name}")
    for key in ("tottime", "cumulative"):
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).strip_dirs().sort_stats(key).print_stats(top)
        lines = buf.getvalue().splitlines()
        start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
        print(f"top {top} by {key}:")
        print("\n".join(lines[start:]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="cProfile the matching core on catalogue labels")
    ap.add_argument("--labels", type=int, default=20_000)
    ap.add_argument("--rows", type=int, default=200_000, help="catalogue to take the labels from")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--out", type=Path, help="also save the cold-pass profile here (.prof)")
    ap.add_argument("--no-cprofile", action="store_true", help="just run the passes (for py-spy)")
    args = ap.parse_args(argv)

    path, meta = catalogue.catalogue_path(max(args.rows, args.labels), args.seed)
    labels = bench.head_labels(path, args.labels)
    print(f"{len(labels):,} {meta['source']} labels from {path.name}, "
          f"{sum(map(bench.n_ingredients, labels)) / len(labels):.1f} ingredients a label")

    from milia_scan import Scanner

    t0 = time.perf_counter()
    prof_load = cProfile.Profile()
    scanner = prof_load.runcall(Scanner) if not args.no_cprofile else Scanner()
    print(f"Scanner() {time.perf_counter() - t0:.2f} s")

    for title in ("cold cache (fresh Scanner)", "warm cache (second pass)"):
        score = scanner.score
        if args.no_cprofile:
            t0 = time.perf_counter()
            for label in labels:
                score(label)
            dt = time.perf_counter() - t0
            print(f"{title}: {len(labels) / dt:,.0f} labels/s")
            continue
        prof = cProfile.Profile()
        t0 = time.perf_counter()
        prof.enable()
        for label in labels:
            score(label)
        prof.disable()
        dt = time.perf_counter() - t0
        report(title, prof, dt, len(labels), args.top)
        if args.out and title.startswith("cold"):
            args.out.parent.mkdir(parents=True, exist_ok=True)
            prof.dump_stats(args.out)
    if not args.no_cprofile:
        st = pstats.Stats(prof_load)
        print(f"\n=== Scanner() construction: {st.total_tt:.2f} s under cProfile ===")  # type: ignore[attr-defined]
        buf = io.StringIO()
        pstats.Stats(prof_load, stream=buf).strip_dirs().sort_stats("cumulative").print_stats(12)
        lines = buf.getvalue().splitlines()
        start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
        print("\n".join(lines[start:]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
