"""The manual-scores CSV of the written questions, and the key from anonymous ids to submissions.

``manual_scores.csv`` has one row per student and one column per question, headed
``NAME (POINTS)``; its first column is ``anonymous_id`` (the ids of the answer
pages, resolved through ``key.csv`` beside it) or ``submission`` (the names of
grade-all's gradebook). An empty cell is a score not given yet.
"""

import csv
import io
import re
import secrets
from pathlib import Path

from ..report.explain import points

SCORES_FILE = "manual_scores.csv"
KEY_FILE = "key.csv"
ANONYMOUS = "anonymous_id"
NAMED = "submission"
ID_HEX_DIGITS = 6
_HEADER = re.compile(r"(?P<name>\w+)(\s*\((?P<points>[^)]*)\))?")


class ManualScoresError(ValueError):
    """The manual-scores CSV does not fit the questions or the class; the message says where."""


def column(question):
    """The CSV header of a question's column, e.g. ``"char_vs_word (3)"``."""
    return f"{question.name} ({points(question.points)})"


def anonymous_ids(names, known=None):
    """A random id per submission, keeping the ids ``known`` already gives.

    Parameters
    ----------
    names : iterable of str
        The submissions' names.
    known : dict of str to str or None
        Anonymous id -> submission, from an earlier key.

    Returns
    -------
    dict of str to str
        Anonymous id -> submission, for every name, sorted by id (so the order
        of the ids says nothing about the names).
    """
    known = known or {}
    kept = {name: anonymous for anonymous, name in known.items()}
    ids = {kept[name]: name for name in names if name in kept}
    taken = set(known)
    for name in names:
        if name not in kept:
            anonymous = secrets.token_hex(ID_HEX_DIGITS // 2)
            while anonymous in taken:
                anonymous = secrets.token_hex(ID_HEX_DIGITS // 2)
            taken.add(anonymous)
            ids[anonymous] = name
    return dict(sorted(ids.items()))


def key_csv(key):
    """``key.csv``'s text: ``anonymous_id,submission`` per student."""
    return _csv([[ANONYMOUS, NAMED], *([anonymous, name] for anonymous, name in key.items())])


def read_key(path):
    """Anonymous id -> submission, from ``key.csv``.

    Raises
    ------
    ManualScoresError
        When the file is missing or not a key.
    """
    try:
        rows = list(csv.reader(io.StringIO(Path(path).read_text(encoding="utf-8"))))
    except OSError as error:
        raise ManualScoresError(f"cannot read the key {path} ({error.strerror or error}): it is "
                                "written by `python -m autograder answers` next to "
                                f"{SCORES_FILE}") from error
    if not rows or rows[0] != [ANONYMOUS, NAMED] or any(len(row) != 2 for row in rows[1:]):
        raise ManualScoresError(f"{path} is not a key: expected the columns {ANONYMOUS},{NAMED}")
    return {anonymous: name for anonymous, name in rows[1:]}


def scores_template(students, questions, first_column=ANONYMOUS):
    """The manual-scores CSV to fill in: one row per student, the score cells empty.

    Parameters
    ----------
    students : iterable of str
        Anonymous ids or submission names, in row order.
    questions : list of autograder.answers.questions.WrittenQuestion
    first_column : {'anonymous_id', 'submission'}

    Returns
    -------
    str
    """
    return _csv([[first_column, *map(column, questions)],
                 *([student] + [""] * len(questions) for student in students)])


def read_scores(path, questions, submissions):
    """The manual scores of a filled-in CSV, checked against the questions and the class.

    Parameters
    ----------
    path : path-like
        ``manual_scores.csv``; when its first column is ``anonymous_id``,
        ``key.csv`` must sit beside it.
    questions : list of autograder.answers.questions.WrittenQuestion
    submissions : collection of str
        The names of the class's submissions (as grade-all names them).

    Returns
    -------
    dict of str to dict of str to float
        Submission -> {question name: score} of the scores given (empty cells left out).

    Raises
    ------
    ManualScoresError
        For an unreadable file, an unknown student or question, a header whose
        points differ from the question's, or a score that is not a number
        from 0 to the question's points.
    """
    path = Path(path)
    try:
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ManualScoresError(f"cannot read {path} ({error})") from error
    if not rows or rows[0][:1] not in ([ANONYMOUS], [NAMED]):
        raise ManualScoresError(f"{path}: the first column must be {ANONYMOUS!r} or {NAMED!r}, "
                                f"as `python -m autograder answers` writes it")
    key = read_key(path.parent / KEY_FILE) if rows[0][0] == ANONYMOUS else None
    columns = _columns(path, rows[0][1:], {question.name: question for question in questions})
    scores = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        name = _student(path, number, row[0].strip(), key, submissions)
        if name in scores:
            raise ManualScoresError(f"{path}, line {number}: a second row for {row[0]!r}")
        scores[name] = {question.name: _score(path, number, question, cell)
                        for question, cell in zip(columns, row[1:]) if cell.strip()}
    return scores


def _columns(path, headers, known):
    """The question of each score column; ManualScoresError for an unknown, mismatched or
    repeated one."""
    listed = ", ".join(column(question) for question in known.values())
    columns = []
    for header in headers:
        match = _HEADER.fullmatch(header.strip())
        question = known.get(match["name"]) if match else None
        if question is None:
            raise ManualScoresError(f"{path}: column {header!r} is not a written question; "
                                    f"the questions are {listed}")
        if match["points"] is not None and match["points"].strip() != points(question.points):
            raise ManualScoresError(f"{path}: column {header!r} says {match['points']} points, "
                                    f"but {question.name} is worth {points(question.points)} "
                                    "(notebooks/source/)")
        if question in columns:
            raise ManualScoresError(f"{path}: two columns for {question.name}; keep one")
        columns.append(question)
    return columns


def _student(path, number, student, key, submissions):
    """The submission a row is about; ManualScoresError when it is unknown."""
    if key is not None:
        if student not in key:
            raise ManualScoresError(f"{path}, line {number}: unknown anonymous id {student!r} "
                                    f"(not in {KEY_FILE})")
        student = key[student]
    if student not in submissions:
        shown = ", ".join(sorted(submissions)[:10]) + (", ..." if len(submissions) > 10 else "")
        raise ManualScoresError(f"{path}, line {number}: unknown student {student!r}: not a "
                                f"submission of this class ({shown})")
    return student


def _score(path, number, question, cell):
    """One score cell as a number from 0 to the question's points."""
    where = f"{path}, line {number}, {question.name}"
    try:
        score = float(cell)
    except ValueError:
        raise ManualScoresError(f"{where}: {cell.strip()!r} is not a number") from None
    if score > question.points:
        raise ManualScoresError(f"{where}: {cell.strip()} is above the question's "
                                f"{points(question.points)} points")
    if not score >= 0:
        raise ManualScoresError(f"{where}: {cell.strip()} is not a score from 0 to "
                                f"{points(question.points)}")
    return score


def _csv(rows):
    """CSV text of ``rows``."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()
