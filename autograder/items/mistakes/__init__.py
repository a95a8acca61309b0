"""Mistakes students really make, as small mutations of the reference solution.

Each :class:`Mistake` is a source patch of ``solutions/rnn_layers.py`` or
``solutions/classifiers/rnn.py`` (an exact text replacement inside a named
function, :mod:`.patches`) with the item it must cost points in and a hint in
the voice of a TA. When a student's output misses, the item graders run the
mutated references on the same inputs (``autograder.items.mutants``) and show
the hint of the one the output matches (``autograder.items.hints``). The
project's mutation tests grade every mutant and require the point loss and the
hint.

The catalogue has one module per family of functions (its ``TITLE`` heads its
section of ``docs/mistakes.md``); :data:`MISTAKES` lists them in the order of
:data:`FAMILIES`, which breaks ties between equally good hints.
"""

from ... import config
from . import embedding, lstm_sequence, lstm_step, model_loss, rnn_sequence, rnn_step, sample
from .mistake import Mistake
from .patches import STUDENT_FILES, Patch, PatchError, mutated_sources, reference_sources

__all__ = ["MISTAKES", "STUDENT_FILES", "Mistake", "Patch", "PatchError", "mutated_sources",
           "ordered_for", "reference_sources"]

FAMILIES = (rnn_step, rnn_sequence, embedding, lstm_step, lstm_sequence, model_loss, sample)
MISTAKES = [mistake for family in FAMILIES for mistake in family.MISTAKES]


def ordered_for(item):
    """The catalogue with the mistakes of ``item`` first, then those that also cost it points.

    Parameters
    ----------
    item : str

    Returns
    -------
    list of Mistake
    """
    def rank(mistake):
        return 0 if mistake.item == item else 1 if item in mistake.also else 2
    return sorted(MISTAKES, key=rank)


def _validate(catalogue):
    """Unique names and known items; run at import so a typo cannot hide."""
    names = [mistake.name for mistake in catalogue]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    unknown = [(mistake.name, item) for mistake in catalogue
               for item in (mistake.item, *mistake.also) if item not in config.ITEMS]
    if duplicates or unknown:
        raise ValueError(f"mistake catalogue: duplicate names {duplicates}, "
                         f"unknown items {unknown}")


_validate(MISTAKES)
