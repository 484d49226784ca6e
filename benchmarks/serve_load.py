"""Load and faults on `milia-scan serve` over loopback (issue #12). Not a test: run it by hand.

    python benchmarks/serve_load.py                    # 5,000 /v1/scan at concurrency 16, 200 /v1/score of 500
    python benchmarks/serve_load.py --workers 2
    python benchmarks/serve_load.py --quick            # 500 scans, 20 batches: a smoke run

It starts the server itself (`python -m milia_scan.cli serve` on a free loopback port, no access
log), then, with httpx:

1. `/v1/scan`: the scan labels one request each, `--concurrency` at a time; mixed in among them,
   `--bad` malformed or oversized requests (not JSON, an array, no label, a number for a label, a
   bad context, a form body, a 70 KB body, a 70 KB chunked body without Content-Length, a label over
   the per-label cap, 1,001 labels, a 2.1 MB /v1/score body), each of which must get its own 4xx;
2. `/v1/score`: the score labels in batches of `--batch`, two batches a worker at a time (so that
   a worker scores one batch while the next one arrives);
3. `/healthz` once more: the server is still serving.

Before them, 2,000 `GET /healthz` at the same concurrency measure the HTTP stack alone (uvicorn,
FastAPI and the httpx client on the same machine): the floor under the /v1/scan latencies.

Labels come from `benchmarks/catalogue.py` (product variants of the real labels in
../shared/data, or synthetic ones without it), distinct in each phase. It prints requests/s, p50
and p99 latency, errors, the server's RSS (its whole process tree) at start, after the scans, half
way through the batches and at the end, and the ratio of /v1/score's throughput per worker to
in-process `Scanner.score` on the same labels in the same order (after the same warm-up: the scan
labels through `Scanner.scan`). Targets: 0 errors, every bad request its 4xx, RSS flat over the
second half of the batches (<= +10%), p99 <= 10x p50, /v1/score >= 0.5x in-process per worker.
The last is judged per CPU second (the server's process tree, user + system, against the
in-process loop's): on a shared machine wall-clock rates swing with the other work, CPU time much
less; the wall-clock ratio is printed beside it.

Bounded: every request has a timeout, and the run stops at `--max-seconds` (what was done is
reported, marked partial). The server is stopped at the end, whatever happens.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from catalogue import catalogue_path  # noqa: E402

REQUEST_TIMEOUT = 120.0


# --------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree(pid: int) -> list[int]:
    """A process and all its descendants (from /proc)."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


def tree_sum(pid: int, reading: Callable[[int], float]) -> float:
    """A reading summed over a process and its descendants (one that has just exited counts 0)."""
    total = 0.0
    for p in tree(pid):
        try:
            total += reading(p)
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue
    return total


def _rss(p: int) -> int:
    status = Path(f"/proc/{p}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))) * 1024


def _cpu(p: int) -> float:
    fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def tree_rss(pid: int) -> int:
    """Resident set size of a process and all its descendants, in bytes."""
    return int(tree_sum(pid, _rss))


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system, every thread) used so far by a process and its descendants."""
    return tree_sum(pid, _cpu)


def start_server(workers: int, deadline: float) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "milia_scan.cli", "serve", "--port", str(port), "--workers", str(workers),
         "--no-access-log"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"serve_load: the server exited at start (status {proc.returncode})")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                if workers > 1:  # let every worker come up (each answers once it has its lexicon)
                    time.sleep(2.0)
                return proc, url
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("serve_load: the server did not start in time")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --------------------------------------------------------------------------- the requests


@dataclass
class Job:
    """One request, and the status it must get."""

    path: str
    content: bytes | None
    expect: int
    kind: str  # "scan", "score", "healthz", or what is wrong with a bad request
    chunked: bool = False
    first: int = 0  # of a score batch: the index of its first label
    method: str = "POST"
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})


def bad_jobs(n: int) -> list[Job]:
    """`n` malformed or oversized requests, every kind in turn."""
    big_label = "Aqua, Petrolatum, " * 4000  # 72 KB
    kinds = [
        Job("/v1/scan", b"{not json", 422, "not JSON"),
        Job("/v1/scan", b'["Aqua", "Petrolatum"]', 422, "an array"),
        Job("/v1/scan", b"{}", 422, "no label"),
        Job("/v1/scan", b'{"label": 42}', 422, "a number for a label"),
        Job("/v1/scan", b'{"label": "Aqua", "context": "face"}', 422, "a bad context"),
        Job("/v1/scan", b"label=Aqua", 422, "a form body", headers={"Content-Type": "application/x-www-form-urlencoded"}),
        Job("/v1/scan", json.dumps({"label": big_label}).encode(), 413, "a 72 KB body"),
        Job("/v1/scan", json.dumps({"label": big_label}).encode(), 413, "a 72 KB chunked body", chunked=True),
        Job("/v1/scan", json.dumps({"label": "Aqua, " * 6000}).encode(), 413, "a label over the cap"),
        Job("/v1/score", json.dumps({"labels": ["Aqua"] * 1001}).encode(), 413, "1,001 labels"),
        Job("/v1/score", json.dumps({"labels": ["Aqua, Glycerin, " * 1000] * 140}).encode(), 413, "a 2.1 MB body"),
    ]
    return [kinds[i % len(kinds)] for i in range(n)]


async def chunks(data: bytes) -> AsyncIterator[bytes]:
    for i in range(0, len(data), 8192):
        yield data[i : i + 8192]


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)  # seconds, good requests that succeeded
    errors: list[str] = field(default_factory=list)  # good requests that failed
    bad_ok: int = 0  # bad requests that got their 4xx
    bad_wrong: list[str] = field(default_factory=list)
    wall: float = 0.0
    done: int = 0
    partial: bool = False


async def run_jobs(url: str, jobs: list[Job], concurrency: int, deadline: float, check=None) -> Outcome:
    """Send the jobs, `concurrency` at a time, in order; stop taking new ones at the deadline."""
    out = Outcome()
    queue: asyncio.Queue[Job] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            if time.monotonic() > deadline:
                out.partial = True
                return
            job = queue.get_nowait()
            content = chunks(job.content) if job.chunked and job.content else job.content
            t0 = time.perf_counter()
            try:
                response = await client.request(job.method, url + job.path, content=content, headers=job.headers)
                status, body = response.status_code, response.content
            except httpx.HTTPError as exc:
                status, body = -1, repr(exc).encode()
            elapsed = time.perf_counter() - t0
            out.done += 1
            if job.kind in ("scan", "score", "healthz"):
                problem = None if status == 200 else f"{job.kind}: {status} {body[:120]!r}"
                if problem is None and check is not None:
                    problem = check(job, body)
                if problem:
                    out.errors.append(problem)
                else:
                    out.latencies.append(elapsed)
            elif status == job.expect and json.loads(body).get("error", {}).get("code"):
                out.bad_ok += 1
            else:
                out.bad_wrong.append(f"{job.kind}: {status} (expected {job.expect}) {body[:120]!r}")

    t0 = time.perf_counter()
    async with httpx.AsyncClient(limits=limits, timeout=REQUEST_TIMEOUT) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    out.wall = time.perf_counter() - t0
    return out


# --------------------------------------------------------------------------- figures


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def mib(n: int) -> str:
    return f"{n / 2**20:.1f} MiB"


def load_labels(n: int, synthetic: bool) -> tuple[list[str], dict]:
    path, meta = catalogue_path(n, seed=1, synthetic=synthetic)
    with path.open(newline="", encoding="utf-8") as fh:
        labels = [row["ingredients"] for row in csv.DictReader(fh)]
    return labels[:n], meta


def in_process(scan_labels: list[str], score_labels: list[str], deadline: float) -> tuple[float, float, list[int]]:
    """Labels per second of a fresh Scanner.score on the score labels, after the scan labels
    through scan(): per wall-clock second and per CPU second; and the scores (the server's must be
    the same)."""
    from milia_scan import Scanner

    scanner = Scanner()
    for label in scan_labels:
        scanner.scan(label)
    scores: list[int] = []
    t0, c0 = time.perf_counter(), time.process_time()
    for label in score_labels:
        scores.append(scanner.score(label).score)
        if len(scores) % 1000 == 0 and time.monotonic() > deadline:
            break
    return len(scores) / (time.perf_counter() - t0), len(scores) / (time.process_time() - c0), scores


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--scan-requests", type=int, default=5000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--score-batches", type=int, default=200)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--score-concurrency", type=int, default=None, help="batches in flight (default: 2 a worker)")
    ap.add_argument("--bad", type=int, default=100, help="malformed and oversized requests mixed into the scans")
    ap.add_argument("--max-seconds", type=float, default=600, help="stop (and report what was done) after this")
    ap.add_argument("--synthetic", action="store_true", help="synthetic labels even when ../shared/data is there")
    ap.add_argument("--quick", action="store_true", help="500 scans, 20 batches, 22 bad requests")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)
    if args.quick:
        args.scan_requests, args.score_batches, args.bad = 500, 20, 22
    deadline = time.monotonic() + args.max_seconds

    n_score = args.score_batches * args.batch
    labels, meta = load_labels(args.scan_requests + n_score, args.synthetic)
    scan_labels, score_labels = labels[: args.scan_requests], labels[args.scan_requests :]
    load = os.getloadavg()
    print(f"serve_load  {time.strftime('%Y-%m-%d %H:%M:%S')}  {platform.python_implementation()} "
          f"{platform.python_version()}  {os.cpu_count()} CPUs  load {load[0]:.2f}")
    print(f"labels: {meta['source']} catalogue, {len(scan_labels):,} for /v1/scan + {len(score_labels):,} for "
          f"/v1/score (mean {meta['mean_ingredients']} ingredients, {meta['mean_label_bytes']:.0f} bytes)")

    print("in-process Scanner.score on the same labels ...", flush=True)
    local_rate, local_cpu_rate, local_scores = in_process(scan_labels, score_labels, deadline)
    local_n = len(local_scores)

    proc, url = start_server(args.workers, deadline)
    try:
        rss = {"start": tree_rss(proc.pid)}
        # the HTTP stack alone (no scanning), at the same concurrency: the floor of the latencies
        floor = asyncio.run(run_jobs(url, [Job("/healthz", None, 200, "healthz", method="GET", headers={})] * 2000,
                                     args.concurrency, deadline))
        scan_jobs = [Job("/v1/scan", json.dumps({"label": label}).encode(), 200, "scan") for label in scan_labels]
        bad = bad_jobs(args.bad)
        step = max(1, len(scan_jobs) // max(1, len(bad)))
        mixed: list[Job] = []
        for i, job in enumerate(scan_jobs):
            mixed.append(job)
            if i % step == step - 1 and bad:
                mixed.append(bad.pop(0))
        mixed += bad
        print(f"/v1/scan: {len(scan_jobs):,} requests + {args.bad} bad ones at concurrency {args.concurrency} ...",
              flush=True)
        scans = asyncio.run(run_jobs(url, mixed, args.concurrency, deadline))
        rss["after /v1/scan"] = tree_rss(proc.pid)

        batches = [score_labels[i : i + args.batch] for i in range(0, len(score_labels), args.batch)]

        def check(job: Job, body: bytes) -> str | None:
            """The batch's scores, in order, are the in-process ones."""
            got = [r["score"] for r in json.loads(body)["results"]]
            want = local_scores[job.first : job.first + args.batch]
            size = min(args.batch, len(score_labels) - job.first)
            if len(got) != size or got[: len(want)] != want:
                return f"score: the batch at {job.first} differs from in-process Scanner.score"
            return None

        score_jobs = [Job("/v1/score", json.dumps({"labels": b}).encode(), 200, "score", first=i * args.batch)
                      for i, b in enumerate(batches)]
        in_flight = args.score_concurrency or 2 * args.workers
        print(f"/v1/score: {len(batches)} batches of {args.batch} at concurrency {in_flight} ...", flush=True)
        quarters = []
        cpu0 = tree_cpu(proc.pid)
        for q in range(4):  # the RSS after each quarter of the batches
            part = score_jobs[q * len(score_jobs) // 4 : (q + 1) * len(score_jobs) // 4]
            quarters.append(asyncio.run(run_jobs(url, part, in_flight, deadline, check)))
            rss[f"{25 * (q + 1)}% of /v1/score"] = tree_rss(proc.pid)
        score_cpu = tree_cpu(proc.pid) - cpu0
        alive = httpx.get(url + "/healthz", timeout=10).status_code == 200
    finally:
        stop_server(proc)

    score_lat = [t for q in quarters for t in q.latencies]
    score_wall = sum(q.wall for q in quarters)
    score_errors = [e for q in quarters for e in q.errors]
    score_done = len(score_lat)
    server_rate = score_done * args.batch / score_wall if score_wall else 0.0
    ratio = server_rate / args.workers / local_rate if local_rate else 0.0
    server_cpu_rate = score_done * args.batch / score_cpu if score_cpu else 0.0
    cpu_ratio = server_cpu_rate / local_cpu_rate if local_cpu_rate else 0.0
    scan_p50, scan_p99 = pct(scans.latencies, 0.5), pct(scans.latencies, 0.99)
    growth = rss["100% of /v1/score"] / rss["50% of /v1/score"] - 1
    errors = floor.errors + scans.errors + score_errors
    partial = scans.partial or any(q.partial for q in quarters)

    rows = [
        ("GET /healthz (floor)", f"{len(floor.latencies):,} ok of 2,000", f"{floor.wall:.1f}",
         f"{len(floor.latencies) / floor.wall:,.0f} req/s", f"{pct(floor.latencies, 0.5) * 1000:.1f}",
         f"{pct(floor.latencies, 0.99) * 1000:.1f}",
         f"{pct(floor.latencies, 0.99) / pct(floor.latencies, 0.5):.1f}x", str(len(floor.errors))),
        ("POST /v1/scan", f"{len(scans.latencies):,} ok of {len(scan_jobs):,}", f"{scans.wall:.1f}",
         f"{len(scans.latencies) / scans.wall:,.0f} req/s", f"{scan_p50 * 1000:.1f}", f"{scan_p99 * 1000:.1f}",
         f"{scan_p99 / scan_p50:.1f}x", str(len(scans.errors))),
        ("POST /v1/score", f"{score_done} ok of {len(batches)} batches", f"{score_wall:.1f}",
         f"{score_done / score_wall:,.2f} req/s = {server_rate:,.0f} labels/s", f"{pct(score_lat, 0.5) * 1000:.0f}",
         f"{pct(score_lat, 0.99) * 1000:.0f}", f"{pct(score_lat, 0.99) / pct(score_lat, 0.5):.1f}x",
         str(len(score_errors))),
    ]
    head = ("endpoint", "requests", "wall s", "throughput", "p50 ms", "p99 ms", "p99/p50", "errors")
    widths = [max(len(r[i]) for r in (head, *rows)) for i in range(len(head))]
    print()
    for r in (head, tuple("-" * w for w in widths), *rows):
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    print()
    print(f"bad requests: {scans.bad_ok} of {args.bad} got their 4xx" +
          (f"; wrong: {scans.bad_wrong[:5]}" if scans.bad_wrong else "") +
          f"; /healthz after the load: {'200' if alive else 'FAILED'}")
    print("server RSS (process tree): " + ", ".join(f"{k} {mib(v)}" for k, v in rss.items()) +
          f" (second half of /v1/score: {growth:+.1%})")
    print(f"in-process Scanner.score: {local_rate:,.0f} labels/s ({local_n:,} labels), {local_cpu_rate:,.0f} per "
          f"CPU second; /v1/score per worker: {server_rate / args.workers:,.0f} labels/s = {ratio:.2f}x in-process "
          f"({args.workers} worker{'s' if args.workers > 1 else ''}); per server CPU second: {server_cpu_rate:,.0f} "
          f"= {cpu_ratio:.2f}x in-process")
    targets = [
        ("0 errors", not errors),
        ("every bad request its 4xx, still serving", scans.bad_ok == args.bad and alive),
        ("RSS flat (<= +10% over the second half of /v1/score)", growth <= 0.10),
        ("/v1/scan p99 <= 10x p50", scan_p99 <= 10 * scan_p50),
        # per CPU second: what a worker with a core of its own does, whatever else the machine runs
        ("/v1/score >= 0.5x in-process per worker (per CPU second)", cpu_ratio >= 0.5),
    ]
    for name, ok in targets:
        print(f"  {'PASS' if ok else 'FAIL'}  {name}")
    if errors:
        print("first errors:", *errors[:5], sep="\n  ")
    if partial:
        print(f"PARTIAL: stopped at --max-seconds {args.max_seconds:g}")
    print(f"load at the end {os.getloadavg()[0]:.2f}")
    if args.json:
        results = {"rows": [dict(zip(head, r)) for r in rows], "rss": rss, "in_process_labels_per_s": local_rate,
                   "in_process_labels_per_cpu_s": local_cpu_rate, "server_labels_per_s": server_rate,
                   "server_labels_per_cpu_s": server_cpu_rate, "ratio_per_worker": ratio, "cpu_ratio": cpu_ratio, "bad_ok": scans.bad_ok,
                   "targets": dict(targets), "partial": partial, "workers": args.workers}
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0 if all(ok for _, ok in targets) and not partial else 1


if __name__ == "__main__":
    raise SystemExit(main())
