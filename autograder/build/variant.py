"""The classic form of the reference: ``solutions/`` without the sigmoid variant's flag.

With grading.toml's ``sigmoid_variant = false`` the assignment has the classic
cs231n API, in which the vanilla RNN is always tanh. ``solutions/`` stays the
single source: :func:`classic_source` prunes the flag ``use_tanh`` from a
reference module, which then behaves as the flag's default (tanh) always did.
It removes, line by line:

- a parameter ``use_tanh=True`` of a function, with the comma before it, or
  on a line of its own;
- an argument ``use_tanh``, ``self.use_tanh`` or ``use_tanh=...`` of a call,
  with the comma before it;
- the attribute assignment ``self.use_tanh = use_tanh``;
- a numpydoc entry ``use_tanh : ...`` with its more indented description;
- a comment line that names the flag (TODO lines are written so that the
  others still read as whole sentences).

Module-level solution regions (the reference's private helpers, which the
stub step drops) are left as they are: their flag parameters default to
True. Any other mention of the flag is an error, so the classic files hold
no ``use_tanh`` at all.
"""

import re

from .markers import BEGIN, END

FLAG = "use_tanh"
NAMED = re.compile(rf"\b{FLAG}\b")
DOC_ENTRY = re.compile(rf"^(?P<indent>\s*){FLAG} : ")
DROPPED_LINES = (
    re.compile(rf"^\s*#.*\b{FLAG}\b"),
    re.compile(rf"^\s*self\.{FLAG} = {FLAG}\s*$"),
    re.compile(rf"^\s*{FLAG}=True,\s*$"),
)
ARGUMENT = re.compile(rf",\s*(?:self\.)?{FLAG}(?:\s*=\s*[\w.]+)?(?=\s*[,)]|\s*$)")


class VariantError(ValueError):
    """The flag is named where the classic transform cannot prune it; the message says where."""


def classic_source(source, filename):
    """One reference module's source text without the ``use_tanh`` flag.

    Parameters
    ----------
    source : str
        Text of a module under ``solutions/``.
    filename : str
        Its path relative to the package, used in messages.

    Returns
    -------
    str
        The text with every parameter, argument, attribute, docstring entry and
        comment line of the flag removed (module-level solution regions kept).

    Raises
    ------
    VariantError
        For a mention of the flag that none of the rules removes.
    """
    out, helpers, entry_indent = [], False, None
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        begin = BEGIN.match(line)
        if begin and not begin["indent"]:
            helpers = True
        if helpers:
            helpers = not END.match(line)
            out.append(line)
            continue
        if entry_indent is not None:
            if line.strip() and _indent(line) > entry_indent:
                continue
            entry_indent = None
        entry = DOC_ENTRY.match(line)
        if entry:
            entry_indent = len(entry["indent"])
            continue
        if any(pattern.match(line) for pattern in DROPPED_LINES):
            continue
        pruned = ARGUMENT.sub("", line)
        if NAMED.search(pruned):
            raise VariantError(f"{filename}:{number}: {FLAG} is named in a form the classic "
                               f"transform does not prune ({line.strip()!r}); write it as a "
                               "parameter, an argument, a docstring entry or a comment line "
                               "of its own")
        out.append(pruned)
    return "".join(out)


def _indent(line):
    """The number of leading spaces of ``line``."""
    return len(line) - len(line.lstrip(" "))
