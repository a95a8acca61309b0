"""The four runners implement one interface and make results plain with one function."""

import inspect
import sys

import numpy as np
import pytest

from autograder.items.local import LocalRunner
from autograder.items.student import OutputError, StudentFailure, StudentRunner
from autograder.sandbox import InProcessRunner, SandboxRunner, StudentError
from autograder.sandbox.interface import Runner
from sandbox_helpers import RUN_CODE

MEMBERS = [name for name, value in vars(Runner).items()
           if callable(value) and not name.startswith("_")]


def test_the_interface_declares_what_item_programs_use():
    assert set(MEMBERS) == {"call", "new", "method", "get_attr", "set_params", "train", "drop",
                            "output"}


@pytest.mark.parametrize("implementation", [SandboxRunner, InProcessRunner, StudentRunner,
                                            LocalRunner])
@pytest.mark.parametrize("member", MEMBERS)
def test_every_runner_has_the_interfaces_signatures(implementation, member):
    declared = inspect.signature(getattr(Runner, member))
    assert inspect.signature(getattr(implementation, member)) == declared


@pytest.fixture(scope="module")
def root(make_package):
    return make_package(appended=RUN_CODE)


@pytest.fixture
def trusted_package(root, tmp_path, monkeypatch):
    """The package staged and importable as ``assignment`` in this process, for the test only."""
    monkeypatch.syspath_prepend(str(root.stage(tmp_path)))
    before = {name: module for name, module in sys.modules.items()
              if name.split(".")[0] == "assignment"}
    for name in before:
        del sys.modules[name]
    yield
    for name in [name for name in sys.modules if name.split(".")[0] == "assignment"]:
        del sys.modules[name]
    sys.modules.update(before)


RESULTS = [
    ("import numpy as np\nresult = (np.float32(2), True, 3, [1.5, np.int8(4)])", None),
    ("import numpy as np\nclass M(np.ndarray): pass\nresult = {'a': np.ones(2).view(M)}", None),
    ("result = (1.0, 'text')", r"result\[1\] is a str"),
    ("result = [2, {1: 2}]", r"result\[1\] has a key of type int"),
]


@pytest.mark.parametrize("source, refused", RESULTS)
def test_the_trusted_and_the_students_runner_normalise_alike(root, source, refused,
                                                            trusted_package, settings):
    trusted = LocalRunner("assignment")
    with InProcessRunner(root, settings) as student:
        if refused:
            with pytest.raises(OutputError, match=refused):
                trusted.call("rnn_layers.run_code", source)
            with pytest.raises(StudentError, match=refused):
                student.call("rnn_layers.run_code", source)
            return
        mine, theirs = trusted.call("rnn_layers.run_code", source), \
            student.call("rnn_layers.run_code", source)
    assert _structure(mine) == _structure(theirs)


def _structure(value):
    """Types, dtypes, shapes and values of a plain result, nested."""
    if isinstance(value, np.ndarray):
        return type(value), value.dtype, value.shape, value.tolist()
    if isinstance(value, dict):
        return {key: _structure(item) for key, item in value.items()}
    return type(value), [_structure(item) for item in value]


def test_the_student_runner_labels_a_refused_reply_with_its_call(root, settings):
    with InProcessRunner(root, settings) as inprocess:
        runner = StudentRunner(inprocess, 10.0, 0.1)
        with pytest.raises(StudentFailure) as caught:
            runner.call("rnn_layers.run_code", "import numpy as np\nresult = np.ones(10**6)",
                        expect={"next_h": (3, 4)})
    raised = caught.value.raised()
    assert raised.kind == "bad_output"
    assert raised.message.startswith("run_code returned too much: ")
    assert "expected next_h of shape (3, 4) (12 values" in raised.message


def test_the_trusted_and_the_students_runner_train_alike(root, trusted_package, settings):
    rng = np.random.default_rng(0)
    word_to_idx = {"<NULL>": 0, "<START>": 1, "<END>": 2, "a": 3, "b": 4}
    data = {"train_captions": rng.integers(0, 5, (8, 6)), "train_image_idxs": np.arange(8),
            "train_features": rng.standard_normal((8, 4)),
            "train_urls": np.array([f"image{index}" for index in range(8)])}
    training = {"update_rule": "adam", "optim_config": {"learning_rate": 1e-2},
                "batch_size": 4, "num_epochs": 3, "verbose": False}
    kwargs = {"input_dim": 4, "wordvec_dim": 3, "hidden_dim": 5, "dtype": np.float64}
    trusted = LocalRunner("assignment")
    with InProcessRunner(root, settings) as student:
        runs = []
        for runner in (trusted, student):
            model = runner.new("classifiers.rnn.CaptioningRNN", word_to_idx, **kwargs)
            runner.set_params(model, _params(model, runner))
            history, params = runner.train(model, data, training, 6, seed=7)
            runs.append((_structure(history), _structure(params)))
    assert runs[0] == runs[1]
    assert runs[0][0][:3] == (np.ndarray, np.float64, (6,))


def _params(model, runner):
    """Fixed initial parameters, shaped like the model's own."""
    shapes = {name: value.shape for name, value in runner.get_attr(model, "params").items()}
    return {name: np.linspace(-0.5, 0.5, int(np.prod(shape))).reshape(shape)
            for name, shape in shapes.items()}
