"""``summary.html``: what a class got wrong, as one self-contained page.

The score histogram, each item's mean and share of full marks (and the
written questions' means, when scores given by hand were merged), the known
mistakes named most often (from the hints of every result, described as the
catalogue describes them for staff), the submissions that could not be graded
and why, and the slowest gradings. Like report.html: every text escaped, the
histogram embedded, no script, a policy that loads nothing.
"""

import base64
import statistics
from collections import Counter
from html import escape

from ..items import mistakes
from .explain import points
from .html import page_head

FILE_NAME = "summary.html"
SLOWEST_SHOWN = 5
MISTAKES_SHOWN = 10
STYLE = """
body { font-family: sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
table { border-collapse: collapse; margin-bottom: 1rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: left; }
td.number { text-align: right; }
.bar { display: inline-block; height: 0.8rem; background: #2ca02c; vertical-align: middle; }
.failed { border-left: 4px solid #c0392b; padding-left: 1rem; }
"""


def render(rows, item_points, histogram_png, written_points=None):
    """The class summary page.

    Parameters
    ----------
    rows : list of autograder.grade_all.Row
    item_points : dict of str to float
        Item name -> points, in table order.
    histogram_png : bytes
        The histogram of the graded submissions' totals.
    written_points : dict of str to float or None
        Written question -> points, when scores given by hand were merged.

    Returns
    -------
    str
    """
    graded = [row for row in rows if row.error is None]
    failed = [row for row in rows if row.error is not None]
    totals = [row.total for row in graded]
    maximum = sum(item_points.values()) + sum((written_points or {}).values())
    mean = f"mean {points(statistics.fmean(totals))} of {points(maximum)}" if totals else "none"
    encoded = base64.b64encode(histogram_png).decode("ascii")
    parts = [
        page_head("Class summary", STYLE),
        "<h1>Class summary</h1>",
        f"<p>{len(rows)} submissions, {len(graded)} graded ({mean}), {len(failed)} could not be "
        "graded.</p>",
        f'<img alt="histogram of total scores" src="data:image/png;base64,{encoded}">',
        _items_table(graded, item_points),
        _written_table(graded, written_points or {}),
        _mistakes_section(graded),
    ]
    if failed:
        parts += ['<section class="failed"><h2>Could not be graded</h2><ul>',
                  *(f"<li><strong>{escape(row.name)}</strong>: {escape(row.error)}</li>"
                    for row in failed), "</ul></section>"]
    parts += [_slowest_section(rows), "</body></html>"]
    return "\n".join(parts) + "\n"


def _items_table(graded, item_points):
    """Each item's points, mean and share of full marks, the share drawn as a bar."""
    lines = ["<h2>Items</h2>", "<table><tr><th>Item</th><th>Points</th><th>Mean</th>"
                               "<th>Full marks</th></tr>"]
    for item, maximum in item_points.items():
        scores = [row.scores.get(item, 0.0) for row in graded]
        mean = points(statistics.fmean(scores)) if scores else "-"
        share = sum(score >= maximum for score in scores) / len(scores) if scores else 0.0
        lines.append(f'<tr><td>{escape(item)}</td><td class="number">{points(maximum)}</td>'
                     f'<td class="number">{mean}</td><td><span class="bar" style="width: '
                     f'{share * 8:.2f}rem"></span> {share:.0%}</td></tr>')
    lines.append("</table>")
    return "\n".join(lines)


def _written_table(graded, written_points):
    """Each written question's points, how many were scored and their mean; empty without any."""
    if not written_points:
        return ""
    lines = ["<h2>Written questions</h2>", "<table><tr><th>Question</th><th>Points</th>"
                                           "<th>Scored</th><th>Mean</th></tr>"]
    for question, maximum in written_points.items():
        scores = [row.written[question] for row in graded if question in row.written]
        mean = points(statistics.fmean(scores)) if scores else "-"
        lines.append(f'<tr><td>{escape(question)}</td><td class="number">{points(maximum)}</td>'
                     f'<td class="number">{len(scores)}</td><td class="number">{mean}</td></tr>')
    lines.append("</table>")
    return "\n".join(lines)


def _mistakes_section(graded):
    """The known mistakes named most often, with the number of submissions naming each."""
    counts = Counter(hint for row in graded for hint in row.hints)
    if not counts:
        return "<h2>Known mistakes</h2><p>No known mistake was named.</p>"
    catalogue = {mistake.name: mistake for mistake in mistakes.MISTAKES}
    lines = ["<h2>Known mistakes named most often</h2>", "<table><tr><th>Submissions</th>"
                                                         "<th>Mistake</th><th>Item</th></tr>"]
    for name, count in counts.most_common(MISTAKES_SHOWN):
        known = catalogue[name]
        what, item = known.description, known.item
        lines.append(f'<tr><td class="number">{count}</td><td>{escape(what)}</td>'
                     f"<td>{escape(item)}</td></tr>")
    lines.append("</table>")
    return "\n".join(lines)


def _slowest_section(rows):
    """The slowest gradings, slowest first."""
    slowest = sorted(rows, key=lambda row: row.seconds, reverse=True)[:SLOWEST_SHOWN]
    lines = ["<h2>Slowest submissions</h2>", "<table><tr><th>Submission</th><th>Seconds</th>"
                                             "</tr>"]
    lines += [f'<tr><td>{escape(row.name)}</td><td class="number">{row.seconds:.1f}</td></tr>'
              for row in slowest]
    lines.append("</table>")
    return "\n".join(lines)
