"""Build ``dist/student.zip``, everything a student downloads.

It holds ``assignment/`` (the stubs and the provided modules, among them
``selfcheck``) and the notebooks with their public otter tests, both as their
build steps generate them now (never a stale copy from disk), the data
downloader ``captiondata/``, the embedded data set, a README and a
``requirements.txt`` generated from pyproject.toml's ``student`` extra.
Reference code, hidden tests and grading settings stay out; :func:`leaks`
names any file that should not be there.
"""

import io
import zipfile
from pathlib import Path

from .. import paths
from . import dependencies, notebooks, stubs

OUTPUT = "dist/student.zip"
# Generated files, built afresh, and folders copied from the tree.
GENERATED_BY = (stubs, notebooks)
FOLDERS = ("captiondata", "datasets/embedded")
EXCLUDED_PARTS = {"__pycache__", ".ipynb_checkpoints"}
TEMPLATES = Path(__file__).resolve().parent / "templates"
README_TEMPLATE = "STUDENT_README.md"
FORBIDDEN_TOPS = ("solutions", "autograder", "tests", "grading.toml")
MARKER = b"BEGIN SOLUTION"
# A fixed timestamp so that the same tree always gives the same bytes.
DATE = (2024, 1, 1, 0, 0, 0)


def members(root=paths.REPO_ROOT):
    """``{archive path: bytes}`` of the student bundle, built from ``root``."""
    found = {}
    for step in GENERATED_BY:
        # The stubs step also refreshes a generated file of solutions/: not student material.
        found.update({relative: text.encode() for relative, text in
                      step.expected_files(root).items()
                      if not relative.startswith(f"{stubs.SOURCE}/")})
    for folder in FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            relative = path.relative_to(root)
            if path.is_file() and not EXCLUDED_PARTS & set(relative.parts):
                found[relative.as_posix()] = path.read_bytes()
    found["README.md"] = (TEMPLATES / README_TEMPLATE).read_bytes()
    found["requirements.txt"] = dependencies.requirements(root, "student")
    return found


def leaks(files, root=paths.REPO_ROOT):
    """Archive paths in ``files`` that would give away the reference or the hidden tests.

    A leak is a path under a forbidden top-level entry, a file holding a
    solution marker, or a copy of a reference module that has solution regions.
    """
    secret = {path.read_bytes() for path in (root / "solutions").rglob("*.py")
              if MARKER in path.read_bytes()}
    return sorted(name for name, data in files.items()
                  if name.split("/")[0] in FORBIDDEN_TOPS or MARKER in data or data in secret)


def zip_bytes(files, executable=frozenset()):
    """A deterministic zip archive of ``{archive path: bytes}``; ``executable`` names get mode 755."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            info = zipfile.ZipInfo(name, DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o755 if name in executable else 0o644) << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def expected_files(root=paths.REPO_ROOT):
    """``{"dist/student.zip": bytes}``; raises ValueError if a secret would leak."""
    files = members(root)
    leaked = leaks(files, root)
    if leaked:
        raise ValueError(f"student bundle would leak {leaked}; remove them from {FOLDERS} "
                         "or fix the solution markers of solutions/")
    return {OUTPUT: zip_bytes(files)}


def generated_files(root=paths.REPO_ROOT):
    """The bundle, if a previous build wrote it."""
    return {OUTPUT} if (root / OUTPUT).is_file() else set()
