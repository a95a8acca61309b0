"""Course package names (``cs231n``, ...): the very same modules as ``assignment`` in both
runners, put back after every in-process request, never an alias of the reference, and the
package's copy of the names is the one grading.toml gives."""

import json
import re
import shutil
import subprocess
import sys
import textwrap

import pytest

from autograder import paths
from autograder.build import package_names, steps, stubs
from autograder.sandbox import InProcessRunner, SandboxRunner
from sandbox_helpers import RUN_CODE

SAME_MODULES = """
import importlib, sys
import cs231n.layers as layers
from cs231n.classifiers.rnn import CaptioningRNN
import assignment.classifiers.rnn
value = [layers is sys.modules["assignment.layers"],
         CaptioningRNN is assignment.classifiers.rnn.CaptioningRNN,
         importlib.import_module("ie590.rnn_layers") is sys.modules["assignment.rnn_layers"],
         importlib.import_module("daseCV") is sys.modules["assignment"],
         layers.__spec__.name]
"""
WHICH = "import cs231n.rnn_layers\nvalue = cs231n.rnn_layers.PACKAGE_MARK"


def probe(runner, body):
    """Run ``body`` as student code; it sets ``value`` to JSON-able data, which is returned."""
    code = ("import json, numpy as np\n" + textwrap.dedent(body)
            + "\nresult = np.frombuffer(json.dumps(value).encode(), np.uint8).copy()")
    return json.loads(runner.call("rnn_layers.run_code", code).tobytes())


@pytest.fixture(scope="module")
def packages(make_package):
    """Two reference packages with ``run_code``, told apart by their ``PACKAGE_MARK``."""
    return [make_package(appended={"rnn_layers.py": RUN_CODE["rnn_layers.py"]
                                   + f"\nPACKAGE_MARK = {mark!r}\n"})
            for mark in "ab"]


@pytest.mark.parametrize("runner_class", [InProcessRunner, SandboxRunner])
def test_course_names_give_the_very_same_modules(packages, runner_class, settings):
    with runner_class(packages[0], settings) as runner:
        assert probe(runner, SAME_MODULES) == [True, True, True, True, "assignment.layers"]


def test_in_process_course_names_follow_the_active_package(packages, settings):
    before = {name: sys.modules.get(name) for name in ("cs231n", "cs231n.rnn_layers")}
    with InProcessRunner(packages[0], settings) as first, \
            InProcessRunner(packages[1], settings) as second:
        for runner, mark in ((first, "a"), (second, "b"), (first, "a")):
            assert probe(runner, WHICH) == mark
            assert {name: sys.modules.get(name) for name in before} == before


def test_the_reference_package_answers_to_no_course_name():
    script = ("import importlib.util, sys, solutions, solutions.layers\n"
              "print(importlib.util.find_spec('cs231n') is None,"
              " 'cs231n' in sys.modules, solutions.__name__)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, cwd=paths.REPO_ROOT.parent)
    assert done.stdout.split() == ["True", "False", "solutions"], done.stderr


def test_the_packages_copy_of_the_names_is_grading_tomls(settings):
    names = settings.package_names
    assert f"solutions/{package_names.FILENAME}" not in steps.stale(["stubs"]), (
        "solutions/_package_names.py is stale: run `python -m autograder build stubs`")
    for package in (paths.SOLUTIONS_DIR, paths.ASSIGNMENT_DIR):
        namespace = {}
        exec((package / package_names.FILENAME).read_text(), namespace)
        assert namespace["NAMES"] == names


def test_the_stubs_step_writes_the_names_of_its_grading_toml(tmp_path, settings):
    root = tmp_path / "repo"
    shutil.copytree(paths.SOLUTIONS_DIR, root / "solutions",
                    ignore=shutil.ignore_patterns("__pycache__"))
    text = paths.GRADING_TOML.read_text(encoding="utf-8")
    (root / "grading.toml").write_text(
        re.sub(r"(?m)^names = .*$", 'names = ["assignment", "cs231n"]', text), encoding="utf-8")
    written = stubs.expected_files(root)
    expected = package_names.source(("assignment", "cs231n"))
    assert written[f"solutions/{package_names.FILENAME}"] == expected
    assert written[f"assignment/{package_names.FILENAME}"] == expected
    assert expected != package_names.source(settings.package_names)


def test_generate_check_finds_the_repository_current():
    done = subprocess.run([sys.executable, "-m", "autograder", "generate", "--check"],
                          capture_output=True, text=True, timeout=120, cwd=paths.REPO_ROOT)
    assert done.returncode == 0 and "current" in done.stdout, done.stdout + done.stderr
