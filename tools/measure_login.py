"""Measure one login at production cost: step 09's app (bcrypt, 12 rounds) against step 12's
(Argon2, pwdlib's default cost), measured the same way. A benchmark, not a test.

    uv run python tools/measure_login.py [--logins 9] [--rounds 2]

Each app runs in its own Python process (both are the package `app`), with none of the tests'
cheap-hashing variables set, so each hashes at its production default. In each process: start
the app (lifespan), register one user, then time `--logins` calls of POST /auth/login over
httpx's in-process transport; the median is one login's time. The apps alternate, `--rounds`
times each, so that a busy machine slows both alike. A third measurement: a user registered by
step 09, logging in for the first time under step 12 (bcrypt checked, then an Argon2 hash made
and stored): the one-time cost of the upgrade, `--logins` users each round.

Needs the project's environment (httpx, asgi-lifespan, alembic and both steps' dependencies),
unlike the other modules of tools/. Prints a table; exits with the app's own error if an app
fails to run (AppFailed).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tools.serve import migrate
from tools.steps import get_step

# Runs inside the app's process: prints the login times (seconds) as a JSON list.
PROBE = """
import asyncio, json, sys, time
import httpx
from asgi_lifespan import LifespanManager
from app.main import app

PASSWORD = "correct horse battery staple"

async def main(register, logins):
    async with LifespanManager(app) as manager, httpx.AsyncClient(
        transport=httpx.ASGITransport(app=manager.app), base_url="http://bench"
    ) as client:
        for i in range(register):
            body = {"email": f"user{i}@example.com", "password": PASSWORD}
            assert (await client.post("/auth/register", json=body)).status_code == 201
        times = []
        for i in logins:
            form = {"username": f"user{i}@example.com", "password": PASSWORD}
            start = time.perf_counter()
            response = await client.post("/auth/login", data=form)
            times.append(time.perf_counter() - start)
            assert response.status_code == 200, response.text
    print(json.dumps(times))

asyncio.run(main(int(sys.argv[1]), json.loads(sys.argv[2])))
"""

# The variables the tests set to make hashing cheap: unset here, so the defaults apply.
CHEAP = ("BCRYPT_ROUNDS", "ARGON2_MEMORY_COST", "ARGON2_TIME_COST")


class AppFailed(RuntimeError):
    """A step's app, or its migration, failed in its process; the message ends with what that
    process printed to stderr."""


def run_app(step_dir: Path, database: Path, register: int, logins: list[int]) -> list[float]:
    """The login times (seconds) of the app in `step_dir` on the SQLite file `database`: it
    registers users 0 to `register` - 1 (user0@example.com, …), then logs in the users
    numbered in `logins`, in that order, timing each login.

    A database that doesn't exist yet is first brought to the step's schema as the step's page
    says (`alembic upgrade head` from step 11 on; before, the app makes its tables itself).
    Raises AppFailed if the migration or the app fails."""
    env = {k: v for k, v in os.environ.items() if k not in CHEAP}
    env |= {"PYTHONPATH": str(step_dir), "DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    try:
        if not database.exists():
            migrate(sys.executable, step_dir, env)
        probe = [sys.executable, "-W", "ignore::DeprecationWarning", "-c", PROBE]
        completed = subprocess.run(
            [*probe, str(register), json.dumps(logins)],
            cwd=database.parent,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
    except subprocess.CalledProcessError as exc:
        raise AppFailed(
            f"{step_dir.name}'s app failed on {database.name} (exit status "
            f"{exc.returncode}):\n{exc.stderr.strip()[-2000:]}"
        ) from None
    return json.loads(completed.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=9, help="logins timed per process")
    parser.add_argument("--rounds", type=int, default=2, help="processes per app, alternating")
    options = parser.parse_args()
    try:
        results = measure(options.logins, options.rounds)
    except AppFailed as exc:
        sys.exit(str(exc))
    print(f"One login at production cost (median, ms; {options.logins} logins x {options.rounds})")
    rows = {
        "bcrypt (step 09: passlib, 12 rounds)": results["bcrypt"],
        "Argon2id (step 12: pwdlib defaults, t=3, m=64 MiB, p=4)": results["argon2"],
        "first login under 12 of a step-09 user (bcrypt + new Argon2 hash)": results["upgrade"],
    }
    for label, times in rows.items():
        millis = sorted(t * 1000 for t in times)
        print(
            f"  {label:<68} median {statistics.median(millis):7.1f}"
            f"   min {millis[0]:7.1f}   max {millis[-1]:7.1f}   (n={len(millis)})"
        )


def measure(logins: int, rounds: int) -> dict[str, list[float]]:
    """The login times (seconds) of each row of the table: "bcrypt", "argon2", "upgrade".
    Raises AppFailed."""
    old, new = get_step("09").path, get_step("12").path
    results: dict[str, list[float]] = {"bcrypt": [], "argon2": [], "upgrade": []}
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(rounds):
            for name, step_dir in (("bcrypt", old), ("argon2", new)):
                database = Path(tmp) / f"{name}-{round_}.db"
                results[name] += run_app(step_dir, database, 1, [0] * logins)
            # Registered by 09, each user's first login under 12: the upgrading login.
            database = Path(tmp) / f"upgrade-{round_}.db"
            users = list(range(logins))
            run_app(old, database, logins, [])
            results["upgrade"] += run_app(new, database, 0, users)
    return results


if __name__ == "__main__":
    main()
