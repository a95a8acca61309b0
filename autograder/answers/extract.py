"""Take the written answers out of one hand-in's notebooks.

A hand-in (a folder or a ``.zip``, as ``python -m assignment.handin`` writes
it) carries ``notebooks/RNN_Captioning.ipynb`` and ``LSTM_Captioning.ipynb``;
a notebook is found under any folder of the hand-in, the shallowest copy
winning. In a notebook, a question's answer is every cell between its prompt
(the cell with the question's id, or else the ``BEGIN QUESTION`` cell quoting
its prompt) and the next ``END QUESTION`` or ``BEGIN QUESTION`` cell, as otter's
export reads that markup, the untouched placeholder text left out. Nothing of
the notebook is run or trusted: it is read as JSON, within the size limit of a
submission. Problems are worded without paths, which may name the student.
"""

import contextlib
import functools
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from otter.export.exporters.utils import has_begin, has_end

from ..build import notebooks

MIB = 1024 * 1024
SKIPPED_FOLDERS = ("__MACOSX", ".ipynb_checkpoints")


@dataclass(frozen=True)
class AnswerCell:
    """One cell of an answer: ``kind`` is ``"markdown"``, ``"code"`` or ``"raw"``."""

    kind: str
    text: str


@dataclass
class Answer:
    """A student's answer to one question.

    Attributes
    ----------
    cells : list of AnswerCell
        What the student wrote, in notebook order; empty when unanswered.
    problem : str or None
        Why no answer could be read (notebook missing or unreadable, the
        question's cells deleted).
    """

    cells: list = field(default_factory=list)
    problem: str | None = None

    @property
    def answered(self):
        """True when the student wrote something."""
        return bool(self.cells)


def answers_of(entry, questions, max_mib):
    """The answers of one hand-in to every question.

    Parameters
    ----------
    entry : path-like
        A folder or a ``.zip``.
    questions : list of autograder.answers.questions.WrittenQuestion
    max_mib : float
        Largest notebook read, in MiB (``[limits] max_unpacked_mib``).

    Returns
    -------
    dict of str to Answer
        Question name -> answer, for every question.
    """
    texts = _notebook_texts(Path(entry), {question.file_name for question in questions},
                            max_mib * MIB)
    parsed = {name: _parsed(name, text) for name, text in texts.items()}
    return {question.name: _answer(question, parsed[question.file_name])
            for question in questions}


def _notebook_texts(entry, file_names, max_bytes):
    """``{file name: text, or an Answer carrying the problem}`` for the notebooks of a hand-in."""
    try:
        with _files(entry) as files:
            return {file_name: _text(files, file_name, max_bytes) for file_name in file_names}
    except (OSError, zipfile.BadZipFile) as error:
        return dict.fromkeys(file_names, Answer(problem=f"the hand-in could not be read "
                                                        f"({_reason(error)})"))


@contextlib.contextmanager
def _files(entry):
    """``{path in the hand-in: (size in bytes, function returning its bytes)}`` of its files."""
    if entry.is_dir():
        yield {path.relative_to(entry).as_posix(): (path.stat().st_size, path.read_bytes)
               for path in entry.rglob("*.ipynb") if path.is_file() and not path.is_symlink()}
        return
    with zipfile.ZipFile(entry) as archive:
        yield {info.filename: (info.file_size, functools.partial(archive.read, info))
               for info in archive.infolist() if not info.is_dir()}


def _text(files, file_name, max_bytes):
    """The text of the shallowest ``file_name`` among ``files``, or an Answer with the problem."""
    chosen = _shallowest(files, file_name)
    if chosen is None:
        return Answer(problem=f"{file_name} is not in the hand-in")
    size, read = files[chosen]
    if size > max_bytes:
        return Answer(problem=f"{file_name} is larger than {max_bytes // MIB} MiB; not read")
    try:
        return read().decode("utf-8")
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError, ValueError) as error:
        return Answer(problem=f"{file_name} could not be read ({_reason(error)})")


def _reason(error):
    """Why a file could not be read, without its path (which may name the student)."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return type(error).__name__


def _shallowest(candidates, file_name):
    """The path among ``candidates`` whose last part is ``file_name`` and that is least deep."""
    matching = [name for name in candidates
                if name.rsplit("/", 1)[-1] == file_name
                and not any(part in SKIPPED_FOLDERS for part in name.split("/"))]
    return min(matching, key=lambda name: (name.count("/"), name), default=None)


def _parsed(file_name, text):
    """The notebook's cells, or an Answer carrying why they could not be read."""
    if isinstance(text, Answer):
        return text
    try:
        cells = nbformat.reads(text, as_version=4).cells
        return [(cell.get("id"), cell.cell_type, _source(cell)) for cell in cells]
    except Exception as error:  # noqa: BLE001 - any malformed notebook is one student's problem
        return Answer(problem=f"{file_name} is not a readable notebook "
                              f"({type(error).__name__}: {error})")


def _source(cell):
    """A cell's text, whether stored as one string or a list of lines."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _answer(question, cells):
    """The answer to ``question`` in a parsed notebook (or the Answer saying why there is none)."""
    if isinstance(cells, Answer):
        return cells
    start = _prompt_index(question, cells)
    if start is None:
        return Answer(problem=f"the cells of question {question.name} are not in "
                              f"{question.file_name} (deleted?)")
    answer = Answer()
    for _, kind, text in cells[start + 1:]:
        if has_end(text) or has_begin(text):
            break
        if text.strip() and text.strip() != notebooks.ANSWER_TEXT:
            answer.cells.append(AnswerCell(kind=kind, text=text))
    return answer


def _prompt_index(question, cells):
    """The position of the question's prompt cell: by its id, else by its markup and text."""
    wanted = notebooks.question_cell_id(question.name)
    first_line = question.prompt.strip().splitlines()[0]
    for index, (cell_id, _, _) in enumerate(cells):
        if cell_id == wanted:
            return index
    for index, (_, kind, text) in enumerate(cells):
        if kind == "markdown" and has_begin(text) and first_line in text:
            return index
    return None
