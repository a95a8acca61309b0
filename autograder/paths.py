"""Folders of the repository that the grader and its generators work on."""

from pathlib import Path

from .names import PACKAGE

REPO_ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS_DIR = REPO_ROOT / "solutions"
ASSIGNMENT_DIR = REPO_ROOT / PACKAGE
GRADING_TOML = REPO_ROOT / "grading.toml"
