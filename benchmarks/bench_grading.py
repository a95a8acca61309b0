"""Time the grader: where one submission's grading time goes, and grade-all's speed-up with jobs.

Run from anywhere: ``python benchmarks/bench_grading.py [--items a,b] [--submissions 20]
[--mutants 4] [--skip-class]``.

1. The reference solution, then a naive but correct submission (per-step Python
   loops, ``tests/support/alternatives/loops``), each graded end to end in the
   sandbox, then with ``runner="inprocess"`` (no isolation, no child process),
   during which the student's and the reference's own compute is timed item by
   item. Printed per item: both wall times, the two computes, the rest of the
   in-process time (grading overhead) and the sandbox time over the student's
   compute; then the overfit items' share and the whole grading split up. Targets: sandbox time <= 1.3 x in-process time + 1 s; the
   reference's non-overfit items together < 2 s; overhead < 0.3 of the whole
   grading. Like ``python -m autograder grade``, this process asks BLAS for one
   thread (unless the environment sets it), so in-process student code runs with
   the sandbox child's thread count.
2. ``grade-all`` of a class of submissions (copies of the reference and a few
   mutants from the mistake catalogue) with ``--jobs 1`` and ``--jobs 2``.
   Target: throughput ratio >= 1.8 on two cores.

A development script, not a test: it prints the numbers and asserts nothing.
"""

import argparse
import contextlib
import functools
import os
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autograder import blas  # noqa: E402

blas.use_one_thread()  # before numpy loads: the in-process run gets the child's BLAS threads

from autograder import config, grade, grade_all, paths  # noqa: E402
from autograder.items import mistakes  # noqa: E402
from autograder.items import overfit  # noqa: E402
from autograder.items.engine import REFERENCE  # noqa: E402
from autograder.items.local import LocalRunner  # noqa: E402
from autograder.names import STUDENT_FILES  # noqa: E402
from autograder.results import Status  # noqa: E402
from autograder.sandbox import dispatch  # noqa: E402

LOOPS = paths.REPO_ROOT / "tests" / "support" / "alternatives" / "loops"
OVERFIT = ("overfit_rnn", "overfit_lstm")


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


class ComputeClock:
    """Seconds spent in the student's code and in the reference's, per item, in-process.

    While installed, it times ``Dispatcher.respond`` (what the sandbox child runs for
    each request: the student's code) and the reference's work in the trusted parent:
    the ``solutions`` runner's calls, the overfit items' timing epoch and trusted
    loss. Only the outermost timed call counts, so nested work is not counted twice.
    """

    def __init__(self):
        self.student = defaultdict(float)
        self.reference = defaultdict(float)
        self._item = None
        self._depth = 0

    def _timer(self, function, totals, counts=lambda *args: True):
        """``function`` adding its wall time to ``totals[current item]`` when ``counts``."""
        clock = self

        @functools.wraps(function)
        def timed_call(*args, **kwargs):
            if clock._depth or not counts(*args):
                return function(*args, **kwargs)
            clock._depth += 1
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                totals[clock._item] += time.perf_counter() - start
                clock._depth -= 1

        return timed_call

    @contextlib.contextmanager
    def installed(self):
        """Time every item graded in this block (``runner="inprocess"`` only)."""
        clock = self
        grade_item = grade.grade_item

        def grade_item_timed(name, ctx):
            clock._item = name
            return grade_item(name, ctx)

        def is_reference(runner, *args):
            return runner.package == REFERENCE.package

        patches = [(grade, "grade_item", grade_item_timed),
                   (dispatch.Dispatcher, "respond",
                    self._timer(dispatch.Dispatcher.respond, self.student))]
        patches += [(LocalRunner, name, self._timer(getattr(LocalRunner, name), self.reference,
                                                    is_reference))
                    for name in ("call", "new", "method", "get_attr")]
        patches += [(overfit, name, self._timer(getattr(overfit, name), self.reference))
                    for name in ("reference_seconds", "trusted_loss")]
        saved = [(owner, name, getattr(owner, name)) for owner, name, _ in patches]
        for owner, name, replacement in patches:
            setattr(owner, name, replacement)
        try:
            yield self
        finally:
            for owner, name, original in saved:
                setattr(owner, name, original)


def naive_submission(folder):
    """The reference with every layer rebuilt from per-step Python loops (a correct
    alternative of the item tests, ``tests/support/alternatives/loops``)."""
    for name, text in mistakes.reference_sources().items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        loops = LOOPS / name
        path.write_text(text + ("\n\n" + loops.read_text(encoding="utf-8")
                                if loops.exists() else ""), encoding="utf-8")
    return folder


def bench_items(settings, items, scratch, label, submission):
    """Grade ``submission`` in the sandbox and in-process; print where the time goes.

    Per item: the sandbox's wall time, the in-process one, the student's and the
    reference's own compute (measured in the in-process grading of the same inputs),
    what is left of the in-process time (grading overhead, all from one run) and the
    sandbox time over the student's compute.
    """
    print(f"{label}, end to end:")
    graded, times, clock = {}, {}, ComputeClock()
    for runner in ("sandbox", "inprocess"):
        with clock.installed() if runner == "inprocess" else contextlib.nullcontext():
            graded[runner], times[runner] = timed(grade.grade_submission, submission,
                                                  scratch / f"{label}-{runner}", settings,
                                                  runner=runner, items=items)
        result = graded[runner]
        print(f"  {runner:>9}: {times[runner]:7.2f} s, score {result.score:g} / "
              f"{result.max_score:g}, isolation: {result.isolation}")
        for item in result.items:
            if not item.passed and item.status is not Status.NOT_SELECTED:
                print(f"             lost {item.name}: {(item.error or 'a check failed')[:100]}")
    budget = 1.3 * times["inprocess"] + 1.0
    print(f"  sandbox / in-process = {times['sandbox'] / times['inprocess']:.3f}; sandbox "
          f"{times['sandbox']:.2f} s vs target <= 1.3 x in-process + 1 s = {budget:.2f} s")
    sandbox = {item.name: item.seconds for item in graded["sandbox"].items
               if item.status is not Status.NOT_SELECTED}
    inprocess = {item.name: item.seconds for item in graded["inprocess"].items}
    print(f"  {'item':<24}{'sandbox s':>10}{'in-proc s':>10}{'student s':>10}"
          f"{'reference s':>12}{'overhead s':>11}{'sandbox/student':>16}")
    for name, seconds in sandbox.items():
        student, reference = clock.student[name], clock.reference[name]
        print(f"  {name:<24}{seconds:10.3f}{inprocess[name]:10.3f}{student:10.3f}"
              f"{reference:12.3f}{inprocess[name] - student - reference:11.3f}"
              f"{seconds / student if student else float('inf'):16.2f}")
    overfit_seconds = sum(seconds for name, seconds in sandbox.items() if name in OVERFIT)
    others = sum(sandbox.values()) - overfit_seconds
    student, reference = sum(clock.student.values()), sum(clock.reference.values())
    print(f"  non-overfit items: {others:.2f} s in the sandbox (target for the reference < 2 s)")
    print(f"  overfit items: {overfit_seconds:.2f} s, {overfit_seconds / times['sandbox']:.0%} "
          "of the whole grading in the sandbox")
    for runner, note in (("inprocess", "one run"), ("sandbox", "computes of the in-process run")):
        overhead = times[runner] - student - reference
        print(f"  {runner:>9} {times[runner]:.2f} s = student {student:.2f} s + reference "
              f"{reference:.2f} s + overhead {overhead:.2f} s ({overhead / times[runner]:.2f} of "
              f"the total, target < 0.3; {note})")
    print(f"  sandbox grading time / the student's own compute = "
          f"{times['sandbox'] / student:.2f}")


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
    parser.add_argument("--skip-class", action="store_true",
                        help="only time the two submissions, item by item")
    args = parser.parse_args()
    settings = config.load()
    items = args.items.split(",") if args.items else None
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as scratch:
        scratch = Path(scratch)
        bench_items(settings, items, scratch, "reference", paths.SOLUTIONS_DIR)
        bench_items(settings, items, scratch, "naive (per-step loops)",
                    naive_submission(scratch / "naive"))
        if not args.skip_class:
            print("A class with grade-all:")
            bench_class(settings, items, scratch, args.submissions, args.mutants)


if __name__ == "__main__":
    main()
