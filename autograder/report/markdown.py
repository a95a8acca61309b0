"""``report.md``: the grading report in Markdown, safe to render whatever the student printed.

Student-controlled text (paths, error messages, printed output) is either put
in a fenced block whose fence is longer than any backtick run inside it, or
escaped on one line: ``&`` and ``<`` as HTML entities, and with backslashes the
punctuation that can open inline markup (emphasis, code, links, images, tables)
or, at the start, a block (heading, list), and what GitHub-flavoured Markdown
turns into a link by itself (``scheme:``, ``www.``, ``user@host``); so it can
neither start markup, nor open a link or an image, nor inject HTML. Control
characters were already made visible (``report.shown``). Item names are the
grader's own identifiers and are written as they are.
"""

import re

from . import explain

FILE_NAME = "report.md"
_PUNCTUATION = re.compile(r"([\\`*_\[\]|~!:@])")
_WWW = re.compile(r"(?i)(www)\.")
_LEADING = re.compile(r"^(\d{0,9})([#+\-=>]|(?<=\d)[.)](?=\s|$))")
_BACKTICKS = re.compile(r"`+")


def escape(text):
    """``text`` as inert Markdown on one line, also where a line or a list item starts."""
    text = " ".join(str(text).split())
    text = _PUNCTUATION.sub(r"\\\1", text.replace("&", "&amp;").replace("<", "&lt;"))
    return _LEADING.sub(r"\1\\\2", _WWW.sub(r"\1\\.", text))


def block(text):
    """``text`` as a fenced code block that no content can close early."""
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text.rstrip()}\n{fence}"


def render(result, curve_files):
    """The Markdown report of one grading.

    Parameters
    ----------
    result : autograder.results.GradeResult
    curve_files : dict of str to str
        Item name -> file name of its loss-curve PNG, next to the report.

    Returns
    -------
    str
    """
    facts = [f"- **{label}:** {escape(value)}" for label, value in explain.facts(result)]
    blocks = ["# Grading report", "\n".join(facts)]
    if result.problems:
        blocks += ["## Problems with the submission",
                   "\n".join(f"- {escape(problem)}" for problem in result.problems)]
    blocks += ["## Items", "\n".join(
        ["| Item | Score | Max | Status | Time |", "|---|---:|---:|---|---:|"]
        + [f"| {item.name} | {explain.points(item.score)} | {explain.points(item.max_score)} | "
           f"{explain.state(item)} | {explain.duration(item.seconds)} |"
           for item in result.items])]
    shown = [item for item in result.items if explain.detailed(item, item.name in curve_files)]
    if shown:
        blocks.append("## Details")
    for item in shown:
        blocks.append(f"### {item.name}: {explain.points(item.score)} / "
                      f"{explain.points(item.max_score)}")
        blocks += notes(item)
        if item.name in curve_files:
            blocks.append(f"![loss curve of {item.name}]({curve_files[item.name]})")
    return "\n\n".join(blocks) + "\n"


def notes(item):
    """Markdown blocks saying why ``item`` lost points; empty when it earned them all."""
    blocks = []
    for note in explain.lost_points(item):
        if note.verbatim:
            blocks += [f"**{escape(note.label)}:**", block(note.text)]
        else:
            blocks.append(f"**{escape(note.label)}:** {escape(note.text)}")
    return blocks


def item_output(item):
    """One item's explanation as Markdown (its Gradescope test output).

    Returns
    -------
    str
        The blocks of :func:`notes`, or a line saying every check passed.
    """
    return "\n\n".join(notes(item)) or f"All {len(item.checks)} checks passed."
