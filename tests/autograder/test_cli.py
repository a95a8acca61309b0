"""``python -m autograder grade`` and ``grade-all``: reports, stdout and exit codes."""

import csv
import os
import subprocess
import sys
import zipfile

import pytest

from autograder import arguments, blas, grade_all, paths
from support.submissions import reference_submission, stub_submission, write_files, zip_folder

ITEMS = "rnn_step_forward,word_embedding_forward"


def _cli(*args):
    """Run ``python -m autograder`` from the repository root."""
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)],
                          cwd=paths.REPO_ROOT, capture_output=True, text=True, check=False)


def test_grade_prints_the_markdown_report(tmp_path):
    run = _cli("grade", "solutions", "--out", tmp_path, "--items", ITEMS)
    assert run.returncode == 0, run.stderr
    assert run.stdout == (tmp_path / "report.md").read_text()
    assert run.stdout.startswith("# Grading report")
    assert "- **Score:** 7 / 100" in run.stdout
    assert {path.name for path in tmp_path.iterdir()} == {"report.md", "report.html",
                                                          "results.json"}


def test_a_low_score_still_exits_zero(tmp_path):
    run = _cli("grade", "assignment", "--out", tmp_path, "--items", ITEMS, "--runner",
               "inprocess")
    assert run.returncode == 0, run.stderr
    assert "- **Score:** 0 / 100" in run.stdout
    assert "NotImplementedError" in run.stdout


@pytest.mark.parametrize("args, message", [
    (["grade", "no/such/folder", "--out", "{tmp}/out"], "no/such/folder does not exist"),
    (["grade", "solutions", "--out", "{tmp}/file/out"], "cannot write reports into"),
    (["grade", "solutions", "--out", "{tmp}/out", "--items", "rnn"], "unknown item 'rnn'"),
    (["grade-all", "no/such/folder", "--out", "{tmp}/out"], "no/such/folder does not exist"),
    (["grade-all", "grading.toml", "--out", "{tmp}/out"], "grading.toml is not a folder"),
    (["grade-all", "{tmp}", "--out", "{tmp}/out", "--jobs", "0"], "must be at least 1"),
    (["grade-all", "{tmp}", "--out", "{tmp}/out", "--items", "rnn"], "unknown item 'rnn'"),
    (["answers", "grading.toml", "--out", "{tmp}/out"], "grading.toml is not a folder"),
])
def test_usage_problems_exit_2_with_one_line(tmp_path, args, message):
    (tmp_path / "file").write_text("not a folder")
    run = _cli(*(arg.format(tmp=tmp_path) for arg in args))
    assert run.returncode == 2
    assert message in run.stderr
    assert run.stdout == ""
    if "--jobs" not in args:
        assert len(run.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("kwargs, message", [
    ({"items": ["rnn"]}, "unknown item 'rnn'"),
    ({"runner": "docker"}, "unknown runner 'docker'"),
    ({"jobs": 0}, "--jobs must be at least 1"),
])
def test_grade_all_refuses_bad_arguments_before_grading(tmp_path, monkeypatch, kwargs, message):
    monkeypatch.setattr(grade_all, "submissions_in", None)  # listing the folder comes first
    reference_submission(tmp_path / "class" / "good")
    with pytest.raises(arguments.ArgumentError, match=message):
        grade_all.grade_all(tmp_path / "class", tmp_path / "out", **kwargs)
    assert not (tmp_path / "out").exists()


def _class_folder(tmp_path):
    """A good folder, a zipped stub, a file that is not a zip, and a crasher."""
    folder = reference_submission(tmp_path / "class" / "good").parent
    zip_folder(stub_submission(tmp_path / "stub"), folder / "stub.zip")
    (folder / "broken.zip").write_bytes(b"PK\x03\x04 truncated")
    write_files(folder / "crasher", {"rnn_layers.py": b"", "classifiers/rnn.py": b""})
    return folder


def test_grade_all_writes_the_class_reports(tmp_path):
    folder = _class_folder(tmp_path)
    run = _cli("grade-all", folder, "--out", tmp_path / "out", "--jobs", "2", "--items", ITEMS)
    assert run.returncode == 0, run.stderr
    out = tmp_path / "out"
    rows = {row["submission"]: row for row in csv.DictReader(open(out / "gradebook.csv"))}
    assert set(rows) == {"good", "stub", "broken", "crasher"}
    assert rows["good"]["total"] == "7" and rows["good"]["rnn_step_forward"] == "4"
    assert rows["stub"]["total"] == "0"
    assert rows["broken"]["total"] == "" and "neither a folder nor a zip" in rows["broken"][
        "error"]
    assert run.stdout == (out / "summary.md").read_text()
    assert "4 submissions, 3 graded, 1 could not be graded" in run.stdout
    assert (out / "histogram.png").read_bytes().startswith(b"\x89PNG")
    for name in rows:
        assert (out / name / "results.json").is_file()
        assert (out / name / "report.html").is_file()
    assert "grading" in run.stderr  # the progress bar


def test_a_crashing_grader_loses_no_other_submission(tmp_path, monkeypatch, settings):
    folder = _class_folder(tmp_path)
    real = grade_all.grade_command

    def crash_on_crasher(entry, out, options):
        if entry.name == "crasher":
            return [sys.executable, "-c", "import os, sys; print('boom', file=sys.stderr); "
                                          "os.abort()"]
        return real(entry, out, options)

    monkeypatch.setattr(grade_all, "grade_command", crash_on_crasher)
    rows = {row.name: row for row in grade_all.grade_all(
        folder, tmp_path / "out", settings, jobs=2, items=ITEMS.split(","), progress=False)}
    assert rows["crasher"].error.startswith("the grader was killed by signal 6 (boom)")
    assert rows["good"].error is None and rows["good"].total == 7
    assert rows["stub"].error is None and rows["stub"].total == 0
    book = list(csv.DictReader(open(tmp_path / "out" / "gradebook.csv")))
    assert [row["submission"] for row in book] == ["broken", "crasher", "good", "stub"]
    assert "killed by signal 6" in (tmp_path / "out" / "summary.md").read_text()


def test_grade_all_reads_zips_with_a_top_folder(tmp_path, settings):
    folder = tmp_path / "class"
    folder.mkdir()
    with zipfile.ZipFile(folder / "eve.zip", "w") as zf:
        for name in ("rnn_layers.py", "classifiers/rnn.py"):
            zf.write(paths.SOLUTIONS_DIR / name, f"eve/assignment/{name}")
    [row] = grade_all.grade_all(folder, tmp_path / "out", settings, jobs=1,
                                items=["rnn_step_forward"], progress=False)
    assert (row.name, row.total, row.problems) == ("eve", 4, [])


def test_one_blas_thread_unless_the_environment_says_otherwise(monkeypatch):
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(variable, raising=False)
    blas.use_one_thread()
    assert os.environ["OPENBLAS_NUM_THREADS"] == "2"
    assert os.environ["OMP_NUM_THREADS"] == os.environ["MKL_NUM_THREADS"] == "1"
