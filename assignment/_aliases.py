"""Course package names: ``import cs231n.layers`` gives this package's ``layers`` module.

Code written for a course's own package name (``from cs231n.rnn_layers import *``,
``import cs231n.layers as layers``) runs unchanged: when this package is imported under
one of the names of ``_package_names.NAMES``, every other name of that list becomes an
alias of it, resolving to the very same module objects (never a second copy of a file).
"""

import importlib
import importlib.abc
import importlib.util
import sys

from ._package_names import NAMES


def install(package):
    """Make the other names of ``NAMES`` aliases of ``package`` (once per package name).

    Parameters
    ----------
    package : str
        The ``__name__`` of this package; nothing happens when it is not in ``NAMES``
        (the course staff's reference copy, imported under another name, stays alone).
    """
    if package not in NAMES:
        return
    sys.meta_path[:] = [finder for finder in sys.meta_path
                        if getattr(finder, "alias_target", None) != package]
    sys.meta_path.insert(0, AliasFinder(package, [name for name in NAMES if name != package]))


class AliasFinder(importlib.abc.MetaPathFinder):
    """Find ``alias`` and ``alias.sub.module`` as ``target`` and ``target.sub.module``.

    Parameters
    ----------
    target : str
        The real package name.
    aliases : list of str
    """

    def __init__(self, target, aliases):
        self.alias_target = target
        self._aliases = frozenset(aliases)

    def find_spec(self, fullname, path=None, target=None):
        """A spec whose loader hands out the real module, or None for other names."""
        head, dot, rest = fullname.partition(".")
        if head not in self._aliases:
            return None
        real = self.alias_target + dot + rest
        if importlib.util.find_spec(real) is None:
            return None
        return importlib.util.spec_from_loader(fullname, _AliasLoader(real))


class _AliasLoader(importlib.abc.Loader):
    """Return the real module instead of creating one; leave its ``__spec__`` as it was."""

    def __init__(self, real):
        self._real = real
        self._spec = None

    def create_module(self, spec):
        module = importlib.import_module(self._real)
        self._spec = module.__spec__
        return module

    def exec_module(self, module):
        module.__spec__ = self._spec  # the import system set it to the alias's spec
