"""Benchmark (not a test): is the event loop free while logins hash passwords?

For step 08 (bcrypt on the event loop) and step 10 (bcrypt in a worker thread), in one run:
each app under uvicorn on 127.0.0.1 at the production hashing cost (BCRYPT_ROUNDS=12), one
at a time. It measures a cheap request's latency (GET /health on step 10; step 08 has none,
so GET /items?limit=1, one query on both) alone, then while 4 clients log in without pause;
and the time of one login for a registered email and for an unknown one.

    uv run python benchmarks/health_under_login.py [--seconds 15] [--samples 15] [--out FILE]

Prints a Markdown table with the machine and the date, and writes it to --out (default
benchmarks/results/health_under_login.md, which page 10 of the docs includes).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tools.serve import free_port, running_server  # noqa: E402

STEPS = {"08": "steps/08-ownership", "10": "steps/10-production-ready"}
PROBES = {"08": ["/items?limit=1"], "10": ["/health", "/items?limit=1"]}
EMAIL, PASSWORD = "ada@example.com", "correct horse battery staple"
LOGIN_CLIENTS = 4
LOGIN_SAMPLES = 15  # logins timed one by one, for each kind (--samples)


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` (0 to 1) of `values` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


async def timed(client: httpx.AsyncClient, method: str, path: str, **kwargs) -> float:
    """Milliseconds to get the whole answer to one request."""
    start = time.perf_counter()
    response = await client.request(method, path, **kwargs)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code >= 500:
        raise RuntimeError(f"{method} {path} answered {response.status_code}")
    return elapsed


async def probe(client: httpx.AsyncClient, paths: list[str], seconds: float) -> dict:
    """Each probe path in turn, one request at a time, for `seconds`: latencies by path."""
    latencies: dict[str, list[float]] = {path: [] for path in paths}
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        for path in paths:
            latencies[path].append(await timed(client, "GET", path))
    return latencies


async def log_in_forever(client: httpx.AsyncClient, done: list[int]) -> None:
    form = {"username": EMAIL, "password": PASSWORD}
    while True:
        response = await client.post("/auth/login", data=form)
        if response.status_code != 200:
            raise RuntimeError(f"login answered {response.status_code}")
        done.append(1)


async def measure(base_url: str, step: str, seconds: float, samples: int) -> dict:
    limits = httpx.Limits(max_connections=LOGIN_CLIENTS + 2)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=120) as client:
        body = {"email": EMAIL, "password": PASSWORD}
        assert (await client.post("/auth/register", json=body)).status_code == 201
        idle = await probe(client, PROBES[step], seconds / 3)
        done: list[int] = []
        storm = [asyncio.create_task(log_in_forever(client, done)) for _ in range(LOGIN_CLIENTS)]
        await asyncio.sleep(1)  # let the logins start
        start, before = time.perf_counter(), len(done)
        busy = await probe(client, PROBES[step], seconds)
        logins_per_second = (len(done) - before) / (time.perf_counter() - start)
        for task in storm:
            task.cancel()
        await asyncio.gather(*storm, return_exceptions=True)
        logins: dict[str, list[float]] = {"known": [], "unknown": []}
        for _ in range(samples):  # interleaved, so that both see the same machine
            for kind, email in (("known", EMAIL), ("unknown", "nobody@example.com")):
                form = {"username": email, "password": PASSWORD}
                logins[kind].append(await timed(client, "POST", "/auth/login", data=form))
    return {"idle": idle, "busy": busy, "logins_per_second": logins_per_second, **logins}


def run_step(step: str, seconds: float, samples: int) -> dict:
    port = free_port()
    command = [
        *(sys.executable, "-m", "uvicorn", "app.main:app", "--app-dir", str(ROOT / STEPS[step])),
        *("--port", str(port), "--no-access-log", "--log-level", "warning"),
    ]
    with tempfile.TemporaryDirectory(prefix=f"bench-{step}-") as tmp:
        env = {
            "BCRYPT_ROUNDS": "12",
            "DATABASE_URL": f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}",
            "SECRET_KEY": "benchmark-only-secret-key-0123456789abcdef",
        }
        with running_server(command, port, cwd=Path(tmp), env=env) as base_url:
            return asyncio.run(measure(base_url, step, seconds, samples))


def table(results: dict[str, dict], seconds: float) -> str:
    ms = "{:.0f} / {:.0f}".format
    lines = [
        f"Measured on {datetime.now(UTC):%Y-%m-%d}: {os.cpu_count()} CPU(s), "
        f"Python {platform.python_version()}, {platform.system()} {platform.machine()}; "
        f"BCRYPT_ROUNDS=12, {LOGIN_CLIENTS} clients logging in for {seconds:.0f} s "
        "(`uv run python benchmarks/health_under_login.py`).",
        "",
        "| step | request | alone: p50 / p99 (ms) | during logins: p50 / p99 (ms) "
        "| logins/s | login, known email (ms) | login, unknown email (ms) |",
        "|---|---|---|---|---|---|---|",
    ]
    for step, result in results.items():
        for path in PROBES[step]:
            idle, busy = result["idle"][path], result["busy"][path]
            lines.append(
                f"| {step} | `GET {path}` "
                f"| {ms(statistics.median(idle), percentile(idle, 0.99))} "
                f"| {ms(statistics.median(busy), percentile(busy, 0.99))} "
                f"| {result['logins_per_second']:.1f} "
                f"| {statistics.median(result['known']):.0f} "
                f"| {statistics.median(result['unknown']):.0f} |"
            )
    # The same medians as a bar chart (Mermaid), for the page.
    bars = [
        (f"{step} {path.split('?')[0]}", statistics.median(result["busy"][path]))
        for step, result in results.items()
        for path in PROBES[step]
    ]
    lines += [
        "",
        "```mermaid",
        "xychart-beta",
        '    title "Median time of a cheap request while 4 clients log in"',
        "    x-axis [" + ", ".join(f'"{label}"' for label, _ in bars) + "]",
        '    y-axis "milliseconds"',
        "    bar [" + ", ".join(f"{value:.0f}" for _, value in bars) + "]",
        "```",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="logins per step (15)")
    parser.add_argument(
        "--samples",
        type=int,
        default=LOGIN_SAMPLES,
        help=f"logins timed one by one, for each kind ({LOGIN_SAMPLES})",
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks/results/health_under_login.md"
    )
    args = parser.parse_args()
    results = {step: run_step(step, args.seconds, args.samples) for step in STEPS}
    text = table(results, args.seconds)
    sys.stdout.write(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
