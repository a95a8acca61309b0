"""The grading result as the reports show it: every text inert and of bounded size.

The writers (JSON, Markdown, HTML) render :func:`shown` of a result, never the
result itself, so none of them can copy a terminal escape or megabytes of a
submission's text into a report. Each text is cut to ``limits.output_bytes``;
an item's explanation as a whole gets ``ITEM_BUDGET`` such texts, after which
its further check details are replaced by a note saying so.
"""

import dataclasses

from ..text import inert, truncated

ITEM_BUDGET = 4
OVER_BUDGET = "[not shown: this item's explanation reached the report's size limit]"


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
        used += len(text.encode("utf-8", errors="surrogatepass"))
        if used > limit and kept:
            kept.append(f"[... {len(problems) - len(kept)} more problems not shown]")
            break
        kept.append(text)
    return kept


def _item(item, limit):
    """An item with its error, output, traceback and check texts inert and bounded."""
    budget = ITEM_BUDGET * limit
    error = None if item.error is None else _text(item.error, limit)
    output, grader_traceback = _text(item.output, limit), _text(item.grader_traceback, limit)
    budget -= sum(len(text or "") for text in (error, output, grader_traceback))
    checks = []
    for check in item.checks:
        detail = _text(check.detail, limit) if budget > 0 else OVER_BUDGET
        hint = None if check.hint is None else _text(check.hint, limit)
        budget -= len(detail) + len(hint or "")
        checks.append(dataclasses.replace(check, name=_text(check.name, limit), detail=detail,
                                          hint=hint))
    return dataclasses.replace(item, error=error, output=output,
                               grader_traceback=grader_traceback, checks=checks)
