"""How long the workshop's checks take: a table to compare one change with another.

    uv run nox -s bench                          this checkout
    uv run nox -s bench -- --against ddf587f     this checkout and an older commit, side by side
    uv run nox -s bench -- --full                also the whole `uv run nox`
    python benchmarks/loop.py --help             every option

What it measures, each from the repository's root, exactly as a learner or an instructor types
it (so nox's and uv's own start-up count too):

- `uv run nox -s step-NN` for a few steps (the reference code; `--steps 04,08`);
- `uv run nox -s progress -- DIR` with DIR a copy of step NN's finished code (`--progress 08`:
  every step passes, so every step's tests run in full: the slowest case);
- with `--full`, `uv run nox` (every default session).

Each command runs once unmeasured first (it creates the session's virtualenv: "warm" figures),
then `--repeat` times; the table shows the fastest wall-clock time and the CPU time of that
run (user + system, the command and everything it started), and how many tests it ran (the
"N passed" its output prints, summed). On a machine shared with other work the wall-clock time
varies a lot from run to run and the CPU time much less: compare both. With `--against REF` (or
two `--root`s), both checkouts run each command in turn (A, B, A, B, …), so that a busy moment
slows both alike; the last columns are the factors B / A (with --against: how many times faster
this checkout is than REF), the last one per test: when the two checkouts run different tests
(tests added since REF), the whole command's factor alone would mislead.

Standard library only. Output: the table on stdout (Markdown). Exit status 1 if a measured
command failed (its output's last lines are printed), 2 for a wrong option.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Measure:
    label: str
    command: list[str]
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    tests: int = 0  # tests passed, as the command's output counts them (last measured run)

    def best(self) -> tuple[float, float]:
        """(wall, cpu) of the fastest run."""
        index = min(range(len(self.walls)), key=self.walls.__getitem__)
        return self.walls[index], self.cpus[index]


# "241 passed" in pytest's closing lines and in `progress`'s table: what a command ran.
PASSED = re.compile(r"\b(\d+) passed\b")


def tests_passed(output: str) -> int:
    """How many tests a command's output says passed, summed over its pytest runs (a step
    check of 11 prints one line for SQLite, one for PostgreSQL, one for its own tests)."""
    return sum(int(number) for number in PASSED.findall(output))


class CommandFailed(Exception):
    pass


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_timed(
    command: Sequence[str], cwd: Path, expect_ok: bool = True
) -> tuple[float, float, str]:
    """Run command in cwd; (wall seconds, CPU seconds, its output). Raises CommandFailed."""
    cpu_before = children_cpu()
    start = time.perf_counter()
    completed = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, errors="replace", check=False
    )
    wall = time.perf_counter() - start
    cpu = children_cpu() - cpu_before
    if expect_ok and completed.returncode != 0:
        tail = "\n".join((completed.stdout + completed.stderr).splitlines()[-30:])
        raise CommandFailed(f"{' '.join(command)} (in {cwd}) failed:\n{tail}")
    return wall, cpu, completed.stdout + completed.stderr


def commit_of(root: Path) -> str:
    found = subprocess.run(
        ["git", "log", "-1", "--format=%h %s"], cwd=root, capture_output=True, text=True
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    text = found.stdout.strip()[:60] or "(not a git checkout)"
    return text + (" + uncommitted changes" if dirty.stdout.strip() else "")


def step_dir(root: Path, number: str) -> Path:
    matches = sorted((root / "steps").glob(f"{number}-*"))
    if not matches:
        raise SystemExit(f"No step {number} in {root / 'steps'}")
    return matches[0]


def plan(root: Path, args: argparse.Namespace, scratch: Path) -> list[Measure]:
    """The commands to measure in one checkout."""
    measures = [
        Measure(f"step-{number}", ["uv", "run", "nox", "-s", f"step-{number}"])
        for number in args.steps
    ]
    for number in args.progress:
        copy = scratch / f"{root.name}-progress-{number}"
        if not copy.exists():
            shutil.copytree(step_dir(root, number), copy)
        label = f"progress ({number}'s code)"
        measures.append(Measure(label, ["uv", "run", "nox", "-s", "progress", "--", str(copy)]))
    if args.full:
        measures.append(Measure("uv run nox (all)", ["uv", "run", "nox"]))
    return measures


def seconds(value: float) -> str:
    return f"{value:.1f} s"


def machine() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}, load average {load}, "
        f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '(unset)')!r}"
    )


def table(
    roots: Sequence[Path], commits: Sequence[str], results: Sequence[list[Measure]], repeat: int
) -> str:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"Benchmark of {now}: {machine()}; best of {repeat} warm run(s)."]
    names = "ABCDEFGH"
    for name, root, commit in zip(names, roots, commits, strict=False):
        lines.append(f"{name}: {root} at {commit}")
    lines.append("")
    header = ["command"]
    for name in names[: len(roots)]:
        header += [f"{name} wall", f"{name} CPU", f"{name} tests"]
    if len(roots) == 2:
        header += ["B/A wall", "B/A CPU", "B/A CPU per test"]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    for row in zip(*results, strict=True):
        cells = [row[0].label]
        for measure in row:
            wall, cpu = measure.best()
            cells += [seconds(wall), seconds(cpu), str(measure.tests)]
        if len(roots) == 2:
            (old_wall, old_cpu), (new_wall, new_cpu) = row[1].best(), row[0].best()
            cells += [f"{old_wall / new_wall:.1f}x", f"{old_cpu / new_cpu:.1f}x"]
            old_tests, new_tests = row[1].tests, row[0].tests
            per_test = "-"
            if old_tests and new_tests:
                per_test = f"{(old_cpu / old_tests) / (new_cpu / new_tests):.1f}x"
            cells.append(per_test)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def checkout(ref: str, into: Path) -> Path:
    """A detached git worktree of ref in `into` (removed again by remove_checkout)."""
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(into), ref],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return into


def remove_checkout(path: Path) -> None:
    subprocess.run(
        ["git", "worktree", "remove", "--force", str(path)], cwd=ROOT, capture_output=True
    )


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", default="04,08", help="steps to check (default: 04,08)")
    parser.add_argument(
        "--progress",
        default="08",
        help="run `progress` on a copy of these steps' code (default: 08; '' for none)",
    )
    parser.add_argument("--full", action="store_true", help="also time the whole `uv run nox`")
    parser.add_argument("--repeat", type=int, default=2, help="measured runs of each (default 2)")
    parser.add_argument(
        "--against", metavar="REF", help="also measure this git commit or branch, interleaved"
    )
    parser.add_argument(
        "--root",
        type=Path,
        action="append",
        help="measure this checkout instead (repeatable; default: this repository)",
    )
    args = parser.parse_args(argv)
    args.steps = [s.strip().zfill(2) for s in args.steps.split(",") if s.strip()]
    args.progress = [s.strip().zfill(2) for s in args.progress.split(",") if s.strip()]
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    roots = [root.resolve() for root in args.root or [ROOT]]
    with tempfile.TemporaryDirectory(prefix="workshop-bench-") as tmp:
        scratch = Path(tmp)
        made: list[Path] = []
        try:
            if args.against:
                made.append(checkout(args.against, scratch / f"at-{args.against}"))
                roots.append(made[-1])
            results = [plan(root, args, scratch) for root in roots]
            commits = [commit_of(root) for root in roots]
            # Warm up: every session's virtualenv exists before anything is measured.
            for root, measures in zip(roots, results, strict=True):
                for measure in measures:
                    print(f"warming up: {measure.label} in {root}", file=sys.stderr)
                    run_timed(measure.command, root)
            for round_ in range(args.repeat):
                for index in range(len(results[0])):
                    for root, measures in zip(roots, results, strict=True):
                        measure = measures[index]
                        wall, cpu, output = run_timed(measure.command, root)
                        measure.walls.append(wall)
                        measure.cpus.append(cpu)
                        measure.tests = tests_passed(output)
                        print(
                            f"run {round_ + 1}/{args.repeat}: {measure.label} in {root}: "
                            f"{wall:.1f} s wall, {cpu:.1f} s CPU",
                            file=sys.stderr,
                        )
        except CommandFailed as exc:
            print(exc, file=sys.stderr)
            return 1
        finally:
            for path in made:
                remove_checkout(path)
        print(table(roots, commits, results, args.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
