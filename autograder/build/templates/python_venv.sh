# make_venv FOLDER: a virtual environment of a Python >= 3.11 (the grader needs tomllib).
# Debian bookworm's system python3 is 3.11; Ubuntu 22.04 (the default base of otter grade and
# Gradescope) has 3.10 and packages python3.11. Each candidate is tried by making the environment;
# python3.11 is installed from the distribution's packages only when none works.
make_venv() {
  local candidate
  for candidate in python3 python3.11; do
    if command -v "$candidate" >/dev/null &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' &&
       "$candidate" -m venv "$1" >/dev/null 2>&1; then
      echo "setup.sh: a virtual environment of $("$candidate" --version) in $1"
      return 0
    fi
    rm -rf "$1"
  done
  if ! command -v apt-get >/dev/null; then
    echo "setup.sh: no Python >= 3.11 with venv and no apt-get to install one:" \
         "choose a base image with Python >= 3.11 (e.g. Debian bookworm)" >&2
    return 1
  fi
  echo "setup.sh: no Python >= 3.11 with venv here; installing python3.11 and python3.11-venv"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q && apt-get install -y -q python3.11 python3.11-venv
  python3.11 -m venv "$1"
}
