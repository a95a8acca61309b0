"""Build ``docs/mistakes.md``: the known mistakes the grader names, from the catalogue.

One section per family module of ``autograder/items/mistakes/``, in catalogue
order; each mistake with its ``description`` (what the mutated reference does),
the items it costs points in and its catalogue name (the name results.json's
``extra_data`` and grade-all use). Like the hints, only mistakes of the items
grading.toml grades are listed, so the classic variant's list never names the
``use_tanh`` flag.
"""

import re

from .. import config, paths
from ..items import mistakes

OUTPUT = "docs/mistakes.md"
# The characters of the catalogue's own (trusted) text that would change a table cell's
# meaning: emphasis (a**2), a cell border, a tag, a code span, an escape.
_MARKUP = re.compile(r"([\\*|<`])")
HEADER = """\
# The mistakes the grader names

Generated from the catalogue in `autograder/items/mistakes/` by
`python -m autograder build mistake_list`: edit the catalogue, not this file.
How the grader names them: [docs/assignment.md](assignment.md), section 4.
"""


def render(graded):
    """The Markdown list of the known mistakes of the graded items.

    Parameters
    ----------
    graded : tuple of str
        The items grading.toml grades (``settings.items``).

    Returns
    -------
    str
    """
    sections = [HEADER]
    for family in mistakes.FAMILIES:
        rows = [_row(mistake, graded) for mistake in family.MISTAKES if mistake.item in graded]
        if rows:
            sections.append(f"## {family.TITLE}\n\n| Mistake | Costs points in | Name |\n"
                            "| --- | --- | --- |\n" + "".join(rows))
    return "\n".join(sections)


def _row(mistake, graded):
    """One table row: description, the graded items it costs, catalogue name."""
    items = ", ".join(f"`{item}`" for item in (mistake.item, *mistake.also) if item in graded)
    description = _MARKUP.sub(r"\\\1", mistake.description)
    return f"| {description} | {items} | `{mistake.name}` |\n"


def expected_files(root=paths.REPO_ROOT):
    """``{"docs/mistakes.md": text}`` for the settings of ``root``'s grading.toml.

    Raises
    ------
    autograder.config.ConfigError
    """
    settings = config.load(root / paths.GRADING_TOML.name)
    return {OUTPUT: render(settings.items)}


def generated_files(root=paths.REPO_ROOT):
    """``{"docs/mistakes.md"}`` when it exists under ``root``."""
    return {OUTPUT} if (root / OUTPUT).is_file() else set()
