"""The HTML pages of the written answers: one per question, and an index.

Answers are Markdown rendered by mistune with raw HTML escaped, so a student's
``<script>`` shows as text; the pages carry the reports' Content-Security-Policy
(nothing is loaded, nothing runs) and need no network. LaTeX is kept as the
student typed it, set apart as math (``\\(...\\)`` inline, ``$$...$$`` in a
block): course staff read TeX, a malformed formula cannot garble the page, and
what is judged is exactly what was written, with no converter in between.
"""

from html import escape

import mistune

from ..report.explain import points
from ..report.html import page_head

INDEX = "index.html"
STYLE = """
body { font-family: sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
.prompt { border-left: 4px solid #2c7be5; padding-left: 1rem; }
section.answer { border-top: 1px solid #ccc; margin-top: 1.5rem; }
.none { color: #888; font-style: italic; }
.math { font-family: monospace; background: #f4f4f9; padding: 0 0.2rem; }
div.math { padding: 0.4rem; white-space: pre-wrap; }
pre { background: #f4f4f4; padding: 0.6rem; overflow-x: auto; white-space: pre-wrap; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; }
td.number { text-align: right; }
"""
_MARKDOWN = mistune.create_markdown(escape=True, plugins=["math", "table", "strikethrough"])


def page_name(question):
    """The file name of a question's page."""
    return f"{question.name}.html"


def markdown_html(text):
    """Markdown as inert HTML: raw HTML escaped, unsafe links neutralised, math kept as TeX."""
    return _MARKDOWN(text)


def question_page(question, answers):
    """Every student's answer to one question.

    Parameters
    ----------
    question : autograder.answers.questions.WrittenQuestion
    answers : list of (str, autograder.answers.extract.Answer)
        The student's id (anonymous or the submission's name) and answer, in page order.

    Returns
    -------
    str
    """
    answered = sum(answer.answered for _, answer in answers)
    parts = [page_head(f"{question.name} ({points(question.points)} points)", STYLE),
             f'<p><a href="{INDEX}">All questions</a></p>',
             f"<h1>{escape(question.name)}: {points(question.points)} points</h1>",
             f"<p>{escape(question.file_name)}; {answered} of {len(answers)} students "
             "answered.</p>",
             f'<div class="prompt">{markdown_html(question.prompt)}</div>']
    parts += [_answer_section(student, answer) for student, answer in answers]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def index_page(questions, answered, students):
    """The list of questions with their points, how many answered, and links to their pages.

    Parameters
    ----------
    questions : list of autograder.answers.questions.WrittenQuestion
    answered : dict of str to int
        Question name -> number of students who answered it.
    students : int

    Returns
    -------
    str
    """
    rows = [f'<tr><td><a href="{escape(page_name(question))}">{escape(question.name)}</a></td>'
            f"<td>{escape(question.file_name)}</td>"
            f'<td class="number">{points(question.points)}</td>'
            f'<td class="number">{answered[question.name]} of {students}</td></tr>'
            for question in questions]
    return "\n".join([
        page_head("Written answers", STYLE), "<h1>Written answers</h1>",
        "<table><tr><th>Question</th><th>Notebook</th><th>Points</th><th>Answered</th></tr>",
        *rows, "</table>", "</body></html>"]) + "\n"


def _answer_section(student, answer):
    """One student's answer, each cell rendered by its kind."""
    parts = [f'<section class="answer" id="{escape(student)}"><h2>{escape(student)}</h2>']
    if answer.problem is not None:
        parts.append(f'<p class="none">No answer: {escape(answer.problem)}</p>')
    elif not answer.answered:
        parts.append('<p class="none">No answer.</p>')
    for cell in answer.cells:
        parts.append(markdown_html(cell.text) if cell.kind == "markdown"
                     else f"<pre><code>{escape(cell.text)}</code></pre>")
    parts.append("</section>")
    return "\n".join(parts)
