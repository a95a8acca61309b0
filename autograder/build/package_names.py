"""Write the student package's copy of ``grading.toml``'s ``[package] names``.

The package cannot read ``grading.toml`` (students never get it, and the sandboxed
child never sees it), so ``python -m autograder generate`` writes the list into
``solutions/_package_names.py``, from which the stubs generator copies it into
``assignment/``; ``generate --check`` reports a copy that no longer matches.
"""

FILENAME = "_package_names.py"
HEADER = ('"""Names under which this package may be imported (see ``_aliases``).\n\n'
          "Generated from grading.toml's ``[package] names`` by ``python -m autograder "
          'generate``;\ndo not edit.\n"""\n\n')


def source(names):
    """The text of ``_package_names.py`` for ``names``.

    Parameters
    ----------
    names : sequence of str
        ``Settings.package_names``.

    Returns
    -------
    str
    """
    return HEADER + f"NAMES = {tuple(names)!r}\n"


def is_stale(solutions_dir, names):
    """Whether ``solutions_dir/_package_names.py`` is missing or lists other names.

    Parameters
    ----------
    solutions_dir : Path
    names : sequence of str

    Returns
    -------
    bool
    """
    path = solutions_dir / FILENAME
    return not path.is_file() or path.read_text(encoding="utf-8") != source(names)


def write(solutions_dir, names):
    """Write ``solutions_dir/_package_names.py`` for ``names``.

    Parameters
    ----------
    solutions_dir : Path
    names : sequence of str
    """
    (solutions_dir / FILENAME).write_text(source(names), encoding="utf-8", newline="\n")
