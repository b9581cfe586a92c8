"""Timing helpers shared by the benchmarks."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

WARMUP = 5


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
