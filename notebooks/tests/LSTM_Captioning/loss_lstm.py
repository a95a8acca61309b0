"""Public test `loss_lstm` of the student notebooks, in otter-grader's format.

Written by `python -m autograder build` from notebooks/source/checks/loss_lstm.py;
edit that file (and notebooks/source/support.py), not this one.
"""

from otter.test_files import test_case

import numpy as np

from assignment.bleu import bleu1, generated_words, image_references, most_frequent_caption
from assignment.gradient_check import eval_numerical_gradient, eval_numerical_gradient_array

# Limits of the public checks. Published values carry eight decimals, and centred
# differences in float64 agree with a correct gradient to about 1e-9 of its scale.
VALUE_LIMIT = 1e-6
GRADIENT_LIMIT = 1e-6
# The least BLEU-1 lead over the most frequent caption on the validation images of a model
# trained as in the last section; measured over eight seeds: RNN 0.22 to 0.24, LSTM 0.25 to 0.28.
BLEU_MARGIN = 0.1


def rel_error(actual, expected):
    """Largest deviation of `actual` from `expected`, relative to the largest entry of `expected`.

    0 means identical. Because the deviation is measured against the scale of the
    whole array rather than entry by entry, entries close to zero cannot make a
    correct answer look wrong. Different shapes fail an assertion.
    """
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, f"got shape {actual.shape}, expected {expected.shape}"
    deviation = np.max(np.abs(actual - expected), initial=0.0)
    scale = np.max(np.abs(expected), initial=0.0)
    return float(deviation / scale) if scale > 0 else float(deviation)


def numeric_gradients(forward, inputs, upstream):
    """Centred-difference gradients of `sum(forward(*inputs) * upstream)`, one per input array."""
    return [eval_numerical_gradient_array(lambda _: forward(*inputs), x, upstream)
            for x in inputs]


def gradient_errors(names, analytic, numeric):
    """Check results comparing each analytic gradient with its numeric estimate."""
    return {f"d{name} relative error": (rel_error(a, n), GRADIENT_LIMIT)
            for name, a, n in zip(names, analytic, numeric)}


def over_limit(results):
    """A sentence for each check result (label -> (value, limit)) whose value exceeds its limit."""
    return [f"{label} is {value:.3g}, above {limit:g}"
            for label, (value, limit) in results.items() if not value <= limit]


def fixed_model(CaptioningRNN, word_to_idx, cell_type, input_dim, wordvec_dim, hidden_dim, fill):
    """A float64 CaptioningRNN whose parameters are `fill(size)` (reshaped) instead of random draws."""
    model = CaptioningRNN(word_to_idx, input_dim=input_dim, wordvec_dim=wordvec_dim,
                          hidden_dim=hidden_dim, cell_type=cell_type, dtype=np.float64)
    for name, value in model.params.items():
        model.params[name] = fill(value.size).reshape(value.shape)
    return model


def caption_mismatches(captions, expected, end):
    """Words of `captions` that differ from `expected`, up to each expected caption's first `end`.

    What follows an `<END>` word does not count. Fails an assertion unless `captions`
    is an integer array of the expected shape.
    """
    captions = np.asarray(captions)
    assert captions.shape == expected.shape, (
        f"captions have shape {captions.shape}, expected {expected.shape}")
    assert np.issubdtype(captions.dtype, np.integer), (
        f"captions have dtype {captions.dtype}; word indices must be integers")
    count = 0
    for row, wanted in zip(captions, expected):
        stop = list(wanted).index(end) + 1 if end in wanted else len(wanted)
        count += int(np.sum(row[:stop] != wanted[:stop]))
    return count


def validation_bleu(model, data):
    """BLEU-1 on the validation images of `model`'s captions and of the most frequent
    training caption.

    Returns (model's score, baseline's score); `model.sample` writes one caption per image.
    """
    references = image_references(data, "val")
    captions = generated_words(model.sample(data["val_features"]), data["idx_to_word"])
    baseline = [most_frequent_caption(data, "train")] * len(references)
    return bleu1(captions, references), bleu1(baseline, references)


def check_loss_lstm(CaptioningRNN):
    """The loss of a small float64 LSTM model with every parameter set by np.linspace."""
    N, D, W, H, T = 10, 20, 30, 40, 13
    word_to_idx = {"<NULL>": 0, "cat": 2, "dog": 3}
    model = fixed_model(CaptioningRNN, word_to_idx, "lstm", D, W, H,
                        lambda size: np.linspace(-1.4, 1.3, num=size))
    features = np.linspace(-0.5, 1.7, num=N * D).reshape(N, D)
    captions = (np.arange(N * T) % len(word_to_idx)).reshape(N, T)
    loss, _ = model.loss(features, captions)
    return {"loss relative error": (rel_error(loss, 9.82445935443), VALUE_LIMIT)}


OK_FORMAT = False
name = "loss_lstm"


@test_case(hidden=False)
def test_loss_lstm(CaptioningRNN):
    """Fails with every value of the check that exceeds its limit."""
    problems = over_limit(check_loss_lstm(CaptioningRNN))
    assert not problems, "; ".join(problems)
