"""Hand-ins with written answers: the reference's graded files and the built notebooks, with
chosen answer cells filled in, laid out as ``python -m assignment.handin`` writes them."""

import json
import zipfile

from autograder import paths
from support.submissions import REFERENCE
from solutions import handin

# The written questions and their points, as the notebook sources declare them.
QUESTIONS = {"char_vs_word": 3, "rnn_parameters": 2, "lstm_gates": 4}
NOTEBOOK_OF = {"char_vs_word": "RNN_Captioning.ipynb", "rnn_parameters": "RNN_Captioning.ipynb",
               "lstm_gates": "LSTM_Captioning.ipynb"}


def answered_notebook(name, answers):
    """The text of notebook ``name`` with the answer cell of each question of ``answers`` set.

    Parameters
    ----------
    name : str
        e.g. ``"RNN_Captioning.ipynb"``.
    answers : dict of str to str
        Question name -> the Markdown typed into its answer cell.
    """
    notebook = json.loads((paths.REPO_ROOT / handin.ARCHIVE_NOTEBOOKS / name).read_text())
    for cell in notebook["cells"]:
        question = cell.get("id", "").removeprefix("question-").removesuffix("-answer")
        if cell.get("id", "").endswith("-answer") and question in answers:
            cell["source"] = answers.pop(question)
    assert not answers, f"no answer cell for {sorted(answers)} in {name}"
    return json.dumps(notebook, indent=1)


def handed_in_zip(path, answers, notebooks=handin.NOTEBOOKS):
    """A hand-in zip: the reference's graded files and ``notebooks`` with ``answers`` typed in.

    Returns
    -------
    Path
    """
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in REFERENCE.items():
            archive.writestr(f"{handin.ARCHIVE_PACKAGE}/{name}", data)
        for notebook in notebooks:
            mine = {question: text for question, text in answers.items()
                    if NOTEBOOK_OF[question] == notebook}
            archive.writestr(f"{handin.ARCHIVE_NOTEBOOKS}/{notebook}",
                             answered_notebook(notebook, mine))
    return path
