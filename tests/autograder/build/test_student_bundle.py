"""The student bundle holds what a student needs and nothing that gives the grade away."""

import io
import shutil
import subprocess
import sys
import tomllib
import zipfile

import pytest

from autograder import paths
from autograder.build import notebooks, student_bundle, stubs


@pytest.fixture(scope="module")
def archive():
    data = student_bundle.expected_files()[student_bundle.OUTPUT]
    return zipfile.ZipFile(io.BytesIO(data))


def test_bundle_holds_the_student_material(archive):
    names = set(archive.namelist())
    for needed in ("README.md", "requirements.txt", "assignment/selfcheck.py",
                   "assignment/handin.py", "assignment/rnn_layers.py",
                   "assignment/classifiers/rnn.py", "notebooks/RNN_Captioning.ipynb",
                   "notebooks/LSTM_Captioning.ipynb", "captiondata/__main__.py",
                   "notebooks/tests/RNN_Captioning/rnn_step_forward.py",
                   "datasets/embedded/coco_captioning/coco2014_vocab.json"):
        assert needed in names


def test_bundle_leaks_nothing(archive):
    files = {name: archive.read(name) for name in archive.namelist()}
    tops = {name.split("/")[0] for name in files}
    assert not tops & {"solutions", "autograder", "tests", "grading.toml"}
    assert not any(b"BEGIN SOLUTION" in data for data in files.values())
    assert student_bundle.leaks(files) == []


def test_leak_check_catches_a_reference_copy():
    reference = (paths.REPO_ROOT / "solutions" / "rnn_layers.py").read_bytes()
    assert student_bundle.leaks({"assignment/rnn_layers.py": reference}) == ["assignment/rnn_layers.py"]


def test_requirements_are_the_student_extra_of_pyproject(archive):
    project = tomllib.loads((paths.REPO_ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["student"]
    assert archive.read("requirements.txt").decode().splitlines() == wanted
    assert any(line.startswith("otter-grader") for line in wanted)


def test_bundle_ships_what_the_build_steps_generate_not_stale_files(tmp_path):
    root = tmp_path
    for folder in ("solutions", "notebooks/source", "captiondata", "datasets/embedded"):
        shutil.copytree(paths.REPO_ROOT / folder, root / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("grading.toml", "pyproject.toml"):
        shutil.copy(paths.REPO_ROOT / name, root / name)
    (root / "assignment").mkdir()
    (root / "assignment" / "rnn_layers.py").write_text("stale = True\n")
    data = student_bundle.expected_files(root)[student_bundle.OUTPUT]
    archive = zipfile.ZipFile(io.BytesIO(data))
    generated = {name: text for name, text in
                 (stubs.expected_files(root) | notebooks.expected_files(root)).items()
                 if not name.startswith("solutions/")}
    shipped = {name for name in archive.namelist()
               if name.startswith(("assignment/", "notebooks/"))}
    assert shipped == set(generated)
    assert (archive.read("assignment/rnn_layers.py").decode()
            == generated["assignment/rnn_layers.py"])


def test_bundle_is_deterministic():
    assert student_bundle.expected_files() == student_bundle.expected_files()


@pytest.mark.slow
def test_selfcheck_runs_from_the_unpacked_bundle(archive, tmp_path):
    archive.extractall(tmp_path)
    done = subprocess.run([sys.executable, "-m", "assignment.selfcheck"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 1  # the stubs fail the public tests
    assert "failed   RNN_Captioning/rnn_step_forward" in done.stdout
    assert "skipped  RNN_Captioning/overfit_rnn" in done.stdout
    assert "Hidden tests" in done.stdout
