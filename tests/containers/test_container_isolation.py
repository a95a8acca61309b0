"""Grading inside a default Docker container (root, Docker's seccomp profile, no
CAP_SYS_ADMIN, no network), as on Gradescope and under ``otter grade``: the namespace
modes are refused there, and the grader must reach the "confined" mode, not "none".

The image is built once per test session (tests/containers/container_image.py);
without a Docker engine every test here skips and says why.
"""

import json
import shlex

import pytest

import container_image

pytestmark = pytest.mark.container
GRADE_SECONDS = 1500
ATTACK_SECONDS = 1500
# The hostile corpus of the other suites, run inside the container, and the confined
# mode's own probes. Among them, the gradings that look for a channel between two gradings
# (in a row and at once) and the mount tables a child prints, in the confined mode.
ATTACK_SUITES = ("tests/autograder/sandbox/test_adversarial.py",
                 "tests/end_to_end/test_adversarial_grading.py",
                 "tests/autograder/sandbox/test_confined.py",
                 "tests/autograder/sandbox/test_seccomp.py")


# Appended to the stubs: takes the reference wherever the grader keeps it, in the checkout
# (an editable install) or in site-packages, which the confined child may read.
THEFT = """
for _path in ("/opt/grader/solutions/rnn_layers.py",
              "/opt/venv/lib/python3.11/site-packages/solutions/rnn_layers.py"):
    try:
        with open(_path) as _file:
            exec(_file.read())
        break
    except OSError:
        pass
"""
# Grades the stubs and the thief; prints "LABEL SCORE ISOLATION" per grading.
GRADINGS = """
set -e
mkdir -p /tmp/stubs/classifiers /tmp/thief/classifiers
cp assignment/rnn_layers.py /tmp/stubs/ && cp assignment/classifiers/rnn.py /tmp/stubs/classifiers/
cp assignment/classifiers/rnn.py /tmp/thief/classifiers/
(cat assignment/rnn_layers.py; printf '%s' "$THEFT") > /tmp/thief/rnn_layers.py
grade() {
  python -m autograder grade "/tmp/$2" --out "/tmp/out-$1" $3 > /dev/null
  python -c "import json, sys; d = json.load(open(sys.argv[1]))
print(sys.argv[2], d['score'], d['extra_data']['isolation'].split(':')[0].split()[0])" \
    "/tmp/out-$1/results.json" "$1"
}
grade editable-stubs stubs
grade editable-thief thief
grade unconfined-thief thief "--runner inprocess"
# the grader's files inside site-packages, where a regular install would put them
pip uninstall --quiet --yes rnn-captioning-assignment
cp -r autograder solutions assignment captiondata grading.toml \\
  /opt/venv/lib/python3.11/site-packages/
cd /
grade installed-thief thief
"""


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
    # Docker mounts the cgroups read-only: the address space limit is the memory bound left
    assert "; memory: RLIMIT_AS 4 GiB only: no memory cgroup can be made here (" in \
        document["extra_data"]["isolation"], document["extra_data"]
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


def test_a_stolen_reference_earns_nothing_in_either_install_layout(image):
    finished = container_image.run(f"export THEFT={shlex.quote(THEFT)}; {GRADINGS}", GRADE_SECONDS)
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    graded = {label: (float(score), level) for label, score, level in
              (line.split() for line in finished.stdout.splitlines() if line.count(" ") == 2)}
    honest = graded["editable-stubs"][0]
    assert graded["unconfined-thief"][0] > honest + 50  # the theft works where nothing stops it
    assert graded["editable-thief"] == (honest, "confined")
    assert graded["installed-thief"] == (honest, "confined")
