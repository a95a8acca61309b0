"""PNG figures of the reports: an overfit item's loss curve, a class's score histogram.

Figures are drawn with matplotlib's Agg renderer on ``Figure`` objects (no
pyplot, no global backend state) and returned as PNG bytes. matplotlib is
imported on first use: it takes about a second, and a grading without an
overfit item draws nothing.
"""

import io

import numpy as np

FIGURE_SIZE = (6.4, 3.6)
DPI = 100
HISTOGRAM_BINS = 20
# Losses are drawn within these magnitudes: matplotlib's transforms become singular
# on axes spanning nearly the whole float64 range (a hostile history can hold any floats).
DRAWN_MAGNITUDES = (1e-30, 1e30)


def _axes():
    """A new figure of the reports' size and its single axes."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=FIGURE_SIZE)
    return figure, figure.subplots()


def _png(figure):
    """The PNG bytes of ``figure``."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    return buffer.getvalue()


def loss_curve(history, threshold, title):
    """Training loss per iteration, with the item's pass threshold.

    Parameters
    ----------
    history : sequence of float, shape (iterations,)
    threshold : float or None
        Drawn as a horizontal line when given.
    title : str

    Returns
    -------
    bytes
        A PNG image.
    """
    losses, label = _drawable(np.asarray(history, dtype=np.float64))
    figure, axes = _axes()
    axes.plot(np.arange(1, losses.size + 1), losses, label=label)
    if threshold is not None:
        axes.axhline(threshold, color="tab:red", linestyle="--", label=f"threshold {threshold:g}")
    finite = losses[np.isfinite(losses)]
    if finite.size and finite.min() > 0 and (threshold is None or threshold > 0):
        axes.set_yscale("log")
    axes.set_xlabel("iteration")
    axes.set_ylabel("loss")
    axes.set_title(title)
    axes.legend()
    return _png(figure)


def _drawable(losses):
    """``losses`` with finite values moved into ``DRAWN_MAGNITUDES``, and their legend."""
    smallest, largest = DRAWN_MAGNITUDES
    finite = np.isfinite(losses)
    tiny = finite & (losses != 0) & (np.abs(losses) < smallest)
    huge = finite & (np.abs(losses) > largest)
    drawn = losses.copy()
    drawn[tiny] = np.copysign(smallest, losses[tiny])
    drawn[huge] = np.copysign(largest, losses[huge])
    if np.any(tiny | huge):
        return drawn, f"training loss (drawn within {smallest:g}..{largest:g} in magnitude)"
    return drawn, "training loss"


def histogram(totals, max_score, title):
    """Histogram of total scores on the full 0..max_score range.

    Parameters
    ----------
    totals : sequence of float, shape (submissions,)
    max_score : float
    title : str

    Returns
    -------
    bytes
        A PNG image.
    """
    figure, axes = _axes()
    axes.hist(np.asarray(totals, dtype=np.float64), bins=HISTOGRAM_BINS,
              range=(0, max(max_score, 1)), edgecolor="white")
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set_xlabel("total score")
    axes.set_ylabel("submissions")
    axes.set_title(title)
    return _png(figure)
