"""The student package: stubs raise, provided code matches the reference, assignment/ is current,
and the generator's handling of solution markers."""

import textwrap

import numpy as np
import pytest

import assignment.classifiers.rnn as student_model
import assignment.coco_utils as student_coco
import assignment.gradient_check as student_gc
import assignment.layers as student_layers
import assignment.optim as student_optim
import assignment.rnn_layers as student
import solutions.classifiers.rnn as reference_model
import solutions.coco_utils as reference_coco
import solutions.gradient_check as reference_gc
import solutions.layers as reference_layers
import solutions.optim as reference_optim
import solutions.rnn_layers as reference
from autograder import paths
from autograder.cli import build_parser
from autograder.build import steps
from autograder.build.stubs import MarkerError, stub_source

WORD_TO_IDX = {"<NULL>": 0, "<START>": 1, "<END>": 2, "cat": 3}


def student_calls():
    """Each of the ten student functions with valid arguments (caches from the reference)."""
    rng = np.random.RandomState(0)
    N, T, D, H = 2, 3, 4, 5
    x, xs, h, c = rng.randn(N, D), rng.randn(N, T, D), rng.randn(N, H), rng.randn(N, H)
    Wx, Wh, b = rng.randn(D, H), rng.randn(H, H), rng.randn(H)
    Wx4, Wh4, b4 = rng.randn(D, 4 * H), rng.randn(H, 4 * H), rng.randn(4 * H)
    words, W = rng.randint(5, size=(N, T)), rng.randn(5, D)
    step_cache = reference.rnn_step_forward(x, h, Wx, Wh, b)[1]
    seq_cache = reference.rnn_forward(xs, h, Wx, Wh, b)[1]
    embed_cache = reference.word_embedding_forward(words, W)[1]
    lstm_step_cache = reference.lstm_step_forward(x, h, c, Wx4, Wh4, b4)[2]
    lstm_cache = reference.lstm_forward(xs, h, Wx4, Wh4, b4)[1]
    dh, dhs = rng.randn(N, H), rng.randn(N, T, H)
    return {
        "rnn_step_forward": lambda: student.rnn_step_forward(x, h, Wx, Wh, b),
        "rnn_step_backward": lambda: student.rnn_step_backward(dh, step_cache),
        "rnn_forward": lambda: student.rnn_forward(xs, h, Wx, Wh, b),
        "rnn_backward": lambda: student.rnn_backward(dhs, seq_cache),
        "word_embedding_forward": lambda: student.word_embedding_forward(words, W),
        "word_embedding_backward": lambda: student.word_embedding_backward(rng.randn(N, T, D),
                                                                           embed_cache),
        "lstm_step_forward": lambda: student.lstm_step_forward(x, h, c, Wx4, Wh4, b4),
        "lstm_step_backward": lambda: student.lstm_step_backward(dh, dh, lstm_step_cache),
        "lstm_forward": lambda: student.lstm_forward(xs, h, Wx4, Wh4, b4),
        "lstm_backward": lambda: student.lstm_backward(dhs, lstm_cache),
    }


STUDENT_FUNCTIONS = sorted(student_calls())


def test_there_are_ten_student_functions():
    assert len(STUDENT_FUNCTIONS) == 10


@pytest.mark.parametrize("name", STUDENT_FUNCTIONS)
def test_student_function_is_a_stub(name):
    with pytest.raises(NotImplementedError, match=name):
        student_calls()[name]()


@pytest.mark.parametrize("cell_type", ["rnn", "lstm"])
def test_student_model_loss_and_sample_are_stubs(cell_type):
    model = student_model.CaptioningRNN(WORD_TO_IDX, input_dim=4, wordvec_dim=3, hidden_dim=5,
                                        cell_type=cell_type)
    features = np.ones((2, 4))
    with pytest.raises(NotImplementedError, match="loss"):
        model.loss(features, np.array([[1, 3, 2], [1, 3, 0]]))
    with pytest.raises(NotImplementedError, match="sample"):
        model.sample(features, max_length=3)


def assert_same(a, b):
    """Equal nested results (tuples, dicts, arrays, scalars)."""
    if isinstance(a, (tuple, list)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_same(x, y)
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            assert_same(a[key], b[key])
    else:
        np.testing.assert_array_equal(a, b)


def provided_calls(package):
    """Results of the provided functions of one package (``student`` or ``reference`` modules)."""
    layers, rnn_layers, optim, gc, coco = package
    rng = np.random.RandomState(1)
    x3, w, b = rng.randn(2, 3, 4), rng.randn(4, 5), rng.randn(5)
    scores, y, mask = rng.randn(2, 3, 5), rng.randint(5, size=(2, 3)), rng.rand(2, 3) > 0.3
    dout = rng.randn(2, 3, 5)
    w2, dw2 = rng.randn(3), rng.randn(3)
    results = {
        "sigmoid": rnn_layers.sigmoid(np.array([-800.0, -1.0, 0.0, 2.0, 800.0])),
        "temporal_affine_forward": rnn_layers.temporal_affine_forward(x3, w, b)[0],
        "temporal_affine_backward": rnn_layers.temporal_affine_backward(dout, (x3, w)),
        "temporal_softmax_loss": rnn_layers.temporal_softmax_loss(scores, y, mask),
        "affine_forward": layers.affine_forward(x3, w.repeat(3, axis=0)[:12], b)[0],
        "affine_backward": layers.affine_backward(rng.randn(2, 5), (x3, rng.randn(12, 5))),
        "eval_numerical_gradient": gc.eval_numerical_gradient(
            lambda v: np.sum(v ** 3), w2.copy(), verbose=False),
        "eval_numerical_gradient_array": gc.eval_numerical_gradient_array(
            lambda v: np.sin(v), w2.copy(), dw2),
        "decode_captions": coco.decode_captions(np.array([[1, 3, 2, 3], [3, 0, 0, 0]]),
                                                ["<NULL>", "<START>", "<END>", "cat"]),
    }
    for rule in ("sgd", "sgd_momentum", "rmsprop", "adam"):
        next_w, config = getattr(optim, rule)(w2, dw2, {"learning_rate": 0.1})
        results[rule] = (getattr(optim, rule)(next_w, dw2, config)[0], config)
    return results


def test_provided_functions_behave_exactly_as_the_reference():
    ours = provided_calls((student_layers, student, student_optim, student_gc, student_coco))
    theirs = provided_calls((reference_layers, reference, reference_optim, reference_gc,
                             reference_coco))
    for name in theirs:
        assert_same(ours[name], theirs[name])


@pytest.mark.parametrize("cell_type", ["rnn", "lstm"])
def test_student_model_constructor_matches_the_reference(cell_type):
    models = []
    for module in (student_model, reference_model):
        np.random.seed(7)
        models.append(module.CaptioningRNN(WORD_TO_IDX, input_dim=4, wordvec_dim=3, hidden_dim=5,
                                           cell_type=cell_type))
    assert_same(models[0].params, models[1].params)
    assert (models[0]._null, models[0]._start, models[0]._end) == (0, 1, 2)
    with pytest.raises(ValueError):
        student_model.CaptioningRNN(WORD_TO_IDX, cell_type="gru")
    with pytest.raises(ValueError):
        student_model.CaptioningRNN({"cat": 0})


def test_assignment_folder_is_generated_from_current_solutions():
    stale = steps.stale(["stubs"])
    assert not stale, (f"assignment/ is out of date in {', '.join(stale)}: "
                       "run `python -m autograder build stubs`")


# ------------------------------------------------------------- the generator
def src(text):
    return textwrap.dedent(text).lstrip("\n")


def test_function_region_becomes_its_todo_lines_and_a_raise():
    stub = stub_source(src("""
        def area(w, h):
            \"\"\"Area of a rectangle.\"\"\"
            # BEGIN SOLUTION
            # TODO: multiply the sides.
            # TODO: return the product.
            product = w * h
            # TODO: a note after code is not a hint
            return product
            # END SOLUTION
        """), "geometry.py")
    assert stub == src("""
        def area(w, h):
            \"\"\"Area of a rectangle.\"\"\"
            # TODO: multiply the sides.
            # TODO: return the product.
            raise NotImplementedError('area: not implemented yet. Fill in the TODO in geometry.py.')
        """)
    namespace = {}
    exec(compile(stub, "geometry.py", "exec"), namespace)
    with pytest.raises(NotImplementedError, match="area"):
        namespace["area"](2, 3)


def test_method_region_is_replaced_at_the_method_indentation():
    stub = stub_source(src("""
        class Box:
            def volume(self):
                if True:
                    pass
                # BEGIN SOLUTION
                return 1
                # END SOLUTION
        """), "box.py")
    assert "        raise NotImplementedError('volume: " in stub
    assert "return 1" not in stub
    namespace = {}
    exec(compile(stub, "box.py", "exec"), namespace)
    with pytest.raises(NotImplementedError):
        namespace["Box"]().volume()


def test_module_level_region_is_dropped_with_its_trailing_blank_lines():
    stub = stub_source(src("""
        import math


        # BEGIN SOLUTION
        def _helper(x):
            return 2 * x
        # END SOLUTION


        def public(x):
            # BEGIN SOLUTION
            return _helper(x)
            # END SOLUTION
        """), "mod.py")
    assert "_helper" not in stub
    assert stub.startswith("import math\n\n\ndef public(x):\n")


def test_source_without_markers_is_unchanged():
    text = src("""
        def provided(x):
            # TODO: not a solution region, so left alone
            return x
        """)
    assert stub_source(text, "plain.py") == text


@pytest.mark.parametrize("text, line, problem", [
    ("def f():\n    # BEGIN SOLUTION\n    return 1\n", 2, "without END"),
    ("def f():\n    return 1\n    # END SOLUTION\n", 3, "without BEGIN"),
    ("def f():\n    # BEGIN SOLUTION\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n",
     3, "nested"),
], ids=["unterminated", "stray end", "nested"])
def test_unbalanced_markers_raise_marker_error_naming_the_line(text, line, problem):
    with pytest.raises(MarkerError, match=f"bad.py:{line}: .*{problem}"):
        stub_source(text, "bad.py")


def test_stub_step_writes_and_removes_only_its_own_files(tmp_path):
    root = tmp_path
    (root / "solutions" / "sub").mkdir(parents=True)
    (root / "grading.toml").write_bytes(paths.GRADING_TOML.read_bytes())
    (root / "solutions" / "__init__.py").write_text('"""Package."""\n')
    (root / "solutions" / "sub" / "work.py").write_text(
        "def f():\n    # BEGIN SOLUTION\n    # TODO: return one\n"
        "    return 1\n    # END SOLUTION\n")
    steps.build(["stubs"], root)
    assert (root / "assignment" / "__init__.py").read_text() == '"""Package."""\n'
    assert "raise NotImplementedError" in (root / "assignment" / "sub" / "work.py").read_text()
    assert steps.stale(["stubs"], root) == []

    (root / "assignment" / "extra.py").write_text("")
    (root / "assignment" / "__init__.py").write_text("changed\n")
    (root / "solutions" / "new.py").write_text("x = 1\n")
    assert steps.stale(["stubs"], root) == ["assignment/extra.py", "assignment/__init__.py",
                                            "assignment/new.py"]

    assert steps.build(["stubs"], root) == ["assignment/extra.py", "assignment/__init__.py",
                                            "assignment/new.py"]
    assert steps.stale(["stubs"], root) == []
    assert not (root / "assignment" / "extra.py").exists()


def test_generate_is_an_alias_of_the_stub_step(capsys):
    generate = build_parser().parse_args(["generate", "--check"])
    build = build_parser().parse_args(["build", "stubs", "--check"])
    assert (generate.run, generate.steps, generate.check) == (build.run, build.steps, True)
    assert generate.run(generate) == 0
    assert "current" in capsys.readouterr().out
