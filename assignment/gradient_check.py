"""Centred finite differences for checking analytic gradients (provided to students)."""

import numpy as np


def eval_numerical_gradient(f, x, verbose=True, h=1e-5):
    """Numerical gradient of a scalar function at ``x`` by centred differences.

    Parameters
    ----------
    f : callable
        ``f(x)`` returns a scalar; it is called with ``x`` modified in place.
    x : ndarray, any shape
        The point; restored to its original values on return.
    verbose : bool
        Print each coordinate's gradient as it is computed.
    h : float
        Step size.

    Returns
    -------
    grad : ndarray, same shape as x
    """
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + h
        f_plus = f(x)
        x[ix] = old - h
        f_minus = f(x)
        x[ix] = old
        grad[ix] = (f_plus - f_minus) / (2 * h)
        if verbose:
            print(ix, grad[ix])
        it.iternext()
    return grad


def eval_numerical_gradient_array(f, x, df, h=1e-5):
    """Numerical gradient of ``sum(f(x) * df)`` with respect to ``x``.

    Parameters
    ----------
    f : callable
        ``f(x)`` returns an array of the shape of ``df``; called with ``x`` modified in place.
    x : ndarray, any shape
        The point; restored to its original values on return.
    df : ndarray
        Upstream gradient of ``f``'s output.
    h : float
        Step size.

    Returns
    -------
    grad : ndarray, same shape as x
    """
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + h
        pos = f(x).copy()
        x[ix] = old - h
        neg = f(x).copy()
        x[ix] = old
        grad[ix] = np.sum((pos - neg) * df) / (2 * h)
        it.iternext()
    return grad
