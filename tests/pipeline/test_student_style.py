"""Student code written as in the course notebooks grades exactly as the reference does."""

import pytest

from autograder import grade
from pipeline_helpers import write_files
from student_style import student_files

AFFECTED = ["rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward",
            "lstm_step_forward", "lstm_step_backward", "loss_rnn", "loss_lstm",
            "sample_rnn", "sample_lstm", "sigmoid_variant"]


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
