"""Fixtures shared by every test folder: the settings and the package a runner stages."""

import dataclasses
from pathlib import Path

import pytest

from autograder import config, paths
from autograder.sandbox import Package


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
def make_package():
    """Make the package a runner stages: a tree of the repository with some student files
    replaced or extended (``autograder.sandbox.Package``; the runner writes it once, into
    the folder its code imports from).

    Returns
    -------
    callable
        ``make_package(base=paths.SOLUTIONS_DIR, sources=None, appended=None)``:

        - ``base``: ``paths.SOLUTIONS_DIR`` (the reference) or ``paths.ASSIGNMENT_DIR``
          (the stubs).
        - ``sources``: ``{file relative to the package: text}`` written instead of the
          base's files.
        - ``appended``: ``{file: text}`` appended to the base's files after a blank line
          (so its definitions win).
    """
    def package(base=paths.SOLUTIONS_DIR, sources=None, appended=None):
        files = dict(sources or {})
        for name, text in (appended or {}).items():
            files[name] = (Path(base) / name).read_text(encoding="utf-8") + "\n\n" + text
        return Package(base, {name: text.encode("utf-8") for name, text in files.items()})
    return package
