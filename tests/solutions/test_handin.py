"""``python -m assignment.handin``: zips exactly the graded files and the notebooks, or refuses."""

import subprocess
import sys
import zipfile

import pytest

from support.notebooks import NOTEBOOKS, REPO, make_workspace

STUDENT_FUNCTIONS = [
    "rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward",
    "word_embedding_forward", "word_embedding_backward",
    "lstm_step_forward", "lstm_step_backward", "lstm_forward", "lstm_backward",
    "CaptioningRNN.loss", "CaptioningRNN.sample",
]
GRADED = ["assignment/rnn_layers.py", "assignment/classifiers/rnn.py"]


def _hand_in(workspace, *arguments):
    """Run the hand-in in ``workspace``; return (exit status, everything it printed)."""
    done = subprocess.run([sys.executable, "-m", "assignment.handin", *arguments],
                          cwd=workspace, capture_output=True, text=True, timeout=300)
    return done.returncode, done.stdout + done.stderr


def _names(archive_path):
    with zipfile.ZipFile(archive_path) as archive:
        return sorted(archive.namelist())


def test_reference_is_handed_in_with_exactly_the_graded_files_and_notebooks(tmp_path):
    workspace = make_workspace(tmp_path, "solutions")
    status, printed = _hand_in(workspace)
    assert status == 0, printed
    assert _names(workspace / "submission.zip") == sorted(
        GRADED + [f"notebooks/{name}" for name in NOTEBOOKS])
    assert (zipfile.ZipFile(workspace / "submission.zip").read("assignment/rnn_layers.py")
            == (REPO / "solutions" / "rnn_layers.py").read_bytes())


def test_missing_notebooks_are_left_out_and_named(tmp_path):
    workspace = make_workspace(tmp_path, "solutions")
    for name in NOTEBOOKS:
        (workspace / "notebooks" / name).unlink()
    status, printed = _hand_in(workspace, "--out", str(tmp_path / "mine.zip"))
    assert status == 0, printed
    assert _names(tmp_path / "mine.zip") == sorted(GRADED)
    assert all(name in printed for name in NOTEBOOKS)


def test_stubs_are_refused_naming_every_unfinished_function(tmp_path):
    workspace = make_workspace(tmp_path, "assignment")
    status, printed = _hand_in(workspace)
    assert status == 1
    assert "NotImplementedError" in printed
    listed = [line.strip()[2:] for line in printed.splitlines() if line.strip().startswith("- ")]
    assert listed == STUDENT_FUNCTIONS
    assert not (workspace / "submission.zip").exists()


def test_only_the_unfinished_functions_are_named(tmp_path):
    workspace = make_workspace(tmp_path, "solutions")
    stub_model = (REPO / "assignment" / "classifiers" / "rnn.py").read_text(encoding="utf-8")
    (workspace / "assignment" / "classifiers" / "rnn.py").write_text(stub_model, encoding="utf-8")
    status, printed = _hand_in(workspace)
    assert status == 1
    listed = [line.strip()[2:] for line in printed.splitlines() if line.strip().startswith("- ")]
    assert listed == ["CaptioningRNN.loss", "CaptioningRNN.sample"]


@pytest.mark.parametrize("graded", GRADED)
def test_a_missing_graded_file_is_refused(tmp_path, graded):
    workspace = make_workspace(tmp_path, "solutions")
    (workspace / graded).unlink()
    status, printed = _hand_in(workspace)
    assert status == 1
    assert f"Missing {graded}" in printed
    assert not (workspace / "submission.zip").exists()


def test_a_syntax_error_is_refused_with_its_line(tmp_path):
    workspace = make_workspace(tmp_path, "solutions")
    layers = workspace / "assignment" / "rnn_layers.py"
    layers.write_text(layers.read_text(encoding="utf-8") + "\ndef broken(:\n", encoding="utf-8")
    status, printed = _hand_in(workspace)
    assert status == 1
    assert "rnn_layers.py, line" in printed and "SyntaxError" in printed, printed
    assert not (workspace / "submission.zip").exists()


def test_an_error_at_import_is_refused(tmp_path):
    workspace = make_workspace(tmp_path, "solutions")
    model = workspace / "assignment" / "classifiers" / "rnn.py"
    model.write_text(model.read_text(encoding="utf-8") + "\nundefined_name\n", encoding="utf-8")
    status, printed = _hand_in(workspace)
    assert status == 1
    assert "classifiers/rnn.py: NameError" in printed, printed


def test_partial_hand_in_writes_the_zip_and_names_the_unfinished_functions(tmp_path):
    workspace = make_workspace(tmp_path, "solutions")
    stub_model = (REPO / "assignment" / "classifiers" / "rnn.py").read_bytes()
    (workspace / "assignment" / "classifiers" / "rnn.py").write_bytes(stub_model)
    status, printed = _hand_in(workspace, "--partial")
    assert status == 0, printed
    assert "Handed in unfinished" in printed
    listed = [line.strip()[2:] for line in printed.splitlines() if line.strip().startswith("- ")]
    assert listed == ["CaptioningRNN.loss", "CaptioningRNN.sample"]
    archive = zipfile.ZipFile(workspace / "submission.zip")
    assert archive.read("assignment/classifiers/rnn.py") == stub_model


def test_the_refusal_of_unfinished_work_points_at_partial(tmp_path):
    workspace = make_workspace(tmp_path, "assignment")
    status, printed = _hand_in(workspace)
    assert status == 1
    assert "--partial" in printed


def test_partial_still_refuses_code_that_cannot_be_imported(tmp_path):
    workspace = make_workspace(tmp_path, "solutions")
    model = workspace / "assignment" / "classifiers" / "rnn.py"
    model.write_text(model.read_text(encoding="utf-8") + "\nundefined_name\n", encoding="utf-8")
    status, printed = _hand_in(workspace, "--partial")
    assert status == 1
    assert "classifiers/rnn.py: NameError" in printed, printed
    assert not (workspace / "submission.zip").exists()
