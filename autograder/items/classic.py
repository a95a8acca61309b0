"""The classic public checks of docs/assignment.md: fixed inputs and their published values.

Students see these numbers in their notebooks, so they are graded with a
small weight next to the checks on inputs drawn at grade time. Entries of an
expected array that were not published are NaN (not compared).
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Classic:
    """One published check.

    Attributes
    ----------
    sizes : dict of str to int
    inputs : dict of str to ndarray
    expected : dict of str to ndarray
        Published values, NaN where nothing was published.
    """

    sizes: dict
    inputs: dict
    expected: dict


def lin(low, high, *shape):
    """``np.linspace(low, high)`` over as many values as ``shape`` holds, reshaped to it."""
    return np.linspace(low, high, num=int(np.prod(shape))).reshape(shape)


def _published(shape, rows):
    """An array of NaN with the published rows filled in; ``rows`` maps an index tuple to values."""
    values = np.full(shape, np.nan)
    for index, row in rows.items():
        values[index] = row
    return values


def rnn_step():
    """docs/assignment.md's rnn_step_forward check: N, D, H = 3, 10, 4."""
    N, D, H = 3, 10, 4
    return Classic(
        {"N": N, "D": D, "H": H},
        {"x": lin(-0.4, 0.7, N, D), "prev_h": lin(-0.2, 0.5, N, H), "Wx": lin(-0.1, 0.9, D, H),
         "Wh": lin(-0.3, 0.7, H, H), "b": lin(-0.2, 0.4, H)},
        {"next_h": np.array([[-0.58172089, -0.50182032, -0.41232771, -0.31410098],
                             [0.66854692, 0.79562378, 0.87755553, 0.92795967],
                             [0.97934501, 0.99144213, 0.99646691, 0.99854353]])},
    )


def rnn():
    """The rnn_forward check (docs/assignment.md): N, T, D, H = 2, 3, 4, 5; h[0, 0], h[1, 2]."""
    N, T, D, H = 2, 3, 4, 5
    return Classic(
        {"N": N, "T": T, "D": D, "H": H},
        {"x": lin(-0.1, 0.3, N, T, D), "h0": lin(-0.3, 0.1, N, H), "Wx": lin(-0.2, 0.4, D, H),
         "Wh": lin(-0.4, 0.1, H, H), "b": lin(-0.7, 0.1, H)},
        {"h": _published((N, T, H), {
            (0, 0): [-0.42070749, -0.27279261, -0.11074945, 0.05740409, 0.22236251],
            (1, 2): [-0.51014825, -0.30524429, -0.06755202, 0.17806392, 0.40333043]})},
    )


def word_embedding():
    """docs/assignment.md's word_embedding_forward check; ``out[n, t] = W[x[n, t]]`` row by row.

    Row k of ``W = linspace(0, 1, 15).reshape(5, 3)`` is ``[3k, 3k+1, 3k+2] / 14``.
    """
    x = np.array([[0, 3, 1, 2], [2, 1, 0, 3]])
    rows = np.arange(15).reshape(5, 3) / 14
    return Classic({"N": 2, "T": 4, "V": 5, "D": 3},
                   {"x": x, "W": np.linspace(0, 1, num=15).reshape(5, 3)},
                   {"out": rows[x]})


def lstm_step():
    """The lstm_step_forward check (docs/assignment.md): N, D, H = 3, 4, 5; next_h[0], next_c[2]."""
    N, D, H = 3, 4, 5
    return Classic(
        {"N": N, "D": D, "H": H},
        {"x": lin(-0.4, 1.2, N, D), "prev_h": lin(-0.3, 0.7, N, H), "prev_c": lin(-0.4, 0.9, N, H),
         "Wx": lin(-2.1, 1.3, D, 4 * H), "Wh": lin(-0.7, 2.2, H, 4 * H), "b": lin(0.3, 0.7, 4 * H)},
        {"next_h": _published((N, H), {
            (0,): [0.24635157, 0.28610883, 0.32240467, 0.35525807, 0.38474904]}),
         "next_c": _published((N, H), {
             (2,): [0.74192008, 0.90592151, 1.07717006, 1.25120233, 1.42395676]})},
    )


# CaptioningRNN.loss: every parameter linspace(-1.4, 1.3, size), float64.
LOSS_VOCABULARY = {"<NULL>": 0, "cat": 2, "dog": 3}
LOSS_SIZES = {"N": 10, "D": 20, "W": 30, "H": 40, "T": 13}
LOSS_FEATURES = {"rnn": (-1.5, 0.3), "lstm": (-0.5, 1.7)}
LOSS_VALUES = {"rnn": 9.83235591003, "lstm": 9.82445935443}


def loss(cell_type, shapes):
    """docs/assignment.md's CaptioningRNN.loss check of one cell type.

    Parameters
    ----------
    cell_type : {'rnn', 'lstm'}
    shapes : dict of str to tuple of int
        The shape of every parameter of a model with :data:`LOSS_SIZES`.

    Returns
    -------
    Classic
        Inputs ``params``, ``features``, ``captions``; expected ``loss``.
    """
    N, D, T = LOSS_SIZES["N"], LOSS_SIZES["D"], LOSS_SIZES["T"]
    return Classic(
        dict(LOSS_SIZES),
        {"params": {name: lin(-1.4, 1.3, *shape) for name, shape in shapes.items()},
         "features": lin(*LOSS_FEATURES[cell_type], N, D),
         "captions": (np.arange(N * T) % 3).reshape(N, T)},
        {"loss": np.array(LOSS_VALUES[cell_type])},
    )
