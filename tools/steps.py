"""Where the steps are: shared by the noxfile, the tests and the docs hook.

Standard library only, so that every environment (nox itself, the test and docs
virtualenvs, a learner on Windows) can import it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STEPS_DIR = ROOT / "steps"
STEP_DIR_RE = re.compile(r"^(?P<number>\d{2})-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)$")


@dataclass(frozen=True)
class Step:
    number: str  # "05"
    slug: str  # "domain-structure"

    @property
    def name(self) -> str:  # "05-domain-structure"
        return f"{self.number}-{self.slug}"

    @property
    def path(self) -> Path:
        return STEPS_DIR / self.name

    @property
    def session(self) -> str:  # "step-05"
        return f"step-{self.number}"

    @property
    def docs_page(self) -> Path:
        return ROOT / "docs" / "steps" / f"{self.name}.md"


def all_steps() -> list[Step]:
    """Every directory under steps/ named NN-slug, in order."""
    found = []
    for child in sorted(STEPS_DIR.iterdir()):
        match = STEP_DIR_RE.match(child.name)
        if child.is_dir() and match:
            found.append(Step(match["number"], match["slug"]))
    return found


def get_step(number: str) -> Step:
    """The step numbered `number` ("5", "05" or "05-domain-structure" all work)."""
    wanted = number.split("-", 1)[0].zfill(2)
    for step in all_steps():
        if step.number == wanted:
            return step
    known = ", ".join(s.number for s in all_steps())
    raise LookupError(f"There is no step {number!r}. The steps are: {known}.")


def previous_step(step: Step) -> Step | None:
    steps = all_steps()
    index = steps.index(step)
    return steps[index - 1] if index > 0 else None


# What `start -- 01` gives: step 01 has no previous step, so it starts from an empty app.
STARTER_DIR = ROOT / "tools" / "starter"

# Steps that only restructure the previous step's code, without adding behaviour. Their tests may
# pass on the previous step's code, so `nox -s consistency` exempts them from the check that each
# step's tests fail on the previous step (and says so). Empty: step 05 is a restructuring, but its
# layout checks (tests/steps/test_structure.py) make it fail on 04's code, so it needs no exemption.
PURE_REFACTORS: frozenset[str] = frozenset()


# From this step on, Alembic owns the schema: the app no longer creates its tables, the test
# harness runs `alembic upgrade head` on each test database, and the step tests run on SQLite
# and on PostgreSQL (tests/steps/databases.py).
FIRST_STEP_WITH_MIGRATIONS = 11


class UserError(Exception):
    """A mistake in what someone asked for, to be reported in plain words (no traceback)."""


def starting_point(step: Step) -> Path:
    """The code a learner starts step `step` from: the previous step's, or tools/starter/."""
    before = previous_step(step)
    return before.path if before else STARTER_DIR


def list_steps() -> str:
    """The steps, one per line, for error messages: "  05  domain-structure"."""
    return "\n".join(f"  {step.number}  {step.slug}" for step in all_steps())
