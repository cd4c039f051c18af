"""Timing pages in-process, for the benchmark commands."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.gc_tuning import tune_gc


@dataclass
class Timing:
    name: str
    p50: float  # ms
    p95: float  # ms
    per_second: float  # one client's throughput: 1 / mean latency
    queries: int


def time_pages(
    client: Client, pages: list[tuple[str, str, int]], *, uncached: frozenset[str] = frozenset()
) -> list[Timing]:
    """GET each (name, url, runs) once to warm up, then ``runs`` times. Pages named
    in ``uncached`` are timed as first renders: the cache of rendered papers is
    emptied before each request."""
    timings = []
    for name, url, runs in pages:
        client.get(url)
        # The garbage collector as gunicorn.conf.py sets it in each worker.
        tune_gc()
        times = []
        for _ in range(runs):
            if name in uncached:
                caches["papers"].clear()
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
        times.sort()
        timings.append(
            Timing(
                name=name,
                p50=statistics.median(times),
                p95=times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
                per_second=1000 / statistics.mean(times),
                queries=len(ctx.captured_queries),
            )
        )
    return timings
