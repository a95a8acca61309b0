"""Grade one submission end to end: locate, stage, run every item in one runner, write reports."""

import contextlib
import signal
import sys
import threading
import time
import traceback
from pathlib import Path

from . import config, report, submission
from .report import explain
from .items import Context, blocker, grade_item, over_time
from .items.seeds import derive_seed
from .results import GradeResult, ItemResult
from .sandbox import InProcessRunner, SandboxRunner, StudentError
from .text import inert

RUNNERS = ("sandbox", "inprocess")
NOTHING_TO_RUN = ("not graded: neither rnn_layers.py nor classifiers/rnn.py could be taken "
                  "from the submission (see the problems above)")


def grade_submission(path, out_dir, settings=None, runner="sandbox", items=None, on_item=None):
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
    on_item : callable or None
        Called with each graded item's :class:`~autograder.results.ItemResult` as
        soon as it is finished (progress reports).

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
    The whole grading gets ``limits.grading_seconds``: once they have passed, the
    items not yet graded score nothing and say why. An item whose prerequisite
    (``autograder.items.DEPENDS_ON``) ran out of time or crashed is not run.
    """
    settings = settings or config.load()
    if runner not in RUNNERS:
        raise ValueError(f"unknown runner {runner!r}: use one of {', '.join(RUNNERS)}")
    selected = selected_items(items, settings)
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    deadline = time.monotonic() + settings.limits.grading_seconds
    found = submission.locate(path, settings.limits)
    seed = derive_seed(settings.seed, found.digest)
    result = GradeResult(submission=found.source, problems=list(found.problems), seed=seed,
                         digest=found.digest)
    with _terminated_as_exit():
        result.items, result.isolation = _grade_items(found, settings, seed, runner, selected,
                                                      out_dir, deadline, on_item)
    result.seconds = time.perf_counter() - start
    report.write_reports(result, out_dir, settings)
    return result


def selected_items(items, settings):
    """The item names to grade, checked against the items ``settings`` grades.

    Parameters
    ----------
    items : sequence of str or None
    settings : autograder.config.Settings

    Returns
    -------
    tuple of str

    Raises
    ------
    ValueError
        Naming the first unknown item and listing the known ones.
    """
    if items is None:
        return settings.items
    unknown = [name for name in items if name not in settings.items]
    if unknown:
        raise ValueError(f"unknown item {unknown[0]!r}; items: {', '.join(settings.items)}")
    return tuple(items)


def _grade_items(found, settings, seed, kind, selected, out_dir, deadline, on_item):
    """Every item's result, and the runner's isolation, for a located submission."""
    if not found.files:
        return [_ungraded(name, settings, NOTHING_TO_RUN) for name in settings.items], "none"
    try:
        with _runner(kind, found.package, settings, out_dir, deadline) as runner:
            context = Context(runner, settings, seed, tuple(found.file_notes.values()))
            graded = {}
            for name in settings.items:
                graded[name] = _next_item(name, selected, context, graded, on_item)
            return list(graded.values()), runner.isolation
    except StudentError as error:
        reason = f"your code could not be loaded: {_describe(error)}"
        return [_ungraded(name, settings, reason) for name in settings.items], "not started"


@contextlib.contextmanager
def _terminated_as_exit():
    """While grading, SIGTERM raises SystemExit(143), so the child is killed and the
    temporary folders removed on the way out (like Ctrl-C's KeyboardInterrupt).

    Only in the main thread, and only where SIGTERM still has its default action (a
    caller's own handler is left alone).
    """
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL):
        yield
        return
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _exit_on_signal(number, frame):
    raise SystemExit(128 + number)


def _next_item(name, selected, context, graded, on_item):
    """The result of item ``name``, graded only when it was selected and can still run."""
    settings = context.settings
    if name not in selected:
        return _ungraded(name, settings, explain.NOT_SELECTED)
    if context.runner.out_of_time():
        return _ungraded(name, settings, over_time(settings, "before this item started"))
    reason = blocker(name, graded)
    if reason is not None:
        return _ungraded(name, settings, reason)
    return _grade_one(name, context, settings, on_item)


def _runner(kind, package, settings, out_dir, deadline):
    """A runner that stages ``package`` and runs it: isolated, or in this process."""
    if kind == "sandbox":
        return SandboxRunner(package, settings, hidden_paths=[out_dir], deadline=deadline)
    return InProcessRunner(package, settings, deadline=deadline)


def _grade_one(name, context, settings, on_item):
    """One item's result; a grader bug becomes the item's internal error instead of a crash."""
    start = time.perf_counter()
    try:
        item = grade_item(name, context)
    except StudentError as error:
        item = _ungraded(name, settings, _describe(error))
    except Exception as error:  # noqa: BLE001 - a grader bug must not lose the other items
        print(f"autograder: internal error while grading {name}:\n"
              f"{inert(traceback.format_exc())}", file=sys.stderr)
        item = _ungraded(name, settings,
                         f"internal error of the grader, not of your code ({type(error).__name__}"
                         f": {error}); tell the course staff, who can regrade once it is fixed")
        item.grader_traceback = traceback.format_exc()
    if not item.seconds:
        item.seconds = time.perf_counter() - start
    if on_item is not None:
        on_item(item)
    return item


def _describe(error):
    """A StudentError as one message: its kind, its message and the student frames."""
    text = f"{error.kind}: {error.message}"
    return f"{text}\n{error.details}" if error.details else text


def _ungraded(name, settings, reason):
    """The result of an item that scored nothing for ``reason``."""
    return ItemResult(name=name, max_score=settings.points[name], error=reason)
