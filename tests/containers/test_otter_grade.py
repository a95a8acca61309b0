"""A real ``otter grade`` (Docker) on a folder of hand-in zips records the native grader's scores.

The commands are the README's otter block, run as they stand in a folder laid
out as the README says (``dist/otter-autograder.zip``, ``submissions/``), with
one option added: ``--image local/bookworm:latest``, the base image docker-up
builds (otter's default, ``ubuntu:22.04``, cannot be pulled here). otter grade
builds its image once for the whole folder; Docker's layer cache keeps the slow
layers (the packages of setup.sh) from one session to the next while they are
unchanged.
"""

import csv
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from otter_images import BASE_IMAGE, BUILD_SECONDS, require_docker
from support.handins import MIB, PARTIAL_MUTANTS, graded_sources, handed_in_zip, zip_of_zeros

from autograder import grade, paths
from autograder.build import otter_bundle

pytestmark = pytest.mark.container

KINDS = ("solutions", "assignment") + PARTIAL_MUTANTS
BOMB = "bomb.zip"
README_BLOCK = re.compile(r"```bash\n([^`]*?^otter grade [^`]*?)```", re.MULTILINE)
GRADE_COMMAND = "otter grade "


def readme_commands():
    """The lines of the README's code block that runs ``otter grade``, with the base image added."""
    [block] = README_BLOCK.findall((paths.REPO_ROOT / "README.md").read_text(encoding="utf-8"))
    return "\n".join(f"{line} --image {BASE_IMAGE}" if line.startswith(GRADE_COMMAND) else line
                     for line in block.splitlines())


@pytest.fixture(scope="module")
def graded(tmp_path_factory, settings):
    """otter grade's ``final_grades.csv`` rows by file, and the native results by file."""
    require_docker()
    work = tmp_path_factory.mktemp("otter_grade")
    (work / "dist").mkdir()
    (work / otter_bundle.OUTPUT).write_bytes(otter_bundle.expected_files()[otter_bundle.OUTPUT])
    submissions = work / "submissions"
    submissions.mkdir()
    zips = {f"{kind}.zip": handed_in_zip(submissions / f"{kind}.zip", graded_sources(kind))
            for kind in KINDS}
    limit = settings.limits.max_unpacked_mib
    zip_of_zeros(submissions / BOMB, 1, (limit + 1) * MIB)
    environment = {"PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
                   "HOME": str(Path.home())}
    started = time.monotonic()
    otter_grade = subprocess.Popen(["bash", "-euo", "pipefail", "-c", readme_commands()],
                                   cwd=work, env=environment, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
    native = {name: grade.grade_submission(path, work / "native" / name)
              for name, path in zips.items()}
    said, _ = otter_grade.communicate(timeout=BUILD_SECONDS + 1800)
    print(f"otter grade took {time.monotonic() - started:.0f} s", file=sys.stderr)
    assert otter_grade.returncode == 0, said
    with open(work / "grades" / "final_grades.csv", newline="", encoding="utf-8") as file:
        rows = {row["file"]: row for row in csv.DictReader(file)}
    return rows, native, said, limit


@pytest.mark.parametrize("name", [f"{kind}.zip" for kind in KINDS])
def test_final_grades_record_the_native_scores(graded, name):
    rows, native, said, _ = graded
    assert name in rows, f"otter grade recorded no row for {name}:\n{said[-3000:]}"
    row, result = rows[name], native[name]
    assert row["grading_status"] == "Completed", said[-3000:]
    assert {item.name: round(float(row[item.name]), 4) for item in result.items} == {
        item.name: round(item.score, 4) for item in result.items}
    assert float(row["total_points_earned"]) == pytest.approx(result.score)
    expected_total = {"solutions.zip": 100, "assignment.zip": 0}.get(name)
    if expected_total is None:
        assert 0 < result.score < 100
    else:
        assert result.score == expected_total


def test_points_row_is_grading_toml(graded, settings):
    rows, *_ = graded
    points = settings.points
    assert {item: float(rows["points-per-question"][item]) for item in points} == points


def test_zip_bomb_is_recorded_ungradable_with_the_reason(graded):
    rows, _, said, limit = graded
    row = rows[BOMB]
    assert row["grading_status"].startswith(
        f"{BOMB} unpacks to {limit + 1} MiB, more than the {limit} MiB allowed"), said[-3000:]
    assert float(row["total_points_earned"]) == 0
