"""Staging: the student's files next to the grader's pristine provided modules."""

import subprocess
import sys
from pathlib import Path

from autograder import paths, submission
from support.submissions import REFERENCE, reference_submission, write_files

LAYERS = "rnn_layers.py"


def test_stage_builds_a_package_from_pristine_modules(tmp_path, settings):
    folder = write_files(tmp_path / "student", {LAYERS: REFERENCE[LAYERS],
                                                "layers.py": b"raise SystemExit('mine')\n"})
    found = submission.locate(folder, settings.limits)
    staged = submission.stage(found, tmp_path / "staged")
    package = staged / "assignment"
    assert (package / LAYERS).read_bytes() == REFERENCE[LAYERS]
    for provided in ("layers.py", "optim.py", "captioning_solver.py", "gradient_check.py",
                     "coco_utils.py", "image_utils.py", "__init__.py", "classifiers/__init__.py",
                     "classifiers/rnn.py"):
        assert (package / provided).read_bytes() == (paths.ASSIGNMENT_DIR / provided).read_bytes()
    assert (staged / "captiondata" / "layout.py").is_file()
    assert not list(staged.rglob("__pycache__"))
    assert all(path.stat().st_mode & 0o004 for path in staged.rglob("*"))


def test_staged_package_imports_the_students_copy(tmp_path, settings):
    folder = reference_submission(tmp_path / "student")
    staged = submission.stage(submission.locate(folder, settings.limits), tmp_path / "staged")
    probe = ("import sys; sys.path.insert(0, sys.argv[1]);"
             "import assignment.rnn_layers as r, assignment.classifiers.rnn as m,"
             " assignment.coco_utils, assignment.captioning_solver;"
             "print(r.__file__); print(m.rnn_forward.__module__)")
    output = subprocess.run([sys.executable, "-c", probe, str(staged)], cwd=tmp_path,
                            capture_output=True, text=True, check=True).stdout.split()
    assert Path(output[0]) == staged / "assignment" / LAYERS
    assert output[1] == "assignment.rnn_layers"
