"""The one-liners that look inside workshop.db print what their page says they print.

Pages 04 and 06 show `uv run python -c "import sqlite3; … connect('workshop.db') …"` and its
output. Each test does what the page's *Run it* asks: it starts the step's app with
`fastapi dev` in an empty folder (so the default ./workshop.db lands there), sends the page's
own curl commands written above the one-liner, stops the server, runs the one-liner in that
folder and compares its output with the page's: the same rows, where only a timestamp and a
bcrypt hash may differ (they do on every run).
"""

from __future__ import annotations

import ast
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass

import httpx
import pytest

from tools.repo_checks import code_snippets, python_one_liners
from tools.serve import free_port, running_server
from tools.steps import Step, all_steps

DATABASE = "workshop.db"
PAGE_SERVER = "http://127.0.0.1:8000"
# What differs on every run: a timestamp as SQLite stores it, a bcrypt hash (random salt).
VARYING = [
    re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?"),
    re.compile(r"\$2b\$12\$[./A-Za-z0-9]{53}"),
]
# The learner's shell sets none of these: the app runs on its defaults, as on the page.
APP_ENV_VARS = (
    "DATABASE_URL",
    "SECRET_KEY",
    "ACCESS_TOKEN_EXPIRE_MINUTES",
    "CORS_ORIGINS",
    "ENVIRONMENT",
    "BCRYPT_ROUNDS",
    "ARGON2_MEMORY_COST",
)


@dataclass(frozen=True)
class OneLiner:
    step: Step
    lineno: int
    code: str  # what follows `python -c`
    requests: tuple[tuple[str, str, str], ...]  # the page's curl commands above: method, path, body
    output: str  # the page's ```text block right after the command


def curl_request(line: str) -> tuple[str, str, str] | None:
    """(method, path, JSON body) of a `curl -X POST http://127.0.0.1:8000/… -d '…'` line."""
    if not line.strip().startswith("curl "):
        return None
    try:
        words = shlex.split(line.strip())
    except ValueError:  # a code span in the prose, such as `curl -d`
        return None
    if not words or words[0] != "curl" or "-X" not in words or "-d" not in words:
        return None
    url = next((w for w in words if w.startswith(PAGE_SERVER)), None)
    if url is None:
        return None
    return words[words.index("-X") + 1], url.removeprefix(PAGE_SERVER), words[words.index("-d") + 1]


def database_one_liners() -> list[OneLiner]:
    found = []
    for step in all_steps():
        text = step.docs_page.read_text(encoding="utf-8")
        lines = text.splitlines()
        requests: list[tuple[str, str, str]] = []
        for lineno, code in code_snippets(text):
            request = curl_request(code)
            if request:
                requests.append(request)
            for source in python_one_liners(code):
                if DATABASE not in source:
                    continue
                # The command's last line: a program over several lines ends there.
                after = lines[lineno + code.count("\n") :]
                start = next(i for i, line in enumerate(after) if line.strip())
                assert after[start].strip() == "```", (
                    f"{step.docs_page.name}:{lineno}: close the command's block, and show its "
                    "output in a ```text block right after it"
                )
                assert after[start + 2].strip() == "```text", (
                    f"{step.docs_page.name}:{lineno}: show the command's output in a ```text "
                    "block right after it"
                )
                output = after[start + 3]
                found.append(OneLiner(step, lineno, source, tuple(requests), output))
    return found


ONE_LINERS = database_one_liners()


def test_pages_04_and_06_show_a_one_liner_that_reads_the_database():
    """Page 04 shows how to look inside workshop.db, and page 06 does it the same way."""
    assert sorted(o.step.number for o in ONE_LINERS) == ["04", "06"]
    assert len({o.code.replace("from user", "from item") for o in ONE_LINERS}) == 1


def same_rows(printed: str, shown: str) -> bool:
    """The same Python value, where the VARYING strings only need the same shape."""
    try:
        got, expected = ast.literal_eval(printed), ast.literal_eval(shown)
    except (ValueError, SyntaxError):
        return False
    return _same(got, expected)


def _same(got: object, expected: object) -> bool:
    if isinstance(expected, list | tuple):
        return (
            type(got) is type(expected)
            and len(got) == len(expected)  # type: ignore[arg-type]
            and all(_same(g, e) for g, e in zip(got, expected, strict=False))  # type: ignore[call-overload]
        )
    if isinstance(expected, str) and isinstance(got, str):
        for pattern in VARYING:
            if pattern.fullmatch(expected):
                return pattern.fullmatch(got) is not None
    return type(got) is type(expected) and got == expected


@pytest.mark.parametrize("one_liner", ONE_LINERS, ids=lambda o: o.step.docs_page.name)
def test_the_one_liner_prints_what_the_page_shows(one_liner, tmp_path, monkeypatch):
    """Run the page's requests against its step's app, then the one-liner: the page's output."""
    for name in APP_ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    main = one_liner.step.path / "app" / "main.py"
    port = free_port()
    command = [sys.executable, "-m", "fastapi", "dev", str(main), "--no-reload"]
    command += ["--port", str(port)]
    assert one_liner.requests, "the page sends no request before it looks at the database"
    with running_server(command, port, cwd=tmp_path) as base_url:
        for method, path, body in one_liner.requests:
            response = httpx.request(
                method,
                base_url + path,
                content=body,
                headers={"Content-Type": "application/json"},
                timeout=30,
            )
            assert response.is_success, f"{method} {path}: {response.status_code} {response.text}"
    assert (tmp_path / DATABASE).is_file(), "the app made no workshop.db where it started"
    printed = subprocess.run(
        [sys.executable, "-c", one_liner.code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    assert same_rows(printed, one_liner.output), (
        f"{one_liner.step.docs_page.name}:{one_liner.lineno} shows\n  {one_liner.output}\n"
        f"but the command prints\n  {printed}"
    )


def test_rows_that_differ_beyond_a_timestamp_are_told_apart():
    """The comparison accepts another timestamp or hash, and nothing else."""
    shown = "[('Coffee mug', None, 9.5, 'draft', 1, '2026-11-30 07:45:39.672072')]"
    assert same_rows("[('Coffee mug', None, 9.5, 'draft', 1, '2027-01-02 03:04:05.000006')]", shown)
    assert not same_rows("[('Coffee mug', None, 9.5, 'draft', 2, '2026-11-30 07:45:39')]", shown)
    assert not same_rows("[(1, 'Coffee mug', None, 9.5, 'draft', '2026-11-30 07:45:39')]", shown)
    assert not same_rows("[]", shown)
    hashed = "[(1, 'ada@example.com', '$2b$12$" + "a" * 53 + "')]"
    assert same_rows(hashed.replace("a" * 53, "B" * 53), hashed)
    assert not same_rows(hashed.replace("$2b$12$", "$2b$04$"), hashed)
    assert not same_rows("[(1, 'ada@example.com', 'correct horse battery')]", hashed)


def test_only_curl_posts_to_the_page_server_are_replayed():
    """A curl line gives its method, path and body; other lines give nothing."""
    line = 'curl -X POST http://127.0.0.1:8000/items -H "X: y" -d \'{"a": 1}\''
    assert curl_request(line) == ("POST", "/items", '{"a": 1}')
    assert curl_request("curl http://127.0.0.1:8000/items") is None
    assert curl_request("uv run fastapi dev workspace/app/main.py") is None
