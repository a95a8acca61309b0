"""Cases, checks and hints: the machinery every item grader shares.

A :class:`Case` is a program (a function of a runner and some inputs that
returns named outputs) plus the inputs and the outputs to grade. The same
program runs three ways: on the student's package through the sandbox runner
(``student.py``), on the reference in this process (the expected outputs, and
the time the work takes, from which the student's time limit follows), and on
mutated references (known mistakes) when the student's output misses, to name
the mistake it matches (``hints.py``).
"""

import time
from dataclasses import dataclass
from typing import Callable

from ..results import Check
from . import compare
from .hints import HintFinder, best_hint
from .local import LocalRunner
from .student import Missing, Raised, StudentRunner, run_student

REFERENCE = LocalRunner("solutions")


@dataclass(frozen=True)
class Output:
    """One graded output of a case.

    Attributes
    ----------
    name : str
        Key in the program's result and name in messages, e.g. ``"dWh"``.
    shape : tuple of str
        Expected shape in size letters, e.g. ``("N", "4H")``; ``()`` for a scalar.
    weight : float
        Weight of its check (ignored when the case is graded as one check).
    kind : {'values', 'captions', 'layout'}
        How it is compared (see :func:`autograder.items.compare.compare`): floating-point values,
        greedy captions up to ``<END>``, or only shape and dtype.
    """

    name: str
    shape: tuple = ()
    weight: float = 1.0
    kind: str = "values"


@dataclass
class Case:
    """Inputs and the program to run on them.

    Attributes
    ----------
    label : str
        Names the case in check names, e.g. ``"random inputs N=7 D=13 H=9"``.
    program : callable
        ``program(runner, **inputs) -> dict`` of outputs; uses only the runner API.
    inputs : dict
    outputs : tuple of Output
    sizes : dict of str to int
        The value of every size letter used in the outputs' shapes.
    expected : dict or None
        Published values to compare with instead of the reference's outputs
        (NaN marks entries that were not published).
    weight : float or None
        When given, the case is one check of this weight instead of one check per output.
    end : int or None
        Index of ``<END>`` for caption outputs.
    """

    label: str
    program: Callable
    inputs: dict
    outputs: tuple
    sizes: dict
    expected: dict | None = None
    weight: float | None = None
    end: int | None = None


@dataclass
class Run:
    """What running a case found.

    Attributes
    ----------
    student : dict or Raised
        The student's outputs (values may be :class:`Missing`), or how the program stopped.
    reference : dict
        The reference's outputs.
    checks : list of Check
    """

    student: object
    reference: dict
    checks: list


class ItemGrading:
    """Grading of one item: its context, generator, result and time limits.

    Parameters
    ----------
    ctx : autograder.items.Context
    item : str
    result : autograder.results.ItemResult
        Filled with checks as cases run.
    rng : numpy.random.Generator
        The item's seeded generator.
    """

    def __init__(self, ctx, item, result, rng):
        self.ctx, self.item, self.result, self.rng = ctx, item, result, rng
        self.settings = ctx.settings
        self.tolerance = ctx.settings.tolerance
        self._finders = []
        self._unexplained = []

    def timeout(self, reference_seconds):
        """Seconds the student's code gets for work the reference did in ``reference_seconds``."""
        limits = self.settings.limits
        return limits.time_multiple * reference_seconds + limits.time_allowance_seconds

    def student(self, reference_seconds):
        """The runner of the student's code, with the time limit for that much work."""
        return StudentRunner(self.ctx.runner, self.timeout(reference_seconds), reference_seconds,
                             self.ctx.file_notes)

    def run(self, case):
        """Run ``case`` on the reference and the student's code, add its checks.

        The checks get their hints in :meth:`finish`, once every case of the
        item has run.

        Parameters
        ----------
        case : Case

        Returns
        -------
        Run

        Raises
        ------
        ItemError
            When the student's code is not implemented, did not import, timed
            out or crashed.
        """
        start = time.perf_counter()
        reference = case.program(REFERENCE, **case.inputs)
        student = run_student(case.program, self.student(time.perf_counter() - start), case.inputs)
        expected = case.expected or reference
        outcomes = {output.name: self._outcome(case, output, student, expected)
                    for output in case.outputs}
        finder = HintFinder(self.item, case, student, reference, self.tolerance,
                            {name for name, outcome in outcomes.items() if outcome.passed})
        self._finders.append(finder)
        groups = [list(case.outputs)] if case.weight is not None else \
            [[output] for output in case.outputs]
        checks = []
        for outputs in groups:
            failed = [output for output in outputs if not outcomes[output.name].passed]
            name = case.label if case.weight is not None else f"{case.label}: {outputs[0].name}"
            weight = case.weight if case.weight is not None else outputs[0].weight
            detail = "; ".join(_unique(outcomes[output.name].detail for output in outputs))
            if case.weight is None:  # the check's name already ends with the output's name
                detail = detail.removeprefix(f"{outputs[0].name}: ")
            if checks and isinstance(student, Raised):  # the traceback once is enough
                detail = detail.splitlines()[0]
            checks.append(Check(name, not failed, weight, detail))
            if failed:
                self._unexplained.append((checks[-1], finder, failed))
        self.result.checks.extend(checks)
        return Run(student, reference, checks)

    def finish(self):
        """Give every failed check the hint of the known mistake that best explains it.

        Called once all cases of the item have run, since a mistake that
        contradicts a passed check anywhere in the item is ruled out (see
        :func:`autograder.items.hints.best_hint`).
        """
        for check, finder, failed in self._unexplained:
            check.hint = best_hint(self.item, finder, failed, self._finders,
                                   self.settings.items)

    def _outcome(self, case, output, student, expected):
        """Compare one output of the student's with its expected value."""
        if isinstance(student, Raised):
            return compare.Outcome(False, student.message)
        actual = student.get(output.name)
        if isinstance(actual, Missing):
            return compare.Outcome(False, actual.message)
        return compare.compare(output.kind, output.name, actual, expected[output.name],
                               output.shape, case.sizes, self.tolerance, case.end)


def _unique(texts):
    """``texts`` without repeats, in order."""
    return list(dict.fromkeys(texts))


