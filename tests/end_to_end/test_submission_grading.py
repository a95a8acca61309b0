"""Submissions as students upload them, graded in the sandbox: what each item then says."""

import json
import os
from pathlib import Path

from autograder import grade
from support.items import ALTERNATIVES
from support.submissions import REFERENCE, reference_submission, write_files

LAYERS, MODEL = "rnn_layers.py", "classifiers/rnn.py"
LAYER_ITEM, MODEL_ITEM = "rnn_step_forward", "loss_rnn"


def _graded(tmp_path, folder, items=(LAYER_ITEM, MODEL_ITEM)):
    """Grade ``items`` of ``folder`` in the sandbox: the items by name, and results.json."""
    out = tmp_path / "out"
    result = grade.grade_submission(folder, out, items=list(items))
    document = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert (out / "report.md").read_text(encoding="utf-8")
    return {item.name: item for item in result.items}, document


def test_a_drag_and_drop_upload_earns_every_point(tmp_path):
    folder = write_files(tmp_path / "upload", {LAYERS: REFERENCE[LAYERS],
                                               "rnn.py": REFERENCE[MODEL]})
    items, _ = _graded(tmp_path, folder)
    for name in (LAYER_ITEM, MODEL_ITEM):
        assert items[name].score == items[name].max_score, items[name].error


def test_a_renamed_file_is_named_in_every_item_it_costs(tmp_path):
    folder = write_files(tmp_path / "upload", {"rnn_layers (1).py": REFERENCE[LAYERS],
                                               MODEL: REFERENCE[MODEL]})
    items, document = _graded(tmp_path, folder)
    note = "Found `rnn_layers (1).py`; the grader reads `rnn_layers.py`"
    for name in (LAYER_ITEM, MODEL_ITEM):
        assert items[name].score == 0
        assert "is not implemented yet" in items[name].error
        assert note in items[name].error
    outputs = [test["output"] for test in document["tests"]
               if test["name"].startswith((LAYER_ITEM, MODEL_ITEM))]
    assert outputs and all(note in output for output in outputs)


def test_a_renamed_model_costs_only_the_model_items(tmp_path):
    folder = write_files(tmp_path / "upload", {LAYERS: REFERENCE[LAYERS],
                                               "classifiers/rnn (2).py": REFERENCE[MODEL]})
    items, _ = _graded(tmp_path, folder)
    assert items[LAYER_ITEM].score == items[LAYER_ITEM].max_score
    assert "Found `classifiers/rnn (2).py`; the grader reads `classifiers/rnn.py`" in \
        items[MODEL_ITEM].error


def test_a_tree_nested_1100_levels_with_an_undecodable_copy_gets_a_report(tmp_path):
    folder = reference_submission(tmp_path / "upload", "assignment")
    reference_submission(Path(os.fsdecode(bytes(folder) + b"/copy-\xff")))
    deepest = folder
    for _ in range(1100):
        deepest = deepest / "d"
        os.mkdir(deepest)
    try:
        items, document = _graded(tmp_path, folder, [LAYER_ITEM])
    finally:
        while deepest != folder:
            os.rmdir(deepest)
            deepest = deepest.parent
    assert document["score"] == 0
    assert any("copy-\ufffd/rnn_layers.py" in problem
               for problem in document["extra_data"]["problems"])


IN_PLACE_ITEMS = ("rnn_step_backward", "rnn_backward", "word_embedding_backward",
                  "lstm_step_backward", "lstm_backward", "loss_rnn", "loss_lstm")


def test_updating_inputs_in_place_costs_nothing(tmp_path):
    """``dnext_c += ...``, ``dh[:, t - 1] += dprev``, ``dout *= 1.0``: harmless in a notebook."""
    in_place = ALTERNATIVES / "inplace" / LAYERS
    layers = REFERENCE[LAYERS] + b"\n\n" + in_place.read_bytes()
    folder = write_files(tmp_path / "upload", {LAYERS: layers, MODEL: REFERENCE[MODEL]})
    items, _ = _graded(tmp_path, folder, IN_PLACE_ITEMS)
    for name in IN_PLACE_ITEMS:
        assert items[name].score == items[name].max_score, (name, items[name].error, [
            (check.name, check.detail) for check in items[name].checks if not check.passed])


def test_a_missing_model_is_named_in_the_model_items(tmp_path):
    folder = write_files(tmp_path / "upload", {LAYERS: REFERENCE[LAYERS]})
    items, _ = _graded(tmp_path, folder)
    assert items[LAYER_ITEM].score == items[LAYER_ITEM].max_score
    assert "Your classifiers/rnn.py could not be taken from the submission" in \
        items[MODEL_ITEM].error
