"""Staging: the student's files next to the grader's pristine provided modules, written
once, into the folder the runner imports them from."""

import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from autograder import arguments, grade, paths, submission
from support.submissions import REFERENCE, reference_submission, write_files

LAYERS = "rnn_layers.py"


def test_stage_builds_a_package_from_pristine_modules(tmp_path, settings):
    folder = write_files(tmp_path / "student", {LAYERS: REFERENCE[LAYERS],
                                                "layers.py": b"raise SystemExit('mine')\n"})
    found = submission.locate(folder, settings.limits)
    staged = found.package.stage(tmp_path / "staged")
    package = staged / "assignment"
    assert (package / LAYERS).read_bytes() == REFERENCE[LAYERS]
    for provided in ("layers.py", "optim.py", "captioning_solver.py", "gradient_check.py",
                     "coco_utils.py", "image_utils.py", "__init__.py", "classifiers/__init__.py",
                     "classifiers/rnn.py"):
        assert (package / provided).read_bytes() == (paths.ASSIGNMENT_DIR / provided).read_bytes()
    assert (staged / "captiondata" / "layout.py").is_file()
    assert not list(staged.rglob("__pycache__"))
    modes = {stat.S_IMODE(path.stat().st_mode) for path in [staged, *staged.rglob("*")]}
    assert modes == {0o755, 0o644}  # every user reads and enters; only the grader writes


def test_staged_package_imports_the_students_copy(tmp_path, settings):
    folder = reference_submission(tmp_path / "student")
    staged = submission.locate(folder, settings.limits).package.stage(tmp_path / "staged")
    probe = ("import sys; sys.path.insert(0, sys.argv[1]);"
             "import assignment.rnn_layers as r, assignment.classifiers.rnn as m,"
             " assignment.coco_utils, assignment.captioning_solver;"
             "print(r.__file__); print(m.rnn_forward.__module__)")
    output = subprocess.run([sys.executable, "-c", probe, str(staged)], cwd=tmp_path,
                            capture_output=True, text=True, check=True).stdout.split()
    assert Path(output[0]) == staged / "assignment" / LAYERS
    assert output[1] == "assignment.rnn_layers"


@pytest.mark.parametrize("runner", arguments.RUNNERS)
def test_a_grading_stages_the_submission_once_and_removes_it(tmp_path, settings, monkeypatch,
                                                             runner):
    scratch = tmp_path / "tmpdir"  # the grader's TMPDIR
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    marked = REFERENCE[LAYERS] + b"\n# this submission's own rnn_layers.py\n"
    folder = write_files(tmp_path / "student", {LAYERS: marked})
    copies = []

    def count_copies(item):
        copies.append([path for path in scratch.rglob(LAYERS) if path.read_bytes() == marked])

    result = grade.grade_submission(folder, tmp_path / "out", settings, runner=runner,
                                    items=["rnn_step_forward"], on_item=count_copies)
    graded = {item.name: item for item in result.items}["rnn_step_forward"]
    assert graded.score == graded.max_score > 0
    assert len(copies) == 1 and len(copies[0]) == 1, copies
    assert list(scratch.iterdir()) == []
