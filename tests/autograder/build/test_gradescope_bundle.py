"""The Gradescope bundle grades a submission laid out as Gradescope does."""

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from autograder import paths
from autograder.build import gradescope_bundle, otter_bundle, student_bundle

FAST_ITEMS = "rnn_step_forward,loss_rnn"


@pytest.fixture(scope="module")
def autograder_root(tmp_path_factory):
    """A folder standing in for /autograder: the unpacked zip and the reference submission."""
    root = tmp_path_factory.mktemp("autograder")
    data = gradescope_bundle.expected_files()[gradescope_bundle.OUTPUT]
    zipfile.ZipFile(io.BytesIO(data)).extractall(root / "source")
    submission = root / "submission"
    (submission / "classifiers").mkdir(parents=True)
    for graded in ("rnn_layers.py", "classifiers/rnn.py"):
        shutil.copy(paths.SOLUTIONS_DIR / graded, submission / graded)
    return root


def _make_venv(tools, venv):
    """Run setup.sh's ``make_venv VENV`` with only the folder ``tools`` (and rm) in PATH."""
    (tools / "rm").symlink_to(shutil.which("rm"))
    make_venv = student_bundle.TEMPLATES / gradescope_bundle.MAKE_VENV_TEMPLATE
    return subprocess.run(["/bin/bash", "-euo", "pipefail", "-c",
                           f'. "{make_venv}"; make_venv "{venv}"'],
                          env={"PATH": str(tools)}, capture_output=True, text=True, timeout=300)


def test_setup_makes_its_environment_with_the_python_it_finds(tmp_path):
    """A python3 >= 3.11 in PATH is used as it is: no apt-get (absent from this PATH) runs."""
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "python3").symlink_to(sys.executable)
    said = _make_venv(tools, tmp_path / "venv")
    assert said.returncode == 0, said.stderr
    version = "Python {}.{}.{}".format(*sys.version_info[:3])
    assert said.stdout.startswith(f"setup.sh: a virtual environment of {version}")
    assert (tmp_path / "venv" / "bin" / "pip").is_file()


def test_setup_without_python_or_apt_get_says_what_base_image_to_choose(tmp_path):
    tools = tmp_path / "bin"
    tools.mkdir()
    said = _make_venv(tools, tmp_path / "venv")
    assert said.returncode == 1
    assert "choose a base image with Python >= 3.11" in said.stderr
    assert not (tmp_path / "venv").exists()


def test_both_setup_scripts_carry_make_venv():
    fragment = (student_bundle.TEMPLATES / gradescope_bundle.MAKE_VENV_TEMPLATE).read_bytes()
    otter_members = otter_bundle.members()
    for setup in (gradescope_bundle.members()["setup.sh"], otter_members["setup.sh"]):
        assert fragment in setup and gradescope_bundle.MAKE_VENV_MARKER.encode() not in setup


def run_autograder(root, items=None):
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), PYTHON=sys.executable)
    if items:
        env["GRADE_ITEMS"] = items
    subprocess.run(["bash", "run_autograder"], cwd=root / "source", env=env, check=True,
                   capture_output=True, timeout=900)
    return json.loads((root / "results" / "results.json").read_text())


def test_bundle_has_gradescope_scripts_at_its_root():
    data = gradescope_bundle.expected_files()[gradescope_bundle.OUTPUT]
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert {"setup.sh", "run_autograder", "pyproject.toml", "grading.toml"} <= set(names)


def test_reference_gets_full_marks_on_chosen_items(autograder_root):
    results = run_autograder(autograder_root, FAST_ITEMS)
    graded = [test for test in results["tests"] if test["name"] in FAST_ITEMS.split(",")]
    assert len(graded) == 2
    assert all(test["score"] == test["max_score"] > 0 for test in graded)


@pytest.mark.slow
def test_reference_scores_100(autograder_root):
    assert run_autograder(autograder_root)["score"] == 100
