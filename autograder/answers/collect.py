"""``python -m autograder answers``: a class's answer pages, key and manual-scores CSV."""

from dataclasses import dataclass
from pathlib import Path

from .. import arguments
from ..grade_all import submissions_in
from ..report.files import atomic_write
from . import manual, pages
from .extract import answers_of
from .questions import written_questions


@dataclass(frozen=True)
class Collected:
    """What :func:`collect` wrote.

    Attributes
    ----------
    pages : list of Path
        One page per question, then the index.
    scores : Path
        The manual-scores CSV.
    scores_kept : bool
        True when that CSV existed and was left as it was (it may hold scores).
    students : int
    """

    pages: list
    scores: Path
    scores_kept: bool
    students: int


def collect(folder, out_dir, settings, anonymise=True):
    """Write every question's answer page, the index, the key and the manual-scores CSV.

    Parameters
    ----------
    folder : path-like
        The class's hand-ins, one entry each (as for grade-all).
    out_dir : path-like
        Created if needed. A ``key.csv`` already there keeps its students' ids,
        and a ``manual_scores.csv`` already there is left untouched.
    settings : autograder.config.Settings
        Its ``limits.max_unpacked_mib`` bounds the notebooks read.
    anonymise : bool
        Name students by random ids (and write ``key.csv``), or by their
        submission names.

    Returns
    -------
    Collected

    Raises
    ------
    autograder.arguments.ArgumentError
        A ValueError, before anything is read: when ``folder`` is not a folder or
        ``out_dir`` cannot be written.
    autograder.answers.manual.ManualScoresError
        When an existing ``key.csv`` is not a key.
    autograder.build.notebooks.BuildError
        When the notebook sources cannot be read.
    OSError
        When ``folder`` cannot be listed or the pages written.
    """
    folder = arguments.folder(folder, "a folder of submissions")
    out_dir = arguments.output_folder(out_dir)
    questions = written_questions()
    entries = submissions_in(folder, exclude=[out_dir])
    if anonymise:
        known_key = out_dir / manual.KEY_FILE
        key = manual.anonymous_ids(entries, manual.read_key(known_key)
                                   if known_key.exists() else None)
        atomic_write(known_key, manual.key_csv(key))
    else:
        key = {name: name for name in entries}
    answers = {name: answers_of(entry, questions, settings.limits.max_unpacked_mib)
               for name, entry in entries.items()}
    written = [atomic_write(out_dir / pages.page_name(question), pages.question_page(
        question, [(student, answers[name][question.name]) for student, name in key.items()]))
        for question in questions]
    answered = {question.name: sum(answers[name][question.name].answered for name in entries)
                for question in questions}
    written.append(atomic_write(out_dir / pages.INDEX,
                                pages.index_page(questions, answered, len(entries))))
    scores = out_dir / manual.SCORES_FILE
    kept = scores.exists()
    if not kept:
        atomic_write(scores, manual.scores_template(
            key, questions, manual.ANONYMOUS if anonymise else manual.NAMED))
    return Collected(pages=written, scores=scores, scores_kept=kept, students=len(entries))
