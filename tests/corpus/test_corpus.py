"""Submissions written in the styles real students use, graded in the sandbox against a verdict.

Every folder here is one complete submission (``rnn_layers.py`` and
``classifiers/rnn.py`` in the layout that student uploaded) with a
``manifest.toml`` that states what a careful instructor would call its fair
grade, item by item:

- ``about``: the student's style, in one sentence;
- ``sigmoid_variant``: false grades the entry as a course with the classic API would
  (grading.toml's switch off); true or absent, as the repository's grading.toml says;
- ``full``, ``zero``, ``lost``: items expected to earn every point, none, or
  fewer than all (only the items listed are graded, to keep the run short);
- ``[hints]``: item = words the hint of one of its failed checks must contain;
- ``[errors]``: item = words its error (the reason it could not be graded) must contain;
- ``problems``: words each of the submission's problems must contain, in order (none if absent).
"""

import re
import tomllib
from pathlib import Path

import pytest

from autograder import config, grade, paths

CORPUS = Path(__file__).resolve().parent
VERDICTS = ("full", "zero", "lost")
NAMES = sorted(path.parent.name for path in CORPUS.glob("*/manifest.toml"))


def manifest(name):
    """The manifest of one entry, with every item it names checked against grading.toml."""
    with open(CORPUS / name / "manifest.toml", "rb") as f:
        document = tomllib.load(f)
    named = [item for verdict in VERDICTS for item in document.get(verdict, [])]
    named += [*document.get("hints", {}), *document.get("errors", {})]
    unknown = sorted(set(named) - set(config.ITEMS))
    assert not unknown, f"{name}/manifest.toml names unknown items {unknown}"
    return document


def settings_for(document, folder, settings):
    """The settings to grade an entry with: ``settings`` (grading.toml's), with the variant
    switch of the entry."""
    if document.get("sigmoid_variant", True):
        return settings
    text = paths.GRADING_TOML.read_text(encoding="utf-8")
    switched = re.sub(r"(?m)^sigmoid_variant = true$", "sigmoid_variant = false", text)
    assert switched != text, "grading.toml's sigmoid_variant line changed: update settings_for"
    (folder / "grading.toml").write_text(switched, encoding="utf-8")
    switched_settings = config.load(folder / "grading.toml")
    assert not set(graded_items(document)) - set(switched_settings.items), (
        "an item the switch removes")
    return switched_settings


def describe(item):
    """An item's grade and every failed check, for an assertion message."""
    lines = [f"{item.name}: {item.score:g}/{item.max_score:g} error={item.error}"]
    lines += [f"  FAIL {check.name}: {check.detail} (hint: {check.hint})"
              for check in item.checks if not check.passed]
    return "\n".join(lines)


def graded_items(document):
    """The items a manifest gives a verdict on, in its order."""
    return [item for verdict in VERDICTS for item in document.get(verdict, [])]


def entries():
    """One parameter per entry; those that train a model (the overfit items) are slow."""
    return [pytest.param(name, marks=[pytest.mark.slow] if any(
        item.startswith("overfit") for item in graded_items(manifest(name))) else [])
        for name in NAMES]


def test_the_corpus_is_large_enough():
    assert len(NAMES) >= 15


FAIR = {"full": lambda item: item.score == item.max_score,
        "zero": lambda item: item.score == 0,
        "lost": lambda item: item.score < item.max_score}


@pytest.mark.parametrize("name", entries())
def test_entry_earns_its_fair_grade(tmp_path, name, settings):
    expected = manifest(name)
    result = grade.grade_submission(CORPUS / name, tmp_path / "out",
                                    settings_for(expected, tmp_path, settings),
                                    items=graded_items(expected))
    graded = {item.name: item for item in result.items}
    wrong = [f"expected {verdict}; {describe(graded[item])}"
             for verdict in VERDICTS for item in expected.get(verdict, [])
             if not FAIR[verdict](graded[item])]
    for item, words in expected.get("hints", {}).items():
        hints = [check.hint or "" for check in graded[item].checks if not check.passed]
        if not any(words in hint for hint in hints):
            wrong.append(f"expected a hint with {words!r}; {describe(graded[item])}")
    for item, words in expected.get("errors", {}).items():
        if words not in (graded[item].error or ""):
            wrong.append(f"expected an error with {words!r}; {describe(graded[item])}")
    problems = expected.get("problems", [])
    if len(result.problems) != len(problems) or not all(
            words in problem for words, problem in zip(problems, result.problems)):
        wrong.append(f"expected problems with {problems}, got {result.problems}")
    assert not wrong, "\n".join(wrong)
