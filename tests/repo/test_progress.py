"""`nox -s progress` (tools/progress.py) and the parallel step runs (tools/step_tests.py)."""

import json
import shutil
import sys
from pathlib import Path

import pytest

from tools import progress, workspace
from tools.step_tests import StepRun, finished, parse_counts, run_many
from tools.steps import Step, all_steps, get_step

STEPS = [Step(f"{n:02d}", f"topic-{n}") for n in range(1, 6)]


def fake_run(step: Step, outcome: str, exitfirst: bool = True) -> StepRun:
    returncode = {"pass": 0, "fail": 1, "error": 4}[outcome]
    counts = {"pass": {"passed": 3}, "fail": {"passed": 1, "failed": 2}, "error": {}}[outcome]
    return StepRun(step, Path("workspace"), returncode, "summary", "", counts, exitfirst)


def runs_for(*outcomes: str) -> list[StepRun]:
    return [fake_run(step, outcome) for step, outcome in zip(STEPS, outcomes, strict=True)]


def test_on_the_step_after_the_last_passing_one():
    """Steps 01-02 pass, 03 fails: the learner is on step 03."""
    runs = runs_for("pass", "pass", "fail", "fail", "fail")
    assert progress.current_step(runs, STEPS) == STEPS[2]


def test_an_earlier_failing_step_does_not_hide_progress():
    """Finished step-03 code fails step 02's tests (201, not 200): the learner is on step 04."""
    runs = runs_for("pass", "fail", "pass", "fail", "fail")
    assert progress.current_step(runs, STEPS) == STEPS[3]


def test_the_started_step_counts_when_no_step_below_it_passes():
    """Midway through step 05, its code fails the tests of 02-04 (as code midway through
    step 12 fails every step from 02: no tables made by the app, a new hash): the learner is
    on the step `start` began, not sent back to step 02; a later step passing still wins."""
    midway = runs_for("pass", "fail", "fail", "fail", "fail")
    assert progress.current_step(midway, STEPS) == STEPS[1], "without a started step"
    assert progress.current_step(midway, STEPS, started=STEPS[4]) == STEPS[4]
    ahead = runs_for("pass", "pass", "pass", "fail", "fail")
    assert progress.current_step(ahead, STEPS, started=STEPS[1]) == STEPS[3]
    done = runs_for("fail", "fail", "fail", "fail", "pass")
    assert progress.current_step(done, STEPS, started=STEPS[2]) is None


def test_report_on_a_started_step_says_why_earlier_steps_fail(tmp_path):
    """A learner midway through step 12 (started with `nox -s start -- 12`): on step 12,
    and told why steps 02-11 fail, instead of being sent back to step 02."""
    (tmp_path / workspace.STARTED_FILE).write_text("12\n", encoding="utf-8")
    steps = all_steps()
    outcomes = ["pass"] + ["fail"] * (len(steps) - 1)
    runs = [fake_run(step, outcome) for step, outcome in zip(steps, outcomes, strict=True)]
    text = progress.report(runs, tmp_path)
    assert "You are on step 12 (security-upgrade)." in text, text
    assert "uv run nox -s step-12 --" in text
    assert "You started step 12 here" in text and "no step from 02 on passes" in text
    assert "12    security-upgrade    FAIL" in text and "<- you are here" in text
    (tmp_path / workspace.STARTED_FILE).unlink()
    assert "You are on step 02" in progress.report(runs, tmp_path)


def test_nothing_passes_means_step_01():
    """If no step passes (an empty app, or app/main.py doesn't import), start at step 01."""
    assert (
        progress.current_step(runs_for("fail", "error", "fail", "fail", "fail"), STEPS) == STEPS[0]
    )


def test_last_step_passing_means_all_done():
    """When the last step passes there is no current step."""
    assert progress.current_step(runs_for("pass", "pass", "pass", "pass", "pass"), STEPS) is None


def test_steps_run_from_the_last_down_to_the_first_that_passes():
    """Steps run from the last one down, stopping at their first failure; no step starts below
    one that passed; then the current step runs in full."""
    calls = []

    def runner(python, pairs, exitfirst, skip=None, lead=False):
        calls.append(([step.number for step, _ in pairs], exitfirst))
        outcomes = {"01": "pass", "02": "pass"}
        made, finished = [], []
        for step, _ in pairs:  # one at a time: each run finishes before the next starts
            if skip is not None and skip(step, finished):
                made.append(None)
                continue
            finished.append(fake_run(step, outcomes.get(step.number, "fail"), exitfirst))
            made.append(finished[-1])
        return made

    runs = progress.check_progress("python", Path("workspace"), STEPS, run=runner)
    assert calls == [(["05", "04", "03", "02", "01"], True), (["03"], False)]
    assert [run.step.number for run in runs] == ["02", "03", "04", "05"], "01: below 02's pass"
    assert [run.exitfirst for run in runs] == [True, False, True, True]


def test_table_says_which_steps_were_left_out():
    """A step below one that passes is listed as not run, naming the step that passes."""
    runs = [fake_run(STEPS[2], "pass"), fake_run(STEPS[3], "fail")]
    text = progress.table(runs, STEPS[3], STEPS[:4])
    assert "not run: step 03 passes" in text.splitlines()[2]
    assert "not run: step 03 passes" in text.splitlines()[3]
    assert "<- you are here" in text.splitlines()[5]


def test_report_names_the_step_and_the_commands():
    """The report says which step, what to read and how to check, and explains earlier failures."""
    steps = all_steps()
    outcomes = ["pass", "fail", "pass"] + ["fail"] * (len(steps) - 3)
    runs = [fake_run(step, outcome) for step, outcome in zip(steps, outcomes, strict=True)]
    text = progress.report(runs, Path("workspace"))
    assert "You are on step 04 (database)." in text
    assert "docs/steps/04-database.md" in text
    assert "uv run nox -s step-04 -- workspace" in text
    assert "Step(s) 02 fail on this code while a later step passes" in text


def test_report_says_a_passing_step_with_its_own_tests_is_not_graded_here():
    """Step 09 passes on the app's checks: progress doesn't grade the learner's own tests on
    the planted bugs, and says so, with the command that does (seen: "09 testing pass" read
    as if the tests were graded)."""
    steps = all_steps()
    outcomes = ["pass"] * 9 + ["fail"] * (len(steps) - 9)
    runs = [fake_run(step, outcome) for step, outcome in zip(steps, outcomes, strict=True)]
    text = progress.report(runs, Path("workspace"))
    assert "Step(s) 09 pass on the app's checks" in text
    assert "uv run nox -s step-09 -- workspace" in text
    outcomes = ["pass"] * 8 + ["fail"] * (len(steps) - 8)
    earlier = [fake_run(step, outcome) for step, outcome in zip(steps, outcomes, strict=True)]
    assert "pass on the app's checks" not in progress.report(earlier, Path("workspace"))


def test_pytest_summary_is_counted():
    """pytest's closing line becomes counts; "1 error" and "2 errors" count alike."""
    assert parse_counts("3 failed, 52 passed, 15 deselected, 1 error in 1.26s") == {
        "failed": 3,
        "passed": 52,
        "deselected": 15,
        "errors": 1,
    }
    assert parse_counts("no tests ran in 0.01s") == {}


# The end of step 12's run with pytest-xdist and --exitfirst on step 10's code (no migrations/):
# its first tests errored in their setup, and pytest-xdist stopped the run as "interrupted".
XDIST_STOPPED_AT_ERRORS = """bringing up nodes...

EE
ERROR tests/steps/test_register.py::test_password_is_stored_as_an_argon2_hash
ERROR tests/steps/test_hello.py::test_interactive_docs_are_served - Failed: F...
!!!!!!!!!!!!!!!!!!!!!!!!!! stopping after 2 failures !!!!!!!!!!!!!!!!!!!!!!!!!!!
!!!!!!!!!!!! xdist.dsession.Interrupted: stopping after 1 failures !!!!!!!!!!!!!
2 errors in 5.57s
"""


def test_a_lead_stopped_at_setup_errors_fails_rather_than_could_not_run():
    """A step whose first tests error in their setup (step 12 on code without step 11's
    Alembic setup) fails, as it does without pytest-xdist (exit status 1): it is not a run
    that "could not run", which made `progress` abort for a learner on step 10."""
    stopped = finished(STEPS[4], Path("w"), 2, XDIST_STOPPED_AT_ERRORS, "", exitfirst=True)
    assert stopped.outcome == "fail"
    crashed = finished(STEPS[4], Path("w"), 2, "! KeyboardInterrupt !\nno tests ran", "", True)
    assert crashed.outcome == "error", "a run interrupted otherwise still could not run"


def test_first_failure_is_the_behaviour_in_plain_words():
    """The first failing behaviour comes from the step tests' "what to fix" list."""
    output = (
        "..F\n=== step 03: what to fix in /w ===\n"
        "- POST /items answers 201 with the item.\n    AssertionError: expected 201\n"
        "FAILED tests/steps/test_items.py::test_create\n"
    )
    run = StepRun(STEPS[2], Path("w"), 1, "1 failed", output, {"failed": 1})
    assert run.first_failure == "POST /items answers 201 with the item."
    assert run.first_reason == "AssertionError: expected 201"
    bare = StepRun(STEPS[2], Path("w"), 1, "1 failed", "FAILED tests/x.py::test_y - boom\n")
    assert bare.first_failure == "tests/x.py::test_y - boom"


def one_at_a_time(python, pairs, **options) -> list[StepRun | None]:
    """run_many, one step at a time, each at normal priority (no lead)."""
    return run_many(python, pairs, **(options | {"jobs": 1, "lead": False}))


def test_progress_on_a_fresh_copy_of_step_02_is_step_03(tmp_path):
    """The real thing: step 02's code fails 04 and 03, passes 02: the learner is on 03 (and
    step 01, below a passing step, may be left out).

    (Steps 01 to 04 only, to keep the repo checks quick; `nox -s progress` runs them all.
    One step at a time, none at low priority: under `nox -s consistency`, beside the other
    repo workers, the steps that run at low priority waited 30 s for CPU time.
    test_a_run_below_a_pass_is_stopped_and_the_lead_gets_the_cpus checks that path.)"""
    copy = tmp_path / "workspace"
    shutil.copytree(get_step("02").path, copy)
    steps = all_steps()[:4]
    runs = progress.check_progress(sys.executable, copy, steps, run=one_at_a_time)
    outcomes = {run.step.number: run.outcome for run in runs}
    assert {n: o for n, o in outcomes.items() if n != "01"} == {
        "02": "pass",
        "03": "fail",
        "04": "fail",
    }
    assert progress.current_step(runs, steps) == get_step("03")
    current = next(run for run in runs if run.step.number == "03")
    assert not current.exitfirst, "the current step's counts are complete"
    assert current.counts["failed"] > 0 and current.counts["passed"] > 0
    assert not list(copy.rglob("__pycache__")), "the runs write no bytecode into the folder"
    assert not list(copy.rglob("*.pyc")), "the runs write no bytecode into the folder"


def test_a_step_with_its_own_tests_needs_a_tests_folder(tmp_path):
    """Step 09's behaviour passes on step 08's code, but without tests/ it is not passed:
    progress says to write them, without running step 09's tests (as its check does)."""
    calls = []
    steps = [get_step("08"), get_step("09")]

    def runner(python, pairs, exitfirst, skip=None, lead=False):
        # As run_many does, one at a time: every test passes; `skip` may leave a step out.
        calls.append([step.number for step, _ in pairs])
        finished, results = [], []
        for step, app_dir in pairs:
            if skip is not None and skip(step, finished):
                results.append(None)
                continue
            finished.append(StepRun(step, app_dir, 0, "9 passed", "", {"passed": 9}))
            results.append(finished[-1])
        return results

    copy = tmp_path / "workspace"
    shutil.copytree(get_step("08").path / "app", copy / "app")
    runs = progress.check_progress("python", copy, steps, run=runner)
    # 09 would pass its black-box tests but has no tests/: not passed, so 08 is run, alone.
    assert [(run.step.number, run.outcome) for run in runs] == [("08", "pass"), ("09", "fail")]
    assert calls == [["08"]]
    assert "write" in runs[1].first_failure and "/tests/" in runs[1].first_failure
    (copy / "tests").mkdir()
    runs = progress.check_progress("python", copy, steps, run=runner)
    # With tests/, 09 passes, and progress starts no step below a step that passes.
    assert [(run.step.number, run.outcome) for run in runs] == [("09", "pass")]


FAKE_PYTEST = """#!{python}
# Stands in for `python -m pytest tests/steps --step NN …` (tools/step_tests.run_step).
import json, os, signal, sys, time
from pathlib import Path

here = Path({folder!r})
step = sys.argv[sys.argv.index("--step") + 1]


def interrupted(signum, frame):
    (here / f"{{step}}.interrupted").write_text("SIGINT")
    print("! KeyboardInterrupt !")
    sys.exit(2)


# Before saying it runs (the lead waits for that, then passes, and step 01 is stopped)
signal.signal(signal.SIGINT, interrupted)
(here / f"{{step}}.json").write_text(json.dumps(
    {{"argv": sys.argv, "nice": os.getpriority(os.PRIO_PROCESS, 0)}}
))
if step == "02":
    # The lead: passes, once step 01 is running beside it.
    for _ in range(200):
        if (here / "01.json").exists():
            break
        time.sleep(0.05)
    print("3 passed in 0.10s")
    sys.exit(0)

time.sleep(5)  # unless stopped: a pass, which progress would wrongly show
print("3 passed in 5.00s")
"""


@pytest.mark.skipif(sys.platform == "win32", reason="the fake pytest is a POSIX script")
def test_a_run_below_a_pass_is_stopped_and_the_lead_gets_the_cpus(tmp_path):
    """run_many(lead=True): the first run gets pytest-xdist workers, the others a lower
    priority; when a run passes, a run still going that skip now leaves out is stopped as
    Ctrl+C stops it (its teardown runs), and its result is None."""
    fake = tmp_path / "python"
    fake.write_text(FAKE_PYTEST.format(python=sys.executable, folder=str(tmp_path)))
    fake.chmod(0o755)
    steps = [get_step("02"), get_step("01")]

    def below_a_pass(step, finished):
        return any(run.outcome == "pass" and run.step.number > step.number for run in finished)

    lead, below = run_many(
        fake, [(step, tmp_path) for step in steps], True, jobs=2, skip=below_a_pass, lead=True
    )
    assert lead is not None and lead.outcome == "pass"
    assert below is None, "step 01 was still running below a pass: stopped, not shown"
    assert (tmp_path / "01.interrupted").exists(), "stopped as Ctrl+C stops pytest"
    seen = {n: json.loads((tmp_path / f"{n}.json").read_text()) for n in ("01", "02")}
    assert seen["02"]["argv"][-2:] == ["-n", "2"], "the lead runs on both CPUs"
    assert "-n" not in seen["01"]["argv"]
    assert seen["01"]["nice"] > seen["02"]["nice"], "the runs beside the lead yield to it"
