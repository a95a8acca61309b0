#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image. Its Ubuntu 22.04
# base has Python 3.10; the grader needs 3.11 (tomllib), which jammy packages.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q && apt-get install -y -q python3.11 python3.11-venv
python3.11 -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install -q -e "$ROOT/source"
