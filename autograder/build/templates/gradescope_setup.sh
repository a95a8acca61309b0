#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image.
set -euo pipefail
SOURCE="${AUTOGRADER_ROOT:-/autograder}/source"
apt-get update -q && apt-get install -y -q python3 python3-pip python3-venv
python3 -m pip install -q -e "$SOURCE"
