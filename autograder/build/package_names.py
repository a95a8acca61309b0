"""Write the student package's copy of ``grading.toml``'s ``[package] names``.

The package cannot read ``grading.toml`` (students never get it, and the sandboxed
child never sees it), so the ``stubs`` build step (``python -m autograder build stubs``,
alias ``generate``) writes the list into ``solutions/_package_names.py`` and its copy in
``assignment/``; ``build --check`` reports a copy that no longer matches.
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

