"""float32 end to end: layers, model, update rules and solver never promote to float64."""

import numpy as np
import pytest

from solutions import optim
from solutions.captioning_solver import CaptioningSolver
from solutions.classifiers.rnn import CaptioningRNN
from solutions.rnn_layers import (
    lstm_backward,
    lstm_forward,
    lstm_step_backward,
    lstm_step_forward,
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
    sigmoid,
    temporal_affine_backward,
    temporal_affine_forward,
    temporal_softmax_loss,
    word_embedding_backward,
    word_embedding_forward,
)

F32 = np.dtype(np.float32)
WORD_TO_IDX = {"<NULL>": 0, "<START>": 1, "<END>": 2, "a": 3, "b": 4, "c": 5}
N, T, D, H = 3, 4, 5, 6


def randn(rng, *shape):
    return rng.randn(*shape).astype(np.float32)


def assert_float32(names, arrays):
    dtypes = {name: np.asarray(a).dtype for name, a in zip(names, arrays)}
    assert all(d == F32 for d in dtypes.values()), dtypes


@pytest.mark.parametrize("use_tanh", [True, False], ids=["tanh", "sigmoid"])
def test_rnn_functions_keep_float32(use_tanh):
    rng = np.random.RandomState(0)
    x, h, b = randn(rng, N, D), randn(rng, N, H), randn(rng, H)
    Wx, Wh = randn(rng, D, H), randn(rng, H, H)
    next_h, cache = rnn_step_forward(x, h, Wx, Wh, b, use_tanh)
    assert_float32(["next_h"], [next_h])
    assert_float32(["dx", "dprev_h", "dWx", "dWh", "db"],
                   rnn_step_backward(randn(rng, N, H), cache, use_tanh))
    hs, cache = rnn_forward(randn(rng, N, T, D), h, Wx, Wh, b, use_tanh)
    assert_float32(["h"], [hs])
    assert_float32(["dx", "dh0", "dWx", "dWh", "db"],
                   rnn_backward(randn(rng, N, T, H), cache, use_tanh))


def test_word_embedding_keeps_float32():
    rng = np.random.RandomState(0)
    out, cache = word_embedding_forward(rng.randint(7, size=(N, T)), randn(rng, 7, D))
    assert_float32(["out", "dW"], [out, word_embedding_backward(randn(rng, N, T, D), cache)])


def test_lstm_functions_keep_float32():
    rng = np.random.RandomState(0)
    x, h, c = randn(rng, N, D), randn(rng, N, H), randn(rng, N, H)
    Wx, Wh, b = randn(rng, D, 4 * H), randn(rng, H, 4 * H), randn(rng, 4 * H)
    next_h, next_c, cache = lstm_step_forward(x, h, c, Wx, Wh, b)
    assert_float32(["next_h", "next_c"], [next_h, next_c])
    assert_float32(["dx", "dprev_h", "dprev_c", "dWx", "dWh", "db"],
                   lstm_step_backward(randn(rng, N, H), randn(rng, N, H), cache))
    hs, cache = lstm_forward(randn(rng, N, T, D), h, Wx, Wh, b)
    assert_float32(["h"], [hs])
    assert_float32(["dx", "dh0", "dWx", "dWh", "db"], lstm_backward(randn(rng, N, T, H), cache))


def test_provided_layers_keep_float32():
    rng = np.random.RandomState(0)
    x, w, b = randn(rng, N, T, D), randn(rng, D, 7), randn(rng, 7)
    out, cache = temporal_affine_forward(x, w, b)
    _, dscores = temporal_softmax_loss(out, rng.randint(7, size=(N, T)), rng.rand(N, T) > 0.5)
    assert_float32(["sigmoid", "out", "dscores"], [sigmoid(x), out, dscores])
    assert_float32(["dx", "dw", "db"], temporal_affine_backward(dscores, cache))


def float32_model(cell_type, use_tanh=True):
    np.random.seed(0)
    return CaptioningRNN(WORD_TO_IDX, input_dim=D, wordvec_dim=4, hidden_dim=H,
                         cell_type=cell_type, dtype=np.float32, use_tanh=use_tanh)


MODELS = pytest.mark.parametrize("cell_type, use_tanh",
                                 [("rnn", True), ("rnn", False), ("lstm", True)],
                                 ids=["rnn-tanh", "rnn-sigmoid", "lstm"])


@MODELS
def test_float32_model_gives_float32_gradients_and_integer_samples(cell_type, use_tanh):
    model = float32_model(cell_type, use_tanh)
    features = np.random.randn(N, D).astype(np.float32)
    captions = np.random.randint(len(WORD_TO_IDX), size=(N, T + 1))
    loss, grads = model.loss(features, captions)
    assert np.isfinite(loss)
    assert_float32(sorted(grads), [grads[k] for k in sorted(grads)])
    sampled = model.sample(features, max_length=5)
    assert np.issubdtype(sampled.dtype, np.integer)


@pytest.mark.parametrize("rule", sorted(optim.UPDATE_RULES))
def test_update_rules_keep_float32_over_several_steps(rule):
    rng = np.random.RandomState(0)
    w, config = randn(rng, 3, 2), None
    for _ in range(3):
        w, config = optim.UPDATE_RULES[rule](w, randn(rng, 3, 2), config)
        assert w.dtype == F32


@MODELS
@pytest.mark.parametrize("rule", sorted(optim.UPDATE_RULES))
def test_solver_keeps_float32_params_with_every_update_rule(rule, cell_type, use_tanh):
    rng = np.random.RandomState(0)
    captions = rng.randint(len(WORD_TO_IDX), size=(8, 17)).astype(np.int32)
    captions[:, 0] = WORD_TO_IDX["<START>"]
    data = {"train_captions": captions, "train_image_idxs": np.arange(8) % 4,
            "train_features": randn(rng, 4, D), "train_urls": np.array(["u0", "u1", "u2", "u3"])}
    model = float32_model(cell_type, use_tanh)
    # 2 iterations per epoch, 2 epochs: the learning rate decay is exercised too.
    CaptioningSolver(model, data, update_rule=rule, optim_config={"learning_rate": 1e-3},
                     lr_decay=0.9, batch_size=4, num_epochs=2, verbose=False).train()
    assert_float32(sorted(model.params), [model.params[k] for k in sorted(model.params)])
