"""The classic public checks of docs/assignment.md, run on the reference package.

Expected values are either the published numbers of docs/assignment.md or computed by
hand in the test (the arithmetic is written out).
"""

import math

import numpy as np
import pytest

from solutions.classifiers.rnn import CaptioningRNN
from solutions.layers import affine_forward
from solutions.rnn_layers import (
    lstm_step_forward,
    rnn_forward,
    rnn_step_forward,
    temporal_affine_forward,
    temporal_softmax_loss,
    word_embedding_forward,
)

# The published values are rounded to 8 decimals.
PUBLISHED_ATOL = 1e-8


def lin(lo, hi, *shape):
    """linspace(lo, hi) over as many values as ``shape`` holds, reshaped to it."""
    return np.linspace(lo, hi, num=int(np.prod(shape))).reshape(shape)


def test_rnn_step_forward_matches_published_values():
    N, D, H = 3, 10, 4
    next_h, _ = rnn_step_forward(
        lin(-0.4, 0.7, N, D), lin(-0.2, 0.5, N, H),
        lin(-0.1, 0.9, D, H), lin(-0.3, 0.7, H, H), lin(-0.2, 0.4, H))
    expected = [[-0.58172089, -0.50182032, -0.41232771, -0.31410098],
                [0.66854692, 0.79562378, 0.87755553, 0.92795967],
                [0.97934501, 0.99144213, 0.99646691, 0.99854353]]
    np.testing.assert_allclose(next_h, expected, rtol=0, atol=PUBLISHED_ATOL)


def test_rnn_forward_matches_published_values():
    N, T, D, H = 2, 3, 4, 5
    h, _ = rnn_forward(
        lin(-0.1, 0.3, N, T, D), lin(-0.3, 0.1, N, H),
        lin(-0.2, 0.4, D, H), lin(-0.4, 0.1, H, H), lin(-0.7, 0.1, H))
    assert h.shape == (N, T, H)
    np.testing.assert_allclose(
        h[0, 0], [-0.42070749, -0.27279261, -0.11074945, 0.05740409, 0.22236251],
        rtol=0, atol=PUBLISHED_ATOL)
    np.testing.assert_allclose(
        h[1, 2], [-0.51014825, -0.30524429, -0.06755202, 0.17806392, 0.40333043],
        rtol=0, atol=PUBLISHED_ATOL)


@pytest.mark.parametrize("use_tanh", [True, False])
def test_rnn_step_forward_one_unit_by_hand(use_tanh):
    # a = x*Wx + prev_h*Wh + b = 1*2 + 0.5*(-2) + 0.5 = 1.5
    next_h, _ = rnn_step_forward(np.array([[1.0]]), np.array([[0.5]]), np.array([[2.0]]),
                                 np.array([[-2.0]]), np.array([0.5]), use_tanh=use_tanh)
    # tanh(1.5) = (e^3 - 1) / (e^3 + 1); sigmoid(1.5) = 1 / (1 + e^-1.5)
    expected = (math.e ** 3 - 1) / (math.e ** 3 + 1) if use_tanh else 1 / (1 + math.e ** -1.5)
    assert next_h[0, 0] == pytest.approx(expected, rel=1e-12)


def test_word_embedding_forward_by_hand():
    # W = linspace(0, 1, 15).reshape(5, 3): row k is [3k, 3k+1, 3k+2] / 14.
    x = np.array([[0, 3, 1, 2], [2, 1, 0, 3]])
    out, _ = word_embedding_forward(x, np.linspace(0, 1, num=15).reshape(5, 3))
    expected = np.array([[[0, 1, 2], [9, 10, 11], [3, 4, 5], [6, 7, 8]],
                         [[6, 7, 8], [3, 4, 5], [0, 1, 2], [9, 10, 11]]]) / 14
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-15)


def test_lstm_step_forward_matches_published_values():
    N, D, H = 3, 4, 5
    next_h, next_c, _ = lstm_step_forward(
        lin(-0.4, 1.2, N, D), lin(-0.3, 0.7, N, H), lin(-0.4, 0.9, N, H),
        lin(-2.1, 1.3, D, 4 * H), lin(-0.7, 2.2, H, 4 * H), lin(0.3, 0.7, 4 * H))
    np.testing.assert_allclose(
        next_h[0], [0.24635157, 0.28610883, 0.32240467, 0.35525807, 0.38474904],
        rtol=0, atol=PUBLISHED_ATOL)
    np.testing.assert_allclose(
        next_c[2], [0.74192008, 0.90592151, 1.07717006, 1.25120233, 1.42395676],
        rtol=0, atol=PUBLISHED_ATOL)


def test_lstm_step_forward_gate_order_by_hand():
    # One unit, x = 1, prev_h = 0, b = 0: the pre-activations are the row of Wx,
    # chosen so that every gate has a different value:
    #   i = sigmoid(ln 4) = 4/5, f = sigmoid(ln 3) = 3/4, o = sigmoid(-ln 3) = 1/4,
    #   g = tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 3/5.
    # With prev_c = 2: next_c = f*prev_c + i*g = 1.5 + 0.48 = 1.98,
    # next_h = o * tanh(1.98).
    Wx = np.array([[math.log(4), math.log(3), -math.log(3), math.log(2)]])
    next_h, next_c, _ = lstm_step_forward(
        np.array([[1.0]]), np.array([[0.0]]), np.array([[2.0]]), Wx, np.zeros((1, 4)), np.zeros(4))
    assert next_c[0, 0] == pytest.approx(1.98, rel=1e-12)
    assert next_h[0, 0] == pytest.approx(0.25 * math.tanh(1.98), rel=1e-12)


def public_check_model(cell_type):
    """The model of the published loss check: every parameter is linspace(-1.4, 1.3)."""
    N, D, W, H = 10, 20, 30, 40
    word_to_idx = {"<NULL>": 0, "cat": 2, "dog": 3}
    model = CaptioningRNN(word_to_idx, input_dim=D, wordvec_dim=W, hidden_dim=H,
                          cell_type=cell_type, dtype=np.float64)
    for name, value in model.params.items():
        model.params[name] = lin(-1.4, 1.3, *value.shape)
    T, V = 13, len(word_to_idx)
    captions = (np.arange(N * T) % V).reshape(N, T)
    features = lin(-1.5, 0.3, N, D) if cell_type == "rnn" else lin(-0.5, 1.7, N, D)
    return model, features, captions


@pytest.mark.parametrize("cell_type, expected", [("rnn", 9.83235591003), ("lstm", 9.82445935443)])
def test_captioning_rnn_loss_matches_published_value(cell_type, expected):
    model, features, captions = public_check_model(cell_type)
    loss, _ = model.loss(features, captions)
    assert loss == pytest.approx(expected, rel=0, abs=1e-10)


def rnn_loss_through_provided_layers(model, features, captions, mask):
    """The rnn model's forward pass assembled from the layers, with an explicit mask."""
    p = model.params
    h0, _ = affine_forward(features, p["W_proj"], p["b_proj"])
    x, _ = word_embedding_forward(captions[:, :-1], p["W_embed"])
    h, _ = rnn_forward(x, h0, p["Wx"], p["Wh"], p["b"])
    scores, _ = temporal_affine_forward(h, p["W_vocab"], p["b_vocab"])
    return temporal_softmax_loss(scores, captions[:, 1:], mask)[0]


def test_omitting_the_mask_gives_the_known_wrong_loss():
    model, features, captions = public_check_model("rnn")
    right_mask = captions[:, 1:] != 0
    no_mask = np.ones_like(right_mask)
    assert rnn_loss_through_provided_layers(model, features, captions, right_mask) == \
        pytest.approx(9.83235591003, abs=1e-10)
    assert rnn_loss_through_provided_layers(model, features, captions, no_mask) == \
        pytest.approx(26.898, abs=5e-4)


@pytest.mark.parametrize("N, T, keep_fraction", [(100, 1, 1.0), (100, 10, 1.0), (5000, 10, 0.1)])
def test_temporal_softmax_loss_of_near_uniform_scores(N, T, keep_fraction):
    # Scores of 0.001*randn make every word almost equally likely, so every
    # unmasked position costs about -ln(1/10) = ln 10 = 2.3026; the loss sums
    # over time and divides by N: ln 10 * (unmasked positions) / N, i.e. about
    # 2.3, 23 and 2.3 for the three cases.
    rng = np.random.RandomState(0)
    V = 10
    scores = 0.001 * rng.randn(N, T, V)
    targets = rng.randint(V, size=(N, T))
    mask = rng.rand(N, T) <= keep_fraction
    loss, _ = temporal_softmax_loss(scores, targets, mask)
    assert loss == pytest.approx(math.log(10) * mask.sum() / N, abs=0.01)
    assert loss == pytest.approx(2.3 * T * keep_fraction, rel=0.05)
