"""Item graders on the reference, the stubs and alternative correct implementations.

Everything runs in-process (``InProcessRunner``) on packages staged in a
temporary folder, so the graders are tested without the sandbox.
"""

import tomllib

import pytest

from autograder import config, paths
from autograder.items import DEPENDS_ON, GRADERS
from autograder.items.seeds import derive_seed
from autograder.sandbox import SandboxRunner
from captiondata import locations
from support.items import FAST_ITEMS, OVERFIT_ITEMS, alternative_files, describe, grade

needs_data = pytest.mark.skipif(
    not locations.EMBEDDED_DIR.exists(),
    reason=f"the embedded data set is not built ({locations.EMBEDDED_DIR}); "
           "run `python -m captiondata build-embedded`")
ALTERNATIVES = ("loops", "float32", "dict_cache", "early_stop", "inplace", "einsum", "accumulate")


def test_the_graders_cover_exactly_the_items_of_grading_toml():
    # read as text, not through config: a grader without points, or points without a
    # grader, must show even when config.ITEMS was changed along with the graders
    toml = tomllib.loads(paths.GRADING_TOML.read_text(encoding="utf-8"))
    assert sorted(GRADERS) == sorted(toml["points"]) == sorted(config.ITEMS)
    assert set(toml["classic_points"]) == set(GRADERS) - set(config.VARIANT_ITEMS)
    assert {*DEPENDS_ON, *(item for needs in DEPENDS_ON.values() for item in needs)} <= set(GRADERS)


@pytest.mark.parametrize("seed", [1, 2, 3, derive_seed(231, "0" * 64)])
def test_reference_earns_every_point(seed, make_package, settings):
    for result in grade(make_package(), FAST_ITEMS, settings, seed).values():
        assert result.score == result.max_score, describe(result)
        assert result.error is None


@pytest.mark.slow
@needs_data
def test_reference_overfits(make_package, settings):
    for result in grade(make_package(), OVERFIT_ITEMS, settings, seed=5).values():
        assert result.score == result.max_score, describe(result)
        assert len(result.loss_history) == 100
        assert "loss recomputed by the grader" in result.checks[0].detail


@pytest.mark.parametrize("item", config.ITEMS)
def test_stubs_earn_nothing_and_say_not_implemented(item, make_package, settings):
    if item in OVERFIT_ITEMS and not locations.EMBEDDED_DIR.exists():
        pytest.skip("the embedded data set is not built")
    result = grade(make_package(paths.ASSIGNMENT_DIR), [item], settings)[item]
    assert result.score == 0
    assert "NotImplementedError" in result.error
    assert "not implemented yet" in result.error


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("name", ALTERNATIVES)
def test_alternative_correct_implementations_earn_every_point(name, seed, make_package,
                                                               settings):
    results = grade(make_package(appended=alternative_files(name)), FAST_ITEMS, settings, seed)
    for result in results.values():
        assert result.score == result.max_score, describe(result)


@pytest.mark.parametrize("name", ALTERNATIVES)
def test_alternative_correct_implementations_earn_every_point_in_the_sandbox(name, make_package,
                                                                             settings):
    # The child's replies pass the grader's bounds on the shapes each call declares.
    results = grade(make_package(appended=alternative_files(name)), FAST_ITEMS, settings, 3,
                    SandboxRunner)
    for result in results.values():
        assert result.score == result.max_score, describe(result)


def test_float32_student_is_judged_at_float32_precision(make_package, settings):
    results = grade(make_package(appended=alternative_files("float32")), ["lstm_backward"],
                    settings)
    checks = results["lstm_backward"].checks
    assert all("float32" in check.detail for check in checks[:-1])
    numerical = checks[-1]
    assert numerical.passed and numerical.weight == 0
    assert numerical.detail.startswith("not applicable")


def test_regrade_reproduces_the_inputs_and_the_grade(make_package, settings):
    package = make_package(appended=alternative_files("float32"))
    first = grade(package, ["rnn_backward", "sample_lstm", "loss_rnn"], settings, seed=11)
    again = grade(package, ["rnn_backward", "sample_lstm", "loss_rnn"], settings, seed=11)
    other = grade(package, ["rnn_backward", "sample_lstm", "loss_rnn"], settings, seed=12)
    for item, result in first.items():
        assert [(c.name, c.detail) for c in result.checks] == \
            [(c.name, c.detail) for c in again[item].checks]
    assert [c.name for c in first["loss_rnn"].checks] != [c.name for c in other["loss_rnn"].checks]


def test_derive_seed_depends_on_both_the_setting_and_the_files():
    digest = "ab" * 32
    assert derive_seed(231, digest) == derive_seed(231, digest)
    assert derive_seed(231, digest) != derive_seed(232, digest)
    assert derive_seed(231, digest) != derive_seed(231, "cd" * 32)
    assert 0 <= derive_seed(231, digest) < 2 ** 63
