"""The deploy-lint checks fail on the defects they exist for (`nox -s deploy-lint`).

Each test plants one defect into a copy of a step's Dockerfile or compose.yaml and runs the
check that must notice it: hadolint, check-jsonschema with the Compose specification's schema,
or tools/deploy_checks.py. The unchanged files pass all three.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tools import deploy_checks
from tools.steps import STEPS_DIR

DOCKERFILES = sorted(STEPS_DIR.glob("*/Dockerfile"))
COMPOSE_FILES = sorted(STEPS_DIR.glob("*/compose.yaml"))
BIN = Path(sys.executable).parent


def run(tool: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [str(BIN / tool), *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def planted(source: Path, old: str, new: str, tmp_path: Path) -> Path:
    """A copy of `source` in tmp_path with `old` (found exactly once) replaced by `new`."""
    text = source.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not found exactly once in {source}"
    copy = tmp_path / source.name
    copy.write_text(text.replace(old, new), encoding="utf-8")
    return copy


def test_there_is_something_to_check():
    """Step 11 on has a Dockerfile and a compose.yaml."""
    assert DOCKERFILES, "no steps/*/Dockerfile"
    assert COMPOSE_FILES, "no steps/*/compose.yaml"


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.parent.name)
def test_the_dockerfiles_pass(dockerfile):
    """hadolint and the workshop's own checks find nothing in the steps' Dockerfiles."""
    linted = run("hadolint", dockerfile)
    assert linted.returncode == 0, linted.stdout + linted.stderr
    assert deploy_checks.dockerfile_problems(dockerfile.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("compose", COMPOSE_FILES, ids=lambda p: p.parent.name)
def test_the_compose_files_pass(compose):
    """The steps' compose files follow the Compose schema and the workshop's own checks."""
    validated = run("check-jsonschema", "--builtin-schema", "vendor.compose-spec", compose)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert deploy_checks.compose_problems(deploy_checks.read_yaml(compose)) == []


def test_hadolint_refuses_a_root_user(tmp_path):
    """hadolint fails a Dockerfile whose last USER is root (DL3002)."""
    copy = planted(DOCKERFILES[0], "USER 10001:10001", "USER root", tmp_path)
    linted = run("hadolint", copy)
    assert linted.returncode != 0 and "DL3002" in linted.stdout, linted.stdout


# Each defect: (what is replaced, by what, a piece of the problem the own checks report).
DOCKERFILE_DEFECTS = {
    "root-user": ("USER 10001:10001\n", "", "runs as root"),
    "user-root": ("USER 10001:10001", "USER root", "runs as root"),
    "no-healthcheck": ("HEALTHCHECK ", "# HEALTHCHECK ", "no HEALTHCHECK"),
    "healthcheck-none": ("HEALTHCHECK --interval", "HEALTHCHECK NONE\n# ", "no HEALTHCHECK"),
    "healthcheck-elsewhere": ("8000/health", "8000/docs", "doesn't ask /health"),
    "one-stage": ("COPY --from=builder /srv/.venv /srv/.venv", "", "multi-stage"),
    "unlocked": ("uv sync --locked", "uv sync", "without --locked"),
    "dev-groups": ("--locked --no-default-groups", "--locked", "without --no-default-groups"),
    "no-cache-mount": ("--mount=type=cache,target=/root/.cache/uv", "", "cache mount"),
    "one-worker": ('"--workers", "2", ', "", "--workers"),
}


@pytest.mark.parametrize("defect", DOCKERFILE_DEFECTS)
def test_own_checks_find_each_dockerfile_defect(defect, tmp_path):
    """tools/deploy_checks.py reports each planted Dockerfile defect."""
    old, new, expected = DOCKERFILE_DEFECTS[defect]
    text = DOCKERFILES[0].read_text(encoding="utf-8")
    if defect == "one-stage":  # keep only the final stage
        text = "FROM" + text.split("\nFROM", 2)[2]
    else:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    problems = deploy_checks.dockerfile_problems(text)
    assert any(expected in problem for problem in problems), problems


def test_the_schema_refuses_a_broken_compose_file(tmp_path):
    """check-jsonschema fails a compose file with a condition Compose doesn't know."""
    copy = planted(
        COMPOSE_FILES[0],
        "condition: service_healthy\n      migrate",
        "condition: healthy\n      migrate",
        tmp_path,
    )
    validated = run("check-jsonschema", "--builtin-schema", "vendor.compose-spec", copy)
    assert validated.returncode != 0, validated.stdout


COMPOSE_DEFECTS = {
    "db-without-healthcheck": ("    healthcheck:\n", "    x-healthcheck:\n", "no healthcheck"),
    "no-named-volume": ("      - pgdata:/var", "      - ./data:/var", "no named volume"),
    "no-migration": ('["alembic", "upgrade", "head"]', '["true"]', "alembic upgrade head"),
    "app-not-waiting-for-db": (
        "condition: service_healthy\n      migrate",
        "condition: service_started\n      migrate",
        "must wait for db",
    ),
    "app-not-waiting-for-migrations": (
        "condition: service_completed_successfully",
        "condition: service_started",
        "must wait for migrate",
    ),
}


@pytest.mark.parametrize("defect", COMPOSE_DEFECTS)
def test_own_checks_find_each_compose_defect(defect, tmp_path):
    """tools/deploy_checks.py reports each planted compose.yaml defect."""
    old, new, expected = COMPOSE_DEFECTS[defect]
    copy = planted(COMPOSE_FILES[0], old, new, tmp_path)
    problems = deploy_checks.compose_problems(deploy_checks.read_yaml(copy))
    assert any(expected in problem for problem in problems), problems


def test_tools_are_installed():
    """The session's virtualenv has hadolint and check-jsonschema (the deploy group)."""
    for tool in ("hadolint", "check-jsonschema"):
        assert (BIN / tool).exists() or shutil.which(tool), f"{tool} is missing"
