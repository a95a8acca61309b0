"""The comparisons cannot fail correct code and do fail clear mistakes."""

import numpy as np
import pytest

from autograder.items import compare
from solutions.rnn_layers import lstm_backward, lstm_forward

SIZES = {"N": 7, "H": 9}


@pytest.fixture(scope="module")
def tolerance(settings):
    """grading.toml's tolerances."""
    return settings.tolerance


def test_scale_error_ignores_near_zero_entries():
    expected = np.array([1.0, 1e-12, -2.0])
    actual = expected + np.array([0.0, 1e-12, 0.0])  # the tiny entry is 100% off
    assert compare.scale_error(actual, expected) == pytest.approx(5e-13)


def test_scale_error_of_an_all_zero_reference_is_absolute():
    assert compare.scale_error(np.full(3, 1e-3), np.zeros(3)) == pytest.approx(1e-3)


def test_scale_error_skips_unpublished_nan_entries():
    expected = np.array([[1.0, np.nan], [np.nan, 2.0]])
    assert compare.scale_error(np.array([[1.0, 99.0], [-5.0, 2.0]]), expected) == 0.0


def test_resolve_shape_understands_factors():
    sizes = {"N": 2, "H": 3, "max_length": 5}
    assert compare.resolve_shape(("N", "4H", "max_length"), sizes) == (2, 12, 5)


def test_float32_result_of_a_correct_lstm_backward_passes(tolerance):
    rng = np.random.default_rng(0)
    N, T, D, H = 6, 8, 7, 9
    args = (rng.standard_normal((N, T, D)), rng.standard_normal((N, H)),
            rng.standard_normal((D, 4 * H)) / np.sqrt(D),
            rng.standard_normal((H, 4 * H)) / np.sqrt(H),
            rng.standard_normal(4 * H) * 0.3)
    dh = rng.standard_normal((N, T, H))
    _, cache = lstm_forward(*args)
    expected = lstm_backward(dh, cache)
    h32, cache32 = lstm_forward(*(a.astype(np.float32) for a in args))
    actual = lstm_backward(dh.astype(np.float32), cache32)
    assert h32.dtype == np.float32
    for name, got, want in zip(("dx", "dh0", "dWx", "dWh", "db"), actual, expected):
        symbols = tuple(f"S{i}" for i in range(want.ndim))
        sizes = {f"S{i}": n for i, n in enumerate(want.shape)}
        outcome = compare.compare_array(name, got, want, symbols, sizes, tolerance)
        assert outcome.passed, outcome.detail
        assert "float32" in outcome.detail


def test_float64_result_is_judged_at_float64_precision(tolerance):
    expected = np.linspace(-1, 1, 63).reshape(7, 9)
    off = expected * (1 + 1e-6)
    outcome = compare.compare_array("next_h", off.astype(np.float32), expected, ("N", "H"),
                                    SIZES, tolerance)
    assert outcome.passed
    outcome = compare.compare_array("next_h", off, expected, ("N", "H"), SIZES, tolerance)
    assert not outcome.passed
    assert "tolerance 1e-07" in outcome.detail


@pytest.mark.parametrize("mistake", [
    lambda r: r.T.copy().reshape(r.shape),   # square transposed
    lambda r: 1 - r ** 2,                    # derivative applied twice
    lambda r: r * 0.5,                       # mean instead of sum (N = 2)
    lambda r: r + 1e-3,                      # small but clear
])
def test_clear_mistakes_fail(mistake, tolerance):
    expected = np.random.default_rng(1).standard_normal((9, 9))
    outcome = compare.compare_array("dWh", mistake(expected), expected, ("H", "H"), {"H": 9},
                                    tolerance)
    assert not outcome.passed
    assert outcome.detail.startswith("dWh: error")


def test_wrong_shape_is_named_in_letters(tolerance):
    outcome = compare.compare_array("next_h", np.zeros((9, 7)), np.zeros((7, 9)), ("N", "H"),
                                    SIZES, tolerance)
    assert not outcome.passed
    assert outcome.detail == "next_h: expected shape (N, H) = (7, 9), got (9, 7)"


@pytest.mark.parametrize("bad, words", [
    (np.full((7, 9), np.nan), "NaN or inf (63 of 63"),
    (np.zeros((7, 9), dtype=int), "floating-point"),
    ("a string", "expected an array, got str"),
    (None, "expected an array, got NoneType"),
])
def test_unusable_outputs_fail_with_a_message(bad, words, tolerance):
    outcome = compare.compare_array("next_h", bad, np.ones((7, 9)), ("N", "H"), SIZES, tolerance)
    assert not outcome.passed
    assert words in outcome.detail


def test_a_size_one_array_counts_as_a_scalar(tolerance):
    outcome = compare.compare_array("loss", np.array([2.5]), np.array(2.5), (), {}, tolerance)
    assert outcome.passed


END = 2
CAPTIONS = np.array([[5, 6, 2, 0, 0], [7, 2, 0, 0, 0], [5, 5, 5, 5, 5]])


def test_captions_are_compared_up_to_the_first_end_only():
    free_tail = np.array([[5, 6, 2, 9, 9], [7, 2, 2, 2, 2], [5, 5, 5, 5, 5]], dtype=np.int32)
    outcome = compare.compare_captions("captions", free_tail, CAPTIONS, ("N", "L"),
                                       {"N": 3, "L": 5}, END)
    assert outcome.passed, outcome.detail


def test_a_wrong_word_before_end_fails_with_its_position():
    wrong = CAPTIONS.copy()
    wrong[1, 0] = 8
    outcome = compare.compare_captions("captions", wrong, CAPTIONS, ("N", "L"), {"N": 3, "L": 5},
                                       END)
    assert not outcome.passed
    assert "caption 1 differs first at column 0" in outcome.detail


def test_float_captions_fail_even_with_the_right_words():
    outcome = compare.compare_captions("captions", CAPTIONS.astype(float), CAPTIONS, ("N", "L"),
                                       {"N": 3, "L": 5}, END)
    assert not outcome.passed
    assert "integer" in outcome.detail


def test_agree_tells_a_known_mistake_from_another(tolerance):
    value = np.linspace(0, 1, 12).reshape(3, 4)
    assert compare.agree("values", value + 1e-12, value, tolerance)
    assert not compare.agree("values", value + 1e-3, value, tolerance)
    assert not compare.agree("values", value.T, value.T.copy().reshape(3, 4), tolerance)
    assert compare.agree("captions", CAPTIONS.astype(float), CAPTIONS.astype(float), tolerance, END)
    assert not compare.agree("captions", CAPTIONS.astype(float), CAPTIONS, tolerance, END)
    assert compare.agree("layout", value, value * 2, tolerance)
    assert not compare.agree("layout", value.astype(np.float32), value, tolerance)


def test_layout_compares_shape_and_dtype_only():
    expected = np.zeros((3, 4))
    assert compare.compare_layout("W", np.ones((3, 4)), expected, ("N", "H"),
                                  {"N": 3, "H": 4}).passed
    outcome = compare.compare_layout("W", np.ones((3, 4), np.float32), expected, ("N", "H"),
                                     {"N": 3, "H": 4})
    assert not outcome.passed
    assert outcome.detail == "W: expected dtype float64, got float32"
