"""The speed benchmark suite for milia-scan (issue #5): one command, one process, one file.

    make bench                                  # 200,000 rows (about 2 minutes)
    make bench BENCH_ARGS="--full"              # also a 1,000,000-row bulk run (RSS vs N)
    make bench BENCH_ARGS="--quick"             # a smoke run on 5,000 rows
    make bench BENCH_ARGS="--json out.json --compare old.json"
    make bench BENCH_ARGS="--repeats 3"         # each 200k-row bulk run 3 times, the fastest kept

On the same generated catalogue (benchmarks/catalogue.py, cached in benchmarks/out/) it measures:
  floor        read the CSV, split each label on commas, lower-case: no scanner can do less
  naive        split on commas + rapidfuzz.process.extractOne(WRatio, cutoff 90) per token
               against every lexicon name (on a sample, extrapolated)
  one core     a fresh Scanner().score() on every label, cache cold (its warm-up included)
  bulk         `milia-scan bulk FILE -o OUT --jobs N --no-progress` as a subprocess, end to end
  scan()       milia_scan.scan() latency, warm, ~36-ingredient labels (median, p99)
  novel pieces mean time a fresh Matcher takes to resolve each distinct token text of the file
  CLI          `milia-scan scan "<36-ingredient label>"` wall time, process start to exit
  RSS          peak memory of the bulk run at 200k rows and (with --full) at 1M rows
and prints a table with each figure as a ratio to the floor and to the naive baseline, the
targets of the issue, and PASS/FAIL. Targets are checked here, never in timed unit tests.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import catalogue  # noqa: E402  (benchmarks/catalogue.py)

ROOT = catalogue.ROOT
OUT_DIR = catalogue.OUT_DIR
csv.field_size_limit(1 << 24)

# Targets from issue #5 (on a 2-core machine).
T_CORE_VS_FLOOR = 0.5
T_CORE_VS_NAIVE = 100.0
T_JOBS2_SPEEDUP = 1.7
# Issue #10: the columnar bulk engine, CLI end to end.
T_COLUMNAR_VS_FLOOR = 0.35  # low-repeat catalogue (benchmarks/catalogue.py)
T_COLUMNAR_REPEATED_VS_FLOOR = 0.5  # repeated-label catalogue (repeated_catalogue_path)
T_COLUMNAR_JOBS2 = 1.8
T_COLUMNAR_PROC_MB = 350.0  # peak of any one process, at 1M rows
T_SCAN_MEDIAN_US = 60.0  # issue #10 (issue #5: 100)
T_NOVEL_US = 20.0  # issue #10: mean resolution of a distinct piece by a fresh Matcher
T_HARD_MEDIAN_US = 60.0  # issue #9: a 36-ingredient label of the shapes the old general path took
T_CLI_ONESHOT_S = 0.25  # issue #10 (issue #5: 0.3)
T_RSS_MB = 200.0
T_RSS_GROWTH = 0.10


# --------------------------------------------------------------------------- helpers


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def machine_info() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    return {
        "nproc": usable, "cpu_count": os.cpu_count(), "cpu": cpu or platform.processor(),
        "python": platform.python_version(), "platform": platform.platform(),
        "load_start": [round(x, 2) for x in os.getloadavg()],
    }


def git_info() -> dict:
    def git(*args: str) -> str:
        r = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else ""
    dirty = git("status", "--porcelain", "--", "src", "lexicon")
    return {"commit": git("rev-parse", "--short", "HEAD"), "src_dirty": bool(dirty)}


def iter_labels(path: Path):
    """Labels of a catalogue, read with the csv module (the reading every figure pays)."""
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        for row in reader:
            yield row[1]


def head_labels(path: Path, n: int, keep=lambda s: True) -> list[str]:
    out: list[str] = []
    for label in iter_labels(path):
        if keep(label):
            out.append(label)
            if len(out) >= n:
                break
    return out


_SEPS = re.compile(r"[;•·]\s*|,(?!\d)\s*")  # a comma before a digit is a name's ("1,2-Hexanediol")


def n_ingredients(label: str) -> int:
    return len(_SEPS.split(label))


MILIA_EXE: str | None = None  # --exe


def milia_cmd() -> list[str]:
    if MILIA_EXE:
        return [MILIA_EXE]
    exe = Path(sys.executable).with_name("milia-scan")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("milia-scan")
    return [found] if found else [sys.executable, "-m", "milia_scan.cli"]


# --------------------------------------------------------------------------- in-process figures


def measure_floor(path: Path) -> dict:
    """CSV read + split on commas + lower-case; best of two passes (a higher floor is stricter)."""
    best = None
    for _ in range(2):
        t0 = time.perf_counter()
        rows = tokens = 0
        for label in iter_labels(path):
            tokens += len(label.lower().split(","))
            rows += 1
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    return {"rows": rows, "tokens": tokens, "seconds": best, "labels_per_s": rows / best}


def lexicon_names(scanner) -> list[str]:
    """Every entry's INCI name and synonyms, lower-cased (what a first attempt would match against)."""
    return sorted({n.lower() for e in scanner.lexicon.entries.values() for n in e.names})


def measure_naive(labels: list[str], names: list[str], floor_s_per_label: float) -> dict:
    from rapidfuzz import fuzz, process

    t0 = time.perf_counter()
    matched = 0
    for label in labels:
        for tok in label.lower().split(","):
            tok = tok.strip()
            if tok and process.extractOne(tok, names, scorer=fuzz.WRatio, score_cutoff=90) is not None:
                matched += 1
    dt = time.perf_counter() - t0
    per_label = dt / len(labels) + floor_s_per_label  # plus the reading it would also pay
    return {"sample": len(labels), "seconds": dt, "matched_tokens": matched, "labels_per_s": 1 / per_label,
            "names": len(names)}


def measure_core(path: Path, scanner, cap: float) -> dict:
    """Scanner.score over the file, streaming; stops at `cap` seconds (the figure is then partial)."""
    score = scanner.score
    t0 = time.perf_counter()
    rows = with_hits = total = 0
    capped = False
    for label in iter_labels(path):
        r = score(label)
        total += r.score
        with_hits += bool(r.hits)
        rows += 1
        if not rows % 1000 and time.perf_counter() - t0 > cap:
            capped = True
            break
    dt = time.perf_counter() - t0
    return {"rows": rows, "seconds": dt, "labels_per_s": rows / dt, "capped": capped,
            "mean_score": round(total / max(rows, 1), 2), "share_with_hits": round(with_hits / max(rows, 1), 3),
            "cache_entries": len(getattr(scanner.matcher, "_cache", {}))}


def measure_core_warm(path: Path, scanner, rows: int, cap: float) -> dict:
    score = scanner.score
    t0 = time.perf_counter()
    n = 0
    capped = False
    for label in iter_labels(path):
        if n >= rows:
            break
        score(label)
        n += 1
        if not n % 1000 and time.perf_counter() - t0 > cap:
            capped = True
            break
    dt = time.perf_counter() - t0
    return {"rows": n, "seconds": dt, "labels_per_s": n / dt, "capped": capped}


# Labels the tokenizer once sent down a separate, slower route: a header or a colon, a plus sign,
# a line break, a "may contain", or an unmatched bracket.
_HARD = re.compile(r"[:+\n\r]|ngredient|contain", re.I)


def is_hard(label: str) -> bool:
    return _HARD.search(label) is not None or label.count("(") != label.count(")")


def measure_scan_latency(labels: list[str], call: str = "scan") -> dict:
    """Warm latency of `Scanner.<call>` per label (median, p99), with the default scanner."""
    import milia_scan

    fn = getattr(milia_scan.default_scanner(), call)
    for label in labels:  # warm: every token of every label is in the cache
        fn(label)
    gc.collect()
    clock = time.perf_counter_ns
    times = []
    for label in labels:
        t0 = clock()
        fn(label)
        times.append(clock() - t0)
    times.sort()
    us = [t / 1000 for t in times]
    return {"labels": len(labels), "mean_ingredients": round(statistics.mean(map(n_ingredients, labels)), 1),
            "median_us": statistics.median(us), "p99_us": us[min(len(us) - 1, int(0.99 * len(us)))],
            "mean_us": statistics.mean(us)}


# --------------------------------------------------------------------------- repeated-label catalogue

REPEAT_TYPO_SHARE = 0.3  # issue #10's first catalogue: 70% repeated labels, 30% with 1-2 letter typos


def repeated_catalogue_path(rows: int, seed: int = 1, synthetic: bool = False) -> Path:
    """A catalogue of `rows` labels drawn from the real labels (or the synthetic pool): 70% as
    they are, so repeated across the file, 30% with a letter typo in one or two tokens. Cached
    next to the others."""
    import random

    source = "synthetic" if synthetic or not catalogue.LABELS_DIR.is_dir() else "real"
    path = OUT_DIR / f"repeated-{source}-{rows}-s{seed}-v{catalogue.GENERATOR_VERSION}.csv"
    if path.exists():
        return path
    rng = random.Random(seed)
    gen = catalogue.Generator(seed, synthetic=True)
    pool = catalogue.read_real_labels() if source == "real" else [gen.label_and_count()[0] for _ in range(2500)]
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "ingredients"])
        for i in range(rows):
            label = rng.choice(pool)
            if rng.random() < REPEAT_TYPO_SHARE:
                tokens = catalogue._top_level_tokens(label)
                for _ in range(rng.randint(1, 2)):
                    j = rng.randrange(len(tokens))
                    tokens[j] = catalogue._typo(rng, tokens[j])
                label = ", ".join(tokens)
            w.writerow([f"r{i:07d}", label])
    os.replace(tmp, path)
    return path
def distinct_pieces(path: Path, cap: float) -> dict:
    """The distinct token texts of the catalogue, in the order a scanner meets them: what its
    matcher resolves (read by the tokenizer alone; stops at `cap` seconds)."""
    from milia_scan.tokenizer import Tokenizer

    seen: dict[str, None] = {}
    tokenizer = Tokenizer(seen.setdefault, None, 1 << 40)  # derive: remember the text
    t0 = time.perf_counter()
    rows = 0
    capped = False
    for label in iter_labels(path):
        tokenizer.read(label)
        rows += 1
        if not rows % 1000 and time.perf_counter() - t0 > cap:
            capped = True
            break
    return {"pieces": list(seen), "rows": rows, "capped": capped}


def measure_novel(pieces: list[str], runs: int = 3) -> dict:
    """Mean time a fresh Matcher takes to resolve each distinct piece once (median of `runs`)."""
    from milia_scan import load_lexicon
    from milia_scan.match import Matcher

    lexicon = load_lexicon()
    means = []
    for _ in range(runs):
        resolve = Matcher(lexicon).resolve
        gc.collect()
        t0 = time.perf_counter()
        for piece in pieces:
            resolve(piece)
        means.append((time.perf_counter() - t0) / len(pieces) * 1e6)
    matched = sum(bool(resolve(p).matches) for p in pieces)
    return {"pieces": len(pieces), "mean_us": statistics.median(means), "runs_us": means,
            "matched_share": round(matched / len(pieces), 3)}


# --------------------------------------------------------------------------- subprocess figures


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                kids += [int(k) for k in Path(f"/proc/{pid}/task/{tid}/children").read_text().split()]
            except OSError:
                pass
    except OSError:
        pass
    return kids


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += _children(p)
    return out


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _mem_kb(pid: int) -> tuple[int, int] | None:
    """(PSS kB, RSS kB) of one process; PSS is None-equivalent -1 when smaps_rollup is unreadable."""
    try:
        rss = int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE // 1024
    except (OSError, ValueError, IndexError):
        return None
    pss = -1
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                pss = int(line.split()[1])
                break
    except (FileNotFoundError, ProcessLookupError):
        return None  # it ended between the two reads
    except (OSError, ValueError):
        pass
    if pss < 0 and rss == 0:
        return None  # a worker that has ended and not yet been reaped: no memory, no PSS line
    return pss, rss


def run_measured(cmd: list[str], cap: float, sample_every: float = 0.2) -> dict:
    """Run `cmd`; wall time, exit code, peak memory: the tree's summed PSS (sampled from /proc)
    and the largest single process's peak RSS (ru_maxrss from wait4, exact)."""
    errf = OUT_DIR / f".stderr-{os.getpid()}.txt"
    done = threading.Event()
    peak = {"pss_kb": 0, "rss_kb": 0, "pss_ok": True, "procs": 0}

    with errf.open("w") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True, cwd=ROOT)

        def sample() -> None:
            while not done.wait(sample_every):
                pss = rss = 0
                pids = _tree(p.pid)
                for pid in pids:
                    m = _mem_kb(pid)
                    if m is None:
                        continue
                    if m[0] < 0:
                        peak["pss_ok"] = False
                    pss += max(m[0], 0)
                    rss += m[1]
                peak["pss_kb"] = max(peak["pss_kb"], pss)
                peak["rss_kb"] = max(peak["rss_kb"], rss)
                peak["procs"] = max(peak["procs"], len(pids))

        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            try:
                os.killpg(p.pid, 9)
            except ProcessLookupError:
                pass

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        timer = threading.Timer(cap, kill)
        timer.start()
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        timer.cancel()
        done.set()
        sampler.join()
        p.returncode = os.waitstatus_to_exitcode(status)
    stderr = errf.read_text(errors="replace").strip()
    errf.unlink(missing_ok=True)
    return {"cmd": cmd, "wall_s": wall, "rc": p.returncode, "timed_out": timed_out.is_set(),
            "cpu_s": ru.ru_utime + ru.ru_stime, "maxrss_mb": ru.ru_maxrss / 1024, "tree_pss_mb": peak["pss_kb"] / 1024 if peak["pss_ok"] else None,
            "tree_rss_mb": peak["rss_kb"] / 1024, "max_procs": peak["procs"],
            "stderr_tail": stderr.splitlines()[-1] if stderr else ""}


def bulk_help() -> str | None:
    """`milia-scan bulk --help` text, or None when the bulk command does not exist (yet)."""
    r = subprocess.run([*milia_cmd(), "bulk", "--help"], capture_output=True, text=True, cwd=ROOT)
    return r.stdout if r.returncode == 0 else None


def bulk_cmd(help_text: str, path: Path, out: Path, jobs: int, engine: str | None = None) -> list[str]:
    cmd = [*milia_cmd(), "bulk", str(path), "-o", str(out), "--jobs", str(jobs)]
    if engine and "--engine" in help_text and engine in help_text:
        cmd += ["--engine", engine]
    if "--no-progress" in help_text:
        cmd.append("--no-progress")
    if re.search(r"--column\b", help_text):
        cmd += ["--column", "ingredients"]
    return cmd


def _count_rows(path: Path) -> int:
    """Data rows of a CSV output (quoted newlines counted right); 0 when it is absent."""
    if not path.exists():
        return 0
    with path.open(newline="", encoding="utf-8", errors="replace") as fh:
        return max(0, sum(1 for _ in csv.reader(fh)) - 1)


def head_file(path: Path, rows: int) -> Path:
    """The first `rows` rows of a catalogue as their own file (cached next to it)."""
    out = path.with_name(f"{path.stem}-head{rows}.csv")
    if out.exists():
        return out
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    with path.open(newline="", encoding="utf-8") as src, tmp.open("w", newline="", encoding="utf-8") as dst:
        reader, writer = csv.reader(src), csv.writer(dst)
        writer.writerow(next(reader))
        for i, row in enumerate(reader):
            if i >= rows:
                break
            writer.writerow(row)
    os.replace(tmp, out)
    return out


def measure_bulk(help_text: str, path: Path, rows: int, jobs: int, cap: float, engine: str | None = None) -> dict:
    out = OUT_DIR / f"bulk-out-j{jobs}-{os.getpid()}.csv"
    out.unlink(missing_ok=True)
    r = run_measured(bulk_cmd(help_text, path, out, jobs, engine), cap)
    r["engine"] = engine
    written = _count_rows(out)
    out.unlink(missing_ok=True)
    r["rows_out"] = written
    r["rows"] = rows
    r["jobs"] = jobs
    done = written if r["timed_out"] else rows
    r["ok"] = r["rc"] == 0 and written == rows
    r["labels_per_s"] = done / r["wall_s"] if (r["ok"] or r["timed_out"]) and done else None
    return r


def best_run(runs: list[dict]) -> dict:
    """Of repeated bulk runs, the fastest that wrote every row (else the first), with the highest
    memory any of them reached: speed is what the code can do on a busy machine, memory what it
    may need. `repeat_walls_s` keeps every run's wall time."""
    good = [r for r in runs if r["ok"]] or runs[:1]
    best = dict(min(good, key=lambda r: r["wall_s"]))
    for key in ("tree_pss_mb", "tree_rss_mb", "maxrss_mb"):
        values = [r[key] for r in runs if r.get(key) is not None]
        if values:
            best[key] = max(values)
    best["repeat_walls_s"] = [round(r["wall_s"], 2) for r in runs]
    return best


def measure_cli_oneshot(label: str, runs: int, budget: float = 20.0) -> dict:
    """Median wall time of `runs` one-shot scans (at least 3; fewer than `runs` past `budget` s)."""
    cmd = [*milia_cmd(), "scan", label]
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)  # page cache warm
    times, rc = [], 0
    for _ in range(runs):
        if len(times) >= 3 and sum(times) > budget:
            break
        t0 = time.perf_counter()
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        times.append(time.perf_counter() - t0)
        rc = rc or r.returncode
    return {"runs": len(times), "median_s": statistics.median(times), "min_s": min(times), "max_s": max(times),
            "rc": rc, "ingredients": n_ingredients(label)}


def oneshot_label(n: int = 36) -> str:
    """A clean real label of exactly `n` ingredients (or the nearest), else a synthetic one."""
    if catalogue.LABELS_DIR.is_dir():
        real = catalogue.read_real_labels()
        exact = [t for t in real if len(catalogue._top_level_tokens(t)) == n]
        if exact:
            return exact[0]
        if real:
            return min(real, key=lambda t: abs(len(catalogue._top_level_tokens(t)) - n))
    names = ["Aqua", *catalogue.SYNTHETIC_COMMON[: n - 5], *catalogue.SYNTHETIC_RISK[:4]]
    return ", ".join(names[:n])


# --------------------------------------------------------------------------- report


def fmt_rate(x: float | None) -> str:
    return "n/a" if x is None else f"{x:,.0f} labels/s"


def ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return ""
    r = a / b
    return f"{r:.4f}x" if r < 0.01 else f"{r:.2f}x" if r < 10 else f"{r:,.0f}x"


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else "PASS" if ok else "FAIL"


def build_table(res: dict) -> list[tuple[str, str, str, str, str, str]]:
    floor = res["floor"]["labels_per_s"]
    naive = res["naive"]["labels_per_s"]
    rows: list[tuple[str, str, str, str, str, str]] = []

    def rate_row(name: str, v: float | None, target: str = "", ok: bool | None = None, note: str = "") -> None:
        rows.append((name, fmt_rate(v) + note, ratio(v, floor), ratio(v, naive), target,
                     verdict(ok) if target else ""))

    rate_row("floor (csv + split + lower)", floor)
    rate_row(f"naive (extractOne WRatio>=90, {res['naive']['sample']} sampled)", naive)
    core = res["core"]
    note = " *" if core["capped"] else ""
    v = core["labels_per_s"]
    rate_row("milia-scan one core (cold cache)", v, f">= {T_CORE_VS_FLOOR}x floor, >= {T_CORE_VS_NAIVE:.0f}x naive",
             v >= T_CORE_VS_FLOOR * floor and v >= T_CORE_VS_NAIVE * naive, note)
    warm = res.get("core_warm")
    if warm:
        rate_row("milia-scan one core (warm cache)", warm["labels_per_s"], note=" *" if warm["capped"] else "")

    bulk = res.get("bulk")
    row_name = "bulk row engine" if bulk and "c1" in bulk else "milia-scan bulk"
    if bulk is None:
        rows.append(("milia-scan bulk --jobs 1 (CLI end to end)", "n/a (bulk command not available)", "", "",
                     "", ""))
        rows.append(("milia-scan bulk --jobs 2 (CLI end to end)", "n/a (bulk command not available)", "", "",
                     f">= {T_JOBS2_SPEEDUP}x --jobs 1", "n/a"))
    else:
        j1, j2 = bulk["j1"], bulk["j2"]
        r1, r2 = j1.get("labels_per_s"), j2.get("labels_per_s")
        speedup = r2 / r1 if r1 and r2 and not (j1["timed_out"] or j2["timed_out"]) else None
        figures = [
            (f"{row_name} --jobs 1 (CLI end to end)", j1, "", None),
            (f"{row_name} --jobs 2 (CLI end to end)", j2, f">= {T_JOBS2_SPEEDUP}x --jobs 1",
             None if speedup is None else speedup >= T_JOBS2_SPEEDUP),
        ]
        figures += _columnar_figures(bulk, floor)
        for name, b, target, ok in figures:
            if b["timed_out"] and not b["rows_out"]:  # killed before it wrote anything
                rows.append((name, f"< {b['rows'] / b['wall_s']:,.0f} labels/s (killed after {b['wall_s']:.0f} s) *",
                             "", "", target, verdict(ok) if target else ""))
            elif b.get("labels_per_s") is None:
                rows.append((name, f"failed (exit {b['rc']}, {b['rows_out']:,} rows out): {b['stderr_tail'][:60]}",
                             "", "", target, verdict(False) if target else ""))
            else:
                note = " *" if b["timed_out"] else ""
                if b is j2 and speedup is not None:
                    note += f" ({speedup:.2f}x jobs 1)"
                if b.get("note"):
                    note += b["note"]
                if b.get("floor"):  # its own catalogue's floor
                    rows.append((name, fmt_rate(b["labels_per_s"]) + note, ratio(b["labels_per_s"], b["floor"]),
                                 ratio(b["labels_per_s"], naive), target, verdict(ok) if target else ""))
                else:
                    rate_row(name, b["labels_per_s"], target, ok, note)

    novel = res.get("novel")
    if novel:
        rows.append((f"novel-piece resolution ({novel['pieces']:,} distinct pieces, fresh Matcher)",
                     f"{novel['mean_us']:.1f} us/piece{' *' if novel['capped'] else ''}", "", "",
                     f"<= {T_NOVEL_US:.0f} us", verdict(novel["mean_us"] <= T_NOVEL_US)))
    lat = res["scan_latency"]
    rows.append((f"scan() median, warm ({lat['mean_ingredients']:.0f} ingr.)", f"{lat['median_us']:,.0f} us", "", "",
                 f"<= {T_SCAN_MEDIAN_US:.0f} us", verdict(lat["median_us"] <= T_SCAN_MEDIAN_US)))
    rows.append(("scan() p99, warm", f"{lat['p99_us']:,.0f} us", "", "", "", ""))
    hard = res.get("hard_latency")
    if hard:
        rows.append((f"hard labels score() median, warm ({hard['labels']} labels, {hard['mean_ingredients']:.0f} ingr.)",
                     f"{hard['median_us']:,.0f} us", "", "", f"<= {T_HARD_MEDIAN_US:.0f} us",
                     verdict(hard["median_us"] <= T_HARD_MEDIAN_US)))
        rows.append(("hard labels scan() median, warm", f"{res['hard_scan_latency']['median_us']:,.0f} us", "", "", "", ""))
    cli = res["cli_oneshot"]
    rows.append((f"CLI one-shot `milia-scan scan` ({cli['ingredients']} ingr.)", f"{cli['median_s']:.3f} s", "", "",
                 f"<= {T_CLI_ONESHOT_S} s", verdict(cli["median_s"] <= T_CLI_ONESHOT_S and cli["rc"] == 0)))

    if bulk is None:
        rows.append(("peak RSS, bulk --jobs 2", "n/a (bulk command not available)", "", "", f"< {T_RSS_MB:.0f} MB",
                     "n/a"))
    else:
        mem = {k: v for k, v in res["rss"].items()}
        small = mem.get("small")
        if small:
            rows.append((f"peak memory, bulk --jobs 2, {small['rows']:,} rows", _mem_text(small), "", "",
                         f"< {T_RSS_MB:.0f} MB", verdict(_mem_mb(small) < T_RSS_MB)))
        big = mem.get("big")
        if big:
            growth = _mem_mb(big) / _mem_mb(small) - 1 if small and _mem_mb(small) else None
            ok = _mem_mb(big) < T_RSS_MB and growth is not None and growth <= T_RSS_GROWTH
            rows.append((f"peak memory, bulk --jobs 2, {big['rows']:,} rows",
                         _mem_text(big) + (f" ({growth:+.0%} vs {small['rows']:,})" if growth is not None else ""),
                         "", "", f"< {T_RSS_MB:.0f} MB, <= +{T_RSS_GROWTH:.0%}", verdict(ok)))
        else:
            rows.append(("peak memory, bulk --jobs 2, 1,000,000 rows", "not run (add --full)", "", "",
                         f"< {T_RSS_MB:.0f} MB, <= +{T_RSS_GROWTH:.0%}", "n/a"))
        for key in ("c1", "c2", "c1_full", "c2_full"):
            b = bulk.get(key)
            if b:
                big_run = key.endswith("_full")
                target = f"<= {T_COLUMNAR_PROC_MB:.0f} MB a process" if big_run else ""
                rows.append((f"peak memory, columnar --jobs {key[1]}, {b['rows']:,} rows", _mem_text(b), "", "", target,
                             verdict(b["maxrss_mb"] <= T_COLUMNAR_PROC_MB) if big_run else ""))
    return rows


def _columnar_figures(bulk: dict, floor: float) -> list[tuple[str, dict, str, bool | None]]:
    """The columnar engine's rows (issue #10): --jobs 1 and 2, and --jobs 1 on the repeated-label
    catalogue (its ratio is to that catalogue's floor, kept in the run as b["floor"])."""
    c1, c2, r1 = bulk.get("c1"), bulk.get("c2"), bulk.get("r1")
    if not c1 or not c2:
        return []
    v1, v2 = c1.get("labels_per_s"), c2.get("labels_per_s")
    up = v2 / v1 if v1 and v2 and not (c1["timed_out"] or c2["timed_out"]) else None
    c2 = {**c2, "note": f" ({up:.2f}x columnar --jobs 1)" if up else ""}
    out = [
        ("bulk columnar --jobs 1 (CLI end to end)", c1, f">= {T_COLUMNAR_VS_FLOOR}x floor",
         None if not v1 else v1 >= T_COLUMNAR_VS_FLOOR * floor),
        ("bulk columnar --jobs 2 (CLI end to end)", c2, f">= {T_COLUMNAR_JOBS2}x columnar --jobs 1",
         None if up is None else up >= T_COLUMNAR_JOBS2),
    ]
    if r1 and r1.get("floor"):
        v = r1.get("labels_per_s")
        out.append(("bulk columnar --jobs 1, repeated-label catalogue", r1, f">= {T_COLUMNAR_REPEATED_VS_FLOOR}x its floor",
                    None if not v else v >= T_COLUMNAR_REPEATED_VS_FLOOR * r1["floor"]))
    return out


def _mem_mb(m: dict) -> float:
    return m["tree_pss_mb"] if m.get("tree_pss_mb") is not None else m["tree_rss_mb"]


def _mem_text(m: dict) -> str:
    kind = "PSS" if m.get("tree_pss_mb") is not None else "RSS"
    note = " *" if m.get("timed_out") else ""
    return f"{_mem_mb(m):,.0f} MB tree {kind} ({m['max_procs']} procs; largest {m['maxrss_mb']:,.0f} MB){note}"


def render(rows: list[tuple[str, ...]]) -> str:
    head = ("figure", "value", "x floor", "x naive", "target", "result")
    allr = [head, *rows]
    w = [max(len(r[i]) for r in allr) for i in range(len(head))]
    line = "+".join("-" * (x + 2) for x in w)
    out = [" | ".join(c.ljust(w[i]) for i, c in enumerate(head)), line]
    out += [" | ".join(c.ljust(w[i]) for i, c in enumerate(r)) for r in rows]
    return "\n".join(out)


def compare(old: dict, new: dict) -> str:
    """Key figures of an earlier JSON run next to this one."""
    def pick(r: dict) -> dict[str, float | None]:
        b = r.get("bulk") or {}
        return {
            "floor labels/s": r["floor"]["labels_per_s"], "naive labels/s": r["naive"]["labels_per_s"],
            "one core labels/s": r["core"]["labels_per_s"],
            "one core warm labels/s": (r.get("core_warm") or {}).get("labels_per_s"),
            "bulk j1 labels/s": (b.get("j1") or {}).get("labels_per_s"),
            "bulk j2 labels/s": (b.get("j2") or {}).get("labels_per_s"),
            "columnar j1 labels/s": (b.get("c1") or {}).get("labels_per_s"),
            "columnar j2 labels/s": (b.get("c2") or {}).get("labels_per_s"),
            "columnar repeated j1": (b.get("r1") or {}).get("labels_per_s"),
            "novel piece us": (r.get("novel") or {}).get("mean_us"),
            "scan() median us": r["scan_latency"]["median_us"], "scan() p99 us": r["scan_latency"]["p99_us"],
            "hard score() median us": (r.get("hard_latency") or {}).get("median_us"),
            "CLI one-shot s": r["cli_oneshot"]["median_s"],
        }
    def num(x: float | None) -> str:
        return "n/a" if x is None else f"{x:,.0f}" if x >= 100 else f"{x:.3g}"

    a, b = pick(old), pick(new)
    lines = [f"vs {old.get('git', {}).get('commit', '?')} ({old.get('when', '?')}):"]
    for k in a:
        x, y = a[k], b[k]
        change = f"{y / x:.2f}x" if x and y else ""
        lines.append(f"  {k:<24} {num(x):>10} -> {num(y):>10}  {change}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="milia-scan speed benchmarks (issue #5)")
    ap.add_argument("--rows", type=int, default=None, help="catalogue rows (default 200000; 5000 with --quick)")
    ap.add_argument("--full", action="store_true", help="also a 1,000,000-row bulk run, for peak RSS vs N")
    ap.add_argument("--quick", action="store_true", help="smoke run: 5,000 rows, small samples, short caps")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--synthetic", action="store_true", help="ignore ../shared/data/labels (the fresh-clone path)")
    ap.add_argument("--json", type=Path, help="write every figure as JSON here")
    ap.add_argument("--compare", type=Path, help="an earlier --json file: print the change per figure")
    ap.add_argument("--cap", type=float, default=None,
                    help="seconds allowed per heavy figure before it is cut short and marked * (default 45)")
    ap.add_argument("--exe", help="the milia-scan executable for the subprocess figures (default: the venv's)")
    ap.add_argument("--naive-sample", type=int, default=None, help="labels for the naive baseline (default 500)")
    ap.add_argument("--repeats", type=int, default=1,
                    help="200k-row bulk runs, each this many times, alternated: the fastest of each is kept, with "
                         "the highest memory of all (default 1; this 2-core machine's load moves one run by ~10%%)")
    args = ap.parse_args(argv)
    global MILIA_EXE
    MILIA_EXE = args.exe

    rows = args.rows or (5_000 if args.quick else 200_000)
    cap = args.cap or (15.0 if args.quick else 45.0)
    naive_n = args.naive_sample or (100 if args.quick else 500)
    latency_n = 300 if args.quick else 2_000
    cli_runs = 3 if args.quick else 7
    t_start = time.perf_counter()
    OUT_DIR.mkdir(parents=True, exist_ok=True)

    res: dict = {"when": time.strftime("%Y-%m-%d %H:%M:%S"), "machine": machine_info(), "git": git_info(),
                 "params": {"rows": rows, "seed": args.seed, "cap_s": cap, "naive_sample": naive_n,
                            "latency_labels": latency_n, "cli_runs": cli_runs, "full": args.full}}
    m = res["machine"]
    log(f"{m['nproc']} CPUs ({m['cpu']}), load {m['load_start']}, Python {m['python']}")
    if m["load_start"][0] > 0.5 * max(m["nproc"], 1):
        log("warning: the machine is busy; figures may be low and --jobs 2 may not scale")

    path, meta = catalogue.catalogue_path(rows, args.seed, args.synthetic)
    res["catalogue"] = {**meta, "path": str(path.relative_to(ROOT))}
    log(f"catalogue {path.name}: {meta['source']} labels, {meta['mean_ingredients']} ingredients and "
        f"{meta['mean_label_bytes']:.0f} bytes a label{' (cached)' if meta.get('cached') else ''}")

    log("floor ...")
    res["floor"] = measure_floor(path)

    log("Scanner() ...")
    t0 = time.perf_counter()
    from milia_scan import Scanner

    scanner = Scanner()
    res["scanner_load_s"] = time.perf_counter() - t0

    log(f"naive baseline on {naive_n} labels ...")
    sample = head_labels(path, naive_n)
    res["naive"] = measure_naive(sample, lexicon_names(scanner), res["floor"]["seconds"] / res["floor"]["rows"])

    log(f"one core, cold cache (cap {cap:.0f} s) ...")
    res["core"] = measure_core(path, scanner, cap)
    log(f"one core, warm cache (cap {cap / 3:.0f} s) ...")
    res["core_warm"] = measure_core_warm(path, scanner, res["core"]["rows"], cap / 3)
    del scanner
    gc.collect()

    help_text = bulk_help()
    if help_text is None:
        log("bulk: n/a (bulk command not available)")
        res["bulk"] = None
    else:
        res["bulk"] = {}
        # The bulk runs must fit the time budget: from the one-core rate, predict --jobs 1 and
        # use a prefix of the file when the whole would not fit (said in the output).
        bulk_rows, bulk_path = rows, path
        core_rate = res["core"]["labels_per_s"]
        if rows / core_rate + 1.0 > 0.8 * cap:
            bulk_rows = max(1000, int(core_rate * (0.8 * cap - 1.0)) // 1000 * 1000)
            if bulk_rows < rows:
                bulk_path = head_file(path, bulk_rows)
            else:
                bulk_rows = rows
        res["bulk_rows"] = bulk_rows
        engines = "columnar" in help_text  # issue #10: the row engine is --engine local
        row_engine = "local" if engines else None
        repeats = max(1, args.repeats)
        res["params"]["repeats"] = repeats
        runs: dict[str, list[dict]] = {}
        for round_ in range(repeats):
            again = f" (round {round_ + 1} of {repeats})" if repeats > 1 else ""
            for jobs in (1, 2):
                log(f"bulk --jobs {jobs} {'--engine local ' if engines else ''}on {bulk_rows:,} rows "
                    f"(killed after {2 * cap:.0f} s){again} ...")
                runs.setdefault(f"j{jobs}", []).append(
                    measure_bulk(help_text, bulk_path, bulk_rows, jobs, 2 * cap, row_engine))
            if engines:
                for jobs in (1, 2):
                    log(f"bulk --jobs {jobs} --engine columnar on {bulk_rows:,} rows{again} ...")
                    runs.setdefault(f"c{jobs}", []).append(
                        measure_bulk(help_text, bulk_path, bulk_rows, jobs, 2 * cap, "columnar"))
        res["bulk"].update({key: best_run(found) for key, found in runs.items()})
        if engines:
            rep_path = repeated_catalogue_path(rows, args.seed, args.synthetic)
            rep_bulk = head_file(rep_path, bulk_rows) if bulk_rows < rows else rep_path
            log(f"repeated-label catalogue {rep_path.name}: floor, then bulk --jobs 1 --engine columnar ...")
            res["floor_repeated"] = measure_floor(rep_path)
            res["bulk"]["r1"] = best_run([measure_bulk(help_text, rep_bulk, bulk_rows, 1, 2 * cap, "columnar")
                                          for _ in range(repeats)])
            res["bulk"]["r1"]["floor"] = res["floor_repeated"]["labels_per_s"]
        j2 = res["bulk"]["j2"]
        res["rss"] = {"small": {"rows": bulk_rows, **{k: j2[k] for k in
                                                      ("tree_pss_mb", "tree_rss_mb", "maxrss_mb", "max_procs",
                                                       "timed_out")}}}

    log(f"scan() latency on {latency_n} labels ...")
    lat_labels = head_labels(path, latency_n, lambda s: 32 <= n_ingredients(s) <= 40)
    res["scan_latency"] = measure_scan_latency(lat_labels)
    hard_labels = head_labels(path, latency_n // 4, lambda s: 32 <= n_ingredients(s) <= 40 and is_hard(s))
    log(f"hard-label latency on {len(hard_labels)} labels ...")
    res["hard_latency"] = measure_scan_latency(hard_labels, "score")
    res["hard_scan_latency"] = measure_scan_latency(hard_labels, "scan")

    log(f"novel-piece resolution: the distinct pieces of the catalogue (cap {cap:.0f} s) ...")
    found = distinct_pieces(path, cap)
    res["novel"] = {**measure_novel(found["pieces"]), "rows": found["rows"], "capped": found["capped"]}

    log(f"CLI one-shot x{cli_runs} ...")
    res["cli_oneshot"] = measure_cli_oneshot(oneshot_label(), cli_runs)

    if args.full and help_text is not None:
        big_rows = 1_000_000
        big_path, big_meta = catalogue.catalogue_path(big_rows, args.seed, args.synthetic)
        res["catalogue_full"] = {**big_meta, "path": str(big_path.relative_to(ROOT))}
        log(f"bulk --jobs 2 on {big_rows:,} rows (cap {max(cap * 10, 300):.0f} s) ...")
        big = measure_bulk(help_text, big_path, big_rows, 2, max(cap * 10, 300), "local" if "columnar" in help_text
                           else None)
        res["bulk"]["j2_full"] = big
        res["rss"]["big"] = {"rows": big_rows, **{k: big[k] for k in
                                                   ("tree_pss_mb", "tree_rss_mb", "maxrss_mb", "max_procs", "timed_out")}}
        if "columnar" in help_text:
            for jobs in (1, 2):
                log(f"bulk --jobs {jobs} --engine columnar on {big_rows:,} rows ...")
                res["bulk"][f"c{jobs}_full"] = measure_bulk(help_text, big_path, big_rows, jobs, max(cap * 10, 300),
                                                            "columnar")

    m["load_end"] = [round(x, 2) for x in os.getloadavg()]
    res["seconds_total"] = round(time.perf_counter() - t_start, 1)
    table = build_table(res)
    res["table"] = [dict(zip(("figure", "value", "x_floor", "x_naive", "target", "result"), r)) for r in table]

    c = res["catalogue"]
    print()
    print(f"milia-scan benchmarks  {res['when']}  commit {res['git']['commit']}"
          f"{' (src/lexicon modified)' if res['git']['src_dirty'] else ''}")
    print(f"machine: {m['nproc']} CPUs ({m['cpu']}), load {m['load_start']} -> {m['load_end']}, "
          f"Python {m['python']}")
    print(f"catalogue: {c['rows']:,} rows of {c['source']} labels (seed {c['seed']}), {c['mean_ingredients']} "
          f"ingredients / {c['mean_label_bytes']:.0f} bytes a label, {c.get('duplicate_rows', 0):.0%} repeated rows, "
          f"{c['file_bytes'] / 1e6:,.0f} MB; "
          f"Scanner() load {res['scanner_load_s']:.2f} s (not in the one-core figure)")
    print()
    print(render(table))
    notes = []
    for key, what in (("core", "one core, cold"), ("core_warm", "one core, warm")):
        if res[key]["capped"]:
            notes.append(f"* {what}: cut short at its time cap after {res[key]['rows']:,} rows; the rate is from "
                         f"those rows only" + (" (pessimistic: a larger share of cache misses)." if key == "core"
                                               else "."))
    if res.get("floor_repeated"):
        notes.append(f"repeated-label catalogue: {res['bulk_rows']:,} rows, 70% repeated labels, 30% with 1-2 letter "
                     f"typos; its floor {res['floor_repeated']['labels_per_s']:,.0f} labels/s.")
    if res.get("bulk"):
        b1, b2 = res["bulk"]["j1"], res["bulk"]["j2"]
        notes.append(f"bulk CPU time (user+sys, process tree): --jobs 1 {b1['cpu_s']:.1f} s in {b1['wall_s']:.1f} s wall, "
                     f"--jobs 2 {b2['cpu_s']:.1f} s in {b2['wall_s']:.1f} s wall; --jobs 2 can reach 2x only when its "
                     f"CPU time stays near --jobs 1's and both cores are free.")
    if res.get("bulk") and res["params"].get("repeats", 1) > 1:
        walls = "; ".join(f"{k} {', '.join(f'{w:.2f}' for w in b['repeat_walls_s'])}"
                          for k, b in res["bulk"].items() if b.get("repeat_walls_s"))
        notes.append(f"bulk runs: each {res['params']['repeats']} times, alternated; the fastest kept, with the highest "
                     f"memory of its runs (wall s: {walls}).")
    if res.get("bulk") and res.get("bulk_rows", rows) < rows:
        notes.append(f"bulk rows: on the first {res['bulk_rows']:,} rows of the file, because the whole file would "
                     f"not fit the {cap:.0f} s budget at the one-core rate (raise --cap to run it all).")
    for key, b in (res.get("bulk") or {}).items():
        if b.get("timed_out"):
            notes.append(f"* bulk {key}: killed at its time cap ({b['rows_out']:,} rows written); the figure is a "
                         f"bound from rows and seconds.")
    if res.get("bulk"):
        notes.append("memory: tree PSS = summed proportional set size of the bulk process and its workers "
                     "(shared pages counted once), sampled every 0.2 s from /proc; largest = ru_maxrss (wait4) "
                     "of the largest single process.")
    nv = res["novel"]
    notes.append(f"novel pieces: the distinct token texts of {'the first ' if nv['capped'] else ''}{nv['rows']:,} rows, "
                 f"{nv['matched_share']:.0%} of them naming an entry; each resolved once by a fresh Matcher, "
                 f"mean of the pieces, median of {len(nv['runs_us'])} runs"
                 + (" (* cut short at its time cap)." if nv["capped"] else "."))
    notes.append(f"one core: {res['core']['rows']:,} labels, {res['core']['share_with_hits']:.0%} with a risk hit, "
                 f"mean score {res['core']['mean_score']}, {res['core']['cache_entries']:,} distinct tokens cached.")
    for n in notes:
        print(n)
    print(f"total {res['seconds_total']:.0f} s")

    if args.compare:
        try:
            print()
            print(compare(json.loads(args.compare.read_text()), res))
        except (OSError, ValueError, KeyError) as exc:
            log(f"cannot compare with {args.compare}: {exc}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(res, indent=2, default=str) + "\n")
        log(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
