"""Student code written as in the course notebooks grades exactly as the reference does."""

import shutil
import subprocess
import sys

import pytest

from autograder import grade, paths
from support.submissions import write_files
from student_style import student_files

AFFECTED = ["rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward",
            "lstm_step_forward", "lstm_step_backward", "loss_rnn", "loss_lstm",
            "sample_rnn", "sample_lstm", "sigmoid_variant"]


@pytest.mark.filterwarnings("ignore:\"is\" with a literal:SyntaxWarning")
@pytest.mark.parametrize("runner", ["sandbox", "inprocess"])
def test_a_student_style_submission_earns_full_points(tmp_path, settings, runner):
    submission = write_files(tmp_path / "submission", student_files())
    result = grade.grade_submission(submission, tmp_path / "out", settings, runner=runner,
                                    items=AFFECTED)
    assert result.problems == []
    lost = {item.name: (item.score, item.error, [check.detail for check in item.checks])
            for item in result.items
            if item.name in AFFECTED and item.score != settings.points[item.name]}
    assert lost == {}


def _student_workspace(folder, in_place):
    """The student's folder: the package with both files filled in, the public tests."""
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(paths.ASSIGNMENT_DIR, folder / "assignment", ignore=ignore)
    write_files(folder / "assignment", student_files(in_place))
    shutil.copytree(paths.REPO_ROOT / "notebooks" / "tests", folder / "notebooks" / "tests",
                    ignore=ignore)
    return folder


def _run(workspace, module, *arguments):
    done = subprocess.run([sys.executable, "-m", module, *arguments], cwd=workspace,
                          capture_output=True, text=True, timeout=300)
    return done.returncode, done.stdout + done.stderr


def test_selfcheck_and_handin_accept_it_and_the_grader_grades_the_handin(tmp_path, settings):
    workspace = _student_workspace(tmp_path / "student", in_place=False)
    status, printed = _run(workspace, "assignment.selfcheck")
    assert status == 0 and "passed" in printed and "failed" not in printed, printed
    status, printed = _run(workspace, "assignment.handin")
    assert status == 0, printed
    result = grade.grade_submission(workspace / "submission.zip", tmp_path / "out", settings,
                                    items=["loss_lstm", "sample_rnn"])
    assert {item.name: item.score for item in result.items if item.error is None} == {
        "loss_lstm": settings.points["loss_lstm"], "sample_rnn": settings.points["sample_rnn"]}


def test_selfcheck_accepts_backward_passes_that_update_their_inputs(tmp_path):
    status, printed = _run(_student_workspace(tmp_path / "student", in_place=True),
                           "assignment.selfcheck")
    assert status == 0 and "failed" not in printed, printed
