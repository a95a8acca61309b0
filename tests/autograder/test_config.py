"""grading.toml: the repository's file is valid, and each kind of mistake in it is named."""

import pytest

from autograder import config, paths


def test_repository_grading_toml_loads_with_points_summing_to_100():
    settings = config.load()
    assert set(settings.points) == set(config.ITEMS)
    assert settings.total_points == 100
    assert settings.overfit.rnn_threshold == 0.1
    assert settings.overfit.lstm_threshold == 0.5
    assert settings.package_names == ("assignment", "cs231n", "ie590", "daseCV")


def _write_variant(tmp_path, old, new):
    """A copy of grading.toml with one text replacement; fails if ``old`` is not there."""
    text = paths.GRADING_TOML.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in grading.toml: update this test"
    path = tmp_path / "grading.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "old, new, named",
    [
        ("rnn_backward = 8", "rnn_backward = 'eight'", "points.rnn_backward"),
        ("rnn_backward = 8", "", "points.rnn_backward"),
        ("rnn_backward = 8", "rnn_backward = 8\nrnn_backwards = 1", "points.rnn_backwards"),
        ("float32 = 1e-4", "float32 = -1e-4", "tolerance.float32"),
        ("cpu_seconds = 600", "cpu_seconds = 1.5", "limits.cpu_seconds"),
        ("update_rule = \"adam\"", "update_rule = 3", "overfit.update_rule"),
        ("jobs = 1", "jobs = 1\nworkers = 2", "class.workers"),
        ("seed = 231", "seed = 231\ncolour = 'red'", "colour"),
        ("[limits]", "[limits", "not valid TOML"),
        ('names = ["assignment", ', 'names = [', "package.names"),
        ('names = ["assignment", ', 'names = ["cs 231n", "assignment", ', "package.names"),
        ('names = ["assignment", ', 'names = ["cs231n", "assignment", ', "package.names"),
        ('names = ["assignment", ', 'colour = 1\nnames = ["assignment", ', "package.colour"),
        ('isolation_minimum = "confined"', 'isolation_minimum = "namespaces"',
         "limits.isolation_minimum"),
    ],
)
def test_a_malformed_grading_toml_is_reported_with_its_key(tmp_path, old, new, named):
    path = _write_variant(tmp_path, old, new)
    with pytest.raises(config.ConfigError) as error:
        config.load(path)
    assert named in str(error.value)
    assert str(path) in str(error.value)


def test_a_missing_grading_toml_is_reported(tmp_path):
    with pytest.raises(config.ConfigError, match="cannot read"):
        config.load(tmp_path / "absent.toml")
