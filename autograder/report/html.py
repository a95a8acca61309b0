"""``report.html``: the grading report as one self-contained page.

Every text is HTML-escaped; images are embedded as base64 data URIs; the page
carries no script and a Content-Security-Policy that forbids loading anything.
"""

import base64
from html import escape

from . import explain

FILE_NAME = "report.html"
POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
STYLE = """
body { font-family: sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; }
td.number { text-align: right; }
tr.failed td { background: #fdecea; }
pre { background: #f4f4f4; padding: 0.6rem; overflow-x: auto; white-space: pre-wrap; }
.problems { border-left: 4px solid #c0392b; padding-left: 1rem; }
dt { font-weight: bold; float: left; clear: left; width: 7rem; }
dd { margin-left: 8rem; }
"""


def page_head(title, style):
    """A self-contained page's opening, up to ``<body>``: its policy, title and style.

    Parameters
    ----------
    title : str
        Escaped here.
    style : str
        The page's CSS.

    Returns
    -------
    str
    """
    return "\n".join(["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
                      f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">',
                      f"<title>{escape(title)}</title>",
                      f"<style>{style}</style></head><body>"])


def render(result, curves):
    """The HTML report of one grading.

    Parameters
    ----------
    result : autograder.results.GradeResult
    curves : dict of str to bytes
        Item name -> PNG of its loss curve.

    Returns
    -------
    str
    """
    parts = [
        page_head(f"Grading report: {explain.submission_name(result)}", STYLE),
        "<h1>Grading report</h1>",
        "<dl>" + "".join(f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>"
                         for label, value in explain.facts(result)) + "</dl>",
    ]
    if result.problems:
        parts += ['<section class="problems"><h2>Problems with the submission</h2><ul>',
                  *(f"<li>{escape(problem)}</li>" for problem in result.problems),
                  "</ul></section>"]
    parts += ["<h2>Items</h2>", "<table><tr><th>Item</th><th>Score</th><th>Max</th>"
                                "<th>Status</th><th>Time</th></tr>"]
    parts += [f'<tr class="{explain.verdict(item)}"><td><a href="#{escape(item.name)}">'
              f"{escape(item.name)}</a></td><td class=\"number\">{explain.points(item.score)}"
              f'</td><td class="number">{explain.points(item.max_score)}</td>'
              f"<td>{explain.state(item)}</td>"
              f'<td class="number">{explain.duration(item.seconds)}</td></tr>'
              for item in result.items]
    parts.append("</table>")
    shown = [item for item in result.items if explain.detailed(item, item.name in curves)]
    if shown:
        parts.append("<h2>Details</h2>")
    parts += [_item_section(item, curves.get(item.name)) for item in shown]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _item_section(item, curve):
    """The section of one item: its notes, then its loss curve when it has one."""
    parts = [f'<section id="{escape(item.name)}"><h3>{escape(item.name)}: '
             f"{explain.points(item.score)} / {explain.points(item.max_score)}</h3>"]
    for note in explain.lost_points(item):
        if note.verbatim:
            parts.append(f"<p><strong>{escape(note.label)}:</strong></p>"
                         f"<pre>{escape(note.text)}</pre>")
        else:
            parts.append(f"<p><strong>{escape(note.label)}:</strong> {escape(note.text)}</p>")
    if curve is not None:
        encoded = base64.b64encode(curve).decode("ascii")
        parts.append(f'<img alt="loss curve of {escape(item.name)}" '
                     f'src="data:image/png;base64,{encoded}">')
    parts.append("</section>")
    return "\n".join(parts)
