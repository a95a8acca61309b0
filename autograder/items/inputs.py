"""Inputs drawn at grade time from an item's generator (``seeds.item_rng``).

Sizes are drawn from ranges that no classic check uses (no published check of
docs/assignment.md or the notebooks has a minibatch of 5 to 9), so values
copied from a notebook cannot pass.
"""

import numpy as np

from captiondata.layout import SPECIAL_TOKENS

# Inclusive ranges of every size letter. Overlapping ranges are fine: the
# letters of one draw are always distinct, so a transposed result has the wrong
# shape and the message can say which letter is which.
SIZE_RANGES = {
    "N": (5, 9),     # minibatch
    "T": (4, 8),     # time steps (at least 4, so carried state matters)
    "D": (6, 13),    # input size
    "H": (6, 12),    # hidden size
    "W": (6, 11),    # word-vector size
    "V": (12, 20),   # vocabulary size
}
# Spread of a bias and of a hidden state, relative to a unit normal.
BIAS_SCALE = 0.3
STATE_SCALE = 0.5
# Special words of the vocabulary, at their indices in the real data set.
SPECIAL_WORDS = SPECIAL_TOKENS


def draw_sizes(rng, letters):
    """Distinct random sizes for the given letters.

    Parameters
    ----------
    rng : numpy.random.Generator
    letters : iterable of str
        Keys of :data:`SIZE_RANGES`.

    Returns
    -------
    dict of str to int
        Pairwise distinct values, each in its letter's range.
    """
    letters = tuple(letters)
    while True:
        sizes = {letter: int(rng.integers(*SIZE_RANGES[letter], endpoint=True))
                 for letter in letters}
        if len(set(sizes.values())) == len(letters):
            return sizes


def draw_array(rng, role, shape, vocabulary=None):
    """One input array of a given role.

    Parameters
    ----------
    rng : numpy.random.Generator
    role : {'data', 'weight', 'bias', 'state', 'index'}
        ``data``: unit normal; ``weight``: normal scaled by 1/sqrt(rows), so
        pre-activations stay of order one (no saturated tanh); ``bias`` and
        ``state``: normal times BIAS_SCALE and STATE_SCALE; ``index``: word indices in
        ``range(vocabulary)`` in which at least one word repeats.
    shape : tuple of int
    vocabulary : int or None
        Vocabulary size, for ``index``.

    Returns
    -------
    ndarray
        float64, or int64 for ``index``.
    """
    if role == "index":
        words = rng.integers(vocabulary, size=shape)
        words.flat[-1] = words.flat[0]
        return words
    values = rng.standard_normal(shape)
    if role == "weight":
        return values / np.sqrt(shape[0])
    if role == "bias":
        return values * BIAS_SCALE
    if role == "state":
        return values * STATE_SCALE
    return values


def vocabulary(size):
    """A vocabulary of ``size`` words with the special words at their usual indices.

    Parameters
    ----------
    size : int
        Number V of words, at least 5.

    Returns
    -------
    dict of str to int
        ``<NULL>`` 0, ``<START>`` 1, ``<END>`` 2, ``<UNK>`` 3, then ``w4``, ``w5``, ...
    """
    words = list(SPECIAL_WORDS) + [f"w{index}" for index in range(len(SPECIAL_WORDS), size)]
    return {word: index for index, word in enumerate(words)}


def draw_captions(rng, count, length, size):
    """Training captions of varied lengths, padded with ``<NULL>``.

    Every row is ``<START>``, one or more ordinary words, ``<END>``, then
    ``<NULL>`` padding; the first row has one word (the most padding) and the
    last row fills the whole length (no padding).

    Parameters
    ----------
    rng : numpy.random.Generator
    count : int
        Number N of captions.
    length : int
        Tokens per caption (T + 1 for a model that sees T inputs), at least 3.
    size : int
        Vocabulary size V.

    Returns
    -------
    ndarray of int64, shape (count, length)
    """
    null, start, end = 0, 1, 2
    words = rng.integers(1, length - 2, endpoint=True, size=count)
    words[0], words[-1] = 1, length - 2
    captions = np.full((count, length), null, dtype=np.int64)
    for row, used in zip(captions, words):
        row[0] = start
        row[1 : used + 1] = rng.integers(len(SPECIAL_WORDS) - 1, size, size=used)
        row[used + 1] = end
    return captions


def draw_params(rng, shapes):
    """Model parameters of the given shapes, scaled like a sensible initialisation.

    Matrices are normal / sqrt(rows), vectors normal * BIAS_SCALE (non-zero, so a
    bias that is ignored shows).

    Parameters
    ----------
    rng : numpy.random.Generator
    shapes : dict of str to tuple of int

    Returns
    -------
    dict of str to ndarray of float64
    """
    return {name: draw_array(rng, "weight" if len(shape) == 2 else "bias", shape)
            for name, shape in shapes.items()}

