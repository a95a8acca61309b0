"""Locating the student's two files in every accepted layout, and every kind of bad submission."""

import os
import struct
import zipfile
from pathlib import Path

import pytest

from autograder import submission
from autograder.build import student_bundle
from captiondata import locations
from support.submissions import REFERENCE, reference_submission, write_files, zip_folder

LAYERS, MODEL = "rnn_layers.py", "classifiers/rnn.py"
NOISE = {
    "notebook.ipynb": b"{}",
    "README.txt": b"my submission",
    "data/readme.md": b"# data",
}
LAYOUTS = {
    "root": "",
    "assignment": "assignment",
    "nested": "cs231n/assignment3",
    "submission": "submission/assignment",
}


def _located(folder, as_zip, tmp_path, limits):
    """Locate ``folder`` itself, or a zip of it."""
    path = zip_folder(folder, tmp_path / "submission.zip") if as_zip else folder
    return submission.locate(path, limits)


@pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])
@pytest.mark.parametrize("prefix", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_every_layout_is_found(tmp_path, settings, prefix, as_zip):
    folder = reference_submission(tmp_path / "student", prefix)
    write_files(folder, NOISE, prefix)
    found = _located(folder, as_zip, tmp_path, settings.limits)
    assert found.problems == []
    assert found.files == REFERENCE


@pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])
def test_ignored_folders_hold_no_candidates(tmp_path, settings, as_zip):
    folder = reference_submission(tmp_path / "student", "assignment")
    for ignored in ("__MACOSX/assignment", "assignment/.ipynb_checkpoints", ".git/old"):
        write_files(folder, {LAYERS: b"broken", MODEL: b"broken"}, ignored)
    found = _located(folder, as_zip, tmp_path, settings.limits)
    assert found.problems == []
    assert found.files == REFERENCE


@pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])
def test_rnn_layers_next_to_classifiers_is_preferred(tmp_path, settings, as_zip):
    folder = reference_submission(tmp_path / "student", "assignment")
    write_files(folder, {LAYERS: b"# an old copy\n", "old/rnn_layers.py": b"# older\n"})
    found = _located(folder, as_zip, tmp_path, settings.limits)
    assert found.problems == []
    assert found.files == REFERENCE


def test_digest_depends_on_content_only(tmp_path, settings):
    at_root = submission.locate(reference_submission(tmp_path / "a"), settings.limits)
    nested = submission.locate(reference_submission(tmp_path / "b", "x/y"), settings.limits)
    changed = write_files(tmp_path / "c", {**REFERENCE, LAYERS: REFERENCE[LAYERS] + b"\n"})
    assert at_root.digest == nested.digest
    assert len(at_root.digest) == 64
    assert submission.locate(changed, settings.limits).digest != at_root.digest


def test_missing_path(tmp_path, settings):
    found = submission.locate(tmp_path / "nowhere", settings.limits)
    assert found.files == {}
    assert "does not exist" in found.problems[0]


@pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])
def test_missing_file_costs_only_that_file(tmp_path, settings, as_zip):
    folder = write_files(tmp_path / "student", {LAYERS: REFERENCE[LAYERS],
                                                "old/rnn.py": b"x = 1\n"})
    found = _located(folder, as_zip, tmp_path, settings.limits)
    assert found.files == {LAYERS: REFERENCE[LAYERS]}
    [problem] = found.problems
    assert "classifiers/rnn.py was not found" in problem
    assert "found old/rnn.py, not inside classifiers/" in problem
    assert "score 0" in problem


@pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])
def test_a_drag_and_drop_upload_of_the_two_files_is_taken(tmp_path, settings, as_zip):
    folder = write_files(tmp_path / "student", {LAYERS: REFERENCE[LAYERS],
                                                "rnn.py": REFERENCE[MODEL]})
    found = _located(folder, as_zip, tmp_path, settings.limits)
    assert found.problems == []
    assert found.files == REFERENCE


def test_a_loose_rnn_py_is_not_taken_when_two_sit_next_to_rnn_layers(tmp_path, settings):
    folder = write_files(tmp_path / "student", {LAYERS: REFERENCE[LAYERS],
                                                "a/rnn_layers.py": REFERENCE[LAYERS],
                                                "rnn.py": REFERENCE[MODEL],
                                                "a/rnn.py": REFERENCE[MODEL]})
    found = submission.locate(folder, settings.limits)
    assert MODEL not in found.files
    assert any("classifiers/rnn.py was not found" in problem for problem in found.problems)


def test_not_a_zip(tmp_path, settings):
    fake = tmp_path / "submission.zip"
    fake.write_text("these are not the bytes of a zip")
    found = submission.locate(fake, settings.limits)
    assert found.files == {}
    assert "neither a folder nor a zip archive" in found.problems[0]


def test_too_many_entries(tmp_path, settings_with):
    folder = reference_submission(tmp_path / "student")
    write_files(folder, {f"junk/{number}.txt": b"" for number in range(10)})
    limits = settings_with(limits=dict(max_zip_entries=5)).limits
    found = _located(folder, True, tmp_path, limits)
    assert found.files == {}
    assert "12 entries" in found.problems[0] and "more than the 5 allowed" in found.problems[0]
    assert "zip just rnn_layers.py and classifiers/rnn.py" in found.problems[0]


def test_the_handout_data_set_does_not_count_against_the_entry_limit(tmp_path, settings_with):
    """A zip of the whole handout folder: 2,500 images under datasets/ next to the two files."""
    folder = reference_submission(tmp_path / "student", "assignment3/assignment")
    write_files(folder, {f"datasets/embedded/coco_captioning/images/train/{number:05}.png": b""
                         for number in range(2500)}, "assignment3")
    write_files(folder, {f"__MACOSX/assignment/._{number}.py": b"" for number in range(100)},
                "assignment3")
    write_files(folder, {"datasets/coco_captioning/train2014_vgg16_fc7.h5": b"\0" * (2 << 20)},
                "assignment3")
    limits = settings_with(limits=dict(max_zip_entries=50, max_unpacked_mib=1)).limits
    found = _located(folder, True, tmp_path, limits)
    assert found.problems == []
    assert found.files == REFERENCE


@pytest.mark.skipif(not locations.EMBEDDED_DIR.exists(),
                    reason="the embedded data set is not built")
def test_a_zip_of_the_whole_handout_folder_is_graded(tmp_path, settings):
    """The student bundle as downloaded (data set, notebooks, public tests), the work filled in."""
    handout = dict(student_bundle.members())
    handout.update({f"assignment/{name}": data for name, data in REFERENCE.items()})
    assert len(handout) > settings.limits.max_zip_entries
    folder = write_files(tmp_path / "student", handout, "rnn_captioning")
    found = _located(folder, True, tmp_path, settings.limits)
    assert found.problems == []
    assert found.files == REFERENCE


RENAMINGS = [("rnn_layers (1).py", LAYERS, LAYERS), ("rnn_layers.py.txt", LAYERS, LAYERS),
             ("RNN_Layers.py", LAYERS, LAYERS), ("classifiers/rnn (2).py", MODEL, MODEL),
             ("rnn (2).py", MODEL, MODEL)]


@pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])
@pytest.mark.parametrize("renamed, student_file, expected", RENAMINGS,
                         ids=[renamed for renamed, _, _ in RENAMINGS])
def test_a_renamed_file_is_named_for_the_items(tmp_path, settings, as_zip, renamed,
                                               student_file, expected):
    other = MODEL if student_file == LAYERS else LAYERS
    folder = write_files(tmp_path / "student", {renamed: REFERENCE[student_file],
                                                other: REFERENCE[other]})
    found = _located(folder, as_zip, tmp_path, settings.limits)
    assert found.files == {other: REFERENCE[other]}
    assert found.file_notes == {expected: f"Found `{renamed}`; the grader reads `{expected}`: "
                                          f"rename it to {Path(expected).name} and resubmit."}
    [problem] = found.problems
    assert f"found `{renamed}`" in problem


def test_a_folder_nested_1100_levels_deep_is_searched_without_crashing(tmp_path, settings):
    folder = reference_submission(tmp_path / "student", "assignment")
    deepest = folder
    for _ in range(1100):
        deepest = deepest / "d"
        os.mkdir(deepest)
    write_files(deepest, {"notes.txt": b"deep"})
    try:
        found = submission.locate(folder, settings.limits)
    finally:
        while deepest != folder:
            (deepest / "notes.txt").unlink(missing_ok=True)
            os.rmdir(deepest)
            deepest = deepest.parent
    assert found.problems == []
    assert found.files == REFERENCE


def test_a_symbolic_link_loop_next_to_the_files_costs_nothing(tmp_path, settings):
    folder = reference_submission(tmp_path / "student", "assignment")
    (folder / "assignment" / "loop").symlink_to("loop")
    (folder / "assignment" / "classifiers" / "rnn_layers (1).py").symlink_to("rnn_layers (1).py")
    found = submission.locate(folder, settings.limits)
    assert found.problems == []
    assert found.files == REFERENCE


def test_a_second_copy_under_an_undecodable_name_is_reported_in_text(tmp_path, settings):
    folder = reference_submission(tmp_path / "student", "assignment")
    copy = Path(os.fsdecode(bytes(tmp_path / "student") + b"/copy-\xff\xfe"))
    reference_submission(copy)
    found = submission.locate(folder, settings.limits)
    assert found.files == {}
    text = "\n".join(found.problems)
    text.encode("utf-8")  # what results.json and the reports need
    assert "copy-\ufffd\ufffd/rnn_layers.py" in text


def test_zip_bomb_by_declared_size(tmp_path, settings_with):
    bomb = REFERENCE[LAYERS] + b"#" * (2 << 20)
    folder = write_files(tmp_path / "student", {LAYERS: bomb, MODEL: REFERENCE[MODEL]})
    limits = settings_with(limits=dict(max_unpacked_mib=1)).limits
    found = _located(folder, True, tmp_path, limits)
    assert found.files == {MODEL: REFERENCE[MODEL]}
    assert any("unpacks to 2 MiB" in problem for problem in found.problems)
    assert any(problem.startswith("rnn_layers.py is declared as 2 MiB")
               for problem in found.problems)


def test_zip_bomb_lying_about_its_size(tmp_path, settings_with):
    """A central directory that declares 100 bytes for 2 MiB of data never yields the data."""
    archive = zip_folder(write_files(tmp_path / "student", {
        LAYERS: b"#" * (2 << 20), MODEL: REFERENCE[MODEL]}), tmp_path / "bomb.zip")
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zf:
        name = zf.getinfo(LAYERS).filename.encode()
    central = data.index(b"PK\x01\x02")
    while data[central + 46:central + 46 + len(name)] != name:
        central = data.index(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, central + 24, 100)
    archive.write_bytes(bytes(data))
    found = submission.locate(archive, settings_with(limits=dict(max_unpacked_mib=1)).limits)
    assert LAYERS not in found.files
    assert found.files == {MODEL: REFERENCE[MODEL]}
    assert found.problems[0].startswith("rnn_layers.py is ")
    assert "score 0" in found.problems[0]


@pytest.mark.parametrize("name", ["../rnn_layers.py", "/tmp/rnn_layers.py",
                                  "a/../../rnn_layers.py"])
def test_zip_path_traversal_is_refused(tmp_path, settings, name):
    archive = tmp_path / "traversal.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(zipfile.ZipInfo(name), REFERENCE[LAYERS])
        zf.writestr(MODEL, REFERENCE[MODEL])
    found = submission.locate(archive, settings.limits)
    assert found.files == {MODEL: REFERENCE[MODEL]}
    assert ("zip entries pointing outside the archive (absolute path or '..') were ignored: "
            f"{name!r} (1 in all).") in found.problems
    assert any("rnn_layers.py was not found" in problem for problem in found.problems)


def test_zip_symlink_entry_is_refused(tmp_path, settings):
    archive = tmp_path / "link.zip"
    link = zipfile.ZipInfo(LAYERS)
    link.external_attr = (0o120777 << 16)
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(link, "/etc/passwd")
        zf.writestr(MODEL, REFERENCE[MODEL])
    found = submission.locate(archive, settings.limits)
    assert found.files == {MODEL: REFERENCE[MODEL]}
    assert found.problems == ["rnn_layers.py is a symbolic link inside the zip: zip the file "
                              "itself; the items that need rnn_layers.py score 0."]


def test_symlink_escaping_the_folder_is_refused(tmp_path, settings):
    outside = write_files(tmp_path / "outside", {LAYERS: REFERENCE[LAYERS]})
    folder = write_files(tmp_path / "student", {MODEL: REFERENCE[MODEL]})
    (folder / LAYERS).symlink_to(outside / LAYERS)
    found = submission.locate(folder, settings.limits)
    assert found.files == {MODEL: REFERENCE[MODEL]}
    [problem] = found.problems
    assert problem.startswith("rnn_layers.py is a symbolic link to a file outside the submission")


def test_folder_symlink_escaping_is_not_followed(tmp_path, settings):
    outside = reference_submission(tmp_path / "outside")
    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "assignment").symlink_to(outside, target_is_directory=True)
    found = submission.locate(folder, settings.limits)
    assert found.files == {}
    assert all("not followed" in problem and "assignment" in problem
               for problem in found.problems)


def test_symlink_inside_the_folder_is_followed(tmp_path, settings):
    folder = write_files(tmp_path / "student", {"store/layers.txt": REFERENCE[LAYERS],
                                                "store/model.txt": REFERENCE[MODEL]})
    (folder / "classifiers").mkdir()
    (folder / "classifiers" / "rnn.py").symlink_to(folder / "store" / "model.txt")
    (folder / LAYERS).symlink_to(Path("store") / "layers.txt")
    found = submission.locate(folder, settings.limits)
    assert found.problems == []
    assert found.files == REFERENCE


@pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])
def test_non_utf8_file(tmp_path, settings, as_zip):
    folder = write_files(tmp_path / "student", {LAYERS: "# caf\u00e9\n".encode("latin-1"),
                                                MODEL: REFERENCE[MODEL]})
    found = _located(folder, as_zip, tmp_path, settings.limits)
    assert found.files == {MODEL: REFERENCE[MODEL]}
    [problem] = found.problems
    assert "rnn_layers.py is not UTF-8 text (byte 0xe9 at offset 5)" in problem


@pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])
def test_two_candidate_packages(tmp_path, settings, as_zip):
    folder = reference_submission(tmp_path / "student", "mine")
    reference_submission(folder, "copy")
    found = _located(folder, as_zip, tmp_path, settings.limits)
    assert found.files == {}
    assert len(found.problems) == 2
    assert all("2 copies found" in problem and "copy/" in problem and "mine/" in problem
               for problem in found.problems)


def test_two_candidates_of_one_file_cost_only_that_file(tmp_path, settings):
    folder = write_files(tmp_path / "student", {"a/rnn_layers.py": REFERENCE[LAYERS],
                                                "b/rnn_layers.py": REFERENCE[LAYERS],
                                                "c/" + MODEL: REFERENCE[MODEL]})
    found = submission.locate(folder, settings.limits)
    assert found.files == {MODEL: REFERENCE[MODEL]}
    [problem] = found.problems
    assert problem.startswith("rnn_layers.py: 2 copies found (a/rnn_layers.py, b/rnn_layers.py)")


def test_a_fifo_is_not_read(tmp_path, settings):
    folder = write_files(tmp_path / "student", {MODEL: REFERENCE[MODEL]})
    os.mkfifo(folder / LAYERS)
    found = submission.locate(folder, settings.limits)
    assert found.files == {MODEL: REFERENCE[MODEL]}
    assert found.problems == ["rnn_layers.py is not a regular file; the items that need "
                              "rnn_layers.py score 0."]


def test_oversized_file_in_a_folder(tmp_path, settings_with):
    folder = write_files(tmp_path / "student", {LAYERS: b"#" * (2 << 20),
                                                MODEL: REFERENCE[MODEL]})
    found = submission.locate(folder, settings_with(limits=dict(max_unpacked_mib=1)).limits)
    assert found.files == {MODEL: REFERENCE[MODEL]}
    assert "larger than the 1 MiB" in found.problems[0]
