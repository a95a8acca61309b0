"""``python -m assignment.selfcheck``: RNN tests before LSTM ones, a pass count, a quiet --help."""

import subprocess
import sys

from support.notebooks import REPO, make_workspace


def _selfcheck(workspace, *arguments):
    """Run the self-check in ``workspace``; return (exit status, its stdout, its stderr)."""
    done = subprocess.run([sys.executable, "-m", "assignment.selfcheck", *arguments],
                          cwd=workspace, capture_output=True, text=True, timeout=600)
    return done.returncode, done.stdout, done.stderr


def _test_lines(printed):
    """The ``status notebook/test`` lines, as (status, notebook, test)."""
    lines = [line.split()[:2] for line in printed.splitlines()
             if line.split()[:1] in (["passed"], ["failed"], ["skipped"])]
    return [(status, *name.split("/")) for status, name in lines]


def test_help_runs_no_check(tmp_path):
    workspace = make_workspace(tmp_path, "assignment")
    status, printed, errors = _selfcheck(workspace, "--help")
    assert status == 0, errors
    assert printed.startswith("usage: python -m assignment.selfcheck")
    assert _test_lines(printed) == []


def test_reference_passes_every_runnable_test_rnn_first(tmp_path):
    workspace = make_workspace(tmp_path, "solutions")
    status, printed, errors = _selfcheck(workspace)
    assert status == 0, printed + errors
    lines = _test_lines(printed)
    on_disk = {(path.parent.name, path.stem)
               for path in (REPO / "notebooks" / "tests").glob("*/*.py")}
    assert {(notebook, test) for _, notebook, test in lines} == on_disk
    notebooks = [notebook for _, notebook, _ in lines]
    assert notebooks == sorted(notebooks, key=lambda name: name != "RNN_Captioning")
    passed = sum(status == "passed" for status, _, _ in lines)
    skipped = sum(status == "skipped" for status, _, _ in lines)
    assert passed and skipped and passed + skipped == len(lines)
    assert f"\n{passed} of {passed} public tests passed, {skipped} skipped" in printed


def test_stubs_fail_and_the_count_says_so(tmp_path):
    workspace = make_workspace(tmp_path, "assignment")
    status, printed, _ = _selfcheck(workspace)
    assert status == 1
    ran = sum(status != "skipped" for status, _, _ in _test_lines(printed))
    assert f"\n0 of {ran} public tests passed" in printed
