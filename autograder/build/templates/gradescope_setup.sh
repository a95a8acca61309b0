#!/usr/bin/env bash
# Gradescope runs this once, from /autograder/source (the unpacked bundle), when it builds the
# autograder image.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
@MAKE_VENV@
make_venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install -q -e "$ROOT/source"
