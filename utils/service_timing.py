"""Measuring a serving path the same way for every path: its cold start, the latency of each request (p50, p95) and the requests per second with concurrent clients.

Notebook 12 builds it and measures a Gradio app, `transformers serve`, a FastAPI app and the same app under AWS Lambda's runtime client with it.

Generated from notebooks/12_serving.ipynb by `python -m course_build.export`: edit the notebook's #@save cells, not this file.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from utils.measure import Timing


@dataclass(frozen=True)
class ServiceTiming:
    """One serving path: its cold start, each request's latency (one client), and throughput (concurrent clients)."""

    path: str
    cold_start_s: float
    latency: Timing  # seconds per request, one client at a time, after warm-up
    requests_per_s: float  # with `concurrency` clients calling at once
    concurrency: int


def measure_service(path, call, inputs, *, cold_start_s, concurrency=4, warmup=2) -> ServiceTiming:
    """Time ``call(x)`` for each of ``inputs``: one at a time after ``warmup`` untimed calls (latency per
    request), then all of them again from ``concurrency`` client threads at once (requests per second)."""
    inputs = list(inputs)
    for x in inputs[:warmup]:
        call(x)
    times = []
    for x in inputs:
        start = time.perf_counter()
        call(x)
        times.append(time.perf_counter() - start)
    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(call, inputs))
    return ServiceTiming(path, cold_start_s, Timing(tuple(times), warmup),
                         len(inputs) / (time.perf_counter() - start), concurrency)


def describe(timing: ServiceTiming) -> str:
    """One line: cold start, p50 and p95 per request, requests per second."""
    return (f"{timing.path}: cold start {timing.cold_start_s:.1f} s, p50 {timing.latency.median * 1e3:.1f} ms, "
            f"p95 {timing.latency.p95 * 1e3:.1f} ms, {timing.requests_per_s:.1f} requests/s "
            f"with {timing.concurrency} clients")
