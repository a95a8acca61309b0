"""Grade one submission end to end: locate, stage, run every item in one runner, write reports."""

import contextlib
import signal
import sys
import threading
import time

from . import arguments, config, report, submission
from .items import Context, blocker, describe, grade_item, over_time
from .items.seeds import derive_seed
from .names import LAYERS_FILE, MODEL_FILE
from .results import GradeResult, ItemResult, Status
from .sandbox import InProcessRunner, SandboxRunner, StudentError
from .text import inert

NOTHING_TO_RUN = (f"not graded: neither {LAYERS_FILE} nor {MODEL_FILE} could be taken "
                  "from the submission (see the problems above)")
NOT_SELECTED = "not graded in this run (only the items given with --items were graded)"


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
    autograder.arguments.ArgumentError
        A ValueError, before anything is graded: for an unknown runner or item name, a
        ``path`` that does not exist, or an ``out_dir`` that cannot be written.
    OSError
        When the reports cannot be written after all.
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
    runner = arguments.runner(runner)
    selected = arguments.items(items, settings)
    path = arguments.existing(path, "a folder or a .zip")
    out_dir = arguments.output_folder(out_dir)
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
        reason = f"your code could not be loaded: {describe(error)}"
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
        return _ungraded(name, settings, NOT_SELECTED, Status.NOT_SELECTED)
    if context.runner.out_of_time():
        return _ungraded(name, settings, over_time(settings, "before this item started"))
    reason = blocker(name, graded)
    if reason is not None:
        return _ungraded(name, settings, reason)
    return _grade_one(name, context, on_item)


def _runner(kind, package, settings, out_dir, deadline):
    """A runner that stages ``package`` and runs it: isolated, or in this process."""
    if kind == "sandbox":
        return SandboxRunner(package, settings, hidden_paths=[out_dir], deadline=deadline)
    return InProcessRunner(package, settings, deadline=deadline)


def _grade_one(name, context, on_item):
    """One item's result; a failure of the grader on it is also told on stderr."""
    item = grade_item(name, context)
    if item.status is Status.GRADER_ERROR:
        print(f"autograder: internal error while grading {name}:\n"
              f"{inert(item.grader_traceback)}", file=sys.stderr)
    if on_item is not None:
        on_item(item)
    return item


def _ungraded(name, settings, reason, status=Status.UNGRADABLE):
    """The result of an item that scored nothing for ``reason``."""
    item = ItemResult(name=name, max_score=settings.points[name])
    item.not_graded(status, reason)
    return item
