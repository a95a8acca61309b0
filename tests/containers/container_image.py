"""An image of this project for the container tests, and ``docker run`` in a default container.

The image starts from the base image that ``docker-up`` builds (no registry is
reachable here), installs the grading dependencies of pyproject.toml into a virtual
environment at ``/opt/venv`` (a layer Docker caches while pyproject.toml is unchanged),
then the checkout's files (those git knows of) at ``/opt/grader``, editable. Containers
run as root with Docker's default seccomp profile and capabilities, no network:
what Gradescope and ``otter grade`` give.
"""

import io
import os
import subprocess
import sys
import tarfile
import time
import tomllib
from pathlib import Path

from otter_images import BASE_IMAGE, require_docker

REPO = Path(__file__).resolve().parents[2]
TAG = "local/rnn-grader-test:latest"
BUILD_SECONDS = 1800
DOCKERFILE = """\
FROM {base}
RUN python3 -m venv /opt/venv
COPY pyproject.toml /opt/grader/pyproject.toml
RUN /opt/venv/bin/pip install --quiet --no-cache-dir {requirements}
COPY . /opt/grader
RUN /opt/venv/bin/pip install --quiet --no-cache-dir --no-deps -e /opt/grader
WORKDIR /opt/grader
ENV PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
"""


def grading_requirements():
    """pyproject.toml's run-time dependencies (the grader's) and the test runner of ``dev``."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    tools = [requirement for requirement in project["optional-dependencies"]["dev"]
             if not requirement.startswith(project["name"])]
    return project["dependencies"] + tools


def build_image():
    """Build the image (from Docker's cache when nothing changed); seconds it took.

    Raises
    ------
    AssertionError
        With docker's words, when the build fails.
    """
    dockerfile = DOCKERFILE.format(base=BASE_IMAGE, requirements=" ".join(
        f"'{requirement}'" for requirement in grading_requirements()))
    started = time.monotonic()
    previous = _image_id()
    finished = subprocess.run(["docker", "build", "--network", "host", "--tag", TAG, "-"],
                              input=_context(dockerfile), capture_output=True,
                              timeout=BUILD_SECONDS, env=dict(os.environ, DOCKER_BUILDKIT="0"))
    assert finished.returncode == 0, f"docker build failed:\n{finished.stderr.decode()[-3000:]}"
    if previous and previous != _image_id():
        # The last session's image (full copies of its layers, with the vfs driver) goes;
        # the cached dependency layers stay, shared with the new one.
        subprocess.run(["docker", "image", "rm", previous], capture_output=True)
    seconds = time.monotonic() - started
    print(f"built {TAG} in {seconds:.0f} s", file=sys.stderr)
    return seconds


def run(command, timeout):
    """Run ``command`` (a shell command line) in a default container of the image.

    Returns
    -------
    subprocess.CompletedProcess
        Text output; the container is removed afterwards.
    """
    return subprocess.run(["docker", "run", "--rm", "--network", "none", TAG, "sh", "-c", command],
                          capture_output=True, text=True, timeout=timeout)


def image():
    """The image's tag, once built in this test session; skips, saying why, without Docker."""
    require_docker()
    build_image()
    return TAG


def _image_id():
    """The id of the image tagged ``TAG``, or "" when there is none."""
    found = subprocess.run(["docker", "image", "inspect", "--format", "{{.Id}}", TAG],
                           capture_output=True, text=True)
    return found.stdout.strip() if found.returncode == 0 else ""


def _context(dockerfile):
    """The build context as a gzipped tar (which docker tells from a bare Dockerfile): the
    Dockerfile and the files git knows of."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=REPO, capture_output=True, check=True).stdout
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=1) as archive:
        for name in sorted(set(filter(None, listed.decode().split("\0")))):
            if (REPO / name).is_file():
                archive.add(REPO / name, arcname=name, recursive=False)
        entry = tarfile.TarInfo("Dockerfile")
        entry.size = len(dockerfile.encode())
        archive.addfile(entry, io.BytesIO(dockerfile.encode()))
    return buffer.getvalue()
