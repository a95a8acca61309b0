"""Build ``dist/gradescope.zip``, the autograder to upload to Gradescope.

Gradescope unpacks the zip into ``/autograder/source``, runs ``setup.sh`` once,
and for each submission (in ``/autograder/submission``) runs
``run_autograder``, which calls ``python -m autograder grade`` so that
``/autograder/results/results.json`` is written. The zip carries the installable
package (``pyproject.toml``, ``autograder/``, ``solutions/``, ``assignment/``,
``captiondata/``), the embedded data and ``grading.toml``.
"""

from .. import paths
from . import stubs, student_bundle

OUTPUT = "dist/gradescope.zip"
FOLDERS = ("autograder", "solutions", "captiondata", "datasets/embedded")
FILES = ("pyproject.toml", "grading.toml")
SCRIPTS = {"setup.sh": "gradescope_setup.sh", "run_autograder": "gradescope_run_autograder"}
# setup.sh templates hold this line where the shared ``make_venv`` function goes.
MAKE_VENV_MARKER = "@MAKE_VENV@"
MAKE_VENV_TEMPLATE = "python_venv.sh"
EXCLUDED_PARTS = {"__pycache__", ".ipynb_checkpoints"}


def grader_files(root=paths.REPO_ROOT):
    """``{relative path: bytes}`` of the installable grader with its data and settings.

    The otter bundle ships the same files (see ``otter_bundle``). ``assignment/``
    is built afresh by its build step, so it always matches ``solutions/``.
    """
    found = {name: (root / name).read_bytes() for name in FILES}
    found.update({relative: text.encode()
                  for relative, text in stubs.expected_files(root).items()})
    for folder in FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            relative = path.relative_to(root)
            if path.is_file() and not EXCLUDED_PARTS & set(relative.parts):
                found[relative.as_posix()] = path.read_bytes()
    return found


def members(root=paths.REPO_ROOT):
    """``{archive path: bytes}`` of the Gradescope bundle, read from ``root``."""
    found = grader_files(root)
    for name, template in SCRIPTS.items():
        found[name] = script(template)
    return found


def script(template):
    """The bytes of a script template, with ``make_venv`` (python_venv.sh) where it is marked.

    Both bundles' ``setup.sh`` make their virtual environment with it.
    """
    text = (student_bundle.TEMPLATES / template).read_text(encoding="utf-8")
    make_venv = (student_bundle.TEMPLATES / MAKE_VENV_TEMPLATE).read_text(encoding="utf-8")
    return text.replace(MAKE_VENV_MARKER + "\n", make_venv).encode()


def expected_files(root=paths.REPO_ROOT):
    """``{"dist/gradescope.zip": bytes}``."""
    return {OUTPUT: student_bundle.zip_bytes(members(root), executable=set(SCRIPTS))}


def generated_files(root=paths.REPO_ROOT):
    """The bundle, if a previous build wrote it."""
    return {OUTPUT} if (root / OUTPUT).is_file() else set()
