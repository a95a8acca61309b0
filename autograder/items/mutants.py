"""Mutated references, importable in this process, one package per known mistake.

A mutant package is an in-memory package named ``_autograder_mutant_<name>``
whose ``rnn_layers`` and ``classifiers.rnn`` are compiled from
``mistakes.mutated_sources`` and whose other modules (layers, optim, ...) are
the reference's files loaded under the mutant's name, so the relative imports
of classifiers/rnn.py resolve to the mutated rnn_layers. Built on first use,
then cached in ``sys.modules``.
"""

import sys
import types

from .. import names, paths
from . import mistakes

PREFIX = "_autograder_mutant_"
MODULES = tuple((names.file_of(module), module) for module in names.STUDENT_MODULES)


def package(mistake):
    """The importable name of ``mistake``'s mutated reference package, built when needed.

    Parameters
    ----------
    mistake : autograder.items.mistakes.Mistake

    Returns
    -------
    str
        E.g. ``"_autograder_mutant_dWh_transposed"``.

    Raises
    ------
    autograder.items.mistakes.PatchError
        When the mistake's patch no longer applies to the reference.
    """
    name = PREFIX + mistake.name
    if name not in sys.modules:
        _build(name, mistakes.mutated_sources(mistake))
    return name


def _namespace(name, folder):
    """Register an empty package ``name`` whose submodules are found in ``folder``."""
    module = types.ModuleType(name)
    module.__path__ = [str(folder)]
    module.__package__ = name
    sys.modules[name] = module
    return module


def _build(name, sources):
    """Register the mutant package ``name`` with the given sources of the student files."""
    root = _namespace(name, paths.SOLUTIONS_DIR)
    root.classifiers = _namespace(f"{name}.classifiers", paths.SOLUTIONS_DIR / "classifiers")
    try:
        for filename, dotted in MODULES:
            full = f"{name}.{dotted}"
            parent, _, leaf = full.rpartition(".")
            module = types.ModuleType(full)
            module.__package__ = parent
            module.__file__ = f"<{name}>/{filename}"
            sys.modules[full] = module
            exec(compile(sources[filename], module.__file__, "exec"), module.__dict__)
            setattr(sys.modules[parent], leaf, module)
    except BaseException:
        for key in [key for key in sys.modules if key == name or key.startswith(name + ".")]:
            del sys.modules[key]
        raise
