"""Worker processes that score chunks in input order, and the cache sizes each process uses.

`map_chunks` sends whole chunks to a `ProcessPoolExecutor`, one `Scanner` per worker (sent once,
at start), at most 2 x jobs chunks in flight: memory stays flat however long the input. Ctrl-C
and SIGTERM are the parent's: workers ignore SIGINT and are ended when the run stops.
"""

from __future__ import annotations

import gc
import itertools
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from typing import TypeVar

from ..scanner import Scanner
from .contexts import DEFAULT, ContextSpec

P = TypeVar("P")
T = TypeVar("T")
R = TypeVar("R")

#: Cache sizes (entries in each of the tokenizer's piece cache and the matcher's token cache),
#: per use. Measured on the 200,000-row low-repeat catalogue (CPU seconds, peak RSS): one
#: process, 50k -> 200k: 17.9 -> 14.6 s, 245 -> 268 MB (329 MB at 1M rows). Columnar workers
#: (--jobs 2), 50k -> 100k: 18.9 -> 15.5 s, largest process 206 -> 217 MB (200k: no faster).
#: Row-engine workers stay at 50k: the row engine's --jobs 2 tree must stay under 200 MB. At 1M
#: rows (1da7b48, 35be733), 50k / 60k / 75k / 100k: tree PSS 174 / 185 / 197 / 212 MB, wall 33.0 / 33.7 /
#: 32.3 / 33.2 s (pieces are cached without their leading whitespace: a larger cache buys little).
CACHE_ONE_PROCESS = 200_000
CACHE_PER_WORKER = 50_000
CACHE_PER_COLUMNAR_WORKER = 100_000

_worker_scanner: Scanner | None = None
_worker_context: ContextSpec = DEFAULT
_HELD = {signal.SIGINT, signal.SIGTERM}
_CAN_HOLD = hasattr(signal, "pthread_sigmask")  # not on Windows


def set_cache_limit(scanner: Scanner, limit: int) -> None:
    """Bound this process's caches for `scanner` at `limit` entries each."""
    scanner.cache_limit = limit


@contextmanager
def cache_limit(scanner: Scanner, limit: int | None) -> Iterator[None]:
    """`set_cache_limit` for the block (None: leave the limits as they are), then put them back."""
    if limit is None:
        yield
        return
    before = scanner.cache_limit
    set_cache_limit(scanner, limit)
    try:
        yield
    finally:
        scanner.cache_limit = before


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM in this thread for the block; one that came meanwhile is handled
    as the block ends (KeyboardInterrupt, or the CLI's Terminated).

    Around `pool.submit`, which may start worker processes: forking runs Python at-fork hooks
    (logging's, in the parent) where an exception is only printed, so a Ctrl-C landing there was
    lost and the run went on to write its output; and a worker signalled before `_init_worker`
    ran died of it. Held, the signal waits: workers start with it blocked and unblock it once
    they ignore SIGINT, and the pool's threads, started here, keep it blocked for good, so the
    main thread is always the one that receives it.
    """
    if not _CAN_HOLD:  # pragma: no cover
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, ())  # read, before any change
    try:  # a Ctrl-C handled as SIG_BLOCK returns is raised after the block took effect: undone too
        signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _init_worker(scanner: Scanner, context: ContextSpec, limit: int | None) -> None:
    """Runs once in each worker process: keep the one Scanner every chunk of this worker uses."""
    global _worker_scanner, _worker_context
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not a handler inherited from the parent
    if _CAN_HOLD:  # held since the fork (see signals_held)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)
    if limit is not None:
        set_cache_limit(scanner, limit)
    _worker_scanner, _worker_context = scanner, context


def _in_worker(fn: Callable[[Scanner, ContextSpec, T], R], task: T) -> R:
    assert _worker_scanner is not None
    return fn(_worker_scanner, _worker_context, task)


def _submit(pool: ProcessPoolExecutor, fn: Callable[[Scanner, ContextSpec, T], R], task: T) -> Future[R]:
    """`fn` on `task` in a worker; signals are held meanwhile, as a submit may start workers."""
    with signals_held():
        return pool.submit(_in_worker, fn, task)


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop now: cancel what is queued and end the workers (they hold nothing worth keeping)."""
    procs = list((getattr(pool, "_processes", None) or {}).values())  # shutdown() forgets them
    manager = getattr(pool, "_executor_manager_thread", None)
    results = getattr(pool, "_result_queue", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        if proc.is_alive():
            proc.terminate()
    for proc in procs:
        proc.join(5)
        if proc.is_alive():  # SIGTERM is held until a worker's initializer runs: make sure
            proc.kill()  # (the pool's thread joins every worker, and exit joins that thread)
            proc.join(5)
    if results is not None:
        # A worker that ended halfway through sending a result left the pool's thread waiting
        # for the rest, and it never reads end-of-file while this process holds the write end
        # too: close it, so the thread sees the pool broken and ends (else exit hangs on it).
        results._writer.close()
    if manager is not None:  # it closes its wake-up pipe: no noise at interpreter exit
        manager.join(5)


#: Seconds between two looks at a signal while waiting for a worker (see `_result`).
WAKE_S = 0.5


def _result(fut: Future[R]) -> R:
    """`fut.result()`, waking every `WAKE_S` seconds. A Ctrl-C that lands just before this thread
    starts to wait is not seen until it runs Python code again: CPython's lock wait is interrupted
    only by a signal that comes during it. Waking bounds that delay; waiting without a timeout,
    with a worker that never answers, it hung for good (seen once in ~200 runs of the half-sent
    test)."""
    while not fut.done():
        wait((fut,), timeout=WAKE_S)
    return fut.result()


def map_chunks(
    chunks: Iterable[tuple[P, T]], fn: Callable[[Scanner, ContextSpec, T], R], *, jobs: int, scanner: Scanner,
    context: ContextSpec, worker_cache: int | None = CACHE_PER_WORKER,
) -> Iterator[tuple[P, R]]:
    """Run `fn(scanner, context, task)` on each (payload, task), yielding (payload, result) in
    input order. The payload stays here; the task goes to a worker. `context` (how rows get
    their context, the name or context column resolved) reaches each worker once, like `scanner`.

    With jobs > 1 the tasks go to worker processes (`fn` must be a module-level function), at
    most 2 x jobs in flight, so memory stays flat however long the input; a pool is started only
    once there is a second chunk. Each worker bounds its scanner's caches at `worker_cache`
    entries (None: as the scanner has them).
    """
    chunks = iter(chunks)
    if jobs <= 1:
        for payload, task in chunks:
            yield payload, fn(scanner, context, task)
        return
    first = next(chunks, None)
    if first is None:
        return
    second = next(chunks, None)
    if second is None:  # one chunk: not worth starting processes
        yield first[0], fn(scanner, context, first[1])
        return
    # Objects made so far (the scanner's lexicon and indexes) are left out of garbage collection
    # while the workers run: a collection in a worker writes to every object it scans, which
    # copies the pages it shares with this process (row engine, --jobs 2: tree PSS -14 MB).
    gc.collect()
    gc.freeze()
    pool = ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(scanner, context, worker_cache))
    window: deque[tuple[P, Future[R]]] = deque()
    try:
        for payload, task in itertools.chain((first, second), chunks):
            window.append((payload, _submit(pool, fn, task)))
            if len(window) >= 2 * jobs:
                done_payload, fut = window.popleft()
                yield done_payload, _result(fut)
        while window:
            done_payload, fut = window.popleft()
            yield done_payload, _result(fut)
    except BaseException:
        stop_pool(pool)
        raise
    finally:
        gc.unfreeze()  # a long-lived caller's objects are collected again
    pool.shutdown(wait=True)


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of `size` items (the last one shorter)."""
    it = iter(items)
    while batch := list(itertools.islice(it, size)):
        yield batch
