"""Class-level reports of grade-all: ``gradebook.csv``, ``summary.md`` and ``histogram.png``.

Each row is one submission (see :class:`autograder.grade_all.Row`): its name,
its per-item scores, its problems, the isolation its code ran in, and the error
when it could not be graded.
"""

import csv
import io
import statistics
from pathlib import Path

from . import plots
from .explain import points
from .files import atomic_write
from .markdown import escape

GRADEBOOK = "gradebook.csv"
SUMMARY = "summary.md"
HISTOGRAM = "histogram.png"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def write_class_reports(rows, out_dir, settings):
    """Write the gradebook, the summary and the histogram of a class.

    Parameters
    ----------
    rows : list of autograder.grade_all.Row
    out_dir : path-like
        Existing, writable folder.
    settings : autograder.config.Settings
        Its ``points`` name the item columns and give the maximum scores.

    Returns
    -------
    str
        The summary's Markdown.
    """
    out_dir = Path(out_dir)
    atomic_write(out_dir / GRADEBOOK, gradebook_csv(rows, settings.points))
    text = summary_markdown(rows, settings.points)
    atomic_write(out_dir / SUMMARY, text)
    graded = [row.total for row in rows if row.error is None]
    atomic_write(out_dir / HISTOGRAM, plots.histogram(
        graded, sum(settings.points.values()), f"Total scores of {len(graded)} submissions"))
    return text


def _cell(text):
    """A text cell that spreadsheets will not evaluate as a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def gradebook_csv(rows, item_points):
    """The gradebook: one row per submission, one column per item, then the total.

    Parameters
    ----------
    rows : list of autograder.grade_all.Row
    item_points : dict of str to float
        Item name -> points, in column order.

    Returns
    -------
    str
        CSV text; a submission that could not be graded has empty score cells
        and its reason in the ``error`` column; ``isolation`` says how each
        submission's code was confined (``none ...`` deserves a look).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["submission", *item_points, "total", "problems", "isolation", "error"])
    for row in rows:
        graded = row.error is None
        scores = [points(row.scores.get(item, 0.0)) if graded else "" for item in item_points]
        writer.writerow([_cell(row.name), *scores, points(row.total) if graded else "",
                         _cell(" | ".join(row.problems)), _cell(row.isolation),
                         _cell(row.error or "")])
    return buffer.getvalue()


def summary_markdown(rows, item_points):
    """Count, mean, median, min and max of the totals, and each item's mean, in Markdown.

    Parameters
    ----------
    rows : list of autograder.grade_all.Row
    item_points : dict of str to float

    Returns
    -------
    str
    """
    graded = [row for row in rows if row.error is None]
    failed = [row for row in rows if row.error is not None]
    totals = [row.total for row in graded]
    lines = ["# Class summary", "",
             f"{len(rows)} submissions, {len(graded)} graded, {len(failed)} could not be graded.",
             "", f"| Total (of {points(sum(item_points.values()))}) | Count | Mean | Median | "
                 "Min | Max |", "|---|---:|---:|---:|---:|---:|"]
    if totals:
        lines.append(f"| all graded | {len(totals)} | {points(statistics.fmean(totals))} | "
                     f"{points(statistics.median(totals))} | {points(min(totals))} | "
                     f"{points(max(totals))} |")
    lines += ["", "| Item | Points | Mean | Full marks |", "|---|---:|---:|---:|"]
    for item, maximum in item_points.items():
        scores = [row.scores.get(item, 0.0) for row in graded]
        mean = points(statistics.fmean(scores)) if scores else "-"
        full = sum(score >= maximum for score in scores)
        lines.append(f"| {item} | {points(maximum)} | {mean} | {full} |")
    if failed:
        lines += ["", "## Could not be graded", ""]
        lines += [f"- {escape(row.name)}: {escape(row.error)}" for row in failed]
    with_problems = [row for row in rows if row.problems]
    if with_problems:
        lines += ["", "## Problems with submissions", ""]
        lines += [f"- {escape(row.name)}: {escape(' '.join(row.problems))}"
                  for row in with_problems]
    lines += ["", f"![histogram of total scores]({HISTOGRAM})"]
    return "\n".join(lines) + "\n"
