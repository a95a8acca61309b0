"""The class reports of grade-all (gradebook.csv, summary.md, histogram.png) from hand-made rows."""

import csv
import io

from autograder import config
from autograder.grade_all import Row, submissions_in
from autograder.report import gradebook


def _rows(settings):
    """A perfect, a zero, a half and a failed grading."""
    full = dict(settings.points)
    half = {item: points / 2 for item, points in settings.points.items()}
    return [
        Row("alice", scores=full, isolation="confined: uid of its own"),
        Row("bob", scores=dict.fromkeys(config.ITEMS, 0.0),
            problems=["classifiers/rnn.py was not found"]),
        Row("=HYPERLINK(\"http://x\")", scores=half),
        Row("dave", error="the grader was killed by signal 9 (no error output)"),
    ]


def test_gradebook_has_a_row_per_submission_and_a_column_per_item(settings):
    table = list(csv.reader(io.StringIO(gradebook.gradebook_csv(_rows(settings),
                                                                settings.points))))
    assert table[0] == ["submission", *config.ITEMS, "total", "problems", "isolation", "error"]
    assert [row[0] for row in table[1:]] == ["alice", "bob", "'=HYPERLINK(\"http://x\")", "dave"]
    alice, bob, carol, dave = (dict(zip(table[0], row)) for row in table[1:])
    assert alice["total"] == "100" and alice["rnn_backward"] == "8"
    assert alice["isolation"] == "confined: uid of its own" and bob["isolation"] == ""
    assert bob["total"] == "0" and bob["problems"] == "classifiers/rnn.py was not found"
    assert carol["total"] == "50" and carol["rnn_step_forward"] == "2"
    assert dave["total"] == "" and dave["loss_rnn"] == "" and "signal 9" in dave["error"]


def test_summary_statistics(settings):
    text = gradebook.summary_markdown(_rows(settings), settings.points)
    assert "4 submissions, 3 graded, 1 could not be graded." in text
    assert "| all graded | 3 | 50 | 50 | 0 | 100 |" in text
    assert "| rnn_backward | 8 | 4 | 1 |" in text
    assert "## Could not be graded" in text and "- dave: the grader was killed" in text
    assert "- bob: classifiers/rnn.py was not found" in text


def test_class_reports_are_written(tmp_path, settings):
    text = gradebook.write_class_reports(_rows(settings), tmp_path, settings)
    assert (tmp_path / "summary.md").read_text() == text
    assert (tmp_path / "gradebook.csv").read_text().startswith("submission,")
    assert (tmp_path / "histogram.png").read_bytes().startswith(b"\x89PNG")
    page = (tmp_path / "summary.html").read_text()
    assert "4 submissions, 3 graded (mean 50 of 100), 1 could not be graded." in page
    assert "<strong>dave</strong>: the grader was killed by signal 9" in page
    assert "&lt;" not in text and "=HYPERLINK(&quot;http://x&quot;)" in page


def test_submissions_are_named_after_their_entries(tmp_path):
    for folder in ("alice", "bob", ".hidden", "__MACOSX", "out"):
        (tmp_path / folder).mkdir()
    for archive in ("carol.zip", "bob.zip", "dave.ZIP"):
        (tmp_path / archive).write_bytes(b"")
    found = submissions_in(tmp_path, exclude=[tmp_path / "out"])
    assert {name: path.name for name, path in found.items()} == {
        "alice": "alice", "bob": "bob", "bob.zip": "bob.zip", "carol": "carol.zip",
        "dave": "dave.ZIP"}
