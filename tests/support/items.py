"""Grading items in-process, and the alternative correct implementations to grade."""

from pathlib import Path

from autograder import config
from autograder.items import Context, grade_item
from autograder.sandbox import InProcessRunner

ALTERNATIVES = Path(__file__).resolve().parent / "alternatives"
STUDENT_FILES = ("rnn_layers.py", "classifiers/rnn.py")
FAST_ITEMS = tuple(item for item in config.ITEMS if not item.startswith("overfit"))
OVERFIT_ITEMS = ("overfit_rnn", "overfit_lstm")


def alternative_files(name):
    """The student files of one alternative implementation under ``alternatives/<name>``."""
    folder = ALTERNATIVES / name
    return {file: (folder / file).read_text(encoding="utf-8")
            for file in STUDENT_FILES if (folder / file).exists()}


def grade(package, items, settings, seed=1, runner_class=InProcessRunner):
    """Grade ``items`` of ``package``, in-process unless told otherwise.

    Parameters
    ----------
    package : autograder.sandbox.Package
    items : iterable of str
    settings : autograder.config.Settings
    seed : int
    runner_class : type
        ``InProcessRunner`` or ``SandboxRunner``.

    Returns
    -------
    dict of str to ItemResult
    """
    runner = runner_class(package, settings)
    try:
        ctx = Context(runner, settings, seed)
        return {item: grade_item(item, ctx) for item in items}
    finally:
        runner.close()


def describe(result):
    """A readable summary of an ItemResult for assertion messages."""
    lines = [f"{result.name}: {result.score:g}/{result.max_score:g} error={result.error}"]
    lines += [f"  [{'ok' if c.passed else 'FAIL'}] {c.name}: {c.detail} (hint: {c.hint})"
              for c in result.checks]
    return "\n".join(lines)
