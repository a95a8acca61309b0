"""Build ``dist/otter-autograder.zip``, for instructors who grade with otter-grader.

``otter run -a dist/otter-autograder.zip -o DIR SUBMISSION.zip`` (no containers)
and ``otter grade -n NAME -a dist/otter-autograder.zip -o DIR --ext zip SUBMISSIONS/``
(Docker; the README has the exact commands) both work with it. The layout is
the one otter's Dockerfile copies:

- ``otter_config.json``: names the plugin ``autograder.otter_plugin.NativeGrading``,
  which runs this package's grader and makes otter report its scores;
- ``tests/<item>.py``: one exception-style test file per item of ``grading.toml``
  with that item's points;
- ``files/graded_by_native_grader.ipynb``: the notebook otter executes (a
  placeholder: the student's notebooks are not run) and
  ``files/rnn_captioning_grader.zip``: the grader with its data and settings;
- ``setup.sh``, ``environment.yml``, ``requirements.txt``, ``run_autograder``,
  ``run_otter.py``: the container's installation and entry point, which checks
  the hand-in zip against grading.toml's ``[limits]`` before otter unpacks it.
"""

import json

import nbformat

from .. import config, otter_plugin, paths
from . import dependencies, gradescope_bundle, student_bundle

OUTPUT = "dist/otter-autograder.zip"
TEMPLATES = {"setup.sh": "otter_setup.sh", "run_autograder": "otter_run_autograder",
             "environment.yml": "otter_environment.yml"}
RUN_OTTER_TEMPLATE = "otter_run_otter.py.template"
EXECUTABLE = frozenset({"setup.sh", "run_autograder"})
TEST_FILE_TEMPLATE = "otter_test_file.template"
PLACEHOLDER_TEXT = """\
# Graded by the assignment's own grader

Otter executes this notebook in place of the student's: the scores come from
`python -m autograder grade`, which the otter plugin `autograder.otter_plugin.NativeGrading`
runs on the handed-in `rnn_layers.py` and `classifiers/rnn.py`. The plugin adds a cell
below with each item's result; the test files in `tests/` report them.
"""


def members(root=paths.REPO_ROOT):
    """``{archive path: bytes}`` of the otter bundle, read from ``root``."""
    settings = config.load(root / "grading.toml")
    grader = student_bundle.zip_bytes(gradescope_bundle.grader_files(root))
    found = {
        "otter_config.json": _otter_config(settings),
        "requirements.txt": dependencies.requirements(root, "grader"),
        f"files/{otter_plugin.PLACEHOLDER_NOTEBOOK}": _placeholder_notebook(),
        f"files/{otter_plugin.GRADER_ARCHIVE}": grader,
    }
    test_file = _template(TEST_FILE_TEMPLATE)
    for name, points in settings.points.items():
        found[f"tests/{name}.py"] = test_file.format(
            name=name, points=points, results_variable=otter_plugin.RESULTS_VARIABLE).encode()
    found["run_otter.py"] = _template(RUN_OTTER_TEMPLATE).format(
        grader_archive=otter_plugin.GRADER_ARCHIVE, max_zip_entries=settings.limits.max_zip_entries,
        max_unpacked_mib=settings.limits.max_unpacked_mib).encode()
    for name, template_name in TEMPLATES.items():
        found[name] = gradescope_bundle.script(template_name)
    return found


def _template(name):
    """The text of a template of ``autograder/build/templates``."""
    return (student_bundle.TEMPLATES / name).read_text(encoding="utf-8")


def _otter_config(settings):
    """``otter_config.json``: the plugin, every test shown to students, the total points."""
    document = {
        "lang": "python",
        "plugins": [f"{otter_plugin.__name__}.{otter_plugin.NativeGrading.__name__}"],
        "points_possible": settings.total_points,
        "show_all_public": True,
        "logo": False,
    }
    return (json.dumps(document, indent=2) + "\n").encode()


def _placeholder_notebook():
    """The notebook otter executes: one Markdown cell saying where the scores come from."""
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell(PLACEHOLDER_TEXT, id="where-scores-come-from")],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}})
    return (nbformat.writes(notebook) + "\n").encode()


def expected_files(root=paths.REPO_ROOT):
    """``{"dist/otter-autograder.zip": bytes}``."""
    return {OUTPUT: student_bundle.zip_bytes(members(root), executable=EXECUTABLE)}


def generated_files(root=paths.REPO_ROOT):
    """The bundle, if a previous build wrote it."""
    return {OUTPUT} if (root / OUTPUT).is_file() else set()
