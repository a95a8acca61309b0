"""Parse a notebook section (``notebooks/source/sections/*.md``) into cell items.

A section is Markdown in which a few lines have a meaning of their own:

- ``+++`` ends a Markdown cell;
- ```` ```{code-cell} ```` opens a code cell and a line holding only ```` ``` ```` closes it;
- ``{check} NAME`` stands for the public check ``checks/NAME.py``;
- ``{question} NAME POINTS`` opens a manually graded question whose prompt runs
  up to the line ``{end question}``;
- ``{support}`` stands for a code cell holding ``support.py``;
- the lines between ``{sigmoid variant}`` and ``{end sigmoid variant}`` exist only
  with grading.toml's ``sigmoid_variant``: without it they are left out, with it
  only the two marker lines are.

Every other line belongs to the Markdown cell around it.
"""

import re
from dataclasses import dataclass

BREAK = "+++"
CODE_OPEN = "```{code-cell}"
CODE_CLOSE = "```"
CHECK = re.compile(r"\{check\}\s+(?P<name>\w+)")
QUESTION = re.compile(r"\{question\}\s+(?P<name>\w+)\s+(?P<points>\d+(\.\d+)?)")
QUESTION_END = "{end question}"
SUPPORT = "{support}"
VARIANT = "{sigmoid variant}"
VARIANT_END = "{end sigmoid variant}"


class SectionError(ValueError):
    """A section that cannot be parsed; the message names the file and line."""


@dataclass(frozen=True)
class Markdown:
    """A Markdown cell."""

    text: str


@dataclass(frozen=True)
class Code:
    """A code cell."""

    text: str


@dataclass(frozen=True)
class Check:
    """The cells of the public check in ``checks/<source>.py``."""

    source: str


@dataclass(frozen=True)
class Question:
    """A manually graded written question: its name, its points and its prompt (Markdown)."""

    name: str
    points: str
    prompt: str


@dataclass(frozen=True)
class Support:
    """A code cell holding ``support.py``."""


def parse(text, filename, sigmoid_variant=True):
    """Split a section's text into cell items, in order.

    Parameters
    ----------
    text : str
        The section, with its template variables already filled in.
    filename : str
        Used in messages.
    sigmoid_variant : bool
        Whether the lines of ``{sigmoid variant}`` blocks are kept.

    Returns
    -------
    list of Markdown, Code, Check, Question or Support

    Raises
    ------
    SectionError
        For a code cell, question or variant block that is not closed, or a stray
        closing line.
    """
    items, markdown = [], []
    lines = iter(_variant_lines(text, sigmoid_variant, filename))
    for number, line in lines:
        stripped = line.strip()
        directive = _directive(stripped, lines, filename, number)
        if directive is None and stripped != BREAK:
            if stripped == QUESTION_END:
                raise SectionError(f"{filename}:{number}: {QUESTION_END} without {{question}}")
            markdown.append(line)
            continue
        _flush(markdown, items)
        if directive is not None:
            items.append(directive)
    _flush(markdown, items)
    return items


def _variant_lines(text, sigmoid_variant, filename):
    """``(number, line)`` of every line of ``text`` that the variant setting keeps."""
    kept, opened = [], None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped == VARIANT:
            if opened is not None:
                raise SectionError(f"{filename}:{number}: {VARIANT} inside another one")
            opened = number
        elif stripped == VARIANT_END:
            if opened is None:
                raise SectionError(f"{filename}:{number}: {VARIANT_END} without {VARIANT}")
            opened = None
        elif opened is None or sigmoid_variant:
            kept.append((number, line))
    if opened is not None:
        raise SectionError(f"{filename}:{opened}: {VARIANT} not closed by {VARIANT_END!r}")
    return kept


def _directive(stripped, lines, filename, number):
    """The item that a directive line opens (consuming its body from ``lines``), or None."""
    if stripped == SUPPORT:
        return Support()
    check = CHECK.fullmatch(stripped)
    if check:
        return Check(check["name"])
    if stripped == CODE_OPEN:
        return Code(_block(lines, CODE_CLOSE, filename, number, "code cell").strip("\n"))
    question = QUESTION.fullmatch(stripped)
    if question:
        prompt = _block(lines, QUESTION_END, filename, number, "question")
        return Question(question["name"], question["points"], prompt.strip("\n"))
    return None


def _block(lines, closing, filename, number, what):
    """The lines up to (not including) the next line equal to ``closing``, joined."""
    body = []
    for _, line in lines:
        if line.strip() == closing:
            return "\n".join(body)
        body.append(line)
    raise SectionError(f"{filename}:{number}: {what} not closed by {closing!r}")


def _flush(markdown, items):
    """Turn the pending Markdown lines into a cell (unless blank) and clear them."""
    text = "\n".join(markdown).strip("\n")
    if text.strip():
        items.append(Markdown(text))
    markdown.clear()
