"""Class-level reports of grade-all: ``gradebook.csv``, ``summary.md``, ``histogram.png`` and
``summary.html`` (:mod:`.summary_html`).

Each row is one submission (see :class:`autograder.grade_all.Row`): its name,
its per-item scores, the scores of the written questions given by hand (when
grade-all had a manual-scores CSV), its problems, the isolation its code ran in,
and the error when it could not be graded.
"""

import csv
import io
import statistics
from pathlib import Path

from . import plots, summary_html
from .explain import points
from .files import atomic_write
from .markdown import escape

GRADEBOOK = "gradebook.csv"
SUMMARY = "summary.md"
HISTOGRAM = "histogram.png"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def write_class_reports(rows, out_dir, settings, written_points=None):
    """Write the gradebook, the summaries (Markdown and HTML) and the histogram of a class.

    Parameters
    ----------
    rows : list of autograder.grade_all.Row
    out_dir : path-like
        Existing, writable folder.
    settings : autograder.config.Settings
        Its ``points`` name the item columns and give the maximum scores.
    written_points : dict of str to float or None
        Written question -> points, in column order, when scores given by hand
        are merged; None: no written-question columns.

    Returns
    -------
    str
        The summary's Markdown.
    """
    out_dir = Path(out_dir)
    written_points = written_points or {}
    atomic_write(out_dir / GRADEBOOK, gradebook_csv(rows, settings.points, written_points))
    text = summary_markdown(rows, settings.points, written_points)
    atomic_write(out_dir / SUMMARY, text)
    graded = [row.total for row in rows if row.error is None]
    histogram = plots.histogram(graded, sum(settings.points.values())
                                + sum(written_points.values()),
                                f"Total scores of {len(graded)} submissions")
    atomic_write(out_dir / HISTOGRAM, histogram)
    atomic_write(out_dir / summary_html.FILE_NAME,
                 summary_html.render(rows, settings.points, histogram, written_points))
    return text


def _cell(text):
    """A text cell that spreadsheets will not evaluate as a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def gradebook_csv(rows, item_points, written_points=None):
    """The gradebook: one row per submission, one column per item and written question, then
    the total.

    Parameters
    ----------
    rows : list of autograder.grade_all.Row
    item_points : dict of str to float
        Item name -> points, in column order.
    written_points : dict of str to float or None
        Written question -> points, in column order; None: no such columns.

    Returns
    -------
    str
        CSV text; a submission that could not be graded has empty score cells
        and its reason in the ``error`` column; a written question not scored
        yet has an empty cell; ``isolation`` says how each submission's code was
        confined (``none ...`` deserves a look).
    """
    written_points = written_points or {}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["submission", *item_points, *written_points, "total", "problems",
                     "isolation", "error"])
    for row in rows:
        graded = row.error is None
        scores = [points(row.scores.get(item, 0.0)) if graded else "" for item in item_points]
        scores += [points(row.written[question]) if graded and question in row.written else ""
                   for question in written_points]
        writer.writerow([_cell(row.name), *scores, points(row.total) if graded else "",
                         _cell(" | ".join(row.problems)), _cell(row.isolation),
                         _cell(row.error or "")])
    return buffer.getvalue()


def summary_markdown(rows, item_points, written_points=None):
    """Count, mean, median, min and max of the totals, and each item's mean, in Markdown.

    Parameters
    ----------
    rows : list of autograder.grade_all.Row
    item_points : dict of str to float
    written_points : dict of str to float or None
        Written question -> points; their means are over the students scored.

    Returns
    -------
    str
    """
    written_points = written_points or {}
    graded = [row for row in rows if row.error is None]
    failed = [row for row in rows if row.error is not None]
    totals = [row.total for row in graded]
    maximum_total = sum(item_points.values()) + sum(written_points.values())
    lines = ["# Class summary", "",
             f"{len(rows)} submissions, {len(graded)} graded, {len(failed)} could not be graded.",
             "", f"| Total (of {points(maximum_total)}) | Count | Mean | Median | "
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
    if written_points:
        lines += ["", "| Written question | Points | Scored | Mean | Full marks |",
                  "|---|---:|---:|---:|---:|"]
    for question, maximum in written_points.items():
        scores = [row.written[question] for row in graded if question in row.written]
        mean = points(statistics.fmean(scores)) if scores else "-"
        full = sum(score >= maximum for score in scores)
        lines.append(f"| {question} | {points(maximum)} | {len(scores)} | {mean} | {full} |")
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
