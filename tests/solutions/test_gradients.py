"""Numerical gradient checks of every backward pass and of CaptioningRNN.loss.

Criterion: the norm-wise relative error ||a - n|| / (||a|| + ||n||) of a
whole gradient array, in float64, with centred differences of step h = 1e-5
(solutions.gradient_check). Unlike the element-wise maximum relative error it
is not thrown off by gradient entries that happen to be near zero.

Why the tolerances cannot fail correct code: the centred difference's
truncation error is about h**2 * |f'''| / 6 ~ 1e-11, its rounding error about
eps * |f| / h ~ 2e-16 * |f| / 1e-5 ~ 2e-11 * |f| per entry. For the O(1)
values and gradients of the layer checks, correct code lands at 3e-9 or
below, so TOLERANCE = 1e-7 leaves a factor of 30 or more. In the model check
the default initialisation (word vectors of size 1/100) makes the Wx gradient
~1e-3 of the loss (~7), so the same rounding error is relatively ~1000 times
larger (seen: 3e-8); MODEL_TOLERANCE = 1e-6 keeps a factor of 30. A wrong
gradient is off by O(1) (see test_criterion_fails_wrong_gradients).
"""

import numpy as np
import pytest

from solutions.classifiers.rnn import CaptioningRNN
from solutions.gradient_check import eval_numerical_gradient, eval_numerical_gradient_array
from solutions.layers import affine_backward, affine_forward
from solutions.rnn_layers import (
    lstm_backward,
    lstm_forward,
    lstm_step_backward,
    lstm_step_forward,
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
    temporal_affine_backward,
    temporal_affine_forward,
    temporal_softmax_loss,
    word_embedding_backward,
    word_embedding_forward,
)

H_STEP = 1e-5
TOLERANCE = 1e-7
MODEL_TOLERANCE = 1e-6

# (seed, N, T, D, H): several seeds, sizes of 1 included.
CASES = [(0, 2, 3, 4, 5), (1, 1, 1, 3, 2), (2, 3, 4, 1, 1), (3, 4, 2, 3, 3)]
CASE_IDS = [f"seed{c[0]}-N{c[1]}-T{c[2]}-D{c[3]}-H{c[4]}" for c in CASES]


def norm_rel_error(analytic, numeric):
    """||a - n|| / (||a|| + ||n||); 0 when both are exactly zero."""
    assert analytic.shape == numeric.shape, (analytic.shape, numeric.shape)
    scale = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    return 0.0 if scale == 0 else float(np.linalg.norm(analytic - numeric) / scale)


def numeric_grads(forward, inputs, dout):
    """Numerical gradients of sum(forward() * dout) w.r.t. each of ``inputs`` (changed in place)."""
    return [eval_numerical_gradient_array(lambda _: forward(), x, dout, h=H_STEP) for x in inputs]


def assert_grads_match(names, analytic, numeric, tolerance=TOLERANCE):
    errors = {name: norm_rel_error(a, n) for name, a, n in zip(names, analytic, numeric)}
    bad = {name: err for name, err in errors.items() if not err <= tolerance}
    assert not bad, f"norm-wise relative error above {tolerance}: {bad}"


@pytest.mark.parametrize("use_tanh", [True, False], ids=["tanh", "sigmoid"])
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_rnn_step_backward_matches_numerical_gradient(case, use_tanh):
    seed, N, _, D, H = case
    rng = np.random.RandomState(seed)
    x, h, Wx, Wh, b = (rng.randn(N, D), rng.randn(N, H), rng.randn(D, H), rng.randn(H, H),
                       rng.randn(H))
    dnext = rng.randn(N, H)
    _, cache = rnn_step_forward(x, h, Wx, Wh, b, use_tanh)
    analytic = rnn_step_backward(dnext, cache, use_tanh)
    numeric = numeric_grads(lambda: rnn_step_forward(x, h, Wx, Wh, b, use_tanh)[0],
                            [x, h, Wx, Wh, b], dnext)
    assert_grads_match(["dx", "dprev_h", "dWx", "dWh", "db"], analytic, numeric)


@pytest.mark.parametrize("use_tanh", [True, False], ids=["tanh", "sigmoid"])
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_rnn_backward_matches_numerical_gradient(case, use_tanh):
    seed, N, T, D, H = case
    rng = np.random.RandomState(seed)
    x, h0, Wx, Wh, b = (rng.randn(N, T, D), rng.randn(N, H), rng.randn(D, H),
                        0.5 * rng.randn(H, H), rng.randn(H))
    dh = rng.randn(N, T, H)
    _, cache = rnn_forward(x, h0, Wx, Wh, b, use_tanh)
    analytic = rnn_backward(dh, cache, use_tanh)
    numeric = numeric_grads(lambda: rnn_forward(x, h0, Wx, Wh, b, use_tanh)[0],
                            [x, h0, Wx, Wh, b], dh)
    assert_grads_match(["dx", "dh0", "dWx", "dWh", "db"], analytic, numeric)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_word_embedding_backward_matches_numerical_gradient(case):
    seed, N, T, D, _ = case
    rng = np.random.RandomState(seed)
    V = 3  # fewer words than positions in most cases: words repeat
    words = rng.randint(V, size=(N, T))
    W = rng.randn(V, D)
    dout = rng.randn(N, T, D)
    _, cache = word_embedding_forward(words, W)
    numeric = numeric_grads(lambda: word_embedding_forward(words, W)[0], [W], dout)
    assert_grads_match(["dW"], [word_embedding_backward(dout, cache)], numeric)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_lstm_step_backward_matches_numerical_gradient(case):
    seed, N, _, D, H = case
    rng = np.random.RandomState(seed)
    x, h, c = rng.randn(N, D), rng.randn(N, H), rng.randn(N, H)
    Wx, Wh, b = rng.randn(D, 4 * H), rng.randn(H, 4 * H), rng.randn(4 * H)
    dnext_h, dnext_c = rng.randn(N, H), rng.randn(N, H)
    _, _, cache = lstm_step_forward(x, h, c, Wx, Wh, b)
    analytic = lstm_step_backward(dnext_h, dnext_c, cache)

    def both_outputs():
        return np.concatenate(lstm_step_forward(x, h, c, Wx, Wh, b)[:2], axis=1)

    numeric = numeric_grads(both_outputs, [x, h, c, Wx, Wh, b],
                            np.concatenate([dnext_h, dnext_c], axis=1))
    assert_grads_match(["dx", "dprev_h", "dprev_c", "dWx", "dWh", "db"], analytic, numeric)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_lstm_backward_matches_numerical_gradient(case):
    seed, N, T, D, H = case
    rng = np.random.RandomState(seed)
    x, h0 = rng.randn(N, T, D), rng.randn(N, H)
    Wx, Wh, b = rng.randn(D, 4 * H), 0.5 * rng.randn(H, 4 * H), rng.randn(4 * H)
    dh = rng.randn(N, T, H)
    _, cache = lstm_forward(x, h0, Wx, Wh, b)
    analytic = lstm_backward(dh, cache)
    numeric = numeric_grads(lambda: lstm_forward(x, h0, Wx, Wh, b)[0], [x, h0, Wx, Wh, b], dh)
    assert_grads_match(["dx", "dh0", "dWx", "dWh", "db"], analytic, numeric)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_temporal_affine_backward_matches_numerical_gradient(case):
    seed, N, T, D, M = case
    rng = np.random.RandomState(seed)
    x, w, b = rng.randn(N, T, D), rng.randn(D, M), rng.randn(M)
    dout = rng.randn(N, T, M)
    _, cache = temporal_affine_forward(x, w, b)
    numeric = numeric_grads(lambda: temporal_affine_forward(x, w, b)[0], [x, w, b], dout)
    assert_grads_match(["dx", "dw", "db"], temporal_affine_backward(dout, cache), numeric)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_affine_backward_matches_numerical_gradient(case):
    seed, N, d1, d2, M = case
    rng = np.random.RandomState(seed)
    x, w, b = rng.randn(N, d1, d2), rng.randn(d1 * d2, M), rng.randn(M)
    dout = rng.randn(N, M)
    _, cache = affine_forward(x, w, b)
    numeric = numeric_grads(lambda: affine_forward(x, w, b)[0], [x, w, b], dout)
    assert_grads_match(["dx", "dw", "db"], affine_backward(dout, cache), numeric)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_temporal_softmax_loss_dx_matches_numerical_gradient(case):
    seed, N, T, V, _ = case
    rng = np.random.RandomState(seed)
    V += 1  # at least two classes
    x = rng.randn(N, T, V)
    y = rng.randint(V, size=(N, T))
    mask = rng.rand(N, T) > 0.3
    mask[0, 0] = True  # at least one position counts
    _, dx = temporal_softmax_loss(x, y, mask)
    numeric = eval_numerical_gradient(lambda _: temporal_softmax_loss(x, y, mask)[0], x,
                                      verbose=False, h=H_STEP)
    assert_grads_match(["dx"], [dx], [numeric])


WORD_TO_IDX = {"<NULL>": 0, "<START>": 1, "<END>": 2, "a": 3, "b": 4, "c": 5}


@pytest.mark.parametrize("init", ["default", "randomised"])
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("cell_type, use_tanh",
                         [("rnn", True), ("rnn", False), ("lstm", True)],
                         ids=["rnn-tanh", "rnn-sigmoid", "lstm"])
def test_captioning_rnn_loss_gradients_match_numerical_gradient(cell_type, use_tanh, seed, init):
    np.random.seed(seed)
    N, D, W, H, T = 3, 4, 3, 5, 6
    model = CaptioningRNN(WORD_TO_IDX, input_dim=D, wordvec_dim=W, hidden_dim=H,
                          cell_type=cell_type, dtype=np.float64, use_tanh=use_tanh)
    if init == "randomised":  # non-zero biases, larger weights
        for name, value in model.params.items():
            model.params[name] = 0.5 * np.random.randn(*value.shape)
    features = np.random.randn(N, D)
    captions = np.random.randint(len(WORD_TO_IDX), size=(N, T))
    captions[:, 0] = WORD_TO_IDX["<START>"]
    captions[0, -2:] = WORD_TO_IDX["<NULL>"]  # padding that must not count

    _, grads = model.loss(features, captions)
    assert sorted(grads) == sorted(model.params)
    names = sorted(model.params)
    numeric = [eval_numerical_gradient(lambda _: model.loss(features, captions)[0],
                                       model.params[name], verbose=False, h=H_STEP)
               for name in names]
    assert_grads_match(names, [grads[name] for name in names], numeric, MODEL_TOLERANCE)


def test_criterion_fails_wrong_gradients():
    """The check is not vacuous: two classic mistakes are far above the tolerance."""
    rng = np.random.RandomState(0)
    N, D, H = 3, 4, 5
    x, h, Wx, Wh, b = (rng.randn(N, D), rng.randn(N, H), rng.randn(D, H), rng.randn(H, H),
                       rng.randn(H))
    dnext = rng.randn(N, H)
    _, cache = rnn_step_forward(x, h, Wx, Wh, b)
    _, _, _, dWh, db = rnn_step_backward(dnext, cache)
    num_Wh, num_b = numeric_grads(lambda: rnn_step_forward(x, h, Wx, Wh, b)[0], [Wh, b], dnext)

    assert norm_rel_error(dWh, num_Wh) <= TOLERANCE
    assert norm_rel_error(dWh.T, num_Wh) > 1e-2  # dWh transposed (same shape)
    assert norm_rel_error(db / N, num_b) > 1e-2  # mean instead of sum over the batch
