"""The otter bundle: otter's layout, test files otter can load, and otter's scores equal ours.

The equality tests run ``otter run`` itself (non-containerised otter, the same
grading process ``otter grade`` runs in Docker) on handed-in zips; the container's
entry point runs in a stand-in ``/autograder`` laid out as otter grade's image.
"""

import fnmatch
import io
import json
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import dill
import otter
import pytest
from otter.nbmeta_config import NBMetadataConfig
from otter.test_files import create_test_file

from support.handins import MIB, PARTIAL_MUTANTS, graded_sources, handed_in_zip, zip_of_zeros

from autograder import config, grade, otter_handin, otter_plugin
from autograder.build import otter_bundle

DOCKERFILE = Path(otter.__file__).parent / "grade" / "Dockerfile"
MUTANTS = PARTIAL_MUTANTS + ("loss_mask_omitted",)
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


def test_bundle_has_what_otters_dockerfile_copies(bundle, settings):
    tops = {name.split("/")[0] for name in bundle}
    sources = list(_dockerfile_sources())
    assert "run_autograder" in sources and "setup.sh" in sources
    for pattern in sources:
        assert fnmatch.filter(tops, pattern), f"the Dockerfile's ADD {pattern} matches nothing"
    assert {name for name in bundle if name.startswith("files/")} == {
        f"files/{otter_plugin.PLACEHOLDER_NOTEBOOK}", f"files/{otter_plugin.GRADER_ARCHIVE}"}
    otter_config = json.loads(bundle["otter_config.json"])
    assert otter_config["plugins"] == ["autograder.otter_plugin.NativeGrading"]
    assert otter_config["points_possible"] == settings.total_points


def test_one_test_file_per_item_with_its_points(bundle, tmp_path, settings):
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
    submission = handed_in_zip(tmp_path / "submission.zip", graded_sources(kind))
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
    submission = handed_in_zip(tmp_path / "submission.zip", graded_sources("solutions"))
    with zipfile.ZipFile(submission, "a") as archive:
        archive.writestr("otter.py", "raise SystemExit('student code ran in the kernel')\n")
    otter_items, otter_total = _otter_scores(
        _start_otter_run(bundle_path, submission, tmp_path / "otter"), tmp_path / "otter")
    assert otter_total == 100
    summary = json.loads((tmp_path / "otter" / "results.json").read_text(encoding="utf-8"))
    assert all("All test cases passed" in test["output"] for test in summary["tests"]
               if test["name"] in otter_items)


def _stand_in_autograder(bundle, root, handin_name):
    """A stand-in /autograder laid out as otter grade's image and container, with no hand-in yet.

    Returns
    -------
    Path
        Where the hand-in zip ``handin_name`` goes (otter grade copies it there).
    """
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
    return root / "submission" / handin_name


def _run_otter(root):
    """Run the bundle's container entry point in the stand-in ``root``."""
    environment = dict(os.environ, AUTOGRADER_ROOT=str(root))
    subprocess.run([sys.executable, str(root / "source" / "run_otter.py")], cwd=root,
                   env=environment, check=True, capture_output=True, timeout=900)


@pytest.mark.slow
def test_container_entry_point_grades_a_zip_as_otter_grade_does(bundle, tmp_path):
    """run_otter.py grades in a stand-in /autograder and leaves the hand-in for otter to copy back.

    The plugin is then imported from the bundled grader archive, not the installed package.
    """
    root = tmp_path / "autograder"
    handin_zip = handed_in_zip(_stand_in_autograder(bundle, root, "student.zip"),
                               graded_sources("assignment"))
    handed_in = handin_zip.read_bytes()
    _run_otter(root)
    document = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    tests = {test["name"]: test for test in document["tests"] if test["name"] in config.ITEMS}
    assert set(tests) == set(config.ITEMS) and document["score"] == 0
    assert all("NotImplementedError" in test["output"] for test in tests.values())
    assert handin_zip.read_bytes() == handed_in
    assert not (root / "submission" / "assignment").exists()


def _understating_zip(path, real_bytes, declared_bytes):
    """A zip whose one entry holds ``real_bytes`` zeros but declares ``declared_bytes``."""
    zip_of_zeros(path, 1, real_bytes)
    data = bytearray(path.read_bytes())
    for header, size_offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        struct.pack_into("<I", data, data.find(header) + size_offset, declared_bytes)
    path.write_bytes(bytes(data))
    return path


def test_a_handin_zip_may_be_unpacked(tmp_path):
    handin_zip = handed_in_zip(tmp_path / "submission.zip", graded_sources("solutions"))
    assert otter_handin.refusal(handin_zip, max_entries=10, max_unpacked_mib=64) is None


def test_too_many_entries_are_refused(tmp_path):
    reason = otter_handin.refusal(zip_of_zeros(tmp_path / "many.zip", 11, 1),
                                  max_entries=10, max_unpacked_mib=64)
    assert reason.startswith("many.zip holds 11 entries, more than the 10 allowed")


def test_a_zip_declaring_too_much_is_refused(tmp_path):
    reason = otter_handin.refusal(zip_of_zeros(tmp_path / "bomb.zip", 2, MIB),
                                  max_entries=10, max_unpacked_mib=1)
    assert reason.startswith("bomb.zip unpacks to 2 MiB, more than the 1 MiB allowed")


def test_a_zip_understating_its_size_is_refused(tmp_path):
    liar = _understating_zip(tmp_path / "liar.zip", real_bytes=2 * MIB, declared_bytes=100)
    reason = otter_handin.refusal(liar, max_entries=10, max_unpacked_mib=1)
    assert reason.startswith("liar.zip is not a readable zip archive (Bad CRC-32")


def test_container_entry_point_refuses_a_zip_bomb_before_otter_unpacks_it(bundle, tmp_path,
                                                                           settings):
    """Past grading.toml's max_unpacked_mib nothing is unpacked; otter grade reads the reason."""
    root = tmp_path / "autograder"
    limit = settings.limits.max_unpacked_mib
    zip_of_zeros(_stand_in_autograder(bundle, root, "bomb.zip"), 1, (limit + 1) * MIB)
    _run_otter(root)
    assert sorted(path.name for path in (root / "submission").iterdir()) == ["bomb.zip"]
    with open(root / "results" / "results.pkl", "rb") as file:
        recorded = dill.load(file)
    reason = f"bomb.zip unpacks to {limit + 1} MiB, more than the {limit} MiB allowed"
    assert recorded.has_catastrophic_failure()
    assert str(recorded.catastrophic_error).startswith(reason)
    document = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert document["score"] == 0 and document["output"].startswith(reason)


def test_a_failed_graders_message_is_cut_to_the_bundled_output_limit(tmp_path):
    said = "".join(f"line {index}\n" for index in range(5000))
    (tmp_path / "grading.toml").write_text("[limits]\noutput_bytes = 120\n", encoding="utf-8")
    assert otter_plugin._tail(said, tmp_path) == said[-120:]
    (tmp_path / "grading.toml").write_text("[limits\n", encoding="utf-8")  # unreadable
    assert otter_plugin._tail(said, tmp_path) == said
