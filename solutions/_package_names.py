"""Names under which this package may be imported (see ``_aliases``).

Generated from grading.toml's ``[package] names`` by ``python -m autograder generate``;
do not edit.
"""

NAMES = ('assignment', 'cs231n', 'ie590', 'daseCV')
