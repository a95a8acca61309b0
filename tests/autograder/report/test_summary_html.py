"""``summary.html`` of grade-all: what the class got wrong, checked in its text and, in headless
Chromium (Debian's package, installed by .ci/run), in a screenshot of the rendered page."""

import html
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from autograder import paths
from autograder.items import mistakes
from support.submissions import reference_submission, write_files

ITEM = "sample_rnn"
WINDOW = (1000, 1400)
HISTOGRAM_BLUE = (31, 119, 180)  # matplotlib's first colour, used by nothing else on the page
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run")


def _mutant(folder, name):
    """A submission folder holding the reference with the catalogue's mistake ``name``."""
    [mistake] = [mistake for mistake in mistakes.MISTAKES if mistake.name == name]
    return write_files(folder, {file: text.encode() for file, text
                                in mistakes.mutated_sources(mistake).items()})


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """grade-all's output for the reference, two submissions writing <START> into column 0,
    one feeding <START> at every step, and a broken zip."""
    root = tmp_path_factory.mktemp("class")
    folder = reference_submission(root / "class" / "good").parent
    for name in ("ann", "ben"):
        _mutant(folder / name, "sample_start_in_column_0")
    _mutant(folder / "cat", "sample_feeds_start")
    (folder / "broken.zip").write_bytes(b"PK\x03\x04 truncated")
    run = subprocess.run([sys.executable, "-m", "autograder", "grade-all", str(folder), "--out",
                          str(root / "out"), "--items", ITEM, "--quiet"],
                         cwd=paths.REPO_ROOT, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    return root / "out"


def _mistake(name):
    [mistake] = [mistake for mistake in mistakes.MISTAKES if mistake.name == name]
    return mistake


def test_the_mistakes_named_most_often_come_first(graded_class):
    page = (graded_class / "summary.html").read_text()
    column_0 = html.escape(_mistake("sample_start_in_column_0").description)
    every_step = html.escape(_mistake("sample_feeds_start").description)
    assert f'<td class="number">2</td><td>{column_0}</td><td>{ITEM}</td>' in page
    assert f'<td class="number">1</td><td>{every_step}</td><td>{ITEM}</td>' in page
    assert page.index(column_0) < page.index(every_step)


def test_ungradable_submissions_are_listed_with_their_reason_not_counted_as_graded(graded_class):
    page = (graded_class / "summary.html").read_text()
    assert "5 submissions, 4 graded" in page
    section = page[page.index("<h2>Could not be graded</h2>"):]
    assert "<strong>broken</strong>: no graded file could be taken: broken.zip is neither" in (
        section)
    assert "4 graded, 1 could not be graded" in (graded_class / "summary.md").read_text()


def test_items_and_slowest_submissions_are_shown(graded_class):
    page = (graded_class / "summary.html").read_text()
    points = 5  # sample_rnn's points in grading.toml
    assert f'<tr><td>{ITEM}</td><td class="number">{points}</td><td class="number">1.25</td>' in (
        page)
    assert "25%</td>" in page
    slowest = page[page.index("<h2>Slowest submissions</h2>"):]
    assert all(f"<td>{name}</td>" in slowest for name in ("ann", "ben", "cat", "good", "broken"))


def test_the_page_renders_in_chromium(graded_class, tmp_path):
    browser = shutil.which("chromium")
    if browser is None:
        pytest.skip("chromium is not installed: apt-get install -y chromium")
    screenshot = tmp_path / "summary.png"
    subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                    f"--window-size={WINDOW[0]},{WINDOW[1]}", f"--screenshot={screenshot}",
                    (graded_class / "summary.html").as_uri()],
                   capture_output=True, timeout=120, check=True)
    image = np.asarray(Image.open(screenshot).convert("RGB"))
    assert image.shape == (WINDOW[1], WINDOW[0], 3)
    not_white = np.any(image < 240, axis=2).mean()
    assert 0.02 < not_white < 0.6, f"{not_white:.1%} of the page is drawn"
    blue = np.all(np.abs(image.astype(int) - HISTOGRAM_BLUE) <= 8, axis=2).sum()
    assert blue > 500, "the embedded histogram was not drawn"
