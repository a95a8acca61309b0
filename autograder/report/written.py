"""Add the hand-given scores of the written questions to one student's reports.

grade-all calls this after grading, with the scores of the manual-scores CSV:
results.json gains one test per scored question (and its score the points),
report.md and report.html a "Written questions" section with every question,
scored or not yet. What a merge added is recorded in results.json's
``extra_data`` (``MERGED``), so a later merge (``grade-all --resume`` with new
scores) first takes it out again: the reports always hold one merge, the latest.
"""

import json
from html import escape
from pathlib import Path

from . import html, markdown, results_json
from .explain import points
from .files import atomic_write

TITLE = "Written questions"
NOT_SCORED = "not scored yet"
# results.json's extra_data key recording a merge: the tests and score it added, the length
# of report.md before it, and where (and how long) its section is in report.html.
MERGED = "written_questions"


def add_written_scores(out_dir, questions, scores):
    """Merge the written questions' scores into the reports of ``out_dir``.

    Parameters
    ----------
    out_dir : path-like
        Holds the results.json, report.md and report.html of one grading.
    questions : list of autograder.answers.questions.WrittenQuestion
    scores : dict of str to float
        Question name -> points given; questions left out are not scored yet.

    Raises
    ------
    OSError, ValueError
        When the reports cannot be read or written.
    """
    out_dir = Path(out_dir)
    rows = [(question, scores.get(question.name)) for question in questions]
    results_path = out_dir / results_json.FILE_NAME
    report_md, report_html = out_dir / markdown.FILE_NAME, out_dir / html.FILE_NAME
    document = json.loads(results_path.read_text(encoding="utf-8"))
    text, page = report_md.read_text(encoding="utf-8"), report_html.read_text(encoding="utf-8")
    earlier = document["extra_data"].pop(MERGED, None)
    if earlier is not None:
        text, page = _unmerge(document, text, page, earlier)
    tests = _tests(rows)
    added = sum(test["score"] for test in tests)
    document["tests"] += tests
    document["score"] = round(document["score"] + added, 4)
    closing, section = page.rindex("</body>"), _html(rows) + "\n"
    document["extra_data"][MERGED] = {"tests": [test["name"] for test in tests], "score": added,
                                      "report_md": len(text),
                                      "report_html": [closing, len(section)]}
    atomic_write(report_md, text + "\n" + _markdown(rows))
    atomic_write(report_html, page[:closing] + section + page[closing:])
    atomic_write(results_path, json.dumps(document, indent=2, allow_nan=False) + "\n")


def _unmerge(document, text, page, earlier):
    """Take an earlier merge out of ``document`` (in place) and of the reports' texts.

    Returns
    -------
    tuple of str
        report.md's and report.html's texts as they were before that merge.
    """
    added = set(earlier["tests"])
    document["tests"] = [test for test in document["tests"] if test["name"] not in added]
    document["score"] = round(document["score"] - earlier["score"], 4)
    start, length = earlier["report_html"]
    return text[:earlier["report_md"]], page[:start] + page[start + length:]


def _state(score):
    """A score for people, or that it is not given yet."""
    return NOT_SCORED if score is None else points(score)


def _tests(rows):
    """One Gradescope test per scored question."""
    return [{"name": question.name, "score": score, "max_score": question.points,
             "status": "passed" if score == question.points else "failed",
             "output": f"Written question of {question.file_name}, graded by the course staff.",
             "output_format": "text", "visibility": results_json.VISIBILITY}
            for question, score in rows if score is not None]


def _markdown(rows):
    """The report.md section of the written questions."""
    lines = [f"## {TITLE}", "", "| Question | Score | Max |", "|---|---:|---:|"]
    lines += [f"| {question.name} | {_state(score)} | {points(question.points)} |"
              for question, score in rows]
    return "\n".join(lines) + "\n"


def _html(rows):
    """The report.html section of the written questions."""
    cells = "".join(f'<tr><td>{escape(question.name)}</td><td class="number">{_state(score)}'
                    f'</td><td class="number">{points(question.points)}</td></tr>'
                    for question, score in rows)
    return (f'<section id="written"><h2>{TITLE}</h2><table><tr><th>Question</th><th>Score</th>'
            f"<th>Max</th></tr>{cells}</table></section>")
