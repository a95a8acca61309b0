"""What grading found: checks, items and a whole submission's result.

Item graders produce these; the report writers only read them.
"""

import enum
from dataclasses import dataclass, field


class Status(enum.Enum):
    """How far the grading of an item got.

    Only a ``GRADED`` item earns points (its checks' passed share); every other
    status scores nothing, for the reason in the item's ``error``.

    Attributes
    ----------
    GRADED
        Its checks ran.
    UNGRADABLE
        The student's code could not be graded: a file missing, an import failure, a
        function not implemented, a timeout or a crash, a prerequisite that stopped,
        the grading's time limit.
    GRADER_ERROR
        The grader failed on this item, through no fault of the student's code.
    NOT_SELECTED
        Left out of this run (``--items``).
    """

    GRADED = "graded"
    UNGRADABLE = "ungradable"
    GRADER_ERROR = "grader error"
    NOT_SELECTED = "not selected"


@dataclass
class Check:
    """One comparison inside an item.

    Attributes
    ----------
    name : str
        What was checked, e.g. ``"forward values, N=7 D=13 H=9, float64"``.
    passed : bool
    weight : float
        Share of the item's points this check carries, relative to its siblings.
    detail : str
        What was compared and by how much it missed, e.g.
        ``"next_h: max error 3.1e-02 of max |reference| (tolerance 1e-07)"``.
    hint : str or None
        The known mistake the student's output matches, when one does.
    """

    name: str
    passed: bool
    weight: float = 1.0
    detail: str = ""
    hint: str | None = None


@dataclass
class ItemResult:
    """The grade of one item of grading.toml.

    Attributes
    ----------
    name : str
        The item's name in grading.toml, e.g. ``"rnn_backward"``.
    max_score : float
    checks : list of Check
    status : Status
    error : str or None
        Why the item scored nothing when its status is not ``GRADED``, shown
        instead of the checks' details; None when it is.
    output : str
        What the student's code printed while this item ran (truncated).
    grader_traceback : str
        The grader's own traceback when it failed on this item (a bug to report
        to the course staff, not the student's doing); empty otherwise.
    loss_history : list of float or None
        The training curve of an overfit item, drawn into the report.
    seconds : float
        Wall-clock time the item took.
    stopped : {'timeout', 'crash'} or None
        Set when the student's code did not return during this item: it ran out of
        time, or its process died. Items built on this one's functions are then not
        graded (``autograder.items.DEPENDS_ON``).
    """

    name: str
    max_score: float
    checks: list = field(default_factory=list)
    status: Status = Status.GRADED
    error: str | None = None
    output: str = ""
    grader_traceback: str = ""
    loss_history: list | None = None
    seconds: float = 0.0
    stopped: str | None = None

    @property
    def score(self):
        """Points earned: the item's points times the passed share of check weights."""
        total = sum(check.weight for check in self.checks)
        if self.status is not Status.GRADED or total == 0:
            return 0.0
        passed = sum(check.weight for check in self.checks if check.passed)
        return self.max_score * passed / total

    @property
    def passed(self):
        """True when every point of the item was earned."""
        return self.score == self.max_score

    def not_graded(self, status, reason, stopped=None):
        """Record that the item scores nothing, and why.

        Parameters
        ----------
        status : Status
            Any but ``GRADED``.
        reason : str
            Becomes ``error``.
        stopped : {'timeout', 'crash'} or None
        """
        self.status, self.error, self.stopped = status, reason, stopped


@dataclass
class GradeResult:
    """The grade of one submission.

    Attributes
    ----------
    submission : str
        Where the submission came from (path as given).
    items : list of ItemResult
    problems : list of str
        Problems with the submission itself (missing file, bad zip), reported first.
    isolation : str
        How student code was isolated, e.g. ``"mount namespace, uid 65534"``.
    seed : int
        The seed the inputs were drawn from (reproduces the grade).
    digest : str
        Hex SHA-256 of the student's files (``grade-all --resume`` skips a submission
        whose results record the digest it still has).
    seconds : float
    """

    submission: str
    items: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    isolation: str = ""
    seed: int = 0
    digest: str = ""
    seconds: float = 0.0

    @property
    def score(self):
        """Sum of the items' scores."""
        return sum(item.score for item in self.items)

    @property
    def max_score(self):
        """Sum of the items' points."""
        return sum(item.max_score for item in self.items)
