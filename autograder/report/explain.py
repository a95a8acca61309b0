"""The words of every report: what a grade means and why points were lost.

The JSON, Markdown and HTML writers render the same facts and notes, each
escaping the text in its own way; none of them composes explanations itself.
"""

from dataclasses import dataclass
from pathlib import PurePath

from ..items import mistakes
from ..results import Status

LIKELY_MISTAKE = "Likely mistake"


@dataclass(frozen=True)
class Note:
    """One piece of an item's explanation.

    Attributes
    ----------
    label : str
        What the text is, e.g. ``"Error"`` or ``"Likely mistake"``.
    text : str
        May hold student-controlled text: writers must escape it.
    verbatim : bool
        Render as a preformatted block (tracebacks, printed output).
    """

    label: str
    text: str
    verbatim: bool = False


def points(value):
    """A score for people: ``4``, ``2.5``, ``3.33``."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def verdict(item):
    """``"passed"`` when the item earned every point, else ``"failed"`` (Gradescope's status)."""
    return "passed" if item.passed else "failed"


def duration(seconds):
    """A wall-clock time for people: ``0.42 s``, ``31.7 s``."""
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"


def state(item):
    """The item's status for people: ``"passed"``, ``"failed"`` or ``"not graded"``."""
    return "not graded" if item.status is Status.NOT_SELECTED else verdict(item)


def detailed(item, has_curve):
    """True when the report explains ``item``: it lost points in this run, or has a curve."""
    return has_curve or state(item) == "failed"


def facts(result):
    """The report header as (label, value) pairs (for the student: no word on the sandbox,
    and the submission by its name only, never a folder of the grading machine).

    Parameters
    ----------
    result : autograder.results.GradeResult

    Returns
    -------
    list of (str, str)
    """
    return [
        ("Submission", submission_name(result)),
        ("Score", f"{points(result.score)} / {points(result.max_score)}"),
        ("Seed", str(result.seed)),
        ("Time", duration(result.seconds)),
    ]


def named_mistakes(item):
    """The catalogue names of the known mistakes an item's failed checks hint at, each once."""
    hinted = {check.hint for check in item.checks if not check.passed and check.hint}
    return [mistake.name for mistake in mistakes.MISTAKES if mistake.hint in hinted]


def submission_name(result):
    """The submission as students may see it: its file or folder name, no folder above it."""
    return PurePath(result.submission).name or result.submission


def summary(result):
    """One paragraph on the whole grading: score, seed and the submission's problems.

    Students read it (results.json's ``output``), so it says nothing of how their code
    was isolated: that goes to the instructor (``extra_data``, the gradebook, the log).
    """
    passed = sum(item.passed for item in result.items)
    text = (f"Score {points(result.score)} / {points(result.max_score)}: {passed} of "
            f"{len(result.items)} items earned every point. Graded in {result.seconds:.0f} s. "
            f"Inputs were drawn with seed {result.seed}, so regrading the same files "
            "reproduces them.")
    if result.problems:
        listed = " ".join(f"({number}) {problem}"
                          for number, problem in enumerate(result.problems, start=1))
        text += f" Problems with the submission: {listed}"
    return text


def lost_points(item):
    """Why ``item`` lost points, as notes; empty when it earned them all.

    Parameters
    ----------
    item : autograder.results.ItemResult

    Returns
    -------
    list of Note
        The error, the failed checks with what was compared and the known
        mistake they match, an excerpt of what the student's code printed, and
        the grader's traceback when the grader itself failed.
    """
    if item.passed:
        return []
    notes = []
    if item.error is not None:
        notes.append(Note("Error", item.error, verbatim=True))
    failed = [check for check in item.checks if not check.passed]
    if item.checks and item.error is None:
        notes.append(Note("Checks", f"{len(item.checks) - len(failed)} of {len(item.checks)} "
                                    "passed"))
    for check in failed:
        notes.append(Note(f"Failed: {check.name}", check.detail or "no detail"))
        if check.hint:
            notes.append(Note(LIKELY_MISTAKE, check.hint))
    if item.output.strip():
        notes.append(Note("Printed by your code", item.output, verbatim=True))
    if item.grader_traceback:
        notes.append(Note("The grader's traceback (for the course staff)",
                          item.grader_traceback, verbatim=True))
    return notes


