"""solutions/ against the independent loop-by-loop implementation in naive_reference.py.

Random inputs over several seeds and shapes (sizes of 1 included), in float64.
"""

import numpy as np
import pytest

import naive_reference as ref
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
    temporal_softmax_loss,
    word_embedding_backward,
    word_embedding_forward,
)

# (seed, N, T, D, H)
CASES = [(0, 1, 1, 1, 1), (1, 2, 3, 4, 5), (2, 4, 6, 3, 2), (3, 3, 1, 5, 4), (4, 1, 7, 2, 6)]
CASE_IDS = [f"seed{c[0]}-N{c[1]}-T{c[2]}-D{c[3]}-H{c[4]}" for c in CASES]
USE_TANH = pytest.mark.parametrize("use_tanh", [True, False], ids=["tanh", "sigmoid"])


def assert_close(names, ours, reference):
    assert len(ours) == len(names) == len(reference)
    for name, a, b in zip(names, ours, reference):
        assert a.shape == b.shape, f"{name}: shape {a.shape}, reference {b.shape}"
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-11, err_msg=name)


def rnn_inputs(case, sequence):
    seed, N, T, D, H = case
    rng = np.random.RandomState(seed)
    x = rng.randn(N, T, D) if sequence else rng.randn(N, D)
    return rng, (x, rng.randn(N, H), rng.randn(D, H), rng.randn(H, H) / np.sqrt(H), rng.randn(H))


def lstm_inputs(case):
    seed, N, T, D, H = case
    rng = np.random.RandomState(seed)
    return rng, (rng.randn(N, T, D), rng.randn(N, H), rng.randn(D, 4 * H),
                 rng.randn(H, 4 * H) / np.sqrt(H), rng.randn(4 * H))


@USE_TANH
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_rnn_step_forward_and_backward(case, use_tanh):
    rng, args = rnn_inputs(case, sequence=False)
    next_h, cache = rnn_step_forward(*args, use_tanh=use_tanh)
    assert_close(["next_h"], [next_h], [ref.rnn_step(*args, use_tanh=use_tanh)])
    dnext = rng.randn(*next_h.shape)
    assert_close(["dx", "dprev_h", "dWx", "dWh", "db"],
                 rnn_step_backward(dnext, cache, use_tanh=use_tanh),
                 ref.rnn_step_grads(*args, dnext, use_tanh=use_tanh))


@USE_TANH
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_rnn_forward_and_backward(case, use_tanh):
    rng, args = rnn_inputs(case, sequence=True)
    h, cache = rnn_forward(*args, use_tanh=use_tanh)
    assert_close(["h"], [h], [ref.rnn_seq(*args, use_tanh=use_tanh)])
    dh = rng.randn(*h.shape)
    dh_before = dh.copy()
    assert_close(["dx", "dh0", "dWx", "dWh", "db"],
                 rnn_backward(dh, cache, use_tanh=use_tanh),
                 ref.rnn_seq_grads(*args, dh_before, use_tanh=use_tanh))
    np.testing.assert_array_equal(dh, dh_before, err_msg="rnn_backward changed its input dh")


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_word_embedding_forward_and_backward(case):
    seed, N, T, D, _ = case
    rng = np.random.RandomState(seed)
    V = 4
    words = rng.randint(V, size=(N, T))
    W = rng.randn(V, D)
    out, cache = word_embedding_forward(words, W)
    assert_close(["out"], [out], [ref.embed(words, W)])
    dout = rng.randn(N, T, D)
    assert_close(["dW"], [word_embedding_backward(dout, cache)], [ref.embed_grad(words, V, dout)])


def test_word_embedding_backward_accumulates_repeated_words():
    # Word 1 occurs three times with upstream gradients 1, 2 and 4: dW[1] = 7.
    words = np.array([[1, 0, 1], [1, 2, 0]])
    dout = np.array([[1.0, 10.0, 2.0], [4.0, 100.0, 20.0]])[:, :, None]
    _, cache = word_embedding_forward(words, np.zeros((3, 1)))
    np.testing.assert_array_equal(word_embedding_backward(dout, cache), [[30.0], [7.0], [100.0]])


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_lstm_step_forward_and_backward(case):
    rng, (x, h0, Wx, Wh, b) = lstm_inputs(case)
    x, c = x[:, 0], rng.randn(*h0.shape)
    next_h, next_c, cache = lstm_step_forward(x, h0, c, Wx, Wh, b)
    assert_close(["next_h", "next_c"], [next_h, next_c], ref.lstm_step(x, h0, c, Wx, Wh, b))
    dnext_h, dnext_c = rng.randn(*next_h.shape), rng.randn(*next_c.shape)
    assert_close(["dx", "dprev_h", "dprev_c", "dWx", "dWh", "db"],
                 lstm_step_backward(dnext_h, dnext_c, cache),
                 ref.lstm_step_grads(x, h0, c, Wx, Wh, b, dnext_h, dnext_c))


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_lstm_forward_and_backward(case):
    rng, args = lstm_inputs(case)
    h, cache = lstm_forward(*args)
    assert_close(["h"], [h], [ref.lstm_seq(*args)])
    dh = rng.randn(*h.shape)
    dh_before = dh.copy()
    assert_close(["dx", "dh0", "dWx", "dWh", "db"], lstm_backward(dh, cache),
                 ref.lstm_seq_grads(*args, dh_before))
    np.testing.assert_array_equal(dh, dh_before, err_msg="lstm_backward changed its input dh")


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_temporal_softmax_loss(case):
    seed, N, T, V, _ = case
    rng = np.random.RandomState(seed)
    V += 1
    x, y, mask = rng.randn(N, T, V), rng.randint(V, size=(N, T)), rng.rand(N, T) > 0.4
    loss, dx = temporal_softmax_loss(x, y, mask)
    ref_loss, ref_dx = ref.softmax_loss(x, y, mask)
    assert loss == pytest.approx(ref_loss, rel=1e-12, abs=1e-12)
    assert_close(["dx"], [dx], [ref_dx])


WORD_TO_IDX = {"<NULL>": 0, "<START>": 1, "<END>": 2, "a": 3, "b": 4, "c": 5, "d": 6}
MODELS = pytest.mark.parametrize("cell_type, use_tanh",
                                 [("rnn", True), ("rnn", False), ("lstm", True)],
                                 ids=["rnn-tanh", "rnn-sigmoid", "lstm"])


def random_model(cell_type, use_tanh, seed, N, D, W, H, scale):
    """A float64 model with every parameter scale * randn, and features for N images."""
    np.random.seed(seed)
    model = CaptioningRNN(WORD_TO_IDX, input_dim=D, wordvec_dim=W, hidden_dim=H,
                          cell_type=cell_type, dtype=np.float64, use_tanh=use_tanh)
    for name, value in model.params.items():
        model.params[name] = scale * np.random.randn(*value.shape)
    return model, np.random.randn(N, D)


@MODELS
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_captioning_rnn_loss_and_grads(case, cell_type, use_tanh):
    seed, N, T, D, H = case
    model, features = random_model(cell_type, use_tanh, seed, N, D, 3, H, scale=0.5)
    captions = np.random.randint(len(WORD_TO_IDX), size=(N, T + 1))
    captions[:, 0] = WORD_TO_IDX["<START>"]
    captions[-1, 1 + T // 2:] = WORD_TO_IDX["<NULL>"]
    loss, grads = model.loss(features, captions)
    ref_loss, ref_grads = ref.caption_loss(model.params, features, captions,
                                           WORD_TO_IDX["<NULL>"], cell_type, use_tanh)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    assert sorted(grads) == sorted(ref_grads)
    assert_close(sorted(grads), [grads[k] for k in sorted(grads)],
                 [ref_grads[k] for k in sorted(grads)])


def first_caption(row, end):
    """The words of a sampled row up to and including the first <END>."""
    row = list(row)
    return row[: row.index(end) + 1] if end in row else row


@MODELS
@pytest.mark.parametrize("seed", range(4))
def test_captioning_rnn_sample_is_the_greedy_decode(seed, cell_type, use_tanh):
    max_length = 9
    model, features = random_model(cell_type, use_tanh, seed, N=6, D=5, W=4, H=6, scale=1.0)
    sampled = model.sample(features, max_length=max_length)
    assert sampled.shape == (6, max_length)
    expected = ref.greedy_captions(model.params, features, WORD_TO_IDX["<START>"],
                                   WORD_TO_IDX["<END>"], max_length, cell_type, use_tanh)
    assert [first_caption(row, WORD_TO_IDX["<END>"]) for row in sampled] == expected
