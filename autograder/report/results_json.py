"""``results.json`` in Gradescope's autograder format.

Top level: ``score``, ``execution_time`` (whole seconds), ``output`` (the
summary paragraph), ``visibility``, ``stdout_visibility`` and
``extra_data`` (the submission's path, its seed as a string since it may exceed
2**53, the digest of its files, the isolation student code ran in and the problems,
read back by grade-all; Gradescope shows ``extra_data`` to no student); one test per
graded item, named after the item, whose ``extra_data`` holds the item's wall-clock
``seconds`` and the catalogue names of the known mistakes its failed checks hint at
(``mistakes``), read by grade-all. Every ``output`` is Markdown that student text cannot turn into markup
(``report/markdown.py``), with ``output_format`` ``md`` so that Gradescope renders it.
"""

import json
import math

from . import explain, markdown
from .files import atomic_write

FILE_NAME = "results.json"
VISIBILITY = "visible"
OUTPUT_FORMAT = "md"


def results(result):
    """The results.json document of one grading.

    Parameters
    ----------
    result : autograder.results.GradeResult

    Returns
    -------
    dict
        JSON-serialisable.
    """
    return {
        "score": round(result.score, 4),
        "execution_time": math.ceil(result.seconds),
        "output": markdown.escape(explain.summary(result)),
        "output_format": OUTPUT_FORMAT,
        "visibility": VISIBILITY,
        "stdout_visibility": "hidden",
        "extra_data": {
            "submission": result.submission,
            "seed": str(result.seed),
            "digest": result.digest,
            "isolation": result.isolation,
            "problems": list(result.problems),
        },
        "tests": [_test(item) for item in result.items],
    }


def _test(item):
    """One Gradescope test: an item's score and the explanation of every lost point."""
    return {
        "name": item.name,
        "score": round(item.score, 4),
        "max_score": item.max_score,
        "status": explain.verdict(item),
        "output": markdown.item_output(item),
        "output_format": OUTPUT_FORMAT,
        "visibility": VISIBILITY,
        "extra_data": {"seconds": round(item.seconds, 3), "mistakes": explain.named_mistakes(item)},
    }


def write(result, out_dir):
    """Write ``out_dir/results.json`` atomically.

    Returns
    -------
    Path
    """
    text = json.dumps(results(result), indent=2, allow_nan=False)
    return atomic_write(out_dir / FILE_NAME, text + "\n")
