"""Docker for the container tests of the otter and Gradescope bundles.

Every image starts from the local base image that ``../shared/containers/docker-up``
builds (no registry is reachable); a test skips, saying why, when Docker or that
image is missing. Containers run with ``--network none`` and Docker's default
seccomp profile and capabilities, as under ``otter grade`` and on Gradescope.
"""

import os
import shutil
import subprocess
import sys
import time

import pytest

BASE_IMAGE = "local/bookworm:latest"
DOCKER_UP = "../shared/containers/docker-up"
BUILD_SECONDS = 1800
RUN_SECONDS = 1200


def docker_unavailable():
    """Why containers cannot run here, or None when they can."""
    if shutil.which("docker") is None:
        return f"no docker client in PATH (install and start an engine with {DOCKER_UP})"
    if subprocess.run(["docker", "info"], capture_output=True).returncode != 0:
        return f"the Docker engine does not answer (start it with {DOCKER_UP})"
    if subprocess.run(["docker", "image", "inspect", BASE_IMAGE],
                      capture_output=True).returncode != 0:
        return f"the base image {BASE_IMAGE} is missing ({DOCKER_UP} builds it)"
    return None


def require_docker():
    """Skip the calling test, printing why, when containers cannot run here."""
    reason = docker_unavailable()
    if reason:
        print(f"container test skipped: {reason}", file=sys.stderr)
        pytest.skip(reason)


def docker(*arguments, timeout=RUN_SECONDS, environment=None):
    """Run ``docker ARGUMENTS``; its standard output. Fails the test with docker's words."""
    finished = subprocess.run(["docker", *arguments], capture_output=True, text=True,
                              timeout=timeout, env=environment)
    assert finished.returncode == 0, (f"docker {' '.join(arguments)} failed:\n"
                                      f"{finished.stdout[-3000:]}\n{finished.stderr[-3000:]}")
    return finished.stdout


def build(context, tag):
    """Build ``context`` (a folder with a Dockerfile) as ``tag``; seconds it took.

    The classic builder with the host's network, as docker-up's buildx stand-in
    builds otter's images; unchanged layers come from Docker's cache.
    """
    started = time.monotonic()
    docker("build", "--network", "host", "--tag", tag, str(context), timeout=BUILD_SECONDS,
           environment=dict(os.environ, DOCKER_BUILDKIT="0"))
    seconds = time.monotonic() - started
    print(f"built {tag} in {seconds:.0f} s", file=sys.stderr)
    return seconds
