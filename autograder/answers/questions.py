"""The written questions, as ``notebooks/source/`` declares them (``{question} NAME POINTS``)."""

from dataclasses import dataclass

from .. import paths
from ..build import notebooks


@dataclass(frozen=True)
class WrittenQuestion:
    """One manually graded question of a notebook.

    Attributes
    ----------
    notebook : str
        The notebook's name without ``.ipynb``, e.g. ``"RNN_Captioning"``.
    name : str
        The question's name, e.g. ``"char_vs_word"``; unique across notebooks.
    points : float
    prompt : str
        The question as the students read it (Markdown).
    """

    notebook: str
    name: str
    points: float
    prompt: str

    @property
    def file_name(self):
        """The notebook's file name in a hand-in."""
        return f"{self.notebook}.ipynb"


def written_questions(root=paths.REPO_ROOT):
    """Every written question of the notebooks, in notebook and section order.

    Parameters
    ----------
    root : Path
        The repository holding ``notebooks/source/``.

    Returns
    -------
    list of WrittenQuestion

    Raises
    ------
    autograder.build.notebooks.BuildError
        When the sources cannot be read, or two questions share a name.
    """
    found = [WrittenQuestion(notebook=notebook, name=question.name,
                             points=float(question.points), prompt=question.prompt)
             for notebook, question in notebooks.written_questions(root)]
    names = [question.name for question in found]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise notebooks.BuildError(f"written question {repeated[0]!r} is declared twice in "
                                   "notebooks/source/: give each question its own name")
    return found
