"""grade_submission: orchestration with stand-in item graders, then real items on a few items."""

import json

import pytest

from autograder import config, grade, paths
from autograder.report import explain
from autograder.results import Check, ItemResult
from autograder.sandbox import StudentError
from support.submissions import REFERENCE, reference_submission, write_files

FAST_ITEMS = ["rnn_step_forward", "loss_rnn"]


def _passing(name, context):
    """A stand-in item grader that gives every point."""
    return ItemResult(name, context.settings.points[name], checks=[Check("stand-in", True)])


def test_a_grader_bug_loses_only_its_item(tmp_path, monkeypatch, capsys):
    def buggy(name, context):
        if name == "rnn_forward":
            raise KeyError("a bug in the grader")
        return _passing(name, context)

    monkeypatch.setattr(grade, "grade_item", buggy)
    result = grade.grade_submission(reference_submission(tmp_path / "s"), tmp_path / "out",
                                    runner="inprocess")
    scores = {item.name: item.score for item in result.items}
    assert scores.pop("rnn_forward") == 0
    assert sum(scores.values()) == 95
    [broken] = [item for item in result.items if item.name == "rnn_forward"]
    assert broken.error.startswith("internal error of the grader, not of your code (KeyError")
    assert "Traceback" in capsys.readouterr().err
    assert "KeyError" in broken.grader_traceback and "Traceback" not in broken.output
    labels = [note.label for note in explain.lost_points(broken)]
    assert "The grader's traceback (for the course staff)" in labels
    assert "Printed by your code" not in labels
    assert json.loads((tmp_path / "out" / "results.json").read_text())["score"] == 95


def test_a_student_error_escaping_an_item_grader_is_recorded(tmp_path, monkeypatch):
    def leaky(name, context):
        raise StudentError("timeout", "no answer after 5.0 s")

    monkeypatch.setattr(grade, "grade_item", leaky)
    result = grade.grade_submission(reference_submission(tmp_path / "s"), tmp_path / "out",
                                    runner="inprocess", items=["rnn_forward"])
    [item] = [item for item in result.items if item.name == "rnn_forward"]
    assert item.error == "timeout: no answer after 5.0 s"


def test_nothing_to_grade_starts_no_runner(tmp_path, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("no runner may start for an empty submission")

    monkeypatch.setattr(grade, "SandboxRunner", forbidden)
    result = grade.grade_submission(tmp_path / "missing", tmp_path / "out")
    assert result.score == 0 and result.isolation == "none"
    assert "does not exist" in result.problems[0]
    assert all(item.error == grade.NOTHING_TO_RUN for item in result.items)
    assert (tmp_path / "out" / "report.html").is_file()


def test_a_runner_that_cannot_load_the_code_zeroes_every_item(tmp_path, monkeypatch):
    def failing(*args, **kwargs):
        raise StudentError("import", "SystemExit: 3")

    monkeypatch.setattr(grade, "InProcessRunner", failing)
    result = grade.grade_submission(reference_submission(tmp_path / "s"), tmp_path / "out",
                                    runner="inprocess")
    assert result.score == 0
    assert all(item.error == "your code could not be loaded: import: SystemExit: 3"
               for item in result.items)


def test_items_outside_the_selection_are_reported_as_not_graded(tmp_path, monkeypatch):
    monkeypatch.setattr(grade, "grade_item", _passing)
    result = grade.grade_submission(reference_submission(tmp_path / "s"), tmp_path / "out",
                                    runner="inprocess", items=FAST_ITEMS)
    graded = {item.name for item in result.items if item.error is None}
    assert graded == set(FAST_ITEMS)
    assert [item.name for item in result.items] == list(config.ITEMS)
    assert all(item.error == explain.NOT_SELECTED for item in result.items
               if item.name not in FAST_ITEMS)
    text = (tmp_path / "out" / "report.md").read_text()
    assert "| rnn_forward | 0 | 5 | not graded |" in text
    assert "### rnn_forward" not in text


def test_unknown_runner_or_item_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown runner"):
        grade.grade_submission(paths.SOLUTIONS_DIR, tmp_path, runner="docker")
    with pytest.raises(ValueError, match="unknown item 'rnn'"):
        grade.grade_submission(paths.SOLUTIONS_DIR, tmp_path, items=["rnn"])


def _scores(result):
    return {item.name: item.score for item in result.items if item.name in FAST_ITEMS}


def test_reference_earns_the_selected_items_in_the_sandbox(tmp_path, settings):
    result = grade.grade_submission(paths.SOLUTIONS_DIR, tmp_path / "out", items=FAST_ITEMS)
    assert result.problems == []
    assert _scores(result) == {name: settings.points[name] for name in FAST_ITEMS}
    assert result.isolation and "none" not in result.isolation


@pytest.mark.parametrize("broken, expected", [
    ({"classifiers/rnn.py": None}, {"rnn_step_forward": 4, "loss_rnn": 0}),
    ({"rnn_layers.py": None}, {"rnn_step_forward": 0, "loss_rnn": 0}),
    ({"classifiers/rnn.py": "# caf\u00e9\n".encode("latin-1")}, {"rnn_step_forward": 4,
                                                                 "loss_rnn": 0}),
    ({"classifiers/rnn.py": b"def loss(:\n"}, {"rnn_step_forward": 4, "loss_rnn": 0}),
], ids=["model-missing", "layers-missing", "model-not-utf8", "model-syntax-error"])
def test_a_bad_file_costs_only_the_items_that_need_it(tmp_path, broken, expected):
    files = {name: data for name, data in {**REFERENCE, **broken}.items() if data is not None}
    result = grade.grade_submission(write_files(tmp_path / "s", files), tmp_path / "out",
                                    items=FAST_ITEMS)
    assert _scores(result) == expected
    lost = [item for item in result.items if item.name == "loss_rnn"][0]
    assert lost.error or any(not check.passed for check in lost.checks)


def test_items_built_on_a_crashed_one_are_not_run(tmp_path, monkeypatch, settings):
    ran = []

    def crashing(name, context):
        ran.append(name)
        item = _passing(name, context)
        if name == "rnn_step_backward":
            item.checks, item.error, item.stopped = [], "crashed", "crash"
        return item

    monkeypatch.setattr(grade, "grade_item", crashing)
    result = grade.grade_submission(reference_submission(tmp_path / "s"), tmp_path / "out",
                                    runner="inprocess")
    # built on rnn_step_backward: rnn_backward, then the loss, the training and the variant
    skipped = ["rnn_backward", "loss_rnn", "overfit_rnn", "sigmoid_variant"]
    assert ran == [name for name in config.ITEMS if name not in skipped]
    errors = {item.name: item.error for item in result.items}
    for name in skipped:
        assert errors[name].startswith("not graded: it runs the functions of "
                                       "rnn_step_backward, whose code crashed"), errors[name]
    assert result.score == 100 - sum(settings.points[name]
                                     for name in ["rnn_step_backward", *skipped])
