"""The otter plugin of ``dist/otter-autograder.zip``: otter's scores are this package's grade.

Otter executes one notebook per submission and scores it with test files. The
bundle (``autograder/build/otter_bundle.py``) gives otter a placeholder notebook
and one test file per item of ``grading.toml``, and names this plugin in
``otter_config.json``. The plugin does the grading, in otter's own process:

``before_grading``
    Moves everything the student handed in out of the folder where otter's
    kernel runs (so none of it can be imported there), unpacks the grader that
    the bundle carries, and runs its ``python -m autograder grade`` on the
    handed-in files in a separate process: the sandbox, seeds and limits are
    exactly those of the native grader. Under ``otter grade`` (``zips`` set)
    the hand-in zip itself stays where otter put it: otter copies it back out
    of the container after grading and records no score when it is gone. A
    zip is never imported by the kernel, so leaving it there is harmless.
``before_execution``
    Adds a cell to the placeholder notebook that holds each item's result; each
    test file passes when its item earned every point and otherwise fails with
    the native explanation of the lost points.
``after_grading``
    Sets every test file's score to the native score of its item (partial
    credit included; what the kernel did cannot change a score) and puts the
    native summary at the top of otter's results.
``generate_report``
    The native summary, printed by otter after the results are written.

This module imports only the standard library and otter: otter imports it by
name (``autograder.otter_plugin.NativeGrading``) from the installed package
under ``otter run``, or from the bundled grader archive in the ``otter grade``
container (see the bundle's ``run_otter.py``).
"""

import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import nbformat
from otter.plugins import AbstractOtterPlugin
from otter.run.run_autograder.utils import OtterRuntimeError

# Names shared with the bundle builder.
GRADER_ARCHIVE = "rnn_captioning_grader.zip"
PLACEHOLDER_NOTEBOOK = "graded_by_native_grader.ipynb"
RESULTS_VARIABLE = "native_results"
# What otter itself puts into the submission folder next to the student's files.
OTTER_ENTRIES = frozenset({"tests", "__init__.py", PLACEHOLDER_NOTEBOOK, GRADER_ARCHIVE})
# Folders under otter's autograder folder (``/autograder`` or otter run's temporary copy).
UNPACKED_GRADER = "native_grader"
HANDED_IN = "handed_in"
NATIVE_REPORTS = "results/native"


class NativeGrading(AbstractOtterPlugin):
    """Grade the submission with the bundled grader and make otter report its scores."""

    native = None

    def before_grading(self, config):
        """Grade the handed-in files natively; keep the results.json document."""
        autograder_dir = Path(config.autograder_dir).resolve()
        submission_dir = Path(self.submission_path).parent
        kept = OTTER_ENTRIES | (_root_zips(submission_dir) if config.zips else set())
        handed_in = _move_handed_in_files(submission_dir, autograder_dir / HANDED_IN, kept)
        grader_root = _unpack(autograder_dir / "source" / "files" / GRADER_ARCHIVE,
                              autograder_dir / UNPACKED_GRADER)
        self.native = _grade_natively(grader_root, handed_in, autograder_dir / NATIVE_REPORTS)

    def before_execution(self, submission):
        """The placeholder notebook with a cell defining each item's native result."""
        by_item = {test["name"]: {key: test[key] for key in ("score", "max_score", "output")}
                   for test in self.native["tests"]}
        source = (f"import json\n{RESULTS_VARIABLE} = json.loads({json.dumps(by_item)!r})")
        submission.cells.append(nbformat.v4.new_code_cell(source, id="native-results"))
        return submission

    def after_grading(self, results):
        """Every item's score becomes the native one; items the grader did not grade get 0."""
        scores = {test["name"]: test["score"] for test in self.native["tests"]}
        for name in results.test_files:
            results.update_score(name, scores.get(name, 0))
        results.set_output(self.native["output"])

    def generate_report(self):
        """The native summary paragraph."""
        return self.native["output"]


def _root_zips(submission_dir):
    """Names of the zip files at the top of ``submission_dir``.

    Under ``otter grade`` one of them is the hand-in, which otter unpacked in
    place (it refuses a submission folder with more than one zip before
    unpacking); any other is a zip the student put at the top of theirs.
    """
    return {entry.name for entry in submission_dir.glob("*.zip") if entry.is_file()}


def _move_handed_in_files(submission_dir, destination, kept):
    """Move the student's files out of otter's submission folder.

    Parameters
    ----------
    submission_dir : Path
        Where otter unpacked the submission and added its own entries.
    destination : Path
        A new folder that receives every entry not named in ``kept``.
    kept : set of str
        Names of the entries that stay: otter's own and the hand-in zip.

    Returns
    -------
    Path
        ``destination``.
    """
    destination.mkdir()
    for entry in submission_dir.iterdir():
        if entry.name not in kept:
            shutil.move(str(entry), destination / entry.name)
    return destination


def _unpack(archive, destination):
    """Unpack the bundled grader (the bundle's own, trusted archive) into ``destination``."""
    if not archive.is_file():
        raise OtterRuntimeError(f"the grader archive {archive} is missing from the autograder "
                                "zip; rebuild it with `python -m autograder build`")
    with zipfile.ZipFile(archive) as grader:
        grader.extractall(destination)
    return destination


def _grade_natively(grader_root, handed_in, out):
    """Run ``python -m autograder grade`` of the unpacked grader; its results.json as a dict.

    Raises
    ------
    OtterRuntimeError
        When the grader wrote no results (a broken installation, not a student's
        doing): otter then reports an autograder error instead of a score.
    """
    environment = dict(os.environ, PYTHONPATH=str(grader_root))
    finished = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(handed_in), "--out", str(out)],
        cwd=grader_root, env=environment, capture_output=True, text=True, check=False)
    results = out / "results.json"
    if finished.returncode != 0 or not results.is_file():
        said = _tail((finished.stderr or finished.stdout).strip(), grader_root)
        raise OtterRuntimeError(f"the assignment's grader stopped with exit code "
                                f"{finished.returncode} and wrote no results:\n{said}")
    return json.loads(results.read_text(encoding="utf-8"))


def _tail(text, grader_root):
    """The end of what a failed grader printed: at most the bundled grading.toml's
    ``limits.output_bytes`` characters, all of it when that file cannot be read (then
    the failure is likely its own, and the grader's message says so)."""
    try:
        with open(Path(grader_root, "grading.toml"), "rb") as file:
            limit = tomllib.load(file)["limits"]["output_bytes"]
    except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError):
        return text
    return text[-limit:] if isinstance(limit, int) and limit > 0 else text
