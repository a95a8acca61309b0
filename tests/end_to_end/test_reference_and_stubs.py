"""Full gradings in the sandbox: the reference earns every point, the stubs none."""

import json

import pytest

from autograder import grade, paths


def _lost(result):
    """Every item that lost points, with why (for a readable assertion message)."""
    return {item.name: (item.score, item.error, [check.detail for check in item.checks
                                                 if not check.passed])
            for item in result.items if not item.passed}


@pytest.mark.slow
def test_reference_earns_100(tmp_path):
    result = grade.grade_submission(paths.SOLUTIONS_DIR, tmp_path)
    assert result.problems == []
    assert result.score == pytest.approx(100), _lost(result)
    document = json.loads((tmp_path / "results.json").read_text())
    assert document["score"] == pytest.approx(100)
    assert all(test["status"] == "passed" for test in document["tests"])
    for item in ("overfit_rnn", "overfit_lstm"):
        assert (tmp_path / f"loss_{item}.png").is_file()


@pytest.mark.slow
def test_stubs_earn_0(tmp_path):
    result = grade.grade_submission(paths.ASSIGNMENT_DIR, tmp_path)
    assert result.problems == []
    assert result.score == 0
    assert all("NotImplementedError" in (item.error or "") + " ".join(
        check.detail for check in item.checks) for item in result.items)
