"""Reports of a grading: results.json (Gradescope), report.md, report.html, loss curves,
and the class-level gradebook, summary and histogram of grade-all."""

from pathlib import Path

from . import html, markdown, plots, results_json
from .files import atomic_write
from .shown import shown


def write_reports(result, out_dir, settings):
    """Write every report of one grading into ``out_dir``; results.json last.

    Parameters
    ----------
    result : autograder.results.GradeResult
    out_dir : path-like
        Existing, writable folder.
    settings : autograder.config.Settings
        Gives the overfit thresholds drawn on the loss curves, and the size limit of
        every text (``limits.output_bytes``): the reports show :func:`shown` of ``result``.

    Returns
    -------
    dict of str to Path
        ``"results"``, ``"markdown"``, ``"html"`` and one ``"loss_<item>"`` per curve.

    Raises
    ------
    OSError
        When ``out_dir`` is not writable.
    """
    out_dir = Path(out_dir)
    result = shown(result, settings.limits.output_bytes)
    written, curves, curve_files = {}, {}, {}
    for item in result.items:
        if item.loss_history:
            curves[item.name] = plots.loss_curve(
                item.loss_history, overfit_threshold(settings, item.name),
                f"{item.name}: final loss {item.loss_history[-1]:.4g}")
            curve_files[item.name] = f"loss_{item.name}.png"
            written[f"loss_{item.name}"] = atomic_write(out_dir / curve_files[item.name],
                                                        curves[item.name])
    written["markdown"] = atomic_write(out_dir / markdown.FILE_NAME,
                                       markdown.render(result, curve_files))
    written["html"] = atomic_write(out_dir / html.FILE_NAME, html.render(result, curves))
    written["results"] = results_json.write(result, out_dir)
    return written


def overfit_threshold(settings, item_name):
    """The loss an overfit item must get below (``overfit_rnn`` -> ``rnn_threshold``), or None."""
    cell = item_name.removeprefix("overfit_")
    return getattr(settings.overfit, f"{cell}_threshold", None)
