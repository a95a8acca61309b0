"""Add the hand-given scores of the written questions to one student's reports.

grade-all calls this after grading, with the scores of the manual-scores CSV:
results.json gains one test per scored question (and its score the points),
report.md and report.html a "Written questions" section with every question,
scored or not yet.
"""

import json
from html import escape
from pathlib import Path

from . import html, markdown, results_json
from .explain import points
from .files import atomic_write

TITLE = "Written questions"
NOT_SCORED = "not scored yet"


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
    _add_to_results(out_dir / results_json.FILE_NAME, rows)
    report_md = out_dir / markdown.FILE_NAME
    atomic_write(report_md, report_md.read_text(encoding="utf-8") + "\n" + _markdown(rows))
    report_html = out_dir / html.FILE_NAME
    page = report_html.read_text(encoding="utf-8")
    closing = page.rindex("</body>")
    atomic_write(report_html, page[:closing] + _html(rows) + "\n" + page[closing:])


def _state(score):
    """A score for people, or that it is not given yet."""
    return NOT_SCORED if score is None else points(score)


def _add_to_results(path, rows):
    """results.json with one Gradescope test per scored question, its total raised by them."""
    document = json.loads(path.read_text(encoding="utf-8"))
    for question, score in rows:
        if score is not None:
            document["tests"].append({
                "name": question.name, "score": score, "max_score": question.points,
                "status": "passed" if score == question.points else "failed",
                "output": f"Written question of {question.file_name}, graded by the course staff.",
                "output_format": "text", "visibility": results_json.VISIBILITY})
            document["score"] = round(document["score"] + score, 4)
    atomic_write(path, json.dumps(document, indent=2, allow_nan=False) + "\n")


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
