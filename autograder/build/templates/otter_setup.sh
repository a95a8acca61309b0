#!/usr/bin/env bash
# `otter grade` runs this once while it builds the grading image. Only setup.sh,
# environment.yml and requirements.txt are in /autograder/source at that point.
set -euo pipefail
@MAKE_VENV@
make_venv /autograder/venv
/autograder/venv/bin/python -m pip install -q -r /autograder/source/requirements.txt
