"""Time the grader: isolation overhead on one submission, and grade-all's speed-up with jobs.

Run from anywhere: ``python benchmarks/bench_grading.py [--items a,b] [--submissions 20]
[--mutants 4] [--skip-class]``.

1. The reference solution graded end to end in the sandbox, then the same
   checks with ``runner="inprocess"`` (no isolation, no child process). Target:
   sandbox time <= 1.3 x in-process time + 1 s. Like ``python -m autograder
   grade``, this process asks BLAS for one thread (unless the environment sets
   it), so in-process student code runs with the sandbox child's thread count.
2. ``grade-all`` of a class of submissions (copies of the reference and a few
   mutants from the mistake catalogue) with ``--jobs 1`` and ``--jobs 2``.
   Target: throughput ratio >= 1.8 on two cores.

A development script, not a test: it prints the numbers and asserts nothing.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autograder import blas  # noqa: E402

blas.use_one_thread()  # before numpy loads: the in-process run gets the child's BLAS threads

from autograder import config, grade, grade_all, mistakes, paths  # noqa: E402

STUDENT_FILES = ("rnn_layers.py", "classifiers/rnn.py")


def timed(function, *args, **kwargs):
    """``function(*args, **kwargs)`` and the wall-clock seconds it took.

    Prints the 1-minute load average before and after: other work on the
    machine distorts every number here.
    """
    before = os.getloadavg()[0]
    start = time.perf_counter()
    value = function(*args, **kwargs)
    seconds = time.perf_counter() - start
    print(f"  (load average {before:.1f} before, {os.getloadavg()[0]:.1f} after)")
    return value, seconds


def bench_isolation(settings, items, scratch):
    """Grade the reference with each runner; print both times and the overhead."""
    times = {}
    for runner in ("sandbox", "inprocess"):
        result, times[runner] = timed(grade.grade_submission, paths.SOLUTIONS_DIR,
                                      scratch / f"one-{runner}", settings, runner=runner,
                                      items=items)
        print(f"  {runner:>9}: {times[runner]:7.2f} s, score {result.score:g} / "
              f"{result.max_score:g}, isolation: {result.isolation}")
        for item in result.items:
            if not item.passed:
                print(f"             lost {item.name}: {(item.error or 'a check failed')[:100]}")
    ratio = times["sandbox"] / times["inprocess"]
    budget = 1.3 * times["inprocess"] + 1.0
    print(f"  sandbox / in-process = {ratio:.3f}; sandbox {times['sandbox']:.2f} s vs target "
          f"<= 1.3 x in-process + 1 s = {budget:.2f} s")


def write_class(folder, submissions, mutants):
    """``submissions`` folders: reference copies, the first ``mutants`` of them mutated."""
    catalogue = mistakes.MISTAKES[:mutants]
    for number in range(submissions):
        student = folder / f"student{number:02d}"
        if number < len(catalogue):
            for name, text in mistakes.mutated_sources(catalogue[number]).items():
                (student / name).parent.mkdir(parents=True, exist_ok=True)
                (student / name).write_text(text, encoding="utf-8")
        else:
            for name in STUDENT_FILES:
                (student / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(paths.SOLUTIONS_DIR / name, student / name)
    return [mistake.name for mistake in catalogue]


def bench_class(settings, items, scratch, submissions, mutants):
    """grade-all of one class with one and with two jobs; print the throughput ratio."""
    folder = scratch / "class"
    names = write_class(folder, submissions, mutants)
    print(f"  {submissions} submissions, mutants: {', '.join(names) or 'none'}")
    times = {}
    for jobs in (1, 2):
        rows, times[jobs] = timed(grade_all.grade_all, folder, scratch / f"class-{jobs}",
                                  settings, jobs=jobs, items=items, progress=False)
        totals = sorted(row.total for row in rows)
        failed = sum(row.error is not None for row in rows)
        print(f"  --jobs {jobs}: {times[jobs]:7.2f} s ({submissions / times[jobs]:.3f} "
              f"submissions/s), totals min {totals[0]:g} max {totals[-1]:g}, "
              f"{failed} not graded")
    print(f"  throughput --jobs 2 / --jobs 1 = {times[1] / times[2]:.3f} (target >= 1.8)")


def main():
    """Parse the options and run both benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", default=None, help="comma-separated items (default: all)")
    parser.add_argument("--submissions", type=int, default=20)
    parser.add_argument("--mutants", type=int, default=4)
    parser.add_argument("--skip-class", action="store_true", help="only benchmark isolation")
    args = parser.parse_args()
    settings = config.load()
    items = args.items.split(",") if args.items else None
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as scratch:
        scratch = Path(scratch)
        print("One submission (the reference), end to end:")
        bench_isolation(settings, items, scratch)
        if not args.skip_class:
            print("A class with grade-all:")
            bench_class(settings, items, scratch, args.submissions, args.mutants)


if __name__ == "__main__":
    main()
