"""Hand-in zips for the otter and Gradescope tests: the reference, the stubs or a known mistake.

Imported by tests/autograder/build/test_otter_bundle.py and by the container tests of
tests/containers.
"""

import zipfile

from autograder import paths
from autograder.items import mistakes
from solutions import handin

MIB = 1 << 20
# Two mutants of the catalogue that lose some points but not all.
PARTIAL_MUTANTS = ("no_carried_gradient", "lstm_cell_not_carried")


def handed_in_zip(path, sources):
    """Write a zip laid out as ``python -m assignment.handin`` writes it, notebooks included.

    Parameters
    ----------
    path : Path
        The zip to write.
    sources : dict of str to str
        Text of each graded file, by its name in ``handin.GRADED_FILES``.

    Returns
    -------
    Path
        ``path``.
    """
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in sources.items():
            archive.writestr(f"{handin.ARCHIVE_PACKAGE}/{name}", text)
        for name in handin.NOTEBOOKS:
            archive.write(paths.REPO_ROOT / handin.ARCHIVE_NOTEBOOKS / name,
                          f"{handin.ARCHIVE_NOTEBOOKS}/{name}")
    return path


def graded_sources(kind):
    """The graded files of ``"solutions"``, ``"assignment"`` (the stubs) or a mistake's name."""
    if kind == "solutions":
        return mistakes.reference_sources()
    if kind == "assignment":
        return {name: (paths.ASSIGNMENT_DIR / name).read_text(encoding="utf-8")
                for name in handin.GRADED_FILES}
    [mistake] = [mistake for mistake in mistakes.MISTAKES if mistake.name == kind]
    return mistakes.mutated_sources(mistake)


def zip_of_zeros(path, entries, entry_bytes):
    """A zip of ``entries`` entries of ``entry_bytes`` zero bytes each (tiny when deflated)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number in range(entries):
            archive.writestr(f"{handin.ARCHIVE_PACKAGE}/zeros_{number}.bin", bytes(entry_bytes))
    return path
