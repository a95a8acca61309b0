"""Grading inside a default Docker container (root, Docker's seccomp profile, no
CAP_SYS_ADMIN, no network), as on Gradescope and under ``otter grade``: the namespace
modes are refused there, and the grader must reach the "confined" mode, not "none".

The image is built once per test session (tests/containers/container_image.py);
without a Docker engine every test here skips and says why.
"""

import json

import pytest

import container_image

pytestmark = pytest.mark.container
GRADE_SECONDS = 1500
ATTACK_SECONDS = 1500
# The hostile corpus of the other suites, run inside the container, and the confined
# mode's own probes.
ATTACK_SUITES = ("tests/sandbox/test_sandbox_adversarial.py",
                 "tests/pipeline/test_adversarial_grading.py",
                 "tests/sandbox/test_sandbox_confined.py",
                 "tests/sandbox/test_sandbox_seccomp.py")


@pytest.fixture(scope="session")
def image():
    """The project's image, built once per session."""
    return container_image.image()


def test_the_reference_earns_every_point_in_the_confined_mode(image):
    command = ("cp -r solutions /tmp/submission && "
               "python -m autograder grade /tmp/submission --out /tmp/out > /dev/null && "
               "cat /tmp/out/results.json")
    finished = container_image.run(command, GRADE_SECONDS)
    assert finished.returncode == 0, finished.stderr[-3000:]
    document = json.loads(finished.stdout)
    assert document["extra_data"]["isolation"].startswith("confined:"), document["extra_data"]
    assert document["score"] == pytest.approx(100)
    assert all(test["score"] == test["max_score"] for test in document["tests"])
    assert "confined" not in document["output"]


def test_the_attacks_earn_nothing_in_a_container(image):
    command = ("python -m pytest -q -p no:cacheprovider -rs "
               + " ".join(ATTACK_SUITES))
    finished = container_image.run(command, ATTACK_SECONDS)
    summary = finished.stdout.strip().splitlines()[-1] if finished.stdout.strip() else ""
    assert finished.returncode == 0, finished.stdout[-5000:] + finished.stderr[-2000:]
    assert "failed" not in summary and "passed" in summary, summary
    assert "the confined mode cannot start" not in finished.stdout, finished.stdout[-3000:]


def test_below_the_minimum_the_grader_refuses_and_says_what_is_missing(image):
    # A grading.toml that asks for namespaces, which a default container refuses.
    command = ("sed -i 's/^isolation_minimum = .*/isolation_minimum = \"userns\"/' grading.toml"
               " && cp -r solutions /tmp/submission && "
               "python -m autograder grade /tmp/submission --out /tmp/out; echo \"exit=$?\"; "
               "ls /tmp/out")
    finished = container_image.run(command, GRADE_SECONDS)
    assert "exit=1" in finished.stdout, finished.stdout + finished.stderr
    assert "results.json" not in finished.stdout
    assert "CAP_SYS_ADMIN" in finished.stderr and "unprivileged user namespaces" in finished.stderr
