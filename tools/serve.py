"""Run a step's app as a real server for a test: free port, start, wait until it listens, stop.

Standard library only. Used by tests/repo/test_serve.py (`fastapi dev`, then the pages over
HTTP) and tests/browser/ (uvicorn, then a real browser).
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

HOST = "127.0.0.1"
# Seconds; polled, so a quick start costs only its own time. Generous: on a busy 2-core machine
# (the consistency session runs 4 pytest workers) a start was seen to take over 30 s.
STARTUP_TIMEOUT = 90.0


class ServerDidNotStart(RuntimeError):
    """The server exited, or did not listen within the timeout. The message holds its output."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextmanager
def running_server(
    command: Sequence[str],
    port: int,
    *,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = STARTUP_TIMEOUT,
) -> Iterator[str]:
    """Start `command`, a server that listens on 127.0.0.1:`port`, and yield its base URL.

    In: the command line (its server must bind to `port` on 127.0.0.1), the folder to run it
    in, and environment variables added to this process's own. Yields "http://127.0.0.1:PORT"
    once the port accepts connections (uvicorn opens it after the app's lifespan has started).
    On leaving, the server is terminated (killed if it doesn't stop within 10 s).
    Raises ServerDidNotStart, with the server's output, if it exits or doesn't listen in time.
    """
    # The output goes to a file, not a pipe: a pipe nobody reads would block a chatty server.
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as output:
        server = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=os.environ | dict(env or {}),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + timeout
            while not _listening(port):
                if server.poll() is not None or time.monotonic() > deadline:
                    _stop(server)
                    output.seek(0)
                    raise ServerDidNotStart(
                        f"{' '.join(command)} did not start:\n{output.read()[-3000:]}"
                    )
                time.sleep(0.1)
            yield f"http://{HOST}:{port}"
        finally:
            _stop(server)


def migrate(python: str | Path, app_dir: Path, env: Mapping[str, str]) -> None:
    """Bring a step's database to its schema, if the step's migrations make it (step 11 on).

    In: the Python that has alembic, the step's folder, and the variables to add to this
    process's own (DATABASE_URL above all). For a folder with alembic.ini, runs
    `python -m alembic upgrade head` there; for one without, does nothing (the app makes its
    tables itself). Raises subprocess.CalledProcessError, its output attached, if it fails.
    """
    if not (app_dir / "alembic.ini").is_file():
        return
    subprocess.run(
        [str(python), "-m", "alembic", "upgrade", "head"],
        cwd=app_dir,
        env=os.environ | dict(env),
        capture_output=True,
        text=True,
        check=True,
    )


def _listening(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1):
            return True
    except OSError:
        return False


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server if it still runs: terminate, then kill after 10 s."""
    if server.poll() is None:
        server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
