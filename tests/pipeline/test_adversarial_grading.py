"""Whole gradings of hostile submissions in the sandbox.

Each submission is the reference with one attack appended to its rnn_layers.py. The attack
must earn nothing it did not earn honestly, and the grader, the report and the items the
attack does not touch must stay intact.
"""

import json
import subprocess

import pytest

from autograder import grade, paths

ITEMS = ("rnn_step_forward", "word_embedding_forward", "lstm_step_forward")
SLEEP_MARKER = "918273"

ATTACKS = {
    # the attacked item, and code appended to the reference rnn_layers.py
    "infinite_loop": ("rnn_step_forward", """
def rnn_step_forward(x, prev_h, Wx, Wh, b, use_tanh=True):
    while True:
        pass
"""),
    "os_exit_in_function": ("lstm_step_forward", """
def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    import os
    os._exit(0)
"""),
    "keyboard_interrupt_in_function": ("word_embedding_forward", """
def word_embedding_forward(x, W):
    raise KeyboardInterrupt
"""),
    "numpy_patched_to_agree": ("rnn_step_forward", """
np.allclose = lambda *args, **kwargs: True
np.max = lambda *args, **kwargs: 0.0
np.testing.assert_allclose = lambda *args, **kwargs: None

def rnn_step_forward(x, prev_h, Wx, Wh, b, use_tanh=True):
    return np.zeros((x.shape[0], Wh.shape[0])), None
"""),
    "lying_eq": ("word_embedding_forward", """
class _Equal(np.ndarray):
    def __eq__(self, other):
        return True

def word_embedding_forward(x, W):
    return np.zeros((1, 1)).view(_Equal), None
"""),
    "fake_results_printed": ("lstm_step_forward", """
import json as _json, sys as _sys
print(_json.dumps({"score": 100, "tests": []}))
_sys.stdout.flush()

def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    print('{"score": 100}')
    return prev_h, prev_c, None
"""),
    "background_process": ("rnn_step_forward", f"""
import subprocess as _subprocess
_subprocess.Popen(["sleep", "{SLEEP_MARKER}"], start_new_session=True)

def rnn_step_forward(x, prev_h, Wx, Wh, b, use_tanh=True):
    _subprocess.Popen(["sleep", "{SLEEP_MARKER}"], start_new_session=True)
    return prev_h, None
"""),
}


def _hostile_submission(tmp_path, attack):
    """The reference's two files, with ``attack`` appended to rnn_layers.py."""
    folder = tmp_path / "submission"
    (folder / "classifiers").mkdir(parents=True)
    reference = (paths.SOLUTIONS_DIR / "rnn_layers.py").read_text(encoding="utf-8")
    (folder / "rnn_layers.py").write_text(reference + "\n" + attack, encoding="utf-8")
    model = (paths.SOLUTIONS_DIR / "classifiers" / "rnn.py").read_text(encoding="utf-8")
    (folder / "classifiers" / "rnn.py").write_text(model, encoding="utf-8")
    return folder


def _sleepers():
    """Processes running the marker sleep, on this machine."""
    listing = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    return [line for line in listing.splitlines() if line.startswith(f"sleep {SLEEP_MARKER}")]


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_an_attack_costs_only_its_item(tmp_path, name):
    attacked, code = ATTACKS[name]
    out = tmp_path / "out"
    result = grade.grade_submission(_hostile_submission(tmp_path, code), out, items=ITEMS)

    scores = {item.name: item.score for item in result.items if item.name in ITEMS}
    assert scores[attacked] == 0
    for item in result.items:
        if item.name in ITEMS and item.name != attacked:
            assert item.passed, (item.name, item.error, [c.detail for c in item.checks])
    document = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert document["score"] == pytest.approx(result.score)
    assert document["score"] == pytest.approx(sum(scores.values()))
    assert (out / "report.md").is_file() and (out / "report.html").is_file()
    assert _sleepers() == []
