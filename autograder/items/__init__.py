"""The hidden tests: one grader per item of grading.toml.

``GRADERS`` holds a grader for every item of ``config.ITEMS``; a grading runs
those that its settings grade (``settings.items``: without ``sigmoid_variant``
when grading.toml turns the variant off).

``grade_item(name, ctx)`` grades one item of a submission through
``ctx.runner`` (a sandbox runner on the staged submission) and returns its
:class:`~autograder.results.ItemResult`. Nothing the student's code does makes
it raise: failures become the item's ``error`` or failed checks with a message.
"""

import hashlib
import time
import traceback
from dataclasses import dataclass

from .. import config, inputs
from ..results import ItemResult
from . import layers, model, overfit, sample
from .engine import ItemGrading
from .student import ItemError, grader_problem

GRADERS = layers.GRADERS | model.GRADERS | sample.GRADERS | overfit.GRADERS
OUTPUT_LIMIT = 4000


@dataclass
class Context:
    """What every item grader of one submission shares.

    Attributes
    ----------
    runner : SandboxRunner or InProcessRunner
        Runs the student's staged package.
    settings : autograder.config.Settings
    seed : int
        The submission's seed (:func:`derive_seed`); every input is drawn from it.
    file_notes : tuple of str
        ``Submission.file_notes``: student files found under another name, named
        in every item they cost.
    """

    runner: object
    settings: config.Settings
    seed: int
    file_notes: tuple = ()


def derive_seed(seed, digest):
    """The seed of a submission: grading.toml's seed mixed with the digest of its files.

    Parameters
    ----------
    seed : int
        ``settings.seed``.
    digest : str
        Hex sha256 of the submission's files.

    Returns
    -------
    int
        In ``range(2**63)``; equal for equal files, different for different ones.
    """
    mixed = hashlib.sha256(f"{seed}:{digest}".encode()).digest()
    return int.from_bytes(mixed[:8], "big") >> 1


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
        With ``error`` set when the item could not be graded (not implemented,
        import failure, timeout, crash), otherwise with its checks.

    Raises
    ------
    KeyError
        For a name that is not an item of grading.toml, or one it does not grade.
    """
    grader = GRADERS[name]
    result = ItemResult(name=name, max_score=ctx.settings.points[name])
    start = time.perf_counter()
    try:
        grading = ItemGrading(ctx, name, result, inputs.item_rng(ctx.seed, name))
        grader(grading)
        grading.finish()
    except ItemError as error:
        result.error = str(error)
    except Exception as error:  # a grader bug must not cost the other items their grades
        result.error = str(grader_problem(f"{type(error).__name__}: {error}"))
        result.grader_traceback = traceback.format_exc()
    result.output = _truncate(result.output + ctx.runner.output())
    result.seconds = time.perf_counter() - start
    return result


def _truncate(text):
    """At most OUTPUT_LIMIT characters of ``text``, saying so when cut."""
    if len(text) <= OUTPUT_LIMIT:
        return text
    return text[:OUTPUT_LIMIT] + f"\n... ({len(text) - OUTPUT_LIMIT} more characters not shown)"
