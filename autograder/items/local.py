"""The runner interface over a trusted package in this process: the reference or a mutant.

Item graders write each case once, as a function of a runner
(``autograder.sandbox.interface.Runner``); this class lets the same function compute
the expected outputs with ``solutions`` and the outputs of a known mistake with a
mutated copy of it, exactly as the sandbox runner computes the student's: arguments by
value, results made plain by the same ``dispatch.to_plain`` (fresh arrays), kept results
as handles (here the objects themselves). Replies are not bounded (``expect`` is
ignored): the code is trusted.
"""

import contextlib
import copy
import importlib
import sys

import numpy as np

from ..sandbox import dispatch, protocol
from . import seeds
from .student import OutputError

# Trusted results: any size, the dtypes a student's result may have.
TRUSTED_CAPS = protocol.Caps(sys.maxsize, sys.maxsize, protocol.RESULT_KINDS)


class LocalRunner:
    """Calls ``<package>.<module>.<name>`` directly (``autograder.sandbox.interface.Runner``).

    Parameters
    ----------
    package : str
        Importable package name, e.g. ``"solutions"`` or a mutant's package.

    Notes
    -----
    A result that ``dispatch.to_plain`` refuses raises
    ``autograder.items.student.OutputError``; ``timeout`` and ``expect`` are ignored.
    """

    isolation = "none (trusted, in-process)"

    def __init__(self, package):
        self.package = package

    def _resolve(self, dotted):
        """The object named ``dotted`` (``"classifiers.rnn.CaptioningRNN"``) in the package."""
        module, _, name = dotted.rpartition(".")
        return getattr(importlib.import_module(f"{self.package}.{module}"), name)

    def call(self, func, *args, keep=(), expect=None, timeout=None, **kwargs):
        """See ``interface.Runner.call``."""
        return _plain(self._resolve(func)(*copy.deepcopy(args), **copy.deepcopy(kwargs)), keep)

    def new(self, cls, *args, timeout=None, **kwargs):
        """See ``interface.Runner.new``; the object itself is its handle."""
        return self._resolve(cls)(*copy.deepcopy(args), **copy.deepcopy(kwargs))

    def method(self, handle, name, *args, keep=(), expect=None, timeout=None, **kwargs):
        """See ``interface.Runner.method``."""
        return _plain(getattr(handle, name)(*copy.deepcopy(args), **copy.deepcopy(kwargs)), keep)

    def get_attr(self, handle, name, expect=None, timeout=None):
        """See ``interface.Runner.get_attr``."""
        return _plain(getattr(handle, name), ())

    def set_params(self, handle, params, timeout=None):
        """See ``interface.Runner.set_params``."""
        for name, value in params.items():
            handle.params[name] = np.array(value)

    def train(self, handle, data, solver_kwargs, iterations, expect=None, timeout=None,
              seed=None):
        """See ``interface.Runner.train``: the package's solver, in this process."""
        solver_class = self._resolve("captioning_solver.CaptioningSolver")
        seeded = contextlib.nullcontext() if seed is None else seeds.global_random(seed)
        with seeded:  # the solver's minibatches, drawn as the child draws them
            solver = solver_class(handle, copy.deepcopy(data), **copy.deepcopy(solver_kwargs))
            solver.train()
        return np.array(solver.loss_history, dtype=np.float64), self.get_attr(handle, "params")

    def drop(self, *handles):
        """Nothing to free: handles are ordinary objects here."""

    def output(self):
        """Trusted code prints nothing worth reporting."""
        return ""


def _plain(value, keep):
    """``value`` made plain by ``dispatch.to_plain`` as fresh arrays, kept positions untouched."""
    try:
        if keep and isinstance(value, (tuple, list)):
            return type(value)(item if index in keep else _fresh(item, f"result[{index}]")
                               for index, item in enumerate(value))
        return _fresh(value, "the result")
    except dispatch.Failure as failure:
        raise OutputError(failure.message) from None


def _fresh(value, where):
    """``dispatch.to_plain(value)`` with every array copied, sharing no memory with ``value``."""
    return copy.deepcopy(dispatch.to_plain(value, TRUSTED_CAPS, where))
