"""The otter bundle: otter's layout, test files otter can load, and otter's scores equal ours.

The equality tests run ``otter run`` itself (non-containerised otter, the same
grading process ``otter grade`` runs in Docker) on handed-in zips; the container's
entry point runs in a stand-in ``/autograder`` laid out as otter grade's image.
"""

import fnmatch
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import otter
import pytest
from otter.nbmeta_config import NBMetadataConfig
from otter.test_files import create_test_file

from autograder import config, grade, mistakes, otter_plugin, paths
from autograder.build import otter_bundle
from solutions import handin

DOCKERFILE = Path(otter.__file__).parent / "grade" / "Dockerfile"
MUTANTS = ("no_carried_gradient", "lstm_cell_not_carried", "loss_mask_omitted")
OTTER_SUMMARY_TEST = "Public Tests"


@pytest.fixture(scope="module")
def bundle():
    """``{archive path: bytes}`` of the otter bundle built from this tree."""
    data = otter_bundle.expected_files()[otter_bundle.OUTPUT]
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture(scope="module")
def bundle_path(tmp_path_factory, bundle):
    path = tmp_path_factory.mktemp("otter") / "otter-autograder.zip"
    path.write_bytes(otter_bundle.expected_files()[otter_bundle.OUTPUT])
    return path


def _dockerfile_sources():
    """The source patterns of every ADD line of otter grade's Dockerfile."""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("ADD "):
            yield from line.split()[1:-1]


def test_bundle_has_what_otters_dockerfile_copies(bundle):
    tops = {name.split("/")[0] for name in bundle}
    sources = list(_dockerfile_sources())
    assert "run_autograder" in sources and "setup.sh" in sources
    for pattern in sources:
        assert fnmatch.filter(tops, pattern), f"the Dockerfile's ADD {pattern} matches nothing"
    assert {name for name in bundle if name.startswith("files/")} == {
        f"files/{otter_plugin.PLACEHOLDER_NOTEBOOK}", f"files/{otter_plugin.GRADER_ARCHIVE}"}
    otter_config = json.loads(bundle["otter_config.json"])
    assert otter_config["plugins"] == ["autograder.otter_plugin.NativeGrading"]
    assert otter_config["points_possible"] == config.load().total_points


def test_one_test_file_per_item_with_its_points(bundle, tmp_path):
    settings = config.load()
    assert {name for name in bundle if name.startswith("tests/")} == {
        f"tests/{item}.py" for item in config.ITEMS}
    for item, points in settings.points.items():
        path = tmp_path / f"{item}.py"
        path.write_bytes(bundle[f"tests/{item}.py"])
        test_file = create_test_file(str(path), NBMetadataConfig())
        assert (test_file.name, test_file.possible) == (item, points)


def test_test_file_fails_with_the_native_explanation(bundle, tmp_path):
    path = tmp_path / "rnn_backward.py"
    path.write_bytes(bundle["tests/rnn_backward.py"])
    test_file = create_test_file(str(path), NBMetadataConfig())
    lost = {"rnn_backward": {"score": 2.5, "max_score": 10.0, "output": "dh0: max error 0.7"}}
    test_file.run({"native_results": lost})
    assert not test_file.passed_all
    assert "dh0: max error 0.7" in test_file.summary()
    full = {"rnn_backward": {"score": 10.0, "max_score": 10.0, "output": ""}}
    test_file.run({"native_results": full})
    assert test_file.passed_all


def test_grader_archive_provides_the_plugin_by_zipimport(bundle, tmp_path):
    archive = tmp_path / otter_plugin.GRADER_ARCHIVE
    archive.write_bytes(bundle[f"files/{otter_plugin.GRADER_ARCHIVE}"])
    code = ("import sys; sys.path.insert(0, sys.argv[1]); "
            "import autograder.otter_plugin as plugin; print(plugin.__file__)")
    shown = subprocess.run([sys.executable, "-c", code, str(archive)], capture_output=True,
                           text=True, check=True, cwd=tmp_path).stdout
    assert shown.startswith(str(archive))


def _handed_in_zip(path, sources):
    """A zip laid out as ``python -m assignment.handin`` writes it, notebooks included."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in sources.items():
            archive.writestr(f"{handin.ARCHIVE_PACKAGE}/{name}", text)
        for name in handin.NOTEBOOKS:
            archive.write(paths.REPO_ROOT / handin.ARCHIVE_NOTEBOOKS / name,
                          f"{handin.ARCHIVE_NOTEBOOKS}/{name}")
    return path


def _sources(kind):
    """The graded files of the reference, the stubs or a mutant of the catalogue."""
    if kind == "solutions":
        return mistakes.reference_sources()
    if kind == "assignment":
        return {name: (paths.ASSIGNMENT_DIR / name).read_text(encoding="utf-8")
                for name in handin.GRADED_FILES}
    [mistake] = [mistake for mistake in mistakes.MISTAKES if mistake.name == kind]
    return mistakes.mutated_sources(mistake)


def _start_otter_run(bundle_path, submission, out):
    """Start ``otter run`` on ``submission`` (it runs while the test grades natively)."""
    out.mkdir()
    command = [sys.executable, "-m", "otter", "run", "-a", str(bundle_path), "-o", str(out),
               str(submission)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _otter_scores(otter_run, out):
    """Per-item scores and the total of a finished ``otter run``."""
    said, _ = otter_run.communicate(timeout=900)
    assert otter_run.returncode == 0, said
    document = json.loads((out / "results.json").read_text(encoding="utf-8"))
    tests = [test for test in document["tests"] if test["name"] != OTTER_SUMMARY_TEST]
    return {test["name"]: round(test["score"], 4) for test in tests}, document["score"]


@pytest.mark.slow
@pytest.mark.parametrize("kind", ("solutions", "assignment") + MUTANTS)
def test_otter_run_scores_equal_the_native_grade(kind, bundle_path, tmp_path):
    submission = _handed_in_zip(tmp_path / "submission.zip", _sources(kind))
    otter_run = _start_otter_run(bundle_path, submission, tmp_path / "otter")
    native = grade.grade_submission(submission, tmp_path / "native")
    otter_items, otter_total = _otter_scores(otter_run, tmp_path / "otter")
    assert otter_items == {item.name: round(item.score, 4) for item in native.items}
    assert otter_total == pytest.approx(native.score)
    expected_total = {"solutions": 100, "assignment": 0}.get(kind)
    if expected_total is None:
        assert 0 < native.score < 100
    else:
        assert native.score == expected_total


@pytest.mark.slow
def test_student_modules_never_reach_otters_kernel(bundle_path, tmp_path):
    """A module at the zip's root named like one otter's kernel imports is moved away first."""
    submission = _handed_in_zip(tmp_path / "submission.zip", _sources("solutions"))
    with zipfile.ZipFile(submission, "a") as archive:
        archive.writestr("otter.py", "raise SystemExit('student code ran in the kernel')\n")
    otter_items, otter_total = _otter_scores(
        _start_otter_run(bundle_path, submission, tmp_path / "otter"), tmp_path / "otter")
    assert otter_total == 100
    summary = json.loads((tmp_path / "otter" / "results.json").read_text(encoding="utf-8"))
    assert all("All test cases passed" in test["output"] for test in summary["tests"]
               if test["name"] in otter_items)


@pytest.mark.slow
def test_container_entry_point_grades_a_zip_as_otter_grade_does(bundle, tmp_path):
    """run_otter.py in a stand-in /autograder laid out as otter grade's image and container.

    The plugin is then imported from the bundled grader archive, not the installed package.
    """
    root = tmp_path / "autograder"
    source = root / "source"
    for name, data in bundle.items():
        if name.split("/")[0] in ("otter_config.json", "run_otter.py", "files", "tests"):
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            (source / name).write_bytes(data)
    otter_config = json.loads((source / "otter_config.json").read_text(encoding="utf-8"))
    (source / "otter_config.json").write_text(json.dumps({**otter_config, "zips": True}))
    (root / "submission_metadata.json").touch()  # the Dockerfile's `RUN touch`
    (root / "results").mkdir()
    (root / "submission").mkdir()
    _handed_in_zip(root / "submission" / "student.zip", _sources("assignment"))
    environment = dict(os.environ, AUTOGRADER_ROOT=str(root))
    subprocess.run([sys.executable, str(source / "run_otter.py")], cwd=root, env=environment,
                   check=True, capture_output=True, timeout=900)
    document = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    tests = {test["name"]: test for test in document["tests"] if test["name"] in config.ITEMS}
    assert set(tests) == set(config.ITEMS) and document["score"] == 0
    assert all("NotImplementedError" in test["output"] for test in tests.values())
