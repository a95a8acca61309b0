"""Comparisons of a student's outputs with expected ones that cannot fail correct code.

Arrays are compared by their scale-relative error ``max |a - e| / max |e|``:
one large-enough reference entry sets the scale, so entries that happen to be
near zero (where an element-wise relative error explodes) cannot fail correct
code. The accepted error depends on the precision the student's output was
computed in (``[tolerance]`` of grading.toml). Captions are compared up to and
including each row's first ``<END>``.

Every comparison returns an :class:`Outcome` whose ``detail`` says what was
compared and by how much it missed, in words a student can act on.
"""

import re
from dataclasses import dataclass

import numpy as np

_SYMBOL = re.compile(r"(\d*)([A-Za-z_]\w*)")


@dataclass(frozen=True)
class Outcome:
    """The verdict of one comparison.

    Attributes
    ----------
    passed : bool
    detail : str
        E.g. ``"dWh: error 4.2e-01 (tolerance 1e-07)"``.
    """

    passed: bool
    detail: str


def tolerance_for(dtype, tolerance):
    """Largest accepted scale-relative error for an output of ``dtype``.

    Parameters
    ----------
    dtype : numpy dtype
        Floating-point type the student's output has.
    tolerance : autograder.config.Tolerance

    Returns
    -------
    float
        ``tolerance.float64`` for float64 (or wider), ``tolerance.float32`` otherwise.
    """
    return tolerance.float64 if np.dtype(dtype).itemsize >= 8 else tolerance.float32


def scale_error(actual, expected):
    """Scale-relative error ``max |actual - expected| / max |expected|``.

    Entries where ``expected`` is NaN are not compared (they mark values that
    are not known, e.g. outside the published part of a classic check). When
    every compared expected entry is zero the absolute error is returned.

    Parameters
    ----------
    actual, expected : ndarray, same shape

    Returns
    -------
    float
    """
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    known = ~np.isnan(expected)
    if not known.any():
        return 0.0
    difference = np.max(np.abs(actual[known] - expected[known]))
    scale = np.max(np.abs(expected[known]))
    return float(difference / scale) if scale > 0 else float(difference)


def shape_text(symbols, sizes):
    """``"(N, H) = (7, 9)"``: a shape in symbols and in numbers.

    Parameters
    ----------
    symbols : tuple of str
        E.g. ``("N", "4H")``.
    sizes : dict of str to int
        The value of every letter, e.g. ``{"N": 7, "H": 9}``.

    Returns
    -------
    str
    """
    numbers = resolve_shape(symbols, sizes)
    if not symbols:
        return "() (a scalar)"
    return f"({', '.join(symbols)}) = {numbers}"


def resolve_shape(symbols, sizes):
    """The numeric shape of ``symbols`` such as ``("N", "4H")``.

    Parameters
    ----------
    symbols : tuple of str
        Each a size name, optionally preceded by an integer factor.
    sizes : dict of str to int

    Returns
    -------
    tuple of int
    """
    shape = []
    for symbol in symbols:
        factor, letter = _SYMBOL.fullmatch(symbol).groups()
        shape.append(int(factor or 1) * sizes[letter])
    return tuple(shape)


def _problem(name, actual, symbols, sizes, want_float):
    """Why ``actual`` cannot be compared as the output ``name`` at all, or None."""
    if not isinstance(actual, np.ndarray):
        return f"{name}: expected an array, got {type(actual).__name__}"
    expected_shape = resolve_shape(symbols, sizes)
    if actual.shape != expected_shape and not (expected_shape == () and actual.size == 1):
        return f"{name}: expected shape {shape_text(symbols, sizes)}, got {actual.shape}"
    if want_float and not np.issubdtype(actual.dtype, np.floating):
        return f"{name}: expected floating-point values, got dtype {actual.dtype}"
    if not want_float and not np.issubdtype(actual.dtype, np.integer):
        return (f"{name}: expected integer word indices, got dtype {actual.dtype} "
                "(create the array with an integer dtype, e.g. np.full(..., dtype=np.int32))")
    if want_float and not np.all(np.isfinite(actual)):
        bad = int(np.count_nonzero(~np.isfinite(actual)))
        return f"{name}: contains NaN or inf ({bad} of {actual.size} entries)"
    return None


def compare_array(name, actual, expected, symbols, sizes, tolerance):
    """Compare a floating-point output with its expected value.

    Parameters
    ----------
    name : str
        The output's name in messages, e.g. ``"dWh"``.
    actual : object
        What the student returned (anything; non-arrays fail).
    expected : ndarray, shape given by ``symbols``
        NaN entries are not compared.
    symbols : tuple of str
        The expected shape in letters, e.g. ``("N", "H")``; ``()`` for a scalar.
    sizes : dict of str to int
    tolerance : autograder.config.Tolerance

    Returns
    -------
    Outcome
    """
    problem = _problem(name, actual, symbols, sizes, want_float=True)
    if problem:
        return Outcome(False, problem)
    limit = tolerance_for(actual.dtype, tolerance)
    error = scale_error(actual.reshape(np.shape(expected)), expected)
    verdict = "" if error <= limit else " — too far from the reference"
    return Outcome(error <= limit,
                   f"{name}: error {error:.1e} (tolerance {limit:.0e}, {actual.dtype}){verdict}")


def caption_prefix(row, end):
    """The words of one caption up to and including its first ``end``.

    Parameters
    ----------
    row : ndarray of int, shape (T,)
    end : int
        Index of ``<END>``.

    Returns
    -------
    ndarray of int
        The whole row when it has no ``end``.
    """
    stops = np.flatnonzero(row == end)
    return row[: stops[0] + 1] if stops.size else row


def compare_captions(name, actual, expected, symbols, sizes, end):
    """Compare greedy captions with the expected ones up to each row's first ``<END>``.

    What follows a row's first ``<END>`` (in the expected captions) is free.

    Parameters
    ----------
    name : str
    actual : object
        What the student's ``sample`` returned.
    expected : ndarray of int, shape (N, max_length)
    symbols : tuple of str
        ``("N", "max_length")``.
    sizes : dict of str to int
    end : int
        Index of ``<END>``.

    Returns
    -------
    Outcome
    """
    problem = _problem(name, actual, symbols, sizes, want_float=False)
    if problem:
        return Outcome(False, problem)
    wrong = []
    for index, (got, want) in enumerate(zip(actual, expected)):
        want = caption_prefix(want, end)
        if not np.array_equal(got[: want.size], want):
            wrong.append((index, got[: want.size], want))
    if not wrong:
        return Outcome(True, f"{name}: all {len(expected)} captions equal the reference "
                             "up to their first <END>")
    index, got, want = wrong[0]
    step = int(np.flatnonzero(got != want)[0])
    return Outcome(False, f"{name}: {len(wrong)} of {len(expected)} captions differ from the "
                          f"reference; e.g. caption {index} differs first at column {step}: "
                          f"expected {want.tolist()}, got {got.tolist()}")


def compare_layout(name, actual, expected, symbols, sizes):
    """Compare only the shape and dtype of an output (values drawn at random by the student's code).

    Parameters
    ----------
    name : str
    actual : object
    expected : ndarray
        Its shape and dtype are expected.
    symbols : tuple of str
    sizes : dict of str to int

    Returns
    -------
    Outcome
    """
    if not isinstance(actual, np.ndarray):
        return Outcome(False, f"{name}: expected an array, got {type(actual).__name__}")
    if actual.shape != expected.shape:
        return Outcome(False, f"{name}: expected shape {shape_text(symbols, sizes)}, "
                              f"got {actual.shape}")
    if actual.dtype != expected.dtype:
        return Outcome(False, f"{name}: expected dtype {expected.dtype}, got {actual.dtype}")
    return Outcome(True, f"{name}: shape {actual.shape}, dtype {actual.dtype}")


def compare(kind, name, actual, expected, symbols, sizes, tolerance, end=None):
    """Compare an output by its kind.

    Parameters
    ----------
    kind : {'values', 'captions', 'layout'}
        Floating-point values (:func:`compare_array`), greedy captions
        (:func:`compare_captions`, needs ``end``) or shape and dtype only
        (:func:`compare_layout`).
    name, actual, expected, symbols, sizes
        As for those functions.
    tolerance : autograder.config.Tolerance
    end : int or None

    Returns
    -------
    Outcome
    """
    if kind == "captions":
        return compare_captions(name, actual, expected, symbols, sizes, end)
    if kind == "layout":
        return compare_layout(name, actual, expected, symbols, sizes)
    return compare_array(name, actual, expected, symbols, sizes, tolerance)


def agree(kind, actual, other, tolerance, end=None):
    """Whether two outputs are the same, judged as their kind is compared.

    Used to tell which known mistake a wrong output matches. Arrays must have
    the same shape; values must agree to the tolerance of ``actual``'s
    precision (NaN and inf in the same places); captions must be integer or
    not alike and equal up to ``other``'s first ``<END>`` in each row;
    layouts must have the same dtype. Anything else must be equal.

    Parameters
    ----------
    kind : {'values', 'captions', 'layout'}
    actual : object
        The student's output.
    other : object
        The output of a reference or mutated implementation.
    tolerance : autograder.config.Tolerance
    end : int or None
        Index of ``<END>``, for captions.

    Returns
    -------
    bool
    """
    if not (isinstance(actual, np.ndarray) and isinstance(other, np.ndarray)):
        return not isinstance(actual, np.ndarray) and not isinstance(other, np.ndarray) \
            and actual == other
    if actual.shape != other.shape:
        return False
    if kind == "layout":
        return actual.dtype == other.dtype
    if kind == "captions":
        if np.issubdtype(actual.dtype, np.integer) != np.issubdtype(other.dtype, np.integer):
            return False
        prefixes = (caption_prefix(row, end) for row in other)
        return all(np.array_equal(row[: prefix.size], prefix)
                   for row, prefix in zip(actual, prefixes))
    if not (np.issubdtype(actual.dtype, np.number) and np.issubdtype(other.dtype, np.number)):
        return False
    finite = np.isfinite(actual)
    if not np.array_equal(finite, np.isfinite(other)):
        return False
    dtype = actual.dtype if np.issubdtype(actual.dtype, np.floating) else np.float64
    return scale_error(actual[finite], other[finite]) <= tolerance_for(dtype, tolerance)
