"""Run the student notebooks in a scratch copy of the assignment.

A workspace is a folder laid out like the repository as a student sees it:
``assignment/`` (a copy of the reference ``solutions/`` or of the student stubs),
``captiondata/``, ``datasets/embedded`` (a link to the embedded data set) and
``notebooks/`` with the two notebooks and their otter tests. Only the
embedded data is visible there, so the notebooks run on it whatever else is
installed, and the notebooks import the ``assignment`` copy of the workspace.
"""

import os
import shutil
from pathlib import Path

import nbformat
from ipykernel.kernelspec import write_kernel_spec
from nbclient import NotebookClient

from captiondata import locations

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = ("RNN_Captioning.ipynb", "LSTM_Captioning.ipynb")
CELL_TIMEOUT_SECONDS = 900
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", ".OTTER_LOG")


def make_workspace(folder, package):
    """Lay out a workspace in ``folder`` whose ``assignment/`` is a copy of ``REPO / package``.

    Parameters
    ----------
    folder : Path
    package : {'solutions', 'assignment'}

    Returns
    -------
    Path
        ``folder``.
    """
    shutil.copytree(REPO / package, folder / "assignment", ignore=IGNORED)
    shutil.copytree(REPO / "captiondata", folder / "captiondata", ignore=IGNORED)
    (folder / "datasets").mkdir()
    (folder / "datasets" / "embedded").symlink_to(locations.EMBEDDED_DIR.parent,
                                                  target_is_directory=True)
    (folder / "notebooks").mkdir()
    shutil.copytree(REPO / "notebooks" / "tests", folder / "notebooks" / "tests", ignore=IGNORED)
    for name in NOTEBOOKS:
        shutil.copy(REPO / "notebooks" / name, folder / "notebooks" / name)
    return folder


def pin_kernel(folder):
    """Write a ``python3`` kernel spec for this test's interpreter; return its data folder.

    Put first on ``JUPYTER_PATH``, the folder wins over any other ``python3``
    spec (user-wide, or one of another Python), so the notebooks run with the
    packages the tests run with.
    """
    write_kernel_spec(path=str(folder / "kernels" / "python3"))
    return folder


def execute(workspace, name):
    """Execute ``notebooks/<name>`` of a workspace top to bottom; return the executed notebook.

    The kernel starts in ``notebooks/`` with this process's environment minus
    the variables that would point it at another data folder, matplotlib
    backend or package, so the notebook finds the embedded data and draws
    inline. Raises ``nbclient.exceptions.CellExecutionError`` when a cell raises.
    """
    path = workspace / "notebooks" / name
    notebook = nbformat.read(path, as_version=4)
    kernel_env = {key: value for key, value in os.environ.items()
                  if key not in (locations.ENV_VAR, "MPLBACKEND", "PYTHONPATH")}
    client = NotebookClient(notebook, timeout=CELL_TIMEOUT_SECONDS, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute(env=kernel_env)
    return notebook


def cell(notebook, cell_id):
    """The cell of ``notebook`` with id ``cell_id``."""
    for candidate in notebook.cells:
        if candidate.get("id") == cell_id:
            return candidate
    raise KeyError(cell_id)


def text_of(code_cell):
    """Everything a code cell printed or displayed as text, joined."""
    parts = []
    for output in code_cell.get("outputs", []):
        if output["output_type"] == "stream":
            parts.append(output["text"])
        elif "data" in output:
            parts.append(output["data"].get("text/plain", ""))
    return "\n".join(parts)


def has_image(code_cell):
    """Whether a code cell displayed a PNG image."""
    return any("image/png" in output.get("data", {}) for output in code_cell.get("outputs", []))


def check_names(notebook):
    """Names of the public checks of a notebook, in order (from the ids of their cells)."""
    return [c["id"][len("check-"):-len("-otter")] for c in notebook.cells
            if c["id"].startswith("check-") and c["id"].endswith("-otter")]
