"""Packages of student files, graded item by item in-process, for the item graders' tests."""

from pathlib import Path

from autograder import config
from autograder.items import Context, grade_item
from autograder.paths import REPO_ROOT
from autograder.sandbox import InProcessRunner, Package

ALTERNATIVES = Path(__file__).resolve().parent / "alternatives"
STUDENT_FILES = ("rnn_layers.py", "classifiers/rnn.py")
FAST_ITEMS = tuple(item for item in config.ITEMS if not item.startswith("overfit"))
OVERFIT_ITEMS = ("overfit_rnn", "overfit_lstm")
SETTINGS = config.load()


def make_package(base="solutions", sources=None, appended=None):
    """A copy of ``base`` with student files replaced or extended, for a runner to stage.

    Parameters
    ----------
    base : str
        ``"solutions"`` (the reference) or ``"assignment"`` (the stubs).
    sources : dict of str to str or None
        Student files to write instead of the base's.
    appended : dict of str to str or None
        Text appended to the base's student files (later definitions win).

    Returns
    -------
    autograder.sandbox.Package
    """
    tree = REPO_ROOT / base
    files = dict(sources or {})
    for name, text in (appended or {}).items():
        files[name] = (tree / name).read_text(encoding="utf-8") + "\n\n" + text
    return Package(tree, {name: text.encode("utf-8") for name, text in files.items()})


def alternative_files(name):
    """The student files of one alternative implementation under ``alternatives/<name>``."""
    folder = ALTERNATIVES / name
    return {file: (folder / file).read_text(encoding="utf-8")
            for file in STUDENT_FILES if (folder / file).exists()}


def grade(package, items, seed=1):
    """Grade ``items`` of ``package`` in-process.

    Returns
    -------
    dict of str to ItemResult
    """
    runner = InProcessRunner(package, SETTINGS)
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
