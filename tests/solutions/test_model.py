"""CaptioningRNN: construction, bad input, the loss's masking and averaging, sampling."""

import math

import numpy as np
import pytest

import naive_reference as ref
from solutions.classifiers.rnn import CaptioningRNN

WORD_TO_IDX = {"<NULL>": 0, "<START>": 1, "<END>": 2, "cat": 3, "dog": 4}
NULL, START, END, CAT = 0, 1, 2, 3


def make_model(cell_type="rnn", dtype=np.float64, seed=0, D=4, W=3, H=5, **kwargs):
    np.random.seed(seed)
    return CaptioningRNN(WORD_TO_IDX, input_dim=D, wordvec_dim=W, hidden_dim=H,
                         cell_type=cell_type, dtype=dtype, **kwargs)


@pytest.mark.parametrize("cell_type", ["gru", "RNN", "", None])
def test_unknown_cell_type_is_rejected(cell_type):
    with pytest.raises(ValueError, match="cell_type"):
        CaptioningRNN(WORD_TO_IDX, cell_type=cell_type)


def test_vocabulary_without_null_is_rejected():
    with pytest.raises(ValueError, match="<NULL>"):
        CaptioningRNN({"<START>": 0, "<END>": 1, "cat": 2})


def test_vocabulary_without_start_and_end_is_accepted_for_training():
    model = CaptioningRNN({"<NULL>": 0, "cat": 1}, input_dim=2, wordvec_dim=2, hidden_dim=2)
    loss, _ = model.loss(np.ones((1, 2)), np.array([[1, 1, 0]]))
    assert np.isfinite(loss)


@pytest.mark.parametrize("cell_type, gates", [("rnn", 1), ("lstm", 4)])
def test_params_have_the_documented_shapes_and_zero_biases(cell_type, gates):
    V, D, W, H = len(WORD_TO_IDX), 6, 4, 3
    model = make_model(cell_type, D=D, W=W, H=H)
    shapes = {name: value.shape for name, value in model.params.items()}
    assert shapes == {"W_embed": (V, W), "W_proj": (D, H), "b_proj": (H,),
                      "Wx": (W, gates * H), "Wh": (H, gates * H), "b": (gates * H,),
                      "W_vocab": (H, V), "b_vocab": (V,)}
    for name in ("b_proj", "b", "b_vocab"):
        assert not model.params[name].any(), f"{name} should start at zero"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_params_are_cast_to_the_requested_dtype(dtype):
    model = make_model(dtype=dtype)
    assert {value.dtype for value in model.params.values()} == {np.dtype(dtype)}


def test_default_dtype_is_float32():
    model = CaptioningRNN(WORD_TO_IDX, input_dim=4, wordvec_dim=3, hidden_dim=5)
    assert {value.dtype for value in model.params.values()} == {np.dtype(np.float32)}


def test_weight_initialisation_scales():
    # randn / 100 for W_embed and randn / sqrt(fan_in) for the others: with
    # thousands of entries the sample standard deviation is within 5%.
    D, W, H = 400, 100, 100
    np.random.seed(0)
    model = CaptioningRNN({f"w{i}": i for i in range(1, 200)} | {"<NULL>": 0},
                          input_dim=D, wordvec_dim=W, hidden_dim=H, cell_type="lstm")
    expected = {"W_embed": 1 / 100, "W_proj": 1 / math.sqrt(D), "Wx": 1 / math.sqrt(W),
                "Wh": 1 / math.sqrt(H), "W_vocab": 1 / math.sqrt(H)}
    for name, std in expected.items():
        assert model.params[name].std() == pytest.approx(std, rel=0.05), name


@pytest.mark.parametrize("cell_type", ["rnn", "lstm"])
def test_loss_grads_have_exactly_the_param_keys_and_shapes(cell_type):
    model = make_model(cell_type)
    captions = np.array([[START, CAT, END, NULL], [START, 4, CAT, END]])
    _, grads = model.loss(np.random.randn(2, 4), captions)
    assert {k: v.shape for k, v in grads.items()} == {k: v.shape for k, v in model.params.items()}


@pytest.mark.parametrize("cell_type", ["rnn", "lstm"])
def test_loss_is_summed_over_unmasked_steps_and_divided_by_n(cell_type):
    # With W_vocab = 0 and b_vocab = 0 every score is 0, so every word has
    # probability 1/5 and each counted target costs ln 5. Targets are
    # captions[:, 1:]; <NULL> targets do not count:
    #   row 0 [cat, end, null, null] -> 2, row 1 [dog, cat, end, null] -> 3,
    #   row 2 [end, null, null, null] -> 1: loss = ln 5 * (2 + 3 + 1) / 3.
    model = make_model(cell_type)
    model.params["W_vocab"][:] = 0
    captions = np.array([[START, CAT, END, NULL, NULL],
                         [START, 4, CAT, END, NULL],
                         [START, END, NULL, NULL, NULL]])
    loss, _ = model.loss(np.random.randn(3, 4), captions)
    assert loss == pytest.approx(math.log(5) * 6 / 3, rel=1e-12)


@pytest.mark.parametrize("cell_type", ["rnn", "lstm"])
def test_trailing_padding_changes_neither_loss_nor_grads(cell_type):
    model = make_model(cell_type)
    features = np.random.randn(2, 4)
    captions = np.array([[START, CAT, END], [START, 4, END]])
    padded = np.hstack([captions, np.full((2, 3), NULL)])
    loss, grads = model.loss(features, captions)
    padded_loss, padded_grads = model.loss(features, padded)
    assert padded_loss == pytest.approx(loss, rel=1e-12)
    for name in grads:
        np.testing.assert_allclose(padded_grads[name], grads[name], rtol=1e-10, atol=1e-14,
                                   err_msg=name)


def force_word(model, word):
    """Make ``word`` the highest score at every step, whatever the hidden state."""
    model.params["W_vocab"][:] = 0
    model.params["b_vocab"][:] = 0
    model.params["b_vocab"][word] = 1.0


@pytest.mark.parametrize("cell_type", ["rnn", "lstm"])
def test_sample_shape_dtype_and_first_column(cell_type):
    # The argmax is always 'cat', which is not <END>: every one of the
    # max_length positions holds 'cat', the first generated word included
    # (column 0 is not <START>).
    model = make_model(cell_type)
    force_word(model, CAT)
    sampled = model.sample(np.random.randn(3, 4), max_length=7)
    assert sampled.shape == (3, 7)
    assert np.issubdtype(sampled.dtype, np.integer), sampled.dtype
    np.testing.assert_array_equal(sampled, np.full((3, 7), CAT))


@pytest.mark.parametrize("cell_type", ["rnn", "lstm"])
def test_sample_puts_the_first_generated_end_in_column_0(cell_type):
    model = make_model(cell_type)
    force_word(model, END)
    sampled = model.sample(np.random.randn(2, 4), max_length=5)
    np.testing.assert_array_equal(sampled[:, 0], [END, END])


def test_lstm_sample_carries_the_cell_state():
    # A precondition shows that resetting the cell at every step would give
    # other captions for this model; the sample must be the carrying decode.
    np.random.seed(3)
    model = make_model("lstm", D=5, W=4, H=6)
    for name, value in model.params.items():
        model.params[name] = np.random.randn(*value.shape)
    features = np.random.randn(6, 5)
    decode = dict(start=START, end=END, max_length=8, cell_type="lstm")
    carried = ref.greedy_captions(model.params, features, carry_cell=True, **decode)
    reset = ref.greedy_captions(model.params, features, carry_cell=False, **decode)
    assert carried != reset, "precondition: this model must tell the two decodes apart"
    sampled = model.sample(features, max_length=8)
    assert [list(row[: len(words)]) for row, words in zip(sampled, carried)] == carried


def test_sample_leaves_the_model_unchanged():
    model = make_model("lstm")
    before = {k: v.copy() for k, v in model.params.items()}
    model.sample(np.random.randn(2, 4), max_length=4)
    for name, value in before.items():
        np.testing.assert_array_equal(model.params[name], value, err_msg=name)
