"""grade_submission: orchestration with stand-in item graders, then real items on a few items."""

import dataclasses
import json

import pytest

import autograder.items
from autograder import arguments, config, grade, paths
from autograder.report import explain
from autograder.results import Check, ItemResult, Status
from autograder.sandbox import StudentError
from support.submissions import REFERENCE, reference_submission, write_files

FAST_ITEMS = ["rnn_step_forward", "loss_rnn"]


def _passing(name, context):
    """A stand-in item grader that gives every point."""
    return ItemResult(name, context.settings.points[name], checks=[Check("stand-in", True)])


def test_a_grader_bug_loses_only_its_item(tmp_path, monkeypatch, capsys):
    def buggy(grading):
        raise KeyError("a bug in the grader")

    monkeypatch.setitem(autograder.items.GRADERS, "rnn_forward", buggy)
    result = grade.grade_submission(reference_submission(tmp_path / "s"), tmp_path / "out",
                                    runner="inprocess", items=FAST_ITEMS + ["rnn_forward"])
    scores = {item.name: item.score for item in result.items if item.name in FAST_ITEMS}
    assert scores == {name: config.load().points[name] for name in FAST_ITEMS}
    [broken] = [item for item in result.items if item.name == "rnn_forward"]
    assert broken.score == 0 and broken.status is Status.GRADER_ERROR
    assert broken.error.startswith("the grader could not grade this item, through no fault of "
                                   "your code: KeyError: 'a bug in the grader'")
    assert "KeyError: 'a bug in the grader'" in capsys.readouterr().err
    assert "KeyError" in broken.grader_traceback and "Traceback" not in broken.output
    labels = [note.label for note in explain.lost_points(broken)]
    assert "The grader's traceback (for the course staff)" in labels
    assert "Printed by your code" not in labels
    assert json.loads((tmp_path / "out" / "results.json").read_text())["score"] == result.score


def test_a_student_error_escaping_an_item_grader_is_recorded(tmp_path, monkeypatch):
    def leaky(grading):
        raise StudentError("timeout", "no answer after 5.0 s")

    monkeypatch.setitem(autograder.items.GRADERS, "rnn_forward", leaky)
    result = grade.grade_submission(reference_submission(tmp_path / "s"), tmp_path / "out",
                                    runner="inprocess", items=["rnn_forward"])
    [item] = [item for item in result.items if item.name == "rnn_forward"]
    assert item.error == "timeout: no answer after 5.0 s"
    assert item.status is Status.UNGRADABLE and not item.grader_traceback


def test_nothing_to_grade_starts_no_runner(tmp_path, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("no runner may start for an empty submission")

    monkeypatch.setattr(grade, "SandboxRunner", forbidden)
    (tmp_path / "empty").mkdir()
    result = grade.grade_submission(tmp_path / "empty", tmp_path / "out")
    assert result.score == 0 and result.isolation == "none"
    assert "rnn_layers.py was not found" in result.problems[0], result.problems
    assert all(item.error == grade.NOTHING_TO_RUN and item.status is Status.UNGRADABLE
               for item in result.items)
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
    graded = {item.name for item in result.items if item.status is Status.GRADED}
    assert graded == set(FAST_ITEMS)
    assert [item.name for item in result.items] == list(config.ITEMS)
    assert all(item.status is Status.NOT_SELECTED and item.error == grade.NOT_SELECTED
               for item in result.items if item.name not in FAST_ITEMS)
    text = (tmp_path / "out" / "report.md").read_text()
    assert "| rnn_forward | 0 | 5 | not graded |" in text
    assert "### rnn_forward" not in text


@pytest.mark.parametrize("where, kwargs, message", [
    ("solutions", {"runner": "docker"}, "unknown runner 'docker'"),
    ("solutions", {"items": ["rnn"]}, "unknown item 'rnn'"),
    ("missing", {}, "missing does not exist: give a folder or a .zip"),
])
def test_bad_arguments_are_refused_before_anything_is_graded(tmp_path, monkeypatch, where,
                                                             kwargs, message):
    monkeypatch.setattr(grade.submission, "locate", None)  # grading would call it first
    path = paths.SOLUTIONS_DIR if where == "solutions" else tmp_path / where
    with pytest.raises(arguments.ArgumentError, match=message):
        grade.grade_submission(path, tmp_path / "out", **kwargs)


def test_an_item_the_settings_do_not_grade_is_unknown(tmp_path):
    settings = config.load()
    classic = dataclasses.replace(settings, points={
        name: points for name, points in settings.points.items() if name != "sigmoid_variant"})
    with pytest.raises(arguments.ArgumentError, match="unknown item 'sigmoid_variant'"):
        grade.grade_submission(paths.SOLUTIONS_DIR, tmp_path / "out", classic,
                               items=["sigmoid_variant"])


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
            item.checks = []
            item.not_graded(Status.UNGRADABLE, "crashed", "crash")
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
