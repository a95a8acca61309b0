"""Staging packages and grading items in-process, for the item graders' tests."""

import shutil
from pathlib import Path

from autograder import config
from autograder.items import Context, grade_item
from autograder.paths import REPO_ROOT
from autograder.sandbox import InProcessRunner

ALTERNATIVES = Path(__file__).resolve().parent / "alternatives"
STUDENT_FILES = ("rnn_layers.py", "classifiers/rnn.py")
FAST_ITEMS = tuple(item for item in config.ITEMS if not item.startswith("overfit"))
OVERFIT_ITEMS = ("overfit_rnn", "overfit_lstm")
SETTINGS = config.load()


def stage(folder, base="solutions", sources=None, appended=None):
    """Write ``folder/assignment`` as a copy of ``base`` with student files replaced or extended.

    Parameters
    ----------
    folder : Path
    base : str
        ``"solutions"`` (the reference) or ``"assignment"`` (the stubs).
    sources : dict of str to str or None
        Student files to write instead of the base's.
    appended : dict of str to str or None
        Text appended to the base's student files (later definitions win).

    Returns
    -------
    Path
        ``folder``, the package root.
    """
    package = folder / "assignment"
    shutil.copytree(REPO_ROOT / base, package, ignore=shutil.ignore_patterns("__pycache__"))
    for name, text in (sources or {}).items():
        (package / name).write_text(text, encoding="utf-8")
    for name, text in (appended or {}).items():
        path = package / name
        path.write_text(path.read_text(encoding="utf-8") + "\n\n" + text, encoding="utf-8")
    return folder


def alternative_files(name):
    """The student files of one alternative implementation under ``alternatives/<name>``."""
    folder = ALTERNATIVES / name
    return {file: (folder / file).read_text(encoding="utf-8")
            for file in STUDENT_FILES if (folder / file).exists()}


def grade(folder, items, seed=1, runner_class=InProcessRunner):
    """Grade ``items`` of the package staged in ``folder``, in-process unless told otherwise.

    Parameters
    ----------
    folder : Path
    items : iterable of str
    seed : int
    runner_class : type
        ``InProcessRunner`` or ``SandboxRunner``.

    Returns
    -------
    dict of str to ItemResult
    """
    runner = runner_class(folder, SETTINGS)
    try:
        ctx = Context(runner, SETTINGS, seed)
        return {item: grade_item(item, ctx) for item in items}
    finally:
        runner.close()


def describe(result):
    """A readable summary of an ItemResult for assertion messages."""
    lines = [f"{result.name}: {result.score:g}/{result.max_score:g} error={result.error}"]
    lines += [f"  [{'ok' if c.passed else 'FAIL'}] {c.name}: {c.detail} (hint: {c.hint})"
              for c in result.checks]
    return "\n".join(lines)
