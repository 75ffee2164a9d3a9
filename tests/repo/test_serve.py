"""Every step starts the way the docs say an instructor starts it, with a real server.

`uv run fastapi dev steps/05-domain-structure/app/main.py --reload-dir steps/05-domain-structure`,
run from the repository's root (here with --no-reload: nothing to reload, one process to stop):
this checks that the FastAPI CLI finds each step's app and that it answers over real HTTP
(the black-box tests in tests/steps/ talk to the app in-process, without a server).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tools.steps import ROOT, all_steps

STARTUP_TIMEOUT = 30.0  # seconds; polled, so a quick start costs only its own time


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("step", all_steps(), ids=lambda step: step.name)
def test_step_serves_with_fastapi_dev(step, tmp_path: Path):
    """`fastapi dev steps/NN-slug/app/main.py --reload-dir steps/NN-slug` serves the step."""
    port = free_port()
    folder = step.path.relative_to(ROOT)
    main = folder / "app" / "main.py"
    env = os.environ | {
        # Keep the root clean: the default ./workshop.db would land in the repository.
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}",
        "BCRYPT_ROUNDS": "4",
    }
    command = [sys.executable, "-m", "fastapi", "dev", str(main), "--reload-dir", str(folder)]
    command += ["--port", str(port)]
    server = subprocess.Popen(
        [*command, "--no-reload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        response = None
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline and server.poll() is None:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert response is not None, f"{' '.join(command)} did not start:\n{_output(server)}"
        assert response.json() == {"message": "Hello World"}
        assert httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=5).status_code == 200
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stdout:
            server.stdout.close()


def _output(server: subprocess.Popen[str]) -> str:
    if server.poll() is None:
        server.terminate()
    out, _ = server.communicate(timeout=10)
    return out[-3000:]
