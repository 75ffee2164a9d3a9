"""What step 11's deployment files must hold, beyond what hadolint and the Compose schema check.

hadolint lints a Dockerfile against good practice, and check-jsonschema validates a compose
file against the Compose specification's schema; neither knows what this workshop promises
(SPEC, step 11): a multi-stage build with uv, locked, without the dev groups; a non-root user;
a health check on /health; several workers; and a compose file whose PostgreSQL has a health
check and a named volume, with the migrations run before the app starts. No Docker daemon runs
these files here: `nox -s deploy-lint` reads them with this module.

Standard library only, except compose files: reading YAML needs ruamel.yaml (check-jsonschema
brings it into the deploy-lint session).
"""

from __future__ import annotations

import re
import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Instruction:
    keyword: str  # "RUN", upper case
    arguments: str  # the rest, continuation lines joined
    line: int  # where it starts, from 1


def instructions(text: str) -> list[Instruction]:
    """The Dockerfile's instructions in order: comments dropped, `\\` continuations joined."""
    found: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue  # a comment inside a continued instruction
        if not pending:
            start = number
        continued = line.endswith("\\")
        pending.append(line[:-1].strip() if continued else line)
        if not continued:
            keyword, _, arguments = " ".join(pending).partition(" ")
            found.append(Instruction(keyword.upper(), arguments.strip(), start))
            pending = []
    return found


def stages(text: str) -> list[list[Instruction]]:
    """The build stages: each FROM starts one (instructions before the first FROM, such as
    ARG, are left out)."""
    result: list[list[Instruction]] = []
    for instruction in instructions(text):
        if instruction.keyword == "FROM":
            result.append([])
        if result:
            result[-1].append(instruction)
    return result


def exec_words(arguments: str) -> list[str]:
    """The words of a CMD/RUN in either form: JSON (["a", "b"]) or shell (a b)."""
    if arguments.startswith("["):
        return re.findall(r'"((?:[^"\\]|\\.)*)"', arguments)
    return shlex.split(arguments)


def dockerfile_problems(text: str) -> list[str]:
    """What the Dockerfile `text` lacks of step 11's promises; [] when it has them all."""
    problems = []
    built = stages(text)
    if len(built) < 2:
        problems.append(
            "not a multi-stage build: install the dependencies in one stage (FROM … AS builder) "
            "and copy the virtualenv into a final stage without uv and its cache"
        )
    final = built[-1] if built else []
    users = [i.arguments.split(":")[0] for i in final if i.keyword == "USER"]
    if not users or users[-1] in ("root", "0"):
        problems.append(
            "the final stage runs as root: create a user and switch to it with USER (a numeric "
            "id, such as USER 10001:10001)"
        )
    checks = [i.arguments for i in final if i.keyword == "HEALTHCHECK"]
    if not checks or checks[-1].upper().startswith("NONE"):
        problems.append("no HEALTHCHECK in the final stage: ask GET /health")
    elif "/health" not in checks[-1]:
        problems.append(f"the HEALTHCHECK doesn't ask /health: {checks[-1]}")
    syncs = [i for stage in built for i in stage if i.keyword == "RUN" and "uv sync" in i.arguments]
    if not syncs:
        problems.append("no `uv sync`: install the dependencies from uv.lock with uv")
    for sync in syncs:
        words = exec_words(sync.arguments)
        if "--locked" not in words:
            problems.append(f"line {sync.line}: `uv sync` without --locked (uv.lock's versions)")
        if "--no-default-groups" not in words:
            problems.append(
                f"line {sync.line}: `uv sync` without --no-default-groups: pyproject.toml "
                "makes every group a default one (tests, docs, dev tools)"
            )
        if "--mount=type=cache" not in sync.arguments:
            problems.append(
                f"line {sync.line}: `uv sync` without a cache mount "
                "(--mount=type=cache,target=/root/.cache/uv)"
            )
    commands = [exec_words(i.arguments) for i in final if i.keyword in ("CMD", "ENTRYPOINT")]
    if not any("--workers" in words for words in commands):
        problems.append("the final stage's command starts no --workers: run several processes")
    return problems


def compose_problems(compose: dict[str, Any]) -> list[str]:
    """What a compose file (already read from YAML) lacks of step 11's promises; [] if none."""
    problems = []
    services: dict[str, Any] = compose.get("services") or {}
    databases = [
        name for name, svc in services.items() if str(svc.get("image", "")).startswith("postgres")
    ]
    if not databases:
        return ["no PostgreSQL service (image: postgres:…)"]
    database = databases[0]
    if "healthcheck" not in services[database]:
        problems.append(f"the {database} service has no healthcheck (pg_isready)")
    volumes = compose.get("volumes") or {}
    mounts = [str(v).split(":")[0] for v in services[database].get("volumes") or []]
    if not any(mount in volumes for mount in mounts):
        problems.append(f"the {database} service keeps its data in no named volume")
    migrations = [
        name
        for name, svc in services.items()
        if "alembic upgrade head" in " ".join(exec_words_of(svc.get("command")))
    ]
    if not migrations:
        problems.append("no service runs `alembic upgrade head` before the app starts")
    apps = [name for name, svc in services.items() if "ports" in svc]
    if not apps:
        problems.append("no service publishes the app's port (ports:)")
    for app in apps:
        depends = services[app].get("depends_on") or {}
        wanted = {database: "service_healthy"} | dict.fromkeys(
            migrations, "service_completed_successfully"
        )
        for needed, condition in wanted.items():
            given = depends.get(needed) if isinstance(depends, dict) else None
            if not given or given.get("condition") != condition:
                problems.append(
                    f"the {app} service must wait for {needed}: depends_on: {needed}: "
                    f"condition: {condition}"
                )
    return problems


def exec_words_of(command: Any) -> list[str]:
    if isinstance(command, list):
        return [str(word) for word in command]
    return shlex.split(command) if command else []


def read_yaml(path: Path) -> dict[str, Any]:
    """A YAML file as Python data (needs ruamel.yaml)."""
    from ruamel.yaml import YAML

    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def main(paths: Sequence[str]) -> int:
    """Check each Dockerfile and compose file named; print the problems; 1 if any, else 0."""
    failed = False
    for name in paths:
        path = Path(name)
        if path.name.endswith("compose.yaml"):
            problems = compose_problems(read_yaml(path))
        else:
            problems = dockerfile_problems(path.read_text(encoding="utf-8"))
        for problem in problems:
            print(f"{path}: {problem}")
        if not problems:
            print(f"{path}: ok")
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":  # python -m tools.deploy_checks FILE...
    sys.exit(main(sys.argv[1:]))
