"""``python -m autograder answers``: one page per written question with every student's answer,
anonymised, and a manual-scores CSV that ``grade-all --manual-scores`` merges back."""

import csv
import json
import subprocess
import sys
import zipfile

import nbformat
import pytest
from otter.export.exporters.base_exporter import BaseExporter

from answers_helpers import QUESTIONS, answered_notebook, handed_in_zip
from autograder import paths
from autograder.answers.extract import answers_of
from autograder.answers.questions import written_questions
from support.submissions import reference_submission

ALICE_GATES = ("The forget gate keeps $c_{t-1}$ when $f \\approx 1$:\n\n"
               "$$c_t = f \\odot c_{t-1} + i \\odot g$$\n\n**bold** <script>alert(1)</script>")


def _cli(*args):
    """Run ``python -m autograder`` from the repository root."""
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)],
                          cwd=paths.REPO_ROOT, capture_output=True, text=True, check=False)


def _table(path):
    """A CSV file as a list of rows."""
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


@pytest.fixture
def hand_ins(tmp_path):
    """alice answered every question, carol one (and handed in no LSTM notebook), bob handed in
    no notebook at all."""
    folder = tmp_path / "class"
    folder.mkdir()
    handed_in_zip(folder / "alice.zip", {"char_vs_word": "Characters need no vocabulary.",
                                         "rnn_parameters": "$DH + H^2 + H$; no, not with $T$.",
                                         "lstm_gates": ALICE_GATES})
    handed_in_zip(folder / "carol.zip", {"rnn_parameters": "four numbers"},
                  notebooks=["RNN_Captioning.ipynb"])
    reference_submission(folder / "bob")
    return folder


def _section(page, student):
    """The HTML of one student's answer on a question page."""
    start = page.index(f'<section class="answer" id="{student}">')
    return page[start:page.index("</section>", start)]


def test_one_anonymous_page_per_question_and_a_scores_template(hand_ins, tmp_path):
    out = tmp_path / "answers"
    run = _cli("answers", hand_ins, "--out", out)
    assert run.returncode == 0, run.stderr
    key = _table(out / "key.csv")
    assert key[0] == ["anonymous_id", "submission"]
    ids = {name: anonymous for anonymous, name in key[1:]}
    assert sorted(ids) == ["alice", "bob", "carol"]
    assert len(set(ids.values())) == 3
    pages = {question: (out / f"{question}.html").read_text() for question in QUESTIONS}
    for page in pages.values():
        assert "'none'" in page  # the Content-Security-Policy: nothing loads, nothing runs
        for name in ("alice", "bob", "carol"):
            assert name not in page
        assert [page.index(ids[name]) for name in sorted(ids, key=ids.get)] == sorted(
            page.index(anonymous) for anonymous in ids.values())
    gates = _section(pages["lstm_gates"], ids["alice"])
    assert "<strong>bold</strong>" in gates
    assert "&lt;script&gt;" in gates and "<script" not in pages["lstm_gates"]
    assert '<span class="math">\\(c_{t-1}\\)</span>' in gates
    assert "c_t = f \\odot c_{t-1} + i \\odot g" in gates
    assert "four numbers" in _section(pages["rnn_parameters"], ids["carol"])
    assert "No answer.</p>" in _section(pages["char_vs_word"], ids["carol"])
    assert "LSTM_Captioning.ipynb is not in the hand-in" in _section(pages["lstm_gates"],
                                                                     ids["carol"])
    assert "RNN_Captioning.ipynb is not in the hand-in" in _section(pages["char_vs_word"],
                                                                    ids["bob"])
    assert "1 of 3 students answered" in pages["char_vs_word"]
    scores = _table(out / "manual_scores.csv")
    assert scores[0] == ["anonymous_id", *(f"{name} ({points})"
                                           for name, points in QUESTIONS.items())]
    assert [row[0] for row in scores[1:]] == sorted(ids.values())
    assert all(row[1:] == ["", "", ""] for row in scores[1:])
    assert str(out / "index.html") in run.stdout


def test_without_anonymising_students_are_named(hand_ins, tmp_path):
    run = _cli("answers", hand_ins, "--out", tmp_path / "out", "--no-anonymise")
    assert run.returncode == 0, run.stderr
    assert "Characters need no vocabulary." in _section(
        (tmp_path / "out" / "char_vs_word.html").read_text(), "alice")
    assert [row[0] for row in _table(tmp_path / "out" / "manual_scores.csv")] == [
        "submission", "alice", "bob", "carol"]
    assert not (tmp_path / "out" / "key.csv").exists()


def test_a_second_run_keeps_the_ids_and_the_filled_in_scores(hand_ins, tmp_path):
    out = tmp_path / "answers"
    assert _cli("answers", hand_ins, "--out", out).returncode == 0
    key = (out / "key.csv").read_text()
    (out / "manual_scores.csv").write_text("anonymous_id,char_vs_word (3)\n")
    handed_in_zip(hand_ins / "dave.zip", {})
    run = _cli("answers", hand_ins, "--out", out)
    assert run.returncode == 0, run.stderr
    assert "Left" in run.stdout
    assert (out / "manual_scores.csv").read_text() == "anonymous_id,char_vs_word (3)\n"
    again = _table(out / "key.csv")
    assert set(key.splitlines()) < {",".join(row) for row in again}
    assert sorted(name for _, name in again[1:]) == ["alice", "bob", "carol", "dave"]


def _filled_in(out, scores):
    """Write manual_scores.csv with ``{submission: {column: text}}``, resolving the key."""
    ids = {name: anonymous for anonymous, name in _table(out / "key.csv")[1:]}
    template = _table(out / "manual_scores.csv")
    header = template[0]
    rows = [header] + [[ids[name]] + [scores[name].get(column, "") for column in header[1:]]
                       for name in scores]
    with open(out / "manual_scores.csv", "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return out / "manual_scores.csv"


def test_grade_all_merges_the_manual_scores(hand_ins, tmp_path, settings):
    answers = tmp_path / "answers"
    assert _cli("answers", hand_ins, "--out", answers).returncode == 0
    scores = _filled_in(answers, {"alice": {"char_vs_word (3)": "3", "rnn_parameters (2)": "1.5"},
                                  "bob": {"lstm_gates (4)": "0"}})
    out = tmp_path / "graded"
    run = _cli("grade-all", hand_ins, "--out", out, "--items", "rnn_step_forward",
               "--manual-scores", scores, "--quiet")
    assert run.returncode == 0, run.stderr
    book = {row["submission"]: row for row in csv.DictReader(open(out / "gradebook.csv"))}
    item = settings.points["rnn_step_forward"]
    assert (book["alice"]["char_vs_word"], book["alice"]["rnn_parameters"],
            book["alice"]["lstm_gates"]) == ("3", "1.5", "")
    assert float(book["alice"]["total"]) == item + 4.5
    assert book["bob"]["lstm_gates"] == "0" and float(book["bob"]["total"]) == item
    assert book["carol"]["char_vs_word"] == "" and float(book["carol"]["total"]) == item
    results = json.loads((out / "alice" / "results.json").read_text())
    assert results["score"] == item + 4.5
    written = {test["name"]: (test["score"], test["max_score"]) for test in results["tests"]
               if test["name"] in QUESTIONS}
    assert written == {"char_vs_word": (3.0, 3.0), "rnn_parameters": (1.5, 2.0)}
    report = (out / "alice" / "report.md").read_text()
    assert "## Written questions" in report
    assert "| rnn_parameters | 1.5 | 2 |" in report
    assert "| lstm_gates | not scored yet | 4 |" in report
    assert 'id="written"' in (out / "alice" / "report.html").read_text()
    assert "| char_vs_word | 3 | 1 | 3 | 1 |" in run.stdout
    assert ('<tr><td>rnn_parameters</td><td class="number">2</td><td class="number">1</td>'
            '<td class="number">1.5</td></tr>') in (out / "summary.html").read_text()


def test_resuming_with_new_manual_scores_replaces_the_ones_merged_before(hand_ins, tmp_path,
                                                                         settings):
    answers, out = tmp_path / "answers", tmp_path / "graded"
    assert _cli("answers", hand_ins, "--out", answers).returncode == 0
    grade_all = ("grade-all", hand_ins, "--out", out, "--items", "rnn_step_forward", "--quiet")
    first = _filled_in(answers, {"alice": {"char_vs_word (3)": "3", "rnn_parameters (2)": "1.5"}})
    assert _cli(*grade_all, "--manual-scores", first).returncode == 0
    before = {name: (out / name / "report.md").read_text() for name in ("alice", "bob")}
    again = _filled_in(answers, {"alice": {"char_vs_word (3)": "1"}, "bob": {"lstm_gates (4)": "2"}})
    run = _cli(*grade_all, "--manual-scores", again, "--resume")
    assert run.returncode == 0, run.stderr
    item = settings.points["rnn_step_forward"]
    book = {row["submission"]: row for row in csv.DictReader(open(out / "gradebook.csv"))}
    assert (book["alice"]["char_vs_word"], book["alice"]["rnn_parameters"]) == ("1", "")
    assert float(book["alice"]["total"]) == item + 1 and float(book["bob"]["total"]) == item + 2
    results = json.loads((out / "alice" / "results.json").read_text())
    assert results["score"] == item + 1
    assert [test["name"] for test in results["tests"] if test["name"] in QUESTIONS] == [
        "char_vs_word"]
    report = (out / "alice" / "report.md").read_text()
    assert report.count("## Written questions") == 1 and "| char_vs_word | 1 | 3 |" in report
    assert "| rnn_parameters | not scored yet | 2 |" in report
    assert report.split("## Written questions")[0] == before["alice"].split(
        "## Written questions")[0]
    page = (out / "alice" / "report.html").read_text()
    assert page.count('id="written"') == 1 and page.endswith("</html>\n")


@pytest.mark.parametrize("scores, message", [
    ({"alice": {"char_vs_word (3)": "4"}}, "4 is above the question's 3 points"),
    ({"alice": {"char_vs_word (3)": "three"}}, "'three' is not a number"),
])
def test_a_bad_score_stops_grade_all_before_grading(hand_ins, tmp_path, scores, message):
    answers = tmp_path / "answers"
    assert _cli("answers", hand_ins, "--out", answers).returncode == 0
    run = _cli("grade-all", hand_ins, "--out", tmp_path / "graded", "--manual-scores",
               _filled_in(answers, scores))
    assert run.returncode == 2
    assert message in run.stderr and "char_vs_word" in run.stderr
    assert not (tmp_path / "graded" / "gradebook.csv").exists()
    assert not (tmp_path / "graded" / "alice").exists()


@pytest.mark.parametrize("text, message", [
    ("submission,char_vs_word (3)\nmallory,1\n", "unknown student 'mallory'"),
    ("anonymous_id,char_vs_word (3)\nffffff0,1\n", "unknown anonymous id 'ffffff0'"),
    ("submission,essay (5)\nalice,1\n", "column 'essay (5)' is not a written question"),
    ("submission,char_vs_word (5)\nalice,1\n", "says 5 points, but char_vs_word is worth 3"),
    ("name,char_vs_word (3)\nalice,1\n", "the first column must be 'anonymous_id'"),
    ("submission,char_vs_word (3),char_vs_word\nalice,1,2\n", "two columns for char_vs_word"),
])
def test_a_scores_file_that_does_not_fit_is_refused(hand_ins, tmp_path, text, message):
    answers = tmp_path / "answers"
    assert _cli("answers", hand_ins, "--out", answers).returncode == 0
    (answers / "manual_scores.csv").write_text(text)
    run = _cli("grade-all", hand_ins, "--out", tmp_path / "graded", "--manual-scores",
               answers / "manual_scores.csv")
    assert run.returncode == 2
    assert message in run.stderr, run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def _rnn_zip(path, notebook_text):
    """A hand-in zip whose only notebook is RNN_Captioning.ipynb with ``notebook_text``."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notebooks/RNN_Captioning.ipynb", notebook_text)
    return path


def test_answers_are_found_without_cell_ids_and_problems_are_named(tmp_path, settings):
    questions = written_questions()
    notebook = json.loads(answered_notebook("RNN_Captioning.ipynb",
                                            {"char_vs_word": "no ids here"}))
    for cell in notebook["cells"]:
        cell.pop("id", None)
    notebook["nbformat_minor"] = 4
    found = answers_of(_rnn_zip(tmp_path / "old.zip", json.dumps(notebook)), questions,
                       settings.limits.max_unpacked_mib)
    assert [cell.text for cell in found["char_vs_word"].cells] == ["no ids here"]
    assert not found["rnn_parameters"].answered and found["rnn_parameters"].problem is None
    notebook["cells"] = [cell for cell in notebook["cells"]
                         if "Counting parameters" not in "".join(cell["source"])]
    found = answers_of(_rnn_zip(tmp_path / "cut.zip", json.dumps(notebook)), questions,
                       settings.limits.max_unpacked_mib)
    assert "cells of question rnn_parameters are not in RNN_Captioning.ipynb" in found[
        "rnn_parameters"].problem
    found = answers_of(_rnn_zip(tmp_path / "bad.zip", "{not json"), questions,
                       settings.limits.max_unpacked_mib)
    assert "RNN_Captioning.ipynb is not a readable notebook" in found["char_vs_word"].problem


def test_otters_pdf_filter_keeps_the_same_answers(tmp_path, settings):
    """otter export --filtering (behind otter grade --pdfs) keeps exactly the written questions:
    its filtered notebook holds, between each prompt and its end, the answers we extract."""
    typed = {"char_vs_word": "one *cell*", "rnn_parameters": "$DH + H^2 + H$"}
    text = answered_notebook("RNN_Captioning.ipynb", dict(typed))
    filtered = BaseExporter.filter_cells(nbformat.reads(text, as_version=4), pagebreaks=False)
    sources = [cell.source for cell in filtered.cells]
    prompts = [index for index, source in enumerate(sources)
               if "<!-- BEGIN QUESTION -->" in source]
    assert len(prompts) == 2 and len(sources) == 6
    otter_answers = [sources[index + 1] for index in prompts]
    found = answers_of(_rnn_zip(tmp_path / "h.zip", text), written_questions(),
                       settings.limits.max_unpacked_mib)
    assert otter_answers == [found[name].cells[0].text for name in typed] == list(typed.values())


def test_problems_on_the_pages_do_not_name_the_student(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    with zipfile.ZipFile(folder / "dora.zip", "w") as archive:
        archive.writestr("dora_smith/notebooks/RNN_Captioning.ipynb", b"\xff\xfe not utf-8")
        archive.writestr("dora_smith/notebooks/LSTM_Captioning.ipynb", "{not json")
    run = _cli("answers", folder, "--out", tmp_path / "out")
    assert run.returncode == 0, run.stderr
    rnn = (tmp_path / "out" / "char_vs_word.html").read_text()
    lstm = (tmp_path / "out" / "lstm_gates.html").read_text()
    assert "No answer: RNN_Captioning.ipynb could not be read (UnicodeDecodeError)" in rnn
    assert "No answer: LSTM_Captioning.ipynb is not a readable notebook" in lstm
    assert "dora" not in rnn + lstm
