"""Timing helpers shared by the benchmarks."""

from __future__ import annotations

import cProfile
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

WARMUP = 5
T = TypeVar("T")
Row = tuple[str, str, str]


def median_ms(func: Callable[[], object], rounds: int = 60) -> tuple[float, float]:
    """Median wall-clock and process-CPU milliseconds of ``func`` after a warm-up.

    CPU time is reported too because the machine's cores may be shared: under load the
    wall clock measures the neighbours as well.
    """
    for _ in range(WARMUP):
        func()
    walls, cpus = [], []
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        func()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000


def percentiles_ms(samples: list[float]) -> tuple[float, float]:
    """p50 and p95 of ``samples`` given in seconds, in milliseconds."""
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return p50 * 1000, p95 * 1000


def database_cpu() -> float:
    """CPU seconds of this connection's PostgreSQL backend so far (0 on SQLite, which runs
    in this process). Parallel query workers are other processes and not counted."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # the database on another machine
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Statements:
    """How many SQL statements the default connection sent (``count``) while the
    ``counting()`` block ran; a ``COPY`` sent through psycopg's own cursor
    (``core.bulk``) is not seen here."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], *args: Any) -> Any:
        self.count += 1
        return execute(*args)

    @contextmanager
    def counting(self) -> Iterator[Statements]:
        from django.db import connection

        with connection.execute_wrapper(self):
            yield self


class ProgressRows(list[Row]):
    """A benchmark's result rows, also printed to stderr as they come (a long run shows
    progress)."""

    def append(self, row: Row) -> None:
        print(f"  {row[0]}: {row[1]} {row[2]}", file=sys.stderr, flush=True)
        super().append(row)


def timed(
    rows: list[Row],
    label: str,
    func: Callable[[], T],
    *,
    profile_path: Path | None = None,
    backend_cpu: Callable[[], float] = database_cpu,
) -> T:
    """Run ``func`` once and add to ``rows`` its wall time, this process's CPU and the
    database's CPU (``backend_cpu``: this connection's PostgreSQL backend unless told
    otherwise), then the SQL statements the default connection sent and the load average
    after: on a shared machine the wall clock also measures the neighbours. With
    ``profile_path`` the run is profiled (cProfile) into that file, its times inflated."""
    statements = Statements()
    profiler = cProfile.Profile() if profile_path is not None else None
    database = backend_cpu()
    start, cpu = time.perf_counter(), time.process_time()
    with statements.counting():
        result = profiler.runcall(func) if profiler is not None else func()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    database = backend_cpu() - database
    rows.append(
        (f"{label}, wall / CPU / database CPU", f"{elapsed:.1f} / {cpu:.1f} / {database:.1f}", "s")
    )
    rows.append(
        (
            "  SQL statements (COPY not counted); load average (1 min) after",
            f"{statements.count}; {os.getloadavg()[0]:.1f}",
            "",
        )
    )
    if profiler is not None and profile_path is not None:
        profile_path.parent.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(profile_path)
        rows.append((f"  profile (times above inflated by it): {profile_path}", "", ""))
    return result
