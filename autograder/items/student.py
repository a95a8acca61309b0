"""Calling the student's code: time limits, failures as values, results checked for structure.

Every call goes through :class:`StudentRunner`, which adds the item's time
limit and labels a failure with the call it came from. What ends an item
(not implemented, import failure, timeout, crash) becomes an
:class:`ItemError`; an exception or a result of the wrong structure becomes a
:class:`Raised` value that fails the case's checks with its message.
"""

from dataclasses import dataclass, field

from ..names import LAYERS_MODULE, MODEL_MODULE, PACKAGE
from ..sandbox import StudentError

# Said after an exception about None (``'NoneType' object has no attribute ...``), whose
# usual cause is a function the call relies on that still returns a template placeholder.
NONE_NOTE = ("(a None stood where a value belongs: a function this calls may still return "
             "the template's None)")


class ItemError(Exception):
    """The item cannot be graded at all; the message says why and what to do.

    Parameters
    ----------
    message : str
    stopped : {'timeout', 'crash'} or None
        Set when the student's code did not return: it ran out of time, or its
        process died (see ``autograder.results.ItemResult.stopped``).
    """

    def __init__(self, message, stopped=None):
        super().__init__(message)
        self.stopped = stopped


class OutputError(Exception):
    """The student's function returned something of the wrong structure; the message says what."""


@dataclass(frozen=True)
class Raised:
    """A program stopped with an exception.

    Attributes
    ----------
    kind : str
        The exception's type name (``"ValueError"``), or ``"bad_output"``.
    message : str
    """

    kind: str
    message: str


@dataclass(frozen=True)
class Missing:
    """An output the student's code did not return, e.g. a key missing from ``grads``.

    Two Missing values are equal when the same output is missing.
    """

    name: str
    message: str = field(compare=False)


class GraderProblem(Exception):
    """The grader cannot grade an item, through no fault of the student's code.

    The message says what went wrong, as a sentence; ``autograder.items.grade_item``
    reports it like any other failure of the grader.
    """


def run_student(program, runner, inputs):
    """Run a program on the student's code.

    Parameters
    ----------
    program : callable
    runner : StudentRunner
    inputs : dict

    Returns
    -------
    dict or Raised
        The outputs, or how the student's code stopped (an exception, or a
        result of the wrong structure).

    Raises
    ------
    ItemError
        For a missing implementation, an import failure, a timeout or a crash.
    """
    try:
        return program(runner, **inputs)
    except StudentFailure as failure:
        return failure.raised()
    except OutputError as error:
        return Raised("bad_output", str(error))


class StudentFailure(Exception):
    """A StudentError raised by one runner call, with the call it came from.

    Parameters
    ----------
    call : str
        What the grader called, e.g. ``"rnn_forward"`` or ``"CaptioningRNN.loss"``.
    error : autograder.sandbox.StudentError
    runner : StudentRunner
    """

    def __init__(self, call, error, runner):
        super().__init__(f"{call}: {error.message}")
        self.call, self.error, self.runner = call, error, runner

    def raised(self):
        """The failure as a :class:`Raised` for checks and hints.

        Raises
        ------
        ItemError
            When the failure ends the item: a function not implemented yet
            (NotImplementedError, missing, or returning the template's None), an
            import failure, a timeout or a crash.
        """
        error, call = self.error, self.call
        details = f"\n{error.details}" if error.details else ""
        if error.kind == "not_implemented" or error.message.startswith("NotImplementedError"):
            how = error.message if error.kind == "not_implemented" else f"it raised {error.message}"
            raise ItemError(" ".join((f"{call} is not implemented yet ({how}): fill it in and "
                                      "resubmit.", *self.runner.file_notes)))
        if error.kind == "import":
            raise ItemError(f"your files could not be imported: {error.message}. Check that "
                            f"`import {PACKAGE}.{LAYERS_MODULE}` and `import "
                            f"{PACKAGE}.{MODEL_MODULE}` work on your computer.{details}")
        if error.kind == "timeout":
            raise ItemError(f"{call} was stopped by the time limit of {self.runner.timeout:.1f} s "
                            "per call; the reference does the same work in "
                            f"{self.runner.reference_seconds:.2f} s. Look for a loop that runs "
                            "far more often than it should (or never ends).", stopped="timeout")
        if error.kind == "crash":
            raise ItemError(f"{call} crashed the process running your code ({error.message}). "
                            "Look for runaway memory use or a call that ends the process."
                            f"{details}", stopped="crash")
        if error.kind == "oversized":
            return Raised("bad_output", f"{call} returned too much: {error.message}")
        if error.kind == "bad_output":
            return Raised("bad_output", f"{call} returned something that is not plain numbers: "
                                        f"{error.message}")
        kind = error.message.split(":", 1)[0].strip()
        note = f" {NONE_NOTE}" if "'NoneType'" in error.message else ""
        return Raised(kind, f"{call} raised {error.message}{note}{details}")


class StudentRunner:
    """The sandbox runner with a time limit on every call and failures labelled by call.

    Implements ``autograder.sandbox.interface.Runner``; a ``timeout`` of None means the
    item's limit, and a StudentError of the runner becomes a :class:`StudentFailure`.

    Parameters
    ----------
    runner : SandboxRunner or InProcessRunner
    timeout : float
        Seconds allowed per call.
    reference_seconds : float
        What the reference needed for the whole case (for messages).
    file_notes : tuple of str
        Sentences about student files the submission holds under another name
        (``Submission.file_notes``), added to every "not implemented" message.
    """

    def __init__(self, runner, timeout, reference_seconds, file_notes=()):
        self.runner, self.timeout, self.reference_seconds = runner, timeout, reference_seconds
        self.file_notes = tuple(file_notes)
        self.isolation = runner.isolation

    def _do(self, call, action, *args, **kwargs):
        try:
            return action(*args, **kwargs)
        except StudentError as error:
            raise StudentFailure(call, error, self) from None

    def _limit(self, timeout):
        return self.timeout if timeout is None else timeout

    def call(self, func, *args, keep=(), expect=None, timeout=None, **kwargs):
        """``runner.call`` with the time limit."""
        return self._do(func.rpartition(".")[2], self.runner.call, func, *args, keep=keep,
                        expect=expect, timeout=self._limit(timeout), **kwargs)

    def new(self, cls, *args, timeout=None, **kwargs):
        """``runner.new`` with the time limit."""
        return self._do(f"{cls.rpartition('.')[2]}()", self.runner.new, cls, *args,
                        timeout=self._limit(timeout), **kwargs)

    def method(self, handle, name, *args, keep=(), expect=None, timeout=None, **kwargs):
        """``runner.method`` with the time limit."""
        return self._do(f"CaptioningRNN.{name}", self.runner.method, handle, name, *args, keep=keep,
                        expect=expect, timeout=self._limit(timeout), **kwargs)

    def get_attr(self, handle, name, expect=None, timeout=None):
        """``runner.get_attr`` with the time limit."""
        return self._do(f"CaptioningRNN.{name}", self.runner.get_attr, handle, name,
                        expect=expect, timeout=self._limit(timeout))

    def set_params(self, handle, params, timeout=None):
        """``runner.set_params`` with the time limit (``model.params`` may run student code)."""
        return self._do("setting model.params", self.runner.set_params, handle, params,
                        timeout=self._limit(timeout))

    def train(self, handle, data, solver_kwargs, iterations, expect=None, timeout=None,
              seed=None):
        """``runner.train`` with the time limit; ``seed`` seeds the child's minibatch draws."""
        return self._do("CaptioningSolver.train", self.runner.train, handle, data, solver_kwargs,
                        iterations, expect=expect, timeout=self._limit(timeout), seed=seed)

    def drop(self, *handles):
        """``runner.drop``."""
        return self._do("drop", self.runner.drop, *handles)

    def output(self):
        """``runner.output``."""
        return self.runner.output()


def unpack(result, names, call):
    """Check that a function returned a tuple of ``len(names)`` values and return it.

    Parameters
    ----------
    result : object
    names : tuple of str
        What the values are, for the message, e.g. ``("next_h", "cache")``.
    call : str

    Returns
    -------
    tuple

    Raises
    ------
    OutputError
    """
    if not isinstance(result, (tuple, list)) or len(result) != len(names):
        got = (f"{len(result)} values" if isinstance(result, (tuple, list))
               else f"a single {type(result).__name__}")
        raise OutputError(f"{call} returned {got}; expected a tuple of {len(names)} "
                          f"({', '.join(names)})")
    return tuple(result)
