"""Checks of what a caller gives the entry points of grading, made once, at that boundary.

``grade.grade_submission``, ``grade_all.grade_all`` and ``answers.collect.collect``
check their arguments with these before any work starts and pass the checked values
on; the command line only parses text and turns an :class:`ArgumentError` into a
one-line error with exit code 2, so a caller from Python and one from the shell are
told the same thing.
"""

import tempfile
from pathlib import Path

# Where student code runs, the default first: an isolated child process, or the grader's own
# process (no isolation).
RUNNERS = ("sandbox", "inprocess")


class ArgumentError(ValueError):
    """An argument that cannot be used; the message names it and says what to give."""


def runner(kind):
    """``kind`` checked to be one of :data:`RUNNERS`.

    Parameters
    ----------
    kind : str

    Returns
    -------
    str

    Raises
    ------
    ArgumentError
    """
    if kind not in RUNNERS:
        raise ArgumentError(f"unknown runner {kind!r}: use one of {', '.join(RUNNERS)}")
    return kind


def items(names, settings):
    """The items to grade, checked against the items ``settings`` grades.

    Parameters
    ----------
    names : sequence of str or None
        None: every item.
    settings : autograder.config.Settings

    Returns
    -------
    tuple of str

    Raises
    ------
    ArgumentError
        Naming the first unknown item and listing the graded ones.
    """
    if names is None:
        return settings.items
    unknown = [name for name in names if name not in settings.items]
    if unknown:
        raise ArgumentError(f"unknown item {unknown[0]!r} in --items; items: "
                            f"{', '.join(settings.items)}")
    return tuple(names)


def jobs(count, settings):
    """How many submissions to grade at once.

    Parameters
    ----------
    count : int or None
        None: ``[class] jobs`` of grading.toml.
    settings : autograder.config.Settings

    Returns
    -------
    int

    Raises
    ------
    ArgumentError
        When the count is below 1.
    """
    count = settings.grading.jobs if count is None else count
    if count < 1:
        raise ArgumentError(f"--jobs must be at least 1, got {count}")
    return count


def existing(path, what):
    """``path`` checked to exist.

    Parameters
    ----------
    path : path-like
    what : str
        What the argument must be, e.g. ``"a folder or a .zip"``.

    Returns
    -------
    Path

    Raises
    ------
    ArgumentError
    """
    path = Path(path)
    if not path.exists():
        raise ArgumentError(f"{path} does not exist: give {what}")
    return path


def folder(path, what):
    """``path`` checked to be an existing folder.

    Parameters
    ----------
    path : path-like
    what : str
        What the folder must hold, e.g. ``"a folder of submissions"``.

    Returns
    -------
    Path

    Raises
    ------
    ArgumentError
    """
    path = existing(path, what)
    if not path.is_dir():
        raise ArgumentError(f"{path} is not a folder: give {what}")
    return path


def output_folder(path):
    """The folder that receives the reports: created if needed and checked writable.

    Parameters
    ----------
    path : path-like

    Returns
    -------
    Path
        Absolute.

    Raises
    ------
    ArgumentError
        When the folder cannot be created or written into.
    """
    path = Path(path).resolve()
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            return path
    except OSError as error:
        raise ArgumentError(f"cannot write reports into {path} ({error.strerror or error}): "
                            "choose another --out") from None
