"""Progress on stderr: ``grade`` prints a line per finished item, ``grade-all`` the submission
being graded and the time left; ``--quiet`` silences both."""

import re
import subprocess
import sys

from autograder import grade, paths
from support.submissions import reference_submission, stub_submission

ITEMS = ("rnn_step_forward", "word_embedding_forward")
ITEM_LINE = re.compile(r"^(?P<name>\w+) +(?P<score>[\d.]+) / (?P<max>[\d.]+) +[\d.]+ s$")
ISOLATION_LINE = re.compile(r"autograder: student code ran with isolation \w+: .+")


def _cli(*args):
    """Run ``python -m autograder`` from the repository root."""
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)],
                          cwd=paths.REPO_ROOT, capture_output=True, text=True, check=False)


def test_grade_prints_one_line_per_item_on_stderr(tmp_path, settings):
    run = _cli("grade", "solutions", "--out", tmp_path, "--items", ",".join(ITEMS))
    assert run.returncode == 0, run.stderr
    *progress, isolation = run.stderr.splitlines()
    assert ISOLATION_LINE.match(isolation), run.stderr
    lines = [ITEM_LINE.match(line) for line in progress]
    assert all(lines), run.stderr
    assert [(line["name"], float(line["score"]), float(line["max"])) for line in lines] == [
        (item, settings.points[item], settings.points[item]) for item in ITEMS]
    assert run.stdout.startswith("# Grading report")


def test_grade_quiet_prints_only_the_isolation_level_on_stderr(tmp_path):
    run = _cli("grade", "solutions", "--out", tmp_path, "--items", ",".join(ITEMS), "--quiet")
    assert run.returncode == 0
    assert ISOLATION_LINE.fullmatch(run.stderr.rstrip("\n")), run.stderr


def test_grade_all_shows_the_submission_being_graded_and_the_time_left(tmp_path):
    folder = reference_submission(tmp_path / "class" / "alice").parent
    stub_submission(folder / "bob")
    run = _cli("grade-all", folder, "--out", tmp_path / "out", "--items", ",".join(ITEMS))
    assert run.returncode == 0, run.stderr
    for name in ("alice", "bob"):
        assert re.search(rf"\d/2 \[[\d:]+<[\d:?]+, [^\]]*\b{name}\]", run.stderr), run.stderr
    assert "2/2" in run.stderr
    log = (tmp_path / "out" / "alice" / "grader.log").read_text()
    assert ISOLATION_LINE.fullmatch(log.rstrip("\n")), log  # the graders ran quiet


def test_grade_all_quiet_prints_nothing_on_stderr(tmp_path):
    folder = reference_submission(tmp_path / "class" / "alice").parent
    run = _cli("grade-all", folder, "--out", tmp_path / "out", "--items", ",".join(ITEMS),
               "--quiet")
    assert run.returncode == 0
    assert run.stderr == ""


def test_on_item_gets_each_graded_item_once_in_order(tmp_path, settings):
    seen = []
    result = grade.grade_submission(paths.SOLUTIONS_DIR, tmp_path, settings, items=list(ITEMS),
                                    on_item=seen.append)
    assert [item.name for item in seen] == list(ITEMS)
    assert all(any(item is graded for graded in result.items) for item in seen)
