"""Patches of the reference's student files: what a mistake changes, and applying it.

A :class:`Patch` replaces a text that occurs exactly once inside one named
function of ``solutions/rnn_layers.py`` or ``solutions/classifiers/rnn.py``;
:func:`mutated_sources` applies a mistake's patches to the reference, and a
patch that no longer applies raises a :class:`PatchError` naming the mistake.
"""

import ast
from dataclasses import dataclass

from ... import paths
from ...names import LAYERS_FILE, MODEL_FILE, STUDENT_FILES

# Where a stale patch is fixed: the module of the mistake's family in this folder.
CATALOGUE = "autograder/items/mistakes/"


class PatchError(ValueError):
    """A mistake's patch does not apply to the reference any more; the message says where."""


@dataclass(frozen=True)
class Patch:
    """Replace ``old`` by ``new`` inside one function of a student file.

    Attributes
    ----------
    file : str
        ``"rnn_layers.py"`` or ``"classifiers/rnn.py"``.
    function : str
        Qualified name of the function, e.g. ``"rnn_backward"`` or ``"CaptioningRNN.loss"``.
    old : str
        Text that occurs exactly once in the function's source.
    new : str
    """

    file: str
    function: str
    old: str
    new: str


def _function_span(tree, qualified):
    """``(first, last)`` line (1-based) of a function's or method's code after its docstring."""
    scope = tree.body
    *classes, function = qualified.split(".")
    for name in classes:
        scope = next((node.body for node in scope
                      if isinstance(node, ast.ClassDef) and node.name == name), [])
    for node in scope:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            body = node.body
            documented = isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
            first = body[1] if documented and len(body) > 1 else body[0]
            return first.lineno, node.end_lineno
    return None


def apply_patch(source, patch, mistake_name="?"):
    """Apply one patch to the text of a student file.

    Parameters
    ----------
    source : str
    patch : Patch
    mistake_name : str
        For the message.

    Returns
    -------
    str

    Raises
    ------
    PatchError
        When the function is missing or ``old`` does not occur exactly once in it.
    """
    span = _function_span(ast.parse(source), patch.function)
    where = f"mistake {mistake_name!r}: {patch.file}, {patch.function}()"
    if span is None:
        raise PatchError(f"{where} is not in the reference any more; update the mistake's patch "
                         f"in {CATALOGUE}")
    lines = source.splitlines(keepends=True)
    before, body, after = (lines[: span[0] - 1], "".join(lines[span[0] - 1 : span[1]]),
                           lines[span[1] :])
    count = body.count(patch.old)
    if count != 1:
        raise PatchError(f"{where}: the text to replace occurs {count} times instead of once; "
                         f"the reference changed, so update the patch in {CATALOGUE}:\n"
                         f"{patch.old}")
    return "".join(before) + body.replace(patch.old, patch.new) + "".join(after)


def reference_sources():
    """The reference's student files: ``{'rnn_layers.py': text, 'classifiers/rnn.py': text}``."""
    return {name: (paths.SOLUTIONS_DIR / name).read_text(encoding="utf-8")
            for name in STUDENT_FILES}


def mutated_sources(mistake):
    """The reference's student files with a mistake applied.

    Parameters
    ----------
    mistake : autograder.items.mistakes.Mistake

    Returns
    -------
    dict of str to str
        ``{'rnn_layers.py': text, 'classifiers/rnn.py': text}``, valid student files.

    Raises
    ------
    PatchError
    """
    sources = reference_sources()
    for patch in mistake.patch:
        sources[patch.file] = apply_patch(sources[patch.file], patch, mistake.name)
    return sources


def in_layers(function, old, new):
    """A patch of a function of rnn_layers.py."""
    return Patch(LAYERS_FILE, function, old, new)


def in_model(method, old, new):
    """A patch of a method of CaptioningRNN in classifiers/rnn.py."""
    return Patch(MODEL_FILE, f"CaptioningRNN.{method}", old, new)
