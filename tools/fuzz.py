"""`nox -s fuzz`: check that each step's OpenAPI document tells the truth, with schemathesis.

For each step, the app runs as a real server (uvicorn, on a free 127.0.0.1 port, from a fresh
temporary folder with a fresh SQLite database), and schemathesis generates requests from the
app's own /openapi.json: every check, every phase (examples, coverage, fuzzing, stateful), a
fixed seed. From the first step with /auth/login on, the gate registers a user, logs in and
hands schemathesis the bearer token. Any failure fails the gate; the few things not counted are
named in tools/fuzz_exclusions.py, each with its reason.

Standard library only: the caller passes the folder holding the `uvicorn` and `schemathesis`
executables (the nox session's virtualenv). tools/fuzz_hooks.py, loaded by schemathesis itself,
drops the failures fuzz_exclusions excuses.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from tools.fuzz_exclusions import EXCLUDED_CHECKS, EXCLUDED_FAILURES, EXCUSED_LOG_ENV
from tools.serve import migrate
from tools.step_tests import bytecode_env
from tools.steps import ROOT, all_steps, get_step

# -- what the gate runs ------------------------------------------------------------------------

SEED = 20260101
EXAMPLES = 40  # test cases per operation and phase: the default run, part of `uv run nox`
DEEP_EXAMPLES = 400  # `nox -s fuzz -- --deep`: for a maintainer, before a release
JOBS = 2  # steps fuzzed at once (each is a server plus a schemathesis process)
PHASES = "examples,coverage,fuzzing,stateful"
STARTUP_TIMEOUT = 30.0  # seconds for a server to answer /openapi.json; polled
RUN_TIMEOUT = 1800  # seconds for one step's schemathesis run, --deep included
REPLAY_BASE = "http://127.0.0.1:8000"  # where `fastapi dev` serves: the printed curls use it

# The user the gate registers (steps with /auth/login) to get a token for protected routes.
FUZZ_EMAIL = "fuzz-gate@example.com"
FUZZ_PASSWORD = "fuzz-gate-password"
SECRET_KEY = "fuzz-gate-secret-key-not-for-production-0123456789"  # 40+ characters

# Each failure code schemathesis prints, and the check that raises it (`st explain CODE`).
CHECK_OF_CODE: dict[str, str] = {
    "ST101": "not_a_server_error",
    "ST102": "not_a_server_error",
    "ST103": "status_code_conformance",
    "ST104": "content_type_conformance",
    "ST105": "content_type_conformance",
    "ST106": "content_type_conformance",
    "ST107": "response_headers_conformance",
    "ST108": "response_schema_conformance",
    "ST109": "response_schema_conformance",
    "ST110": "response_schema_conformance",
    "ST111": "response_schema_conformance",
    "ST112": "max_response_time",
    "ST201": "negative_data_rejection",
    "ST202": "positive_data_acceptance",
    "ST203": "missing_required_header",
    "ST204": "unsupported_method",
    "ST205": "allow_header_conformance",
    "ST301": "use_after_free",
    "ST302": "ensure_resource_availability",
    "ST401": "ignored_auth",
    "ST402": "object_level_authorization",
}

HOOKS_FILE = Path(__file__).with_name("fuzz_hooks.py")


# -- one step ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """An app to fuzz: `label` names it in the report ("08-ownership"), app_dir holds app/."""

    label: str
    app_dir: Path


@dataclass
class Finding:
    """One failing test case, as schemathesis printed it."""

    operation: str  # "DELETE /items/{item_id}", or "Stateful tests"
    codes: list[tuple[str, str]]  # [("ST103", "Undocumented status code"), …]
    details: list[str]  # "Received: 404", "Documented: 204, 422", "[404] Not Found: …"
    curls: list[str]  # the requests, in order (several for a stateful sequence)

    @property
    def checks(self) -> list[str]:
        return [CHECK_OF_CODE.get(code, code) for code, _ in self.codes]


@dataclass
class FuzzRun:
    """What fuzzing one target gave: numbers from schemathesis' JSON report, findings from
    its printed output, the full output in log_path. `problem` says why it couldn't run."""

    target: Target
    seconds: float
    log_path: Path
    operations: int = 0
    test_cases: int = 0
    failures: int = 0  # schemathesis' unique failures, plus errors
    findings: list[Finding] = field(default_factory=list)
    excused: dict[str, int] = field(default_factory=dict)  # exclusion name -> times applied
    problem: str | None = None
    token: str | None = None
    server_errors: list[str] = field(default_factory=list)  # exceptions the server logged

    @property
    def passed(self) -> bool:
        return self.problem is None and self.failures == 0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def executable(bin_dir: Path, name: str) -> Path:
    """The console script `name` in a virtualenv's bin/ (Scripts\\ on Windows)."""
    return bin_dir / (f"{name}.exe" if sys.platform == "win32" else name)


def http(
    method: str, url: str, body: bytes | None = None, content_type: str = ""
) -> tuple[int, bytes]:
    """(status, body) of one request; an HTTP error status is returned, not raised. Raises
    OSError (urllib.error.URLError) if the server can't be reached."""
    request = urllib.request.Request(url, data=body, method=method)
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@contextmanager
def serve(uvicorn: Path, app_dir: Path, workdir: Path, log: Path) -> Iterator[str]:
    """Run app_dir's `app.main:app` with uvicorn from workdir (fresh SQLite database there);
    yield its base URL once /openapi.json answers; stop it with SIGTERM (uvicorn's clean
    shutdown, the lifespan's end included) on the way out. Raises RuntimeError if it doesn't
    start; its output goes to log."""
    port = free_port()
    env = (
        os.environ
        | {
            "PYTHONPATH": str(app_dir),
            "DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'fuzz.db'}",
            "BCRYPT_ROUNDS": "4",
            "SECRET_KEY": SECRET_KEY,
        }
        | bytecode_env()
    )
    # From step 11 Alembic makes the tables: `alembic upgrade head` first.
    try:
        migrate(executable(uvicorn.parent, "python"), app_dir, env)
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(f"`alembic upgrade head` failed:\n{exc.stderr[-2000:]}") from exc
    command = [str(uvicorn), "app.main:app", "--host", "127.0.0.1", "--port", str(port)]
    # Warnings and errors only (tracebacks of 500s included): no line per request.
    command += ["--log-level", "warning"]
    base = f"http://127.0.0.1:{port}"
    with log.open("w", encoding="utf-8") as out:
        server = subprocess.Popen(command, cwd=workdir, env=env, stdout=out, stderr=out)
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT
            while True:
                if server.poll() is not None:
                    raise RuntimeError(f"the server stopped at start (exit {server.returncode})")
                try:
                    if http("GET", f"{base}/openapi.json")[0] == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the server didn't answer within {STARTUP_TIMEOUT:.0f} s")
                time.sleep(0.1)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def log_in(base: str) -> str | None:
    """Register FUZZ_EMAIL and log in, if the app has /auth/login: the bearer token, or None
    for an app without login. Raises RuntimeError if registering or logging in fails."""
    status, raw = http("GET", f"{base}/openapi.json")
    if "/auth/login" not in json.loads(raw).get("paths", {}):
        return None
    user = json.dumps({"email": FUZZ_EMAIL, "password": FUZZ_PASSWORD}).encode()
    status, raw = http("POST", f"{base}/auth/register", user, "application/json")
    if status != 201:
        raise RuntimeError(f"POST /auth/register answered {status}: {raw[:300]!r}")
    form = urllib.parse.urlencode({"username": FUZZ_EMAIL, "password": FUZZ_PASSWORD}).encode()
    status, raw = http("POST", f"{base}/auth/login", form, "application/x-www-form-urlencoded")
    if status != 200:
        raise RuntimeError(f"POST /auth/login answered {status}: {raw[:300]!r}")
    return json.loads(raw)["access_token"]


def schemathesis_command(
    schemathesis: Path, base: str, token: str | None, examples: int, report: Path
) -> list[str]:
    """The `schemathesis run` command line for the app at base (see `schemathesis run -h`)."""
    command = [str(schemathesis), "run", f"{base}/openapi.json"]
    command += ["--checks", "all", "--phases", PHASES]
    if EXCLUDED_CHECKS:
        command += ["--exclude-checks", ",".join(EXCLUDED_CHECKS)]
    command += ["--max-examples", str(examples), "--seed", str(SEED), "--workers", "1"]
    # Reproducible runs: no example database carried over from an earlier run.
    command += ["--generation-database", "none"]
    # Every failing case of a scenario, not only the first; requests printed unredacted.
    command += ["--continue-on-failure", "--output-sanitize", "false", "--no-color"]
    command += ["--report", "json", "--report-json-path", str(report)]
    if token:
        command += ["--header", f"Authorization: Bearer {token}"]
    return command


def fuzz_target(bin_dir: Path, target: Target, examples: int, log_dir: Path) -> FuzzRun:
    """Serve one target and run schemathesis against it; never raises for a failure (it is in
    the FuzzRun returned, with the full output written to log_dir/<label>.log)."""
    log_path = log_dir / f"{target.label}.log"
    started = time.monotonic()
    run = FuzzRun(target, 0.0, log_path)
    with tempfile.TemporaryDirectory(prefix="workshop-fuzz-", ignore_cleanup_errors=True) as tmp:
        workdir = Path(tmp)
        server_log = workdir / "server.log"
        excused_log = workdir / "excused.tsv"
        report = workdir / "report.json"
        output = ""
        try:
            with serve(executable(bin_dir, "uvicorn"), target.app_dir, workdir, server_log) as base:
                run.token = log_in(base)
                env = os.environ | {
                    "SCHEMATHESIS_HOOKS": str(HOOKS_FILE),
                    EXCUSED_LOG_ENV: str(excused_log),
                    "PYTHONPATH": str(ROOT),  # the hooks import tools.fuzz
                    "PYTHONIOENCODING": "utf-8",
                }
                command = schemathesis_command(
                    executable(bin_dir, "schemathesis"), base, run.token, examples, report
                )
                completed = subprocess.run(
                    command,
                    cwd=workdir,  # schemathesis writes nothing into the repository
                    env=env,
                    capture_output=True,
                    text=True,
                    encoding="utf-8",
                    errors="replace",
                    timeout=RUN_TIMEOUT,
                    check=False,
                )
                output = completed.stdout + completed.stderr
                output = output.replace(base, REPLAY_BASE)
                read_report(run, report, completed.returncode, output)
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
            run.problem = str(error)
        run.seconds = time.monotonic() - started
        run.excused = read_excused(excused_log)
        server_output = server_log.read_text("utf-8", "replace") if server_log.exists() else ""
        run.server_errors = logged_exceptions(server_output)
        log_path.write_text(
            f"{target.label}: {target.app_dir}\n\n{output}\n\n--- the server's output ---\n"
            f"{server_output}",
            encoding="utf-8",
        )
    return run


def read_report(run: FuzzRun, report: Path, returncode: int, output: str) -> None:
    """Fill run's numbers and findings from schemathesis' JSON report and printed output."""
    try:
        data = json.loads(report.read_text("utf-8"))
    except (OSError, ValueError):
        run.problem = f"schemathesis stopped (exit {returncode}) without a report: {tail(output)}"
        return
    run.operations = data["operations"]["tested"]
    run.test_cases = data["test_cases"]["generated"]
    run.failures = data["test_cases"]["unique_failures"] + len(data["errors"])
    run.findings = parse_findings(output)
    if data["errors"]:
        run.problem = f"schemathesis reported {len(data['errors'])} error(s): see the log"
    elif returncode != 0 and run.failures == 0:
        run.problem = f"schemathesis exited {returncode} with no failure: {tail(output)}"


def logged_exceptions(server_output: str) -> list[str]:
    """The distinct exceptions in the tracebacks a server logged ("ValueError: …"), in order."""
    found: list[str] = []
    in_traceback = False
    for line in server_output.splitlines():
        if line.startswith("Traceback (most recent call last):"):
            in_traceback = True
        elif in_traceback and line and not line.startswith(" "):
            in_traceback = False
            if line not in found:
                found.append(line)
    return found


def tail(text: str, lines: int = 5) -> str:
    return " | ".join(line.strip() for line in text.strip().splitlines()[-lines:])


def read_excused(path: Path) -> dict[str, int]:
    """{exclusion name: count} from the lines tools/fuzz_hooks.py wrote ("name<TAB>operation")."""
    counts: dict[str, int] = {}
    if path.exists():
        for line in path.read_text("utf-8").splitlines():
            name = line.split("\t", 1)[0]
            counts[name] = counts.get(name, 0) + 1
    return counts


SECTION = re.compile(r"^=+ (?P<title>[A-Z][A-Z ]+) =+$")
OPERATION = re.compile(r"^_{3,} (?P<operation>.+?) _{3,}$")
CASE = re.compile(r"^\d+\. Test Case ID: ")
CODE = re.compile(r"^- (?P<code>ST\d{3}) (?P<title>.+)$")


def parse_findings(output: str) -> list[Finding]:
    """The failing test cases in the FAILURES section of `schemathesis run`'s output."""
    findings: list[Finding] = []
    operation = ""
    section = ""
    in_repro = False
    for line in output.splitlines():
        if match := SECTION.match(line):
            section = match["title"].strip()
            continue
        if section != "FAILURES":
            continue
        stripped = line.strip()
        if match := OPERATION.match(line):
            operation = match["operation"]
        elif CASE.match(line):
            findings.append(Finding(operation, [], [], []))
            in_repro = False
        elif not findings or not stripped:
            continue
        elif match := CODE.match(line):
            findings[-1].codes.append((match["code"], match["title"]))
        elif stripped == "Reproduce with:":
            in_repro = True
        elif in_repro and stripped.startswith("curl "):
            findings[-1].curls.append(stripped)
        elif not in_repro and (line.startswith("    ") or line.startswith("[")):
            findings[-1].details.append(stripped)
    return findings


# -- the report --------------------------------------------------------------------------------


def replayable(curl: str, token: str | None) -> str:
    """The curl as a shell command for a server started by hand: the token as "$TOKEN"."""
    if token:
        curl = curl.replace(f"'Authorization: Bearer {token}'", '"Authorization: Bearer $TOKEN"')
    return curl


def describe(run: FuzzRun) -> str:
    """The findings of one target, for a person: step, check, operation, details, curls."""
    lines = [f"== {run.target.label}: {run.failures} failure(s); full output: {run.log_path}"]
    if run.problem:
        lines.append(f"   could not finish: {run.problem}")
    lines.append(
        f"   replay: `uv run fastapi dev {display(run.target.app_dir)}/app/main.py` (port 8000)"
        + (", then set $TOKEN:" if run.token else "")
    )
    if run.token:
        lines.append("   " + token_recipe())
    for exception in run.server_errors:
        lines.append(f"   the server logged: {exception[:300]}")
    for finding in run.findings:
        codes = ", ".join(
            f"{CHECK_OF_CODE.get(code, code)} ({code} {title})" for code, title in finding.codes
        )
        lines.append(f"-- {finding.operation}: {codes}")
        lines.extend(f"     {detail[:300]}" for detail in finding.details[:4])
        lines.extend(f"     {replayable(curl, run.token)}" for curl in finding.curls)
    return "\n".join(lines)


def token_recipe() -> str:
    """Shell lines that register the gate's user on port 8000 and set $TOKEN."""
    user = json.dumps({"email": FUZZ_EMAIL, "password": FUZZ_PASSWORD})
    return (
        f"curl -s -X POST -H 'Content-Type: application/json' -d '{user}' "
        f"{REPLAY_BASE}/auth/register; TOKEN=$(curl -s -d 'username={FUZZ_EMAIL}&password="
        f"{FUZZ_PASSWORD}' {REPLAY_BASE}/auth/login | python3 -c "
        "'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')"
    )


def display(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def summary_table(runs: Sequence[FuzzRun]) -> str:
    """step | operations | test cases | failures | excused | time, one row per target + total."""
    rows = [("step", "operations", "cases", "failures", "excused", "time")]
    for run in runs:
        failures = str(run.failures) + (" (did not finish)" if run.problem else "")
        excused = ", ".join(f"{n} {name}" for name, n in sorted(run.excused.items())) or "-"
        rows.append(
            (
                run.target.label,
                str(run.operations),
                str(run.test_cases),
                failures,
                excused,
                f"{run.seconds:.1f} s",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(lines)


def fuzz_all(
    bin_dir: Path, targets: Sequence[Target], examples: int, log_dir: Path, jobs: int = JOBS
) -> list[FuzzRun]:
    """Fuzz each target, `jobs` at a time; a line on stdout as each one ends; results in the
    order given."""
    log_dir.mkdir(parents=True, exist_ok=True)

    def one(target: Target) -> FuzzRun:
        run = fuzz_target(bin_dir, target, examples, log_dir)
        verdict = "ok" if run.passed else f"{run.failures} failure(s)"
        if run.problem:
            verdict += f", could not finish: {run.problem}"
        print(f"  {target.label}: {verdict} ({run.seconds:.1f} s)", flush=True)
        return run

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one, targets))


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise LookupError(f"{message} (see `nox -s fuzz -- --help`)")


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The gate's options from `nox -s fuzz -- ARGS`; raises LookupError for bad ones."""
    parser = _Parser(
        prog="nox -s fuzz --",
        description="Fuzz each step's API against its OpenAPI document with schemathesis.",
    )
    parser.add_argument("steps", nargs="*", help="step numbers (default: every step)")
    parser.add_argument(
        "--deep", action="store_true", help=f"{DEEP_EXAMPLES} examples per operation"
    )
    parser.add_argument("--examples", type=int, help="examples per operation (overrides)")
    parser.add_argument(
        "--app-dir", type=Path, help="fuzz this folder (holding app/main.py) instead of steps/"
    )
    parser.add_argument("--jobs", type=int, default=JOBS, help="steps at once")
    return parser.parse_args(argv)


def targets_for(args: argparse.Namespace, base: Path) -> list[Target]:
    """What to fuzz: --app-dir (relative to base), the steps named, or every step. Raises
    LookupError for an unknown step or a folder without app/main.py."""
    if args.app_dir:
        if args.steps:
            raise LookupError("Give step numbers or --app-dir, not both")
        app_dir = (base / args.app_dir).resolve()
        if not (app_dir / "app" / "main.py").is_file():
            raise LookupError(f"{app_dir} holds no app/main.py")
        return [Target(app_dir.name, app_dir)]
    steps = [get_step(number) for number in args.steps] if args.steps else all_steps()
    return [Target(step.name, step.path) for step in steps]


def main(argv: Sequence[str], bin_dir: Path, log_dir: Path, base: Path = ROOT) -> int:
    """Run the gate as `nox -s fuzz -- ARGS` asks; print progress, findings and a summary.

    bin_dir holds the uvicorn and schemathesis executables; log_dir receives one log per
    target. Returns 0 if there is no failure at all, 1 otherwise; raises LookupError for an
    unknown step or folder."""
    args = parse_args(argv)
    targets = targets_for(args, base)
    examples = args.examples or (DEEP_EXAMPLES if args.deep else EXAMPLES)
    print(
        f"Fuzzing {len(targets)} app(s), {args.jobs} at a time: schemathesis, all checks "
        f"except {', '.join(EXCLUDED_CHECKS) or 'none'}, phases {PHASES}, "
        f"{examples} examples per operation, seed {SEED}",
        flush=True,
    )
    started = time.monotonic()
    runs = fuzz_all(bin_dir, targets, examples, log_dir, args.jobs)
    elapsed = time.monotonic() - started
    for run in runs:
        if not run.passed:
            print("\n" + describe(run))
    excused = sorted({name for run in runs for name in run.excused})
    print()
    print(summary_table(runs))
    total = sum(run.failures for run in runs)
    broken = sum(1 for run in runs if run.problem)
    print(
        f"\n{total} failure(s) in {sum(not run.passed for run in runs)} of {len(runs)} app(s)"
        + (f", {broken} could not finish" if broken else "")
        + f"; {elapsed:.1f} s in all. Logs: {log_dir}"
    )
    for name in excused:
        print(f"excused by name ({name}): {EXCLUDED_FAILURES.get(name, '?')}")
    return 0 if all(run.passed for run in runs) else 1


if __name__ == "__main__":  # python -m tools.fuzz ARGS, with uvicorn and schemathesis beside python
    sys.exit(main(sys.argv[1:], Path(sys.executable).parent, ROOT / ".nox" / "fuzz-logs"))
