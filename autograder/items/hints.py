"""Naming the known mistake a student's wrong output matches.

For one case, :class:`HintFinder` runs the mutated references of the
catalogue (``autograder.items.mistakes``) on the same inputs, lazily and at most
once each. :func:`best_hint` then picks, for a failed check, the mistake
whose mutant reproduces the student's wrong values without contradicting
anything the student got right elsewhere in the item.
"""

import warnings

import numpy as np

from . import compare, mistakes, mutants
from .local import LocalRunner
from .student import OutputError, Raised


class HintFinder:
    """Runs the mutants of known mistakes on one case, to tell which the student's outputs match.

    Mutants run lazily, each at most once per case.

    Parameters
    ----------
    item : str
    case : autograder.items.engine.Case
    student : dict or Raised
    reference : dict
    tolerance : autograder.config.Tolerance
    passed : set of str
        Names of the outputs the student got right.
    """

    def __init__(self, item, case, student, reference, tolerance, passed):
        self.item, self.case, self.student = item, case, student
        self.reference, self.tolerance, self.passed = reference, tolerance, passed
        self._results = {}

    def _mutant(self, mistake):
        """The mutant's outputs on this case, or how it stopped (a :class:`Raised`)."""
        if mistake.name not in self._results:
            try:
                runner = LocalRunner(mutants.package(mistake))
            except mistakes.PatchError as error:  # stale catalogue: the tests report it
                self._results[mistake.name] = Raised("stale patch", str(error))
                return self._results[mistake.name]
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    self._results[mistake.name] = self.case.program(runner, **self.case.inputs)
                except OutputError as error:
                    self._results[mistake.name] = Raised("bad_output", str(error))
                except Exception as error:  # a mutant may crash on these inputs, like a student
                    self._results[mistake.name] = Raised(type(error).__name__, str(error))
        return self._results[mistake.name]

    def _agree(self, output, actual, other):
        return compare.agree(output.kind, actual, other, self.tolerance, self.case.end)

    def score(self, mistake, output):
        """How many outputs of the case the mutant reproduces; None if it cannot explain ``output``.

        The mutant explains a missed output when it changes it (differs from
        the reference) and reproduces the student's value. A student's
        exception is explained only by a mistake of this item whose mutant
        raises the same type of exception.

        Parameters
        ----------
        mistake : autograder.items.mistakes.Mistake
        output : autograder.items.engine.Output
            An output the student missed.

        Returns
        -------
        int or None
        """
        if isinstance(self.student, Raised) and self.item not in (mistake.item, *mistake.also):
            return None
        mutant = self._mutant(mistake)
        if isinstance(self.student, Raised) or isinstance(mutant, Raised):
            same = isinstance(mutant, Raised) and isinstance(self.student, Raised) \
                and mutant.kind == self.student.kind
            return len(self.case.outputs) if same else None
        name = output.name
        if self._agree(output, mutant[name], self.reference[name]) or \
                not self._agree(output, self.student.get(name), mutant[name]):
            return None
        return sum(self._agree(other, self.student.get(other.name), mutant[other.name])
                   for other in self.case.outputs)

    def contradicts(self, mistake):
        """Whether the mutant would fail an output of this case that the student passed.

        Parameters
        ----------
        mistake : autograder.items.mistakes.Mistake

        Returns
        -------
        bool
        """
        passed = [output for output in self.case.outputs if output.name in self.passed]
        if not passed:
            return False
        mutant = self._mutant(mistake)
        return isinstance(mutant, Raised) or not all(
            self._agree(output, mutant[output.name], self.reference[output.name])
            for output in passed)


def best_hint(item, finder, failed, finders, graded):
    """The hint of the known mistake that best explains a failed check, or None.

    A mistake explains a failed output when its mutant reproduces the
    student's value there (:meth:`HintFinder.score`); it is ruled out when its
    mutant would have failed an output that the student passed, in any case
    of the item (:meth:`HintFinder.contradicts`). Among the rest, the one
    reproducing most outputs of the case wins; ties go to mistakes of this
    item, then catalogue order. Mistakes of an item that is not graded (the
    sigmoid variant's, when grading.toml turns it off) are never named.

    Parameters
    ----------
    item : str
    finder : HintFinder
        Of the case the check belongs to.
    failed : list of autograder.items.engine.Output
        The check's failed outputs.
    finders : list of HintFinder
        Of every case of the item.
    graded : tuple of str
        The items grading.toml grades (``settings.items``).

    Returns
    -------
    str or None
    """
    best, best_key = None, None
    known = [mistake for mistake in mistakes.ordered_for(item) if mistake.item in graded]
    for rank, mistake in enumerate(known):
        scores = [score for score in (finder.score(mistake, output) for output in failed)
                  if score is not None]
        if not scores or any(other.contradicts(mistake) for other in finders):
            continue
        key = (max(scores), -rank)
        if best_key is None or key > best_key:
            best, best_key = mistake, key
    return best.hint if best else None
