"""results.json, report.md and report.html of one grading, from a hand-made GradeResult."""

import base64
import json
import unicodedata
from html.parser import HTMLParser

import mistune
import numpy as np
import pytest

from autograder import config
from autograder.report import files, html, markdown, results_json, write_reports
from autograder.results import Check, GradeResult, ItemResult, Status

INJECTION = ("```\n</pre><script>alert('x')</script>\n~~~\n<img src=x onerror=alert(1)> "
             "[click](javascript:alert(1)) | *bold* # title\n````")


def _result():
    """A grading with a passed item, a failed check with a hint, an error, and overfit curves."""
    items = [
        ItemResult("rnn_step_forward", 4, checks=[Check("values", True), Check("dtype", True)]),
        ItemResult("rnn_step_backward", 6, checks=[
            Check("dx", True),
            Check("dWh, N=7 D=13 H=9, float64", False,
                  detail="dWh: max error 3.1e-01 of max |reference| (tolerance 1e-07)",
                  hint="dWh is transposed: use prev_h.T @ da")]),
        ItemResult("rnn_forward", 5, status=Status.UNGRADABLE,
                   error="exception: NotImplementedError: " + INJECTION, output=INJECTION),
        ItemResult("overfit_rnn", 5, checks=[Check("final loss", True)],
                   loss_history=list(np.geomspace(9.0, 0.05, 100))),
        ItemResult("overfit_lstm", 5, checks=[Check("final loss", False, detail="0.9 > 0.5")],
                   loss_history=list(np.geomspace(9.0, 0.9, 100))),
    ]
    return GradeResult(submission="students/<b>eve<b>.zip", items=items, seed=1234,
                       problems=["classifiers/rnn.py was not found <i>here</i>"],
                       isolation="mount namespace + uid 65534 + no network (root)",
                       seconds=12.3)


@pytest.fixture
def written(tmp_path, settings):
    """The reports of ``_result()`` in a temporary folder."""
    write_reports(_result(), tmp_path, settings)
    return tmp_path


def test_results_json_has_gradescope_fields(written):
    document = json.loads((written / "results.json").read_text())
    assert document["score"] == pytest.approx(4 + 3 + 5 + 0)
    assert isinstance(document["execution_time"], int) and document["execution_time"] == 13
    assert isinstance(document["output"], str)
    assert "mount namespace + uid 65534" not in document["output"]
    assert document["extra_data"]["isolation"] == "mount namespace + uid 65534 + no network (root)"
    assert "classifiers/rnn.py was not found" in document["output"]
    assert document["visibility"] == "visible"
    assert document["extra_data"]["seed"] == "1234"
    assert [test["name"] for test in document["tests"]] == [
        "rnn_step_forward", "rnn_step_backward", "rnn_forward", "overfit_rnn", "overfit_lstm"]
    for test in document["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "output", "visibility"}
        assert isinstance(test["score"], (int, float))
        assert isinstance(test["max_score"], (int, float))
        assert test["status"] in ("passed", "failed")
        assert test["status"] == ("passed" if test["score"] == test["max_score"] else "failed")
    assert sum(test["score"] for test in document["tests"]) == pytest.approx(document["score"])


def test_results_json_explains_every_lost_point(written):
    tests = {test["name"]: test for test in json.loads((written / "results.json").read_text())
             ["tests"]}
    backward = tests["rnn_step_backward"]["output"]
    assert "**Checks:** 1 of 2 passed" in backward
    parser = _Tags()  # what a student reads: the Markdown as Gradescope renders it
    parser.feed(mistune.html(backward))
    shown = "".join(parser.text)
    assert "dWh: max error 3.1e-01 of max |reference| (tolerance 1e-07)" in shown
    assert "Likely mistake: dWh is transposed" in shown
    forward = tests["rnn_forward"]["output"]
    assert "NotImplementedError" in forward and "**Printed by your code:**" in forward
    assert tests["rnn_step_forward"]["output"] == "All 2 checks passed."


def test_results_json_is_markdown_that_student_text_cannot_mark_up(written):
    """Rendered as Gradescope renders ``md`` outputs, no student text becomes a tag."""
    document = json.loads((written / "results.json").read_text())
    assert document["output_format"] == "md"
    assert all(test["output_format"] == "md" for test in document["tests"])
    parser = _Tags()
    for text in [document["output"]] + [test["output"] for test in document["tests"]]:
        parser.feed(mistune.html(text))
    assert {tag for tag, _ in parser.tags} <= {"p", "strong", "pre", "code"}
    shown = "".join(parser.text)
    assert INJECTION.splitlines()[1] in shown and "<i>here</i>" in shown


def test_results_json_is_written_atomically(tmp_path, monkeypatch):
    (tmp_path / "results.json").write_text('{"old": true}')

    def interrupted(descriptor):
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        results_json.write(_result(), tmp_path)
    assert json.loads((tmp_path / "results.json").read_text()) == {"old": True}
    assert [path.name for path in tmp_path.iterdir()] == ["results.json"]


def test_no_temporary_file_is_left(written):
    assert not [path for path in written.iterdir() if path.name.startswith(".")]
    assert sorted(path.name for path in written.iterdir()) == [
        "loss_overfit_lstm.png", "loss_overfit_rnn.png", "report.html", "report.md",
        "results.json"]


def test_markdown_cannot_be_injected(written):
    markdown_it = pytest.importorskip("markdown_it")
    text = (written / "report.md").read_text()
    rendered = markdown_it.MarkdownIt("commonmark").render(text)
    assert "<script" not in rendered and "<img src=\"x\"" not in rendered
    assert "<b>" not in rendered and "<i>" not in rendered
    assert "javascript:" not in rendered.replace("[click](javascript:alert(1))", "")
    assert 'href="javascript' not in rendered
    parser = _Tags()
    parser.feed(rendered)
    assert {tag for tag, _ in parser.tags} <= {"h1", "h2", "h3", "ul", "li", "strong", "p", "table",
                                               "thead", "tbody", "tr", "th", "td", "pre", "code",
                                               "img"}
    assert [dict(attrs)["src"] for tag, attrs in parser.tags if tag == "img"] == [
        "loss_overfit_rnn.png", "loss_overfit_lstm.png"]


def test_markdown_keeps_student_text_verbatim_in_blocks():
    text = markdown.render(_result(), {})
    fence = "`" * 5
    assert f"{fence}text\n{INJECTION}\n{fence}" in text


def test_markdown_lists_problems_first_and_items_in_a_table(written):
    text = (written / "report.md").read_text()
    assert text.index("## Problems with the submission") < text.index("## Items")
    assert "| rnn_step_backward | 3 | 6 | failed |" in text
    assert "- **Score:** 12 / 25" in text
    assert "Isolation" not in text and "mount namespace" not in text
    assert "### rnn_step_forward" not in text
    assert "![loss curve of overfit_lstm](loss_overfit_lstm.png)" in text


class _Tags(HTMLParser):
    """Every start tag of a page, with its attributes, and the page's text."""

    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)


def test_html_is_escaped_and_self_contained(written):
    page = (written / "report.html").read_text()
    parser = _Tags()
    parser.feed(page)
    tags = {tag for tag, _ in parser.tags}
    assert "script" not in tags and "b" not in tags and "i" not in tags and "a" in tags
    images = [dict(attrs)["src"] for tag, attrs in parser.tags if tag == "img"]
    assert len(images) == 2
    for source in images:
        assert source.startswith("data:image/png;base64,")
        assert base64.b64decode(source.split(",", 1)[1]).startswith(b"\x89PNG")
    text = "".join(parser.text)
    assert INJECTION in text
    assert "<b>eve<b>.zip" in text and "students/" not in text  # its name, not its folder
    assert "Content-Security-Policy" in page


def test_html_puts_problems_before_items():
    page = html.render(_result(), {})
    assert page.index("Problems with the submission") < page.index("<h2>Items</h2>")


def test_loss_curve_files_are_pngs(written):
    for name in ("overfit_rnn", "overfit_lstm"):
        assert (written / f"loss_{name}.png").read_bytes().startswith(b"\x89PNG")


def test_every_configured_item_is_a_test_name(settings):
    items = [ItemResult(name, points, checks=[Check("c", True)])
             for name, points in settings.points.items()]
    document = results_json.results(GradeResult("x", items))
    assert [test["name"] for test in document["tests"]] == list(config.ITEMS)
    assert document["score"] == pytest.approx(100)


CONTROLS = "\x1b]0;title\x07\x1b[2J\x1b[31mred\r\x00\x7f\x9b\u202eevil\u2066"


def _hostile_result(text):
    """A grading whose every student-controlled text is ``text``."""
    item = ItemResult("rnn_forward", 5, error=text, output=text, grader_traceback=text,
                      checks=[Check("values", False, detail=text, hint=text)])
    return GradeResult(submission=text, items=[item], problems=[text], seed=1)


def _reports(folder):
    return {name: (folder / name).read_text(encoding="utf-8")
            for name in ("report.md", "report.html", "results.json")}


def _strings(value):
    """Every str in a JSON document."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def test_control_characters_reach_no_report(tmp_path, settings):
    write_reports(_hostile_result(CONTROLS + "\ttab\nnext line"), tmp_path, settings)
    controls = {character for character in CONTROLS if unicodedata.category(character)[0] == "C"}
    assert len(controls) == 8
    reports = _reports(tmp_path)
    reports["results.json"] = "".join(_strings(json.loads(reports["results.json"])))
    for name, text in reports.items():
        assert not controls & set(text), name
    shown = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "\\x1b[31mred\\r\\x00\\x7f\\x9b\\u202eevil\\u2066\ttab\nnext line" in shown


def test_markdown_opens_no_link_or_image_the_student_wrote(tmp_path, settings):
    mistune = pytest.importorskip("mistune")
    links = "https://evil.example/x www.evil.example eve@evil.example ![i](https://evil.example/i)"
    write_reports(_hostile_result(links), tmp_path, settings)
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    rendered = mistune.create_markdown(plugins=["url", "table", "strikethrough"])(text)
    parser = _Tags()
    parser.feed(rendered)
    assert not [tag for tag, _ in parser.tags if tag in ("a", "img")], rendered
    assert "https://evil.example/x" in "".join(parser.text)  # still shown, as text


def test_reports_have_a_size_bound_and_say_what_was_cut(tmp_path, settings):
    huge = "é" * 100_000
    item = ItemResult("rnn_forward", 5, error=huge, output=huge, grader_traceback=huge,
                      checks=[Check(f"case {n}", False, detail=huge, hint=huge)
                              for n in range(50)])
    result = GradeResult(submission="s", items=[item] * 17, problems=[huge] * 1000, seed=1)
    write_reports(result, tmp_path, settings)
    limit = settings.limits.output_bytes
    for name, text in _reports(tmp_path).items():
        # per item: its error, output and traceback, and five limits' worth of check texts
        # (the budget may be overrun by the last one); the problems once more; and the
        # escaping of HTML and JSON (é as \u00e9) at most 3 times the bytes.
        assert len(text.encode()) < 3 * (17 * 8 + 1) * limit, (name, len(text.encode()))
        assert f"more bytes not shown: the output limit is {limit} bytes]" in text, name
        assert "the explanation of this item reached the size limit of a report" in text, name
        assert "more problems not shown" in text, name


def test_a_loss_curve_of_extreme_floats_is_still_drawn(tmp_path, settings):
    history = [-1.7e308, 1.7e308, 5e-324, float("nan"), float("inf"), 1.0]
    item = ItemResult("overfit_rnn", 5, checks=[Check("final loss", False)],
                      loss_history=history)
    write_reports(GradeResult("s", [item]), tmp_path, settings)
    assert (tmp_path / "loss_overfit_rnn.png").read_bytes().startswith(b"\x89PNG")


def test_every_item_reports_its_wall_time(tmp_path, settings):
    result = GradeResult(submission="s", seed=1, digest="ab" * 32, seconds=14.5, items=[
        ItemResult("rnn_step_forward", 4, checks=[Check("values", True)], seconds=0.4237),
        ItemResult("overfit_rnn", 5, checks=[Check("final loss", True)], seconds=12.25)])
    write_reports(result, tmp_path, settings)
    document = json.loads((tmp_path / "results.json").read_text())
    assert [test["extra_data"]["seconds"] for test in document["tests"]] == [0.424, 12.25]
    assert document["extra_data"]["digest"] == "ab" * 32
    report = (tmp_path / "report.md").read_text()
    assert "| rnn_step_forward | 4 | 4 | passed | 0.42 s |" in report
    assert "| overfit_rnn | 5 | 5 | passed | 12.2 s |" in report
    page = (tmp_path / "report.html").read_text()
    assert '<td class="number">0.42 s</td>' in page and '<td class="number">12.2 s</td>' in page


def test_student_reports_name_the_submission_without_the_graders_folders(tmp_path, settings):
    folder = "/home/instructor/private/class-2026"
    result = GradeResult(submission=f"{folder}/alice.zip", seed=1,
                         items=[ItemResult("rnn_forward", 5, checks=[Check("values", True)])])
    write_reports(result, tmp_path, settings)
    for name in ("report.md", "report.html"):
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert "alice.zip" in text and folder not in text, name
    document = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    shown = [document["output"], *(test["output"] for test in document["tests"])]
    assert not [text for text in shown if folder in text]
    assert document["extra_data"]["submission"] == f"{folder}/alice.zip"  # for the instructor
