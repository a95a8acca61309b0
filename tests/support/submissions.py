"""Submissions as a student uploads them: the reference's two files, the stubs, folders and zips."""

import shutil
import zipfile
from pathlib import Path

from autograder import paths

REFERENCE = {
    "rnn_layers.py": (paths.SOLUTIONS_DIR / "rnn_layers.py").read_bytes(),
    "classifiers/rnn.py": (paths.SOLUTIONS_DIR / "classifiers" / "rnn.py").read_bytes(),
}


def write_files(folder, files, prefix=""):
    """Write ``{relative name: bytes}`` under ``folder/prefix``; return ``folder``."""
    for name, data in files.items():
        target = Path(folder, prefix, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return Path(folder)


def zip_folder(folder, archive):
    """Zip every file under ``folder`` (paths relative to it) into ``archive``; return it."""
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(folder).as_posix())
    return Path(archive)


def reference_submission(folder, prefix=""):
    """A folder holding the reference's two files under ``prefix``."""
    return write_files(folder, REFERENCE, prefix)


def stub_submission(folder):
    """A folder holding the student stubs of ``assignment/`` (every function unimplemented)."""
    shutil.copytree(paths.ASSIGNMENT_DIR, folder,
                    ignore=shutil.ignore_patterns("__pycache__"))
    return Path(folder)
