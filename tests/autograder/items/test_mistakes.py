"""The mistake catalogue: every patch applies, and every mutant loses points with its hint."""

import ast
import importlib
import pkgutil
import sys

import pytest

from autograder import config
from autograder.build import mistake_list, steps
from autograder.items import mistakes, mutants
from captiondata import locations
from support.items import OVERFIT_ITEMS, describe, grade

FAST_MISTAKES = [m for m in mistakes.MISTAKES if m.item not in OVERFIT_ITEMS]
# Mistakes the overfit items are checked against (training takes seconds each).
OVERFIT_MUTANTS = [("h0_ignores_features", "overfit_rnn"), ("h0_ignores_features", "overfit_lstm")]


def by_name(name):
    return next(m for m in mistakes.MISTAKES if m.name == name)


def test_catalogue_is_large_unique_and_names_known_items():
    names = [m.name for m in mistakes.MISTAKES]
    assert len(names) >= 30
    assert len(set(names)) == len(names)
    for mistake in mistakes.MISTAKES:
        assert {mistake.item, *mistake.also} <= set(config.ITEMS), mistake.name
        assert mistake.hint.startswith("This is what") and mistake.hint.endswith("."), mistake.name


def test_every_family_module_of_the_package_is_in_the_catalogue():
    modules = [importlib.import_module(f"{mistakes.__name__}.{info.name}")
               for info in pkgutil.iter_modules(mistakes.__path__)]
    families = {module for module in modules if hasattr(module, "MISTAKES")}
    assert len(families) >= 5
    assert families == set(mistakes.FAMILIES)


def test_the_committed_mistake_list_is_current():
    assert steps.stale(["mistake_list"]) == [], (
        "docs/mistakes.md is stale: run `python -m autograder build mistake_list` and commit it")


def test_the_mistake_list_has_a_row_per_mistake_with_its_items():
    text = mistake_list.render(config.ITEMS)
    rows = [line for line in text.splitlines() if line.startswith("| ") and "`" in line]
    assert [row.rsplit("`", 2)[1] for row in rows] == [m.name for m in mistakes.MISTAKES]
    assert ("| The tanh derivative 1 - a\\*\\*2 is taken of the pre-activation a instead of the "
            "output. | `rnn_step_backward`, `rnn_backward` | `tanh_grad_of_preactivation` |") in rows
    assert "| The \\<NULL> padding is scored like real words (no mask). | `loss_rnn`, `loss_lstm` |" \
        in text


def test_the_classic_mistake_list_leaves_out_the_variant_and_its_flag():
    classic = tuple(item for item in config.ITEMS if item not in config.VARIANT_ITEMS)
    text = mistake_list.render(classic)
    assert "use_tanh" not in text and "sigmoid_variant" not in text
    assert "`tanh_grad_of_preactivation`" in text


@pytest.mark.parametrize("mistake", mistakes.MISTAKES, ids=lambda m: m.name)
def test_patch_applies_and_gives_valid_student_files(mistake):
    sources = mistakes.mutated_sources(mistake)
    assert set(sources) == set(mistakes.STUDENT_FILES)
    reference = mistakes.reference_sources()
    assert sources != reference
    for name, text in sources.items():
        ast.parse(text, filename=name)
    assert mutants.package(mistake) in sys.modules


def test_a_patch_that_no_longer_applies_names_the_mistake_and_the_function():
    broken = mistakes.Mistake("broken", "rnn_forward", "", "This is what.",
                              (mistakes.Patch("rnn_layers.py", "rnn_forward", "no such text", ""),))
    with pytest.raises(mistakes.PatchError, match="broken.*rnn_forward.*0 times"):
        mistakes.mutated_sources(broken)
    missing = mistakes.Mistake("gone", "rnn_forward", "", "This is what.",
                               (mistakes.Patch("rnn_layers.py", "no_such_function", "x", "y"),))
    with pytest.raises(mistakes.PatchError, match="no_such_function"):
        mistakes.mutated_sources(missing)


def test_mistakes_of_an_item_come_first():
    ordered = mistakes.ordered_for("rnn_backward")
    ranks = [0 if m.item == "rnn_backward" else 1 if "rnn_backward" in m.also else 2
             for m in ordered]
    assert ranks == sorted(ranks)


@pytest.mark.parametrize("mistake", FAST_MISTAKES, ids=lambda m: m.name)
def test_mutant_loses_points_in_its_items_and_shows_its_hint(tmp_path, mistake, make_package, settings):
    items = [item for item in (mistake.item, *mistake.also) if item not in OVERFIT_ITEMS]
    package = make_package(sources=mistakes.mutated_sources(mistake))
    results = grade(package, items, settings, seed=3)
    own = results[mistake.item]
    assert own.score < own.max_score, describe(own)
    assert own.error is None, describe(own)
    assert mistake.hint in {check.hint for check in own.checks if not check.passed}, describe(own)
    for item in items[1:]:
        assert results[item].score < results[item].max_score, describe(results[item])


@pytest.mark.slow
@pytest.mark.skipif(not locations.EMBEDDED_DIR.exists(),
                    reason="the embedded data set is not built")
@pytest.mark.parametrize("name, item", OVERFIT_MUTANTS)
def test_overfit_fails_a_model_that_cannot_memorise(tmp_path, name, item, make_package, settings):
    mistake = by_name(name)
    assert item in mistake.also
    package = make_package(sources=mistakes.mutated_sources(mistake))
    result = grade(package, [item], settings)[item]
    assert result.score == 0, describe(result)
    assert "did not memorise" in result.checks[0].detail
