"""SandboxRunner and InProcessRunner give the same answers, on the reference and on the stubs."""

import numpy as np
import pytest

from autograder import paths
from autograder.sandbox import Handle, InProcessRunner, SandboxRunner, StudentError
from sandbox_helpers import RUN_CODE, layer_inputs, training_data

WORDS = {"<NULL>": 0, "<START>": 1, "<END>": 2, "cat": 3, "dog": 4}


@pytest.fixture(scope="module")
def runners(tmp_path_factory, make_package, settings):
    """Both runners on one staged reference package."""
    root = make_package(appended=RUN_CODE)
    with InProcessRunner(root, settings) as local, SandboxRunner(root, settings) as sandboxed:
        yield local, sandboxed


@pytest.fixture(scope="module")
def stub_runners(tmp_path_factory, make_package, settings):
    """Both runners on the student stubs."""
    root = make_package(paths.ASSIGNMENT_DIR)
    with InProcessRunner(root, settings) as local, SandboxRunner(root, settings) as sandboxed:
        yield local, sandboxed


def assert_same(left, right):
    """Equal structure, exact ndarrays of equal dtype and values."""
    assert type(left) is type(right)
    if isinstance(left, np.ndarray):
        assert type(left) is np.ndarray and left.dtype == right.dtype
        np.testing.assert_array_equal(left, right)
    elif isinstance(left, (list, tuple)):
        assert len(left) == len(right)
        for a, b in zip(left, right):
            assert_same(a, b)
    elif isinstance(left, dict):
        assert left.keys() == right.keys()
        for key in left:
            assert_same(left[key], right[key])
    else:
        assert isinstance(left, Handle) and isinstance(right, Handle)


def layer_program(runner, inputs):
    """Every graded layer function, backward passes fed the kept forward caches."""
    x, h0, dh = inputs["x"], inputs["h0"], inputs["dh"]
    results = []
    for use_tanh in (True, False):
        step = runner.call("rnn_layers.rnn_step_forward", x[:, 0], h0, inputs["Wx"], inputs["Wh"],
                           inputs["b"], keep=(1,), use_tanh=use_tanh)
        results += [step[0], runner.call("rnn_layers.rnn_step_backward", dh[:, 0], step[1],
                                         use_tanh=use_tanh)]
        h, cache = runner.call("rnn_layers.rnn_forward", x, h0, inputs["Wx"], inputs["Wh"],
                               inputs["b"], keep=(1,), use_tanh=use_tanh)
        results += [h, runner.call("rnn_layers.rnn_backward", dh, cache, use_tanh=use_tanh)]
        runner.drop(step[1], cache)
    words = np.array([[0, 3, 1, 2], [2, 1, 0, 3]])
    out, cache = runner.call("rnn_layers.word_embedding_forward", words,
                             np.linspace(0, 1, 15).reshape(5, 3), keep=(1,))
    results += [out, runner.call("rnn_layers.word_embedding_backward", np.ones((2, 4, 3)), cache)]
    prev_c = np.ones_like(h0)
    step = runner.call("rnn_layers.lstm_step_forward", x[:, 0], h0, prev_c, inputs["Wx4"],
                       inputs["Wh4"], inputs["b4"], keep=(2,))
    results += [step[:2], runner.call("rnn_layers.lstm_step_backward", dh[:, 0], dh[:, 1], step[2])]
    h, cache = runner.call("rnn_layers.lstm_forward", x, h0, inputs["Wx4"], inputs["Wh4"],
                           inputs["b4"], keep=(1,))
    results += [h, runner.call("rnn_layers.lstm_backward", dh, cache)]
    results.append(runner.call("rnn_layers.sigmoid", np.array([-800.0, 0.0, 800.0])))
    return results


def model_program(runner, cell_type, dtype):
    """Build a CaptioningRNN, set known parameters, take its loss and a sample."""
    model = runner.new("classifiers.rnn.CaptioningRNN", WORDS, input_dim=6, wordvec_dim=4,
                       hidden_dim=5, cell_type=cell_type, dtype=dtype)
    params = runner.get_attr(model, "params")
    runner.set_params(model, {name: np.linspace(-1.4, 1.3, value.size).reshape(value.shape)
                              for name, value in params.items()})
    features = np.linspace(-1.5, 0.3, 3 * 6).reshape(3, 6)
    captions = (np.arange(3 * 7) % 5).reshape(3, 7)
    results = [params, runner.method(model, "loss", features, captions),
               runner.method(model, "sample", features, max_length=8)]
    runner.drop(model)
    return results


def test_layers_agree_on_the_reference(runners):
    local, sandboxed = runners
    inputs = layer_inputs(np.random.default_rng(3))
    assert_same(layer_program(local, inputs), layer_program(sandboxed, inputs))


@pytest.mark.parametrize("cell_type", ["rnn", "lstm"])
def test_model_agrees_on_the_reference(runners, cell_type):
    local, sandboxed = runners
    for dtype in (np.float64, np.float32, np.dtype("float32")):
        np.random.seed(0)
        first = model_program(local, cell_type, dtype)
        second = model_program(sandboxed, cell_type, dtype)
        assert_same(first[1:], second[1:])
        assert {value.dtype for value in second[0].values()} == {np.dtype(dtype)}


def test_classic_loss_value_through_the_sandbox(runners):
    _, sandboxed = runners
    words = {"<NULL>": 0, "cat": 2, "dog": 3}
    model = sandboxed.new("classifiers.rnn.CaptioningRNN", words, input_dim=20, wordvec_dim=30,
                          hidden_dim=40, cell_type="rnn", dtype=np.float64)
    params = sandboxed.get_attr(model, "params")
    sandboxed.set_params(model, {name: np.linspace(-1.4, 1.3, value.size).reshape(value.shape)
                                 for name, value in params.items()})
    features = np.linspace(-1.5, 0.3, 10 * 20).reshape(10, 20)
    captions = (np.arange(10 * 13) % 3).reshape(10, 13)
    loss, grads = sandboxed.method(model, "loss", features, captions)
    assert loss.shape == () and loss.dtype == np.float64
    assert abs(float(loss) - 9.83235591003) < 1e-9
    assert grads.keys() == params.keys()


def test_training_agrees_and_is_seeded(runners):
    local, sandboxed = runners
    word_to_idx, data = training_data(np.random.default_rng(5))
    solver_kwargs = {"update_rule": "adam", "optim_config": {"learning_rate": 5e-3},
                     "batch_size": 5, "num_epochs": 3, "verbose": True, "print_every": 1}
    outcomes = []
    for runner in (local, sandboxed, sandboxed):
        np.random.seed(1)
        model = runner.new("classifiers.rnn.CaptioningRNN", word_to_idx, input_dim=8,
                           wordvec_dim=6, hidden_dim=7, cell_type="lstm", dtype=np.float64)
        runner.set_params(model, {name: np.full(value.shape, 0.01) for name, value
                                  in runner.get_attr(model, "params").items()})
        outcomes.append(runner.train(model, data, solver_kwargs, 6, seed=7))
        runner.drop(model)
        assert "(Iteration 1 / 6) loss:" in runner.output()
    history, params = outcomes[1]
    assert history.dtype == np.float64 and history.shape == (6,)
    assert params.keys() == {"W_embed", "W_proj", "b_proj", "Wx", "Wh", "b", "W_vocab", "b_vocab"}
    assert_same(outcomes[0], outcomes[1])
    assert_same(outcomes[1], outcomes[2])


def test_stubs_raise_not_implemented_in_both(stub_runners):
    inputs = layer_inputs(np.random.default_rng(0))
    for runner in stub_runners:
        with pytest.raises(StudentError) as caught:
            runner.call("rnn_layers.rnn_forward", inputs["x"], inputs["h0"], inputs["Wx"],
                        inputs["Wh"], inputs["b"])
        assert caught.value.kind == "exception"
        assert caught.value.message.startswith("NotImplementedError")
        assert "assignment/rnn_layers.py" in caught.value.details
        model = runner.new("classifiers.rnn.CaptioningRNN", WORDS, input_dim=6, wordvec_dim=4,
                           hidden_dim=5)
        with pytest.raises(StudentError, match="^NotImplementedError") as caught:
            runner.method(model, "loss", np.zeros((2, 6)), np.ones((2, 5), dtype=int))
        assert caught.value.kind == "exception"
        provided = runner.call("rnn_layers.sigmoid", np.zeros(3))
        np.testing.assert_array_equal(provided, np.full(3, 0.5))


def test_child_uses_the_parents_numpy(runners):
    local, sandboxed = runners
    assert sandboxed.environment["numpy"] == np.__version__ == local.environment["numpy"]
    assert sandboxed.environment["python"] == local.environment["python"]


def test_arguments_travel_by_value(runners):
    for runner in runners:
        dh = np.ones((2, 3))
        out = runner.call("rnn_layers.run_code", "args[0][...] = 7.0\nresult = args[0]", dh)
        np.testing.assert_array_equal(dh, np.ones((2, 3)))
        np.testing.assert_array_equal(out, np.full((2, 3), 7.0))
        out[0, 0] = -1.0  # results are writable, independent arrays


def test_scalars_and_containers_come_back_as_arrays(runners):
    source = "import numpy as np\nresult = (1, 2.5, True, np.float32(3), [np.int8(4)], {'k': 5})"
    local, sandboxed = runners
    results = [runner.call("rnn_layers.run_code", source) for runner in runners]
    assert_same(results[0], results[1])
    number, real, flag, single, listed, mapping = results[1]
    assert (number.dtype, real.dtype, flag.dtype, single.dtype) == (
        np.int64, np.float64, np.bool_, np.float32)
    assert isinstance(listed, list) and listed[0].dtype == np.int8 and mapping["k"].shape == ()


@pytest.mark.filterwarnings("ignore:\"is\" with a literal:SyntaxWarning")
def test_values_reach_student_code_as_a_python_caller_passes_them(runners):
    source = """
import numpy as np
dh, cell_type, options, shape, count, rate, flag = args
dh[:, 0] += 1.0
result = np.array([cell_type is 'rnn', [*options] == ['zeta', 'alpha'],
                   all(key is name for key, name in zip(options, ('zeta', 'alpha'))),
                   type(shape) is tuple, type(count) is int, type(rate) is float,
                   type(flag) is bool, dh.flags.owndata, dh.flags.c_contiguous])
"""
    sent = (np.zeros((2, 3)), "".join(["rn", "n"]), {"zeta": 1, "alpha": 2}, (2, 3), 4, 0.5,
            True)
    for runner in runners:
        assert runner.call("rnn_layers.run_code", source, *sent).all()
