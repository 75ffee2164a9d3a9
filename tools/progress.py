"""`nox -s progress -- [PATH]`: which steps a learner's folder passes, and the step they are on.

How it decides, and why:

- The learner is on the step after the last step that passes (step 01 if none passes), or
  done when the last step passes. Not "the first failing step": a step's tests are not a
  superset of the earlier steps'. Step 02 wants `POST /items` to answer 200 where step 03
  wants 201, and from step 08 creating an item needs a token that the tests of 03 to 07 don't
  send, so finished step-03 code fails step 02's tests.
- Unless `nox -s start -- NN` began a later step NN in the folder (tools/workspace.py writes
  its number there): midway through a step, the code may fail every earlier step's tests
  (steps 08 and 11 change what all earlier steps' tests rely on), and a learner halfway
  through step 12 would be sent back to step 02.
- So the steps run from the last one down, several at a time (tools/step_tests.py), each
  stopping at its first failing test (enough to know it fails). Once a step passes, the steps
  below it don't change where the learner is: those not yet started are left out and those
  still running are stopped (the table says so). A learner on step 06 waits for steps 08 to
  05, not for all of them.
- The highest step is the one most worth waiting for (if it passes, nothing below matters):
  it runs on every CPU (pytest-xdist workers), as `nox -s step-NN` does, while the steps below
  it run beside it at low priority, on the CPU time it leaves idle.
- Then the step the learner is on runs in full, on every CPU, for its counts and the first
  behaviour to fix.

Standard library only.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path

from tools.planted_bugs import has_suite, missing_suite
from tools.step_tests import StepRun, run_many
from tools.steps import ROOT, Step, all_steps
from tools.workspace import started_step


def current_step(
    runs: Sequence[StepRun], steps: Sequence[Step] | None = None, started: Step | None = None
) -> Step | None:
    """The step the learner is on: the one after the last passing step, or the step they
    started (`nox -s start`) if that is further on; None when all is done."""
    steps = list(all_steps() if steps is None else steps)
    passed = [steps.index(run.step) for run in runs if run.outcome == "pass"]
    after = max(passed) + 1 if passed else 0
    if after >= len(steps):
        return None
    if started in steps and steps.index(started) > after:
        # Code on its way through a step may fail every earlier step's tests (a token that
        # the tests of 03-07 don't send, no tables made by the app from step 11 on)
        return started
    return steps[after]


def check_progress(
    python: str | Path,
    app_dir: Path,
    steps: Sequence[Step] | None = None,
    run: Callable[..., list[StepRun | None]] = run_many,
) -> list[StepRun]:
    """The results for app_dir of the steps checked, in the steps' order: from the last step
    down to the highest one that passes. The current step's run is complete, the others may
    have stopped at their first failure."""
    steps = list(all_steps() if steps is None else steps)
    order = {step: index for index, step in enumerate(steps)}

    def below_a_pass(step: Step, finished: list[StepRun]) -> bool:
        return any(r.outcome == "pass" and order[r.step] > order[step] for r in finished)

    # A step with its own tests (from 09) fails on a folder without tests/ whatever its app
    # does, as its check says before running anything: no need to run its tests to know.
    lacking = [without_own_tests(step, app_dir) for step in steps]
    known = {done.step: done for done in lacking if done is not None}
    made = run(
        python,
        [(step, app_dir) for step in reversed(steps) if step not in known],
        exitfirst=True,
        skip=below_a_pass,
        lead=True,
    )
    found = [*known.values(), *(r for r in made if r is not None)]
    runs = sorted(found, key=lambda r: order[r.step])
    step = current_step(runs, steps, started_step(app_dir))
    lacks_tests = step is not None and missing_suite(step, app_dir, "") is not None
    for index, done in enumerate(runs):
        if done.step == step and done.outcome == "fail" and not lacks_tests:
            full = run(python, [(step, app_dir)], exitfirst=False, lead=True)[0]
            runs[index] = full if full is not None else done
    return runs


def without_own_tests(step: Step, app_dir: Path) -> StepRun | None:
    """The failed run of a step with its own tests (from 09) on a folder without tests/, made
    without running anything (its message says to write them); None if the folder has them
    or the step has none."""
    missing = missing_suite(step, app_dir, _shown(app_dir))
    if missing is None:
        return None
    return StepRun(step, app_dir, 1, missing, f"FAILED {missing}\n", exitfirst=True)


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def _tests(run: StepRun) -> str:
    passed = run.counts.get("passed", 0)
    failed = run.counts.get("failed", 0) + run.counts.get("errors", 0)
    if run.outcome == "pass":
        return f"{passed} passed"
    if run.outcome == "error":
        return "could not run (see below)"
    if run.exitfirst:
        return "(stopped at its first failing test)"
    return f"{passed} passed, {failed} failed"


def table(
    runs: Sequence[StepRun], current: Step | None, steps: Sequence[Step] | None = None
) -> str:
    """One line per step (of `steps`, default: those run): number, topic, result, tests; the
    current step is marked, a step left out (below one that passes) says so."""
    by_step = {run.step: run for run in runs}
    steps = list(by_step) if steps is None else list(steps)
    width = max([len(step.slug) for step in steps] + [len("topic")])
    lines = [f"  step  {'topic':<{width}}  result  tests"]
    lines.append("  " + "-" * (len(lines[0]) + 30))
    passing = [run.step.number for run in runs if run.outcome == "pass"]
    for step in steps:
        run = by_step.get(step)
        if run is None:
            higher = [number for number in passing if number > step.number]
            note = f"not run: step {min(higher)} passes" if higher else "not run"
            lines.append(f"  {step.number:<4}  {step.slug:<{width}}  {'-':<6}  {note}")
            continue
        result = {"pass": "pass", "fail": "FAIL", "error": "ERROR"}[run.outcome]
        here = "   <- you are here" if current is not None and run.step == current else ""
        lines.append(f"  {step.number:<4}  {step.slug:<{width}}  {result:<6}  {_tests(run)}{here}")
    return "\n".join(lines)


def report(runs: Sequence[StepRun], app_dir: Path) -> str:
    """The whole text `progress` prints."""
    shown = _shown(app_dir)
    started = started_step(app_dir)
    step = current_step(runs, started=started)
    lines = [
        f"Progress of {shown}/, against each step's tests from the last one down:",
        "",
        table(runs, step, all_steps()),
        "",
    ]
    graded = [run.step.number for run in runs if run.outcome == "pass" and has_suite(run.step.path)]
    if graded:
        lines += [
            *textwrap.wrap(
                f"Step(s) {', '.join(graded)} pass on the app's checks. Each also grades your "
                f"own tests/ on planted bugs, which only its check does: `uv run nox -s "
                f"step-{graded[-1]} -- {shown}`.",
                100,
            ),
            "",
        ]
    for run in runs:
        if run.outcome == "error":
            lines.append(f"Step {run.step.number}'s tests could not run: {run.summary}")
            lines += [f"    {line}" for line in run.output.strip().splitlines()[-15:]]
            lines.append("")
    if step is None:
        lines.append(f"All done: {shown}/ passes the last step.")
        return "\n".join(lines)
    lines.append(f"You are on step {step.number} ({step.slug}).")
    current = next(run for run in runs if run.step == step)
    if current.first_failure:
        indent = " " * 10
        lines += textwrap.wrap(
            current.first_failure, 100, initial_indent="  to fix  ", subsequent_indent=indent
        )
        if current.first_reason:
            reason = textwrap.shorten(current.first_reason, 300, placeholder=" …")
            lines += textwrap.wrap(reason, 100, initial_indent=indent, subsequent_indent=indent)
    lines += [
        f"  read    docs/steps/{step.name}.md",
        f"  check   uv run nox -s step-{step.number} -- {shown}   (lists everything to fix)",
    ]
    earlier = [
        run.step.number for run in runs if run.outcome == "fail" and run.step.number < step.number
    ]
    by_passes = current_step(runs)
    if by_passes is not None and step == started and step != by_passes:
        note = (
            f"You started step {step.number} here (`uv run nox -s start -- {step.number}`), "
            f"and no step from {by_passes.number} on passes on this code yet. That is expected "
            "midway: a step changes what earlier steps check (from step 08 creating an item "
            "needs a token, from step 11 Alembic makes the tables, not the app), so their "
            "tests fail until this step's pass."
        )
        lines += ["", *textwrap.wrap(note, 100)]
    elif earlier:
        note = (
            f"Step(s) {', '.join(earlier)} fail on this code while a later step passes. That is "
            "usually expected: a later step changes what an earlier one checks (POST /items "
            "answers 200 in step 02 and 201 from step 03; from step 08 it needs a token)."
        )
        lines += ["", *textwrap.wrap(note, 100)]
    return "\n".join(lines)
