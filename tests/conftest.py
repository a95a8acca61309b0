"""Fixtures shared by every test folder: the settings and the staging of a package."""

import dataclasses
import shutil
from pathlib import Path

import pytest

from autograder import config, paths


@pytest.fixture(scope="session")
def settings():
    """The repository's grading.toml, read once (an ``autograder.config.Settings``)."""
    return config.load()


@pytest.fixture(scope="session")
def settings_with(settings):
    """``settings`` with some fields of its sections replaced.

    Returns
    -------
    callable
        ``settings_with(limits={"address_space_mib": 768}, grading={...})``: each keyword
        names a section of ``Settings`` and maps its field names to their new values.
    """
    def replaced(**sections):
        changes = {name: dataclasses.replace(getattr(settings, name), **fields)
                   for name, fields in sections.items()}
        return dataclasses.replace(settings, **changes)
    return replaced


@pytest.fixture(scope="session")
def stage(tmp_path_factory):
    """Stage a package as the runners take it: ``<folder>/assignment``, a copy of a tree of
    the repository with some student files replaced or extended.

    Returns
    -------
    callable
        ``stage(folder=None, base=paths.SOLUTIONS_DIR, sources=None, appended=None)``:

        - ``folder``: where to stage; a fresh temporary folder when None.
        - ``base``: ``paths.SOLUTIONS_DIR`` (the reference) or ``paths.ASSIGNMENT_DIR``
          (the stubs).
        - ``sources``: ``{file relative to the package: text}`` written instead of the
          base's files.
        - ``appended``: ``{file: text}`` appended to the base's files after a blank line
          (so its definitions win).

        It returns ``folder`` (a Path), the package root.
    """
    def staged(folder=None, base=paths.SOLUTIONS_DIR, sources=None, appended=None):
        folder = tmp_path_factory.mktemp("staged") if folder is None else Path(folder)
        package = folder / "assignment"
        shutil.copytree(base, package, ignore=shutil.ignore_patterns("__pycache__"))
        for name, text in (sources or {}).items():
            (package / name).write_text(text, encoding="utf-8")
        for name, text in (appended or {}).items():
            path = package / name
            path.write_text(path.read_text(encoding="utf-8") + "\n\n" + text, encoding="utf-8")
        return folder
    return staged
