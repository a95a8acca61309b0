#!/usr/bin/env bash
# `otter grade` runs this once while it builds the grading image. Only setup.sh,
# environment.yml and requirements.txt are in /autograder/source at that point.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -q && apt-get install -y -q python3.11 python3.11-venv
python3.11 -m venv /autograder/venv
/autograder/venv/bin/python -m pip install -q -r /autograder/source/requirements.txt
