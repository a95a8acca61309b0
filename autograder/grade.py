"""Grade one submission end to end: locate, stage, run every item in one runner, write reports."""

import sys
import tempfile
import time
import traceback
from pathlib import Path

from . import config, report, submission
from .report import explain
from .items import Context, derive_seed, grade_item
from .results import GradeResult, ItemResult
from .sandbox import InProcessRunner, SandboxRunner, StudentError

RUNNERS = ("sandbox", "inprocess")
NOTHING_TO_RUN = ("not graded: neither rnn_layers.py nor classifiers/rnn.py could be taken "
                  "from the submission (see the problems above)")


def grade_submission(path, out_dir, settings=None, runner="sandbox", items=None):
    """Grade a submission and write results.json, report.md and report.html into ``out_dir``.

    Parameters
    ----------
    path : path-like
        The submission: a folder or a ``.zip`` (see :func:`autograder.submission.locate`).
    out_dir : path-like
        Created if needed; hidden from student code.
    settings : autograder.config.Settings or None
        None: ``config.load()``.
    runner : {'sandbox', 'inprocess'}
        Where student code runs: an isolated child process, or this process
        (no isolation; for benchmarks and trusted code).
    items : sequence of str or None
        Grade only these items (the others are reported as not graded); None: all.

    Returns
    -------
    autograder.results.GradeResult

    Raises
    ------
    ValueError
        For an unknown runner or item name.
    OSError
        When ``out_dir`` cannot be created or written.
    autograder.sandbox.SandboxError
        When the sandbox itself fails to start: no grade is given then.

    Notes
    -----
    Nothing the submission holds or does makes this raise: problems with the
    files, import failures, crashes and timeouts are reported, and a grader bug
    in one item becomes that item's internal error (its traceback goes to stderr).
    """
    settings = settings or config.load()
    if runner not in RUNNERS:
        raise ValueError(f"unknown runner {runner!r}: use one of {', '.join(RUNNERS)}")
    selected = selected_items(items)
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    found = submission.locate(path, settings.limits)
    seed = derive_seed(settings.seed, found.digest)
    result = GradeResult(submission=found.source, problems=list(found.problems), seed=seed,
                         digest=found.digest)
    result.items, result.isolation = _grade_items(found, settings, seed, runner, selected,
                                                  out_dir)
    result.seconds = time.perf_counter() - start
    report.write_reports(result, out_dir, settings)
    return result


def selected_items(items):
    """The item names to grade, checked against ``config.ITEMS``.

    Parameters
    ----------
    items : sequence of str or None

    Returns
    -------
    tuple of str

    Raises
    ------
    ValueError
        Naming the first unknown item and listing the known ones.
    """
    if items is None:
        return config.ITEMS
    unknown = [name for name in items if name not in config.ITEMS]
    if unknown:
        raise ValueError(f"unknown item {unknown[0]!r}; items: {', '.join(config.ITEMS)}")
    return tuple(items)


def _grade_items(found, settings, seed, kind, selected, out_dir):
    """Every item's result, and the runner's isolation, for a located submission."""
    if not found.files:
        return [_ungraded(name, settings, NOTHING_TO_RUN) for name in config.ITEMS], "none"
    with tempfile.TemporaryDirectory(prefix="autograder-", ignore_cleanup_errors=True) as folder:
        staged = submission.stage(found, folder)
        try:
            with _runner(kind, staged, settings, out_dir) as runner:
                context = Context(runner, settings, seed)
                items = [_grade_one(name, context, settings) if name in selected
                         else _ungraded(name, settings, explain.NOT_SELECTED)
                         for name in config.ITEMS]
                return items, runner.isolation
        except StudentError as error:
            reason = f"your code could not be loaded: {_describe(error)}"
            return [_ungraded(name, settings, reason) for name in config.ITEMS], "not started"


def _runner(kind, staged, settings, out_dir):
    """A runner of the staged package: isolated, or in this process."""
    if kind == "sandbox":
        return SandboxRunner(staged, settings, hidden_paths=[out_dir])
    return InProcessRunner(staged, settings)


def _grade_one(name, context, settings):
    """One item's result; a grader bug becomes the item's internal error instead of a crash."""
    start = time.perf_counter()
    try:
        item = grade_item(name, context)
    except StudentError as error:
        item = _ungraded(name, settings, _describe(error))
    except Exception as error:  # noqa: BLE001 - a grader bug must not lose the other items
        print(f"autograder: internal error while grading {name}:\n{traceback.format_exc()}",
              file=sys.stderr)
        item = _ungraded(name, settings,
                         f"internal error of the grader, not of your code ({type(error).__name__}"
                         f": {error}); tell the course staff, who can regrade once it is fixed")
        item.grader_traceback = traceback.format_exc()
    if not item.seconds:
        item.seconds = time.perf_counter() - start
    return item


def _describe(error):
    """A StudentError as one message: its kind, its message and the student frames."""
    text = f"{error.kind}: {error.message}"
    return f"{text}\n{error.details}" if error.details else text


def _ungraded(name, settings, reason):
    """The result of an item that scored nothing for ``reason``."""
    return ItemResult(name=name, max_score=settings.points[name], error=reason)
