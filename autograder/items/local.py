"""The runner API over a trusted package in this process: the reference or a mutant.

Item graders write each case once, as a function of a runner; this class lets
the same function compute the expected outputs with ``solutions`` and the
outputs of a known mistake with a mutated copy of it, exactly as the sandbox
runner computes the student's (arguments by value, results as plain arrays,
kept results as handles).
"""

import copy
import importlib

import numpy as np


class LocalRunner:
    """Calls ``<package>.<module>.<function>`` directly, with the sandbox runner's signatures.

    Parameters
    ----------
    package : str
        Importable package name, e.g. ``"solutions"`` or a mutant's package.
    """

    isolation = "none (trusted, in-process)"

    def __init__(self, package):
        self.package = package

    def _resolve(self, dotted):
        """The object named ``dotted`` (``"classifiers.rnn.CaptioningRNN"``) in the package."""
        module, _, name = dotted.rpartition(".")
        return getattr(importlib.import_module(f"{self.package}.{module}"), name)

    def call(self, func, *args, keep=(), timeout=None, **kwargs):
        """Call a function of the package; see ``autograder.sandbox`` for the contract."""
        return _plain(self._resolve(func)(*copy.deepcopy(args), **copy.deepcopy(kwargs)), keep)

    def new(self, cls, *args, timeout=None, **kwargs):
        """Construct an object of the package; the object itself is its handle."""
        return self._resolve(cls)(*copy.deepcopy(args), **copy.deepcopy(kwargs))

    def method(self, handle, name, *args, keep=(), timeout=None, **kwargs):
        """Call a method of a constructed object."""
        return _plain(getattr(handle, name)(*copy.deepcopy(args), **copy.deepcopy(kwargs)), keep)

    def get_attr(self, handle, name, timeout=None):
        """An attribute of a constructed object, as plain data."""
        return _plain(getattr(handle, name), ())

    def set_params(self, handle, params):
        """Replace ``handle.params[name]`` by a copy of each given array."""
        for name, value in params.items():
            handle.params[name] = np.array(value)

    def drop(self, *handles):
        """Nothing to free: handles are ordinary objects here."""

    def output(self):
        """Trusted code prints nothing worth reporting."""
        return ""


def _plain(value, keep):
    """``value`` as the sandbox returns it: arrays for numbers, kept positions untouched."""
    if isinstance(value, tuple) and keep:
        return tuple(item if index in keep else _plain(item, ())
                     for index, item in enumerate(value))
    if isinstance(value, (tuple, list)):
        return type(value)(_plain(item, ()) for item in value)
    if isinstance(value, dict):
        return {key: _plain(item, ()) for key, item in value.items()}
    if isinstance(value, (np.ndarray, np.generic, int, float)):
        return np.array(value)
    return value
