"""Fixtures shared by every test folder."""

import pytest

from autograder import config


@pytest.fixture(scope="session")
def settings():
    """The repository's grading.toml."""
    return config.load()
