"""The Gradescope bundle in a container laid out as Gradescope lays it out.

The image is the base image with the bundle unpacked into ``/autograder/source``
and its ``setup.sh`` run there at build time; each submission is a fresh
container (``--network none``) with the unpacked hand-in copied into
``/autograder/submission``, running ``/autograder/run_autograder``. Its
``results.json`` must be valid for Gradescope and score as the native grader.
The image is built once per session; a first layer downloads the dependencies
of ``pyproject.toml``, so that while they are unchanged a rebuild after a change
of the sources reruns ``setup.sh`` with them at hand.
"""

import io
import json
import subprocess
import zipfile

import jsonschema
import mistune
import pytest
from otter_images import BASE_IMAGE, RUN_SECONDS, build, docker, require_docker
from support.handins import PARTIAL_MUTANTS, graded_sources, handed_in_zip

from autograder import config, grade
from autograder.build import gradescope_bundle

pytestmark = pytest.mark.container

IMAGE = "rnn-captioning-gradescope:test"
# The stubs' zero is checked by the otter grade test; here the reference and a mutant suffice.
KINDS = ("solutions", PARTIAL_MUTANTS[0])
DOCKERFILE = f"""\
FROM {BASE_IMAGE}
# The dependencies of pyproject.toml, downloaded in a layer kept while that file is unchanged;
# the pip of setup.sh takes them from there (PIP_FIND_LINKS) instead of downloading them again.
ENV PIP_FIND_LINKS=/wheels
COPY source/pyproject.toml /wheels/pyproject.toml
RUN python3 -c "import tomllib; print(*tomllib.load(open('/wheels/pyproject.toml', 'rb'))\
['project']['dependencies'], sep='\\n')" > /wheels/requirements.txt \\
 && python3 -m pip download -q -d /wheels -r /wheels/requirements.txt
# Gradescope's layout: the bundle in /autograder/source, setup.sh run from there once (one
# layer: each layer after the sources is rebuilt whenever they change).
COPY source /autograder/source
RUN mkdir -p /autograder/submission /autograder/results && cd /autograder/source \\
 && bash ./setup.sh && cp run_autograder /autograder/run_autograder
"""
FORMATS = ["text", "html", "simple_format", "md", "ansi"]
VISIBILITIES = ["hidden", "after_due_date", "after_published", "visible"]
# Gradescope's results.json, as its autograder documentation specifies it.
RESULTS_SCHEMA = {
    "type": "object",
    "required": ["tests"],
    "additionalProperties": False,
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "integer"},
        "output": {"type": "string"},
        "output_format": {"enum": FORMATS},
        "test_output_format": {"enum": FORMATS},
        "test_name_format": {"enum": FORMATS},
        "visibility": {"enum": VISIBILITIES},
        "stdout_visibility": {"enum": VISIBILITIES},
        "extra_data": {"type": "object"},
        "leaderboard": {"type": "array"},
        "tests": {"type": "array", "items": {
            "type": "object",
            "required": ["name", "score", "max_score"],
            "additionalProperties": False,
            "properties": {
                "score": {"type": "number"},
                "max_score": {"type": "number"},
                "status": {"enum": ["passed", "failed"]},
                "name": {"type": "string"},
                "name_format": {"enum": FORMATS},
                "number": {"type": "string"},
                "output": {"type": "string"},
                "output_format": {"enum": FORMATS},
                "tags": {"type": "array", "items": {"type": "string"}},
                "visibility": {"enum": VISIBILITIES},
                "extra_data": {"type": "object"},
            },
        }},
    },
}


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    """The Gradescope image of this tree, built once for the module."""
    require_docker()
    context = tmp_path_factory.mktemp("gradescope_image")
    bundle = gradescope_bundle.expected_files()[gradescope_bundle.OUTPUT]
    zipfile.ZipFile(io.BytesIO(bundle)).extractall(context / "source")
    for script in gradescope_bundle.SCRIPTS:
        (context / "source" / script).chmod(0o755)
    (context / "Dockerfile").write_text(DOCKERFILE, encoding="utf-8")
    build(context, IMAGE)
    return IMAGE


def _start_autograder(image, submission):
    """Start grading the folder ``submission`` in a fresh container; the container and its run."""
    container = docker("create", "--network", "none", image, "/autograder/run_autograder").strip()
    docker("cp", f"{submission}/.", f"{container}:/autograder/submission")
    run = subprocess.Popen(["docker", "start", "--attach", container], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    return container, run


def _finish_autograder(container, run, out):
    """Wait for the run, copy its results.json to ``out``, remove the container; the document."""
    try:
        said, _ = run.communicate(timeout=RUN_SECONDS)
        assert run.returncode == 0, said[-3000:]
        docker("cp", f"{container}:/autograder/results/results.json", str(out))
    finally:
        docker("rm", "--force", container)
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=KINDS)
def graded(request, image, tmp_path_factory):
    """(results.json from the container, the native GradeResult) of one hand-in.

    The native grading runs while the container grades.
    """
    work = tmp_path_factory.mktemp(f"gradescope_{request.param}")
    handin = handed_in_zip(work / "submission.zip", graded_sources(request.param))
    submission = work / "submission"
    zipfile.ZipFile(handin).extractall(submission)  # Gradescope unpacks an uploaded zip
    container, run = _start_autograder(image, submission)
    native = grade.grade_submission(handin, work / "native")
    return request.param, _finish_autograder(container, run, work / "results.json"), native


def test_results_json_is_valid_for_gradescope(graded):
    _, document, _ = graded
    jsonschema.validate(document, RESULTS_SCHEMA)
    assert [test["name"] for test in document["tests"]] == list(config.ITEMS)


def test_scores_equal_the_native_grade(graded):
    kind, document, native = graded
    assert {test["name"]: test["score"] for test in document["tests"]} == {
        item.name: round(item.score, 4) for item in native.items}
    assert document["score"] == round(native.score, 4)
    if kind == "solutions":
        assert native.score == 100
    else:
        assert 0 < native.score < 100


def test_students_see_the_explanations_rendered_as_markdown(graded):
    _, document, _ = graded
    assert document["output_format"] == "md"
    failed = [test for test in document["tests"] if test["status"] == "failed"]
    assert all(test["output_format"] == "md" for test in document["tests"])
    for test in failed:
        assert "<strong>" in mistune.html(test["output"]), test["output"]
