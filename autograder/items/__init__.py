"""The hidden tests: one grader per item of grading.toml.

``GRADERS`` holds a grader for every item of ``config.ITEMS``; a grading runs
those that its settings grade (``settings.items``: without ``sigmoid_variant``
when grading.toml turns the variant off).

``grade_item(name, ctx)`` grades one item of a submission through
``ctx.runner`` (a sandbox runner on the staged submission) and returns its
:class:`~autograder.results.ItemResult`. Nothing the student's code does makes
it raise: failures become the item's ``error`` or failed checks with a message.
It is also the one place where a failure of the grader itself is caught: such an
item gets the status ``GRADER_ERROR`` and the grader's traceback, and costs no
other item its grade.
``blocker(name, graded)`` names the item whose functions ``name`` runs and that
already ran out of time or crashed: such an item is then not graded at all.
"""

import time
import traceback
from dataclasses import dataclass

from .. import config
from ..results import ItemResult, Status
from ..sandbox import StudentError
from ..text import truncated
from . import layers, model, overfit, sample, seeds
from .engine import ItemGrading
from .student import GraderProblem, ItemError

GRADERS = layers.GRADERS | model.GRADERS | sample.GRADERS | overfit.GRADERS
# The items whose student functions each item runs, directly (a backward item calls the
# forward function for its cache) or as docs/assignment.md builds them (rnn_forward on the step
# function, CaptioningRNN.loss on the embedding and the recurrence, training on the loss).
DEPENDS_ON = {
    "rnn_step_backward": ("rnn_step_forward",),
    "rnn_forward": ("rnn_step_forward",),
    "rnn_backward": ("rnn_forward", "rnn_step_backward"),
    "word_embedding_backward": ("word_embedding_forward",),
    "lstm_step_backward": ("lstm_step_forward",),
    "lstm_forward": ("lstm_step_forward",),
    "lstm_backward": ("lstm_forward", "lstm_step_backward"),
    "loss_rnn": ("word_embedding_backward", "rnn_backward"),
    "loss_lstm": ("word_embedding_backward", "lstm_backward"),
    "sample_rnn": ("rnn_step_forward",),
    "sample_lstm": ("lstm_step_forward",),
    "overfit_rnn": ("loss_rnn",),
    "overfit_lstm": ("loss_lstm",),
    "sigmoid_variant": ("loss_rnn",),
}
STOPPED = {"timeout": "ran out of time", "crash": "crashed the process running your code"}


@dataclass
class Context:
    """What every item grader of one submission shares.

    Attributes
    ----------
    runner : SandboxRunner or InProcessRunner
        Runs the student's staged package.
    settings : autograder.config.Settings
    seed : int
        The submission's seed (:func:`seeds.derive_seed`); every input is drawn from it.
    file_notes : tuple of str
        ``Submission.file_notes``: student files found under another name, named
        in every item they cost.
    """

    runner: object
    settings: config.Settings
    seed: int
    file_notes: tuple = ()


def grade_item(name, ctx):
    """Grade one item of a submission.

    Parameters
    ----------
    name : str
        An item of ``ctx.settings.items``.
    ctx : Context

    Returns
    -------
    autograder.results.ItemResult
        With its checks, or with the status ``UNGRADABLE`` and the reason as its
        ``error`` when the student's code could not be graded (not implemented,
        import failure, timeout, crash), or ``GRADER_ERROR`` when the grader failed.

    Raises
    ------
    KeyError
        For a name that is not an item of grading.toml, or one it does not grade.
    """
    grader = GRADERS[name]
    result = ItemResult(name=name, max_score=ctx.settings.points[name])
    start = time.perf_counter()
    try:
        grading = ItemGrading(ctx, name, result, seeds.item_rng(ctx.seed, name))
        grader(grading)
        grading.finish()
        if not result.checks:
            raise GraderProblem("its grader ran no check")
    except ItemError as error:
        result.not_graded(Status.UNGRADABLE, str(error), error.stopped)
    except StudentError as error:  # the student's failure, outside any labelled call
        result.not_graded(Status.UNGRADABLE, describe(error))
    except Exception as error:  # noqa: BLE001 - a grader bug costs only this item
        result.not_graded(Status.GRADER_ERROR, grader_failed(error))
        result.grader_traceback = traceback.format_exc()
    if result.stopped == "timeout" and ctx.runner.out_of_time():
        result.not_graded(Status.UNGRADABLE, over_time(ctx.settings, "while this item ran"))
    result.output = truncated(result.output + ctx.runner.output(),
                              ctx.settings.limits.output_bytes)
    result.seconds = time.perf_counter() - start
    return result


def grader_failed(error):
    """What the student reads when the grader failed on an item.

    Parameters
    ----------
    error : Exception
        A :class:`~autograder.items.student.GraderProblem`, whose message says what
        went wrong, or any other exception: a bug of the grader.

    Returns
    -------
    str
    """
    what = str(error) if isinstance(error, GraderProblem) else f"{type(error).__name__}: {error}"
    return (f"the grader could not grade this item, through no fault of your code: "
            f"{what.rstrip('.')}. Please tell the course staff, who can regrade it once the "
            "grader is fixed.")


def describe(error):
    """A :class:`~autograder.sandbox.StudentError` as one message: its kind, its message
    and the student's frames.

    Parameters
    ----------
    error : autograder.sandbox.StudentError

    Returns
    -------
    str
    """
    text = f"{error.kind}: {error.message}"
    return f"{text}\n{error.details}" if error.details else text


def over_time(settings, when):
    """Why an item scored nothing when the grading's total time limit passed ``when``.

    Parameters
    ----------
    settings : autograder.config.Settings
    when : str
        E.g. ``"while this item ran"``.

    Returns
    -------
    str
    """
    return (f"not graded to the end: the whole grading's time limit of "
            f"{settings.limits.grading_seconds:g} s (limits.grading_seconds) passed {when}. "
            "Look for the item that took far longer than the others: its time ran into the "
            "items after it.")


def prerequisites(name):
    """Every item whose functions item ``name`` runs, directly or through another item.

    Parameters
    ----------
    name : str

    Returns
    -------
    list of str
        In the order of ``config.ITEMS``.
    """
    found, pending = set(), list(DEPENDS_ON.get(name, ()))
    while pending:
        item = pending.pop()
        if item not in found:
            found.add(item)
            pending.extend(DEPENDS_ON.get(item, ()))
    return [item for item in config.ITEMS if item in found]


def blocker(name, graded):
    """Why item ``name`` need not run: a prerequisite's code ran out of time or crashed.

    Parameters
    ----------
    name : str
    graded : dict of str to ItemResult
        The items graded so far in this grading.

    Returns
    -------
    str or None
        The reason, naming the item that stopped; None when ``name`` should run.
    """
    for item in prerequisites(name):
        result = graded.get(item)
        if result is not None and result.stopped in STOPPED:
            return (f"not graded: it runs the functions of {item}, whose code "
                    f"{STOPPED[result.stopped]} (see {item}); fix that first, and this item "
                    "will be graded again")
    return None
