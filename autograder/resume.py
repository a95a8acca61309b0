"""``grade-all --resume``: keep the results of submissions that have not changed since."""

import json

from . import submission
from .items.seeds import derive_seed
from .report import results_json


def unchanged(entries, out_dir, settings):
    """The submissions whose results in ``out_dir`` are still valid.

    A result is still valid when its ``results.json`` records the digest that the
    submission's files have now and the seed that grading.toml's seed gives them.

    Parameters
    ----------
    entries : dict of str to Path
        Name -> submission, as :func:`autograder.grade_all.submissions_in` gives them.
    out_dir : Path
        Holds ``<name>/results.json`` of an earlier run.
    settings : autograder.config.Settings

    Returns
    -------
    list of str
        The names of the submissions that need no new grading.
    """
    names = []
    for name, entry in entries.items():
        recorded = _recorded(out_dir / name / results_json.FILE_NAME)
        if recorded is None:
            continue
        digest = submission.locate(entry, settings.limits).digest
        if recorded == (digest, str(derive_seed(settings.seed, digest))):
            names.append(name)
    return names


def _recorded(path):
    """``(digest, seed)`` recorded in a results.json, or None when there is none to trust."""
    try:
        extra = json.loads(path.read_text(encoding="utf-8"))["extra_data"]
        return extra["digest"], extra["seed"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
