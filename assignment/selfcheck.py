"""Run the public tests of the notebooks against your code (provided to students).

``python -m assignment.selfcheck`` runs every otter test file under
``notebooks/tests/`` whose inputs can be built from the package alone (your
functions in ``rnn_layers.py`` and ``CaptioningRNN``). Tests that need objects
trained in a notebook (the overfitting solvers) are listed as skipped: run them
in the notebook with ``grader.check(...)``. The RNN notebook's tests run
first, in the order of the hand-in's notebooks, then the LSTM's; the last line
counts the passed tests.

Passing these checks is a good sign, not a grade: hidden tests, run by the
course staff on your hand-in, decide the grade.
"""

import argparse
import inspect
import sys
import traceback
from pathlib import Path

from otter.test_files import test_case

from . import rnn_layers
from .classifiers.rnn import CaptioningRNN
from .handin import NOTEBOOKS

TESTS_DIR = Path(__file__).resolve().parent.parent / "notebooks" / "tests"


def environment():
    """The names a test may ask for: the functions of ``rnn_layers`` and ``CaptioningRNN``."""
    names = {name: value for name, value in vars(rnn_layers).items() if not name.startswith("_")}
    names["CaptioningRNN"] = CaptioningRNN
    return names


def test_cases(path):
    """The ``test_case`` objects defined by one otter test file."""
    namespace = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
    return [value for value in namespace.values() if isinstance(value, test_case)]


def run_file(path, env):
    """Run one test file; return ``("passed" | "failed" | "skipped", detail)``."""
    for case in test_cases(path):
        wanted = list(inspect.signature(case.test_func).parameters)
        missing = [name for name in wanted if name not in env]
        if missing:
            return "skipped", f"needs {', '.join(missing)} from the notebook; run grader.check there"
        try:
            case.call_func(env)
        except Exception:  # a failing student function may raise anything
            return "failed", traceback.format_exc(limit=-1).strip().splitlines()[-1]
    return "passed", ""


def test_files():
    """The public test files, the RNN notebook's before the LSTM's (the order of ``NOTEBOOKS``).

    Returns
    -------
    list of Path
    """
    return [path for notebook in NOTEBOOKS
            for path in sorted((TESTS_DIR / Path(notebook).stem).glob("*.py"))]


def main(argv=None):
    """Print one line per public test, the pass count and a reminder that hidden tests decide
    the grade; returns the exit status."""
    argparse.ArgumentParser(prog=f"python -m {__package__}.selfcheck",
                            description="Run the notebooks' public tests against your code "
                                        "(RNN first, then LSTM).").parse_args(argv)
    if not TESTS_DIR.is_dir():
        print(f"No public tests at {TESTS_DIR}: run this from the unpacked assignment folder.")
        return 2
    env = environment()
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    for path in test_files():
        status, detail = run_file(path, env)
        counts[status] += 1
        print(f"{status:8} {path.parent.name}/{path.stem}" + (f"  ({detail})" if detail else ""))
    ran = counts["passed"] + counts["failed"]
    print(f"\n{counts['passed']} of {ran} public tests passed"
          + (f", {counts['skipped']} skipped (run them in the notebook)" if counts["skipped"]
             else "") + ".")
    print("These are the public tests only. Hidden tests, run by the course staff on "
          "your hand-in, decide the grade.")
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
