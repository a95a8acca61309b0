"""The grading result as the reports show it: every text inert and of bounded size.

The writers (JSON, Markdown, HTML) render :func:`shown` of a result, never the
result itself, so none of them can copy a terminal escape or megabytes of a
submission's text into a report. Each text is cut to ``limits.output_bytes``;
the checks of an item together get ``ITEM_BUDGET`` such texts, after which
their further details are replaced by a note saying so (and their hints left out).
"""

import dataclasses

from ..text import inert, truncated

ITEM_BUDGET = 4
OVER_BUDGET = "[not shown: the explanation of this item reached the size limit of a report]"


def shown(result, limit):
    """A copy of ``result`` whose every text is inert and bounded.

    Parameters
    ----------
    result : autograder.results.GradeResult
    limit : int
        Bytes per text (``limits.output_bytes``).

    Returns
    -------
    autograder.results.GradeResult
        ``submission`` and each problem cut to ``limit`` (the problems together too),
        each item as :func:`_item` makes it; ``result`` itself is not changed.
    """
    return dataclasses.replace(
        result, submission=_text(result.submission, limit), isolation=inert(result.isolation),
        problems=_problems(result.problems, limit),
        items=[_item(item, limit) for item in result.items])


def _text(text, limit):
    return truncated(inert(text), limit)


def _problems(problems, limit):
    """The problems that fit in ``limit`` bytes together, and a count of the others."""
    kept, used = [], 0
    for problem in problems:
        text = _text(problem, limit)
        used += _size(text)
        if used > limit and kept:
            kept.append(f"[... {len(problems) - len(kept)} more problems not shown]")
            break
        kept.append(text)
    return kept


def _item(item, limit):
    """An item with its error, output, traceback and check texts inert and bounded."""
    error = None if item.error is None else _text(item.error, limit)
    output, grader_traceback = _text(item.output, limit), _text(item.grader_traceback, limit)
    budget = ITEM_BUDGET * limit
    checks = []
    for check in item.checks:
        detail, hint = OVER_BUDGET, None
        if budget > 0:
            detail = _text(check.detail, limit)
            hint = None if check.hint is None else _text(check.hint, limit)
            budget -= _size(detail) + _size(hint or "")
        checks.append(dataclasses.replace(check, name=_text(check.name, limit), detail=detail,
                                          hint=hint))
    return dataclasses.replace(item, error=error, output=output,
                               grader_traceback=grader_traceback, checks=checks)


def _size(text):
    return len(text.encode("utf-8", errors="surrogatepass"))
